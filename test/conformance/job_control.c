/* Job control as Linux does it: stop signals with their default action stop the child's
 * whole thread group, SIGCONT continues it, and the parent learns each once through
 * waitpid(WUNTRACED/WCONTINUED) and waitid(WSTOPPED/WCONTINUED), and through SIGCHLD unless
 * it set SA_NOCLDSTOP. Children that make syscalls and one that spins without any are
 * stopped alike. A group orphaned by an exit while a member is stopped gets SIGHUP and
 * SIGCONT; orphans go to a child subreaper; PR_SET_PDEATHSIG signals a child whose parent
 * died, or whose forking thread did. */
#include "check.h"
#include "proc.h"
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <pthread.h>
#include <sys/wait.h>

static volatile long *counter;
static volatile int chld_code, chld_count;

static void on_chld(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	chld_code = si->si_code;
	chld_count++;
}

/* A child that counts, sleeping a millisecond between steps. It gets a process group of its
 * own, which is not orphaned (its parent, in our group, is in the same session): Linux
 * discards SIGTSTP sent to an orphaned group, and ours may be one (a CI runner's). */
static pid_t counting_child(void)
{
	*counter = 0;
	pid_t pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		for (int i = 0; i < 20000; i++) {
			(*counter)++;
			usleep(1000);
		}
		_exit(0);
	}
	setpgid(pid, pid);
	while (*counter < 3)
		sleep_ms(1);
	return pid;
}

static char proc_state(pid_t pid)
{
	char path[64], buf[256];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return '?';
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	char *p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : '?';
}

static void stop_and_continue(void)
{
	pid_t pid = counting_child();
	chld_count = 0;
	CHECK(kill(pid, SIGSTOP) == 0, "kill SIGSTOP", "-");
	int st;
	pid_t w = waitpid(pid, &st, WUNTRACED);
	CHECK(w == pid && WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP, "waitpid(WUNTRACED) reports the stop by SIGSTOP", "w=%d %s", (int)w, wstatus_str(st));
	CHECK(chld_count >= 1 && chld_code == CLD_STOPPED, "SIGCHLD with CLD_STOPPED came", "count %d code %d", chld_count, chld_code);
	CHECK(waitpid(pid, &st, WUNTRACED | WNOHANG) == 0, "a stop is reported once", "-");
	CHECK(proc_state(pid) == 'T', "/proc/<pid>/stat shows state T", "%c", proc_state(pid));
	long before = *counter;
	sleep_ms(100);
	CHECK(*counter == before, "a stopped child makes no progress", "%ld then %ld", before, *counter);

	chld_count = 0;
	CHECK(kill(pid, SIGCONT) == 0, "kill SIGCONT", "-");
	w = waitpid(pid, &st, WCONTINUED);
	CHECK(w == pid && WIFCONTINUED(st), "waitpid(WCONTINUED) reports the continue", "w=%d %s", (int)w, wstatus_str(st));
	long long end = now_ms() + 2000;
	while (*counter == before && now_ms() < end)
		sleep_ms(5);
	CHECK(*counter > before, "a continued child runs again", "-");
	for (int i = 0; i < 200 && chld_count == 0; i++)
		sleep_ms(5);
	CHECK(chld_count >= 1 && chld_code == CLD_CONTINUED, "SIGCHLD with CLD_CONTINUED came", "count %d code %d", chld_count, chld_code);
	CHECK(waitpid(pid, &st, WCONTINUED | WNOHANG) == 0, "a continue is reported once", "-");

	/* waitid sees the same: SIGTSTP's default action stops too */
	kill(pid, SIGTSTP);
	siginfo_t si = {0};
	int r = waitid(P_PID, pid, &si, WSTOPPED);
	CHECK(r == 0 && si.si_pid == pid && si.si_code == CLD_STOPPED && si.si_status == SIGTSTP, "waitid(WSTOPPED): CLD_STOPPED, si_status SIGTSTP", "r=%d code %d status %d", r, si.si_code, si.si_status);
	kill(pid, SIGCONT);
	memset(&si, 0, sizeof si);
	r = waitid(P_PID, pid, &si, WCONTINUED);
	CHECK(r == 0 && si.si_code == CLD_CONTINUED && si.si_status == SIGCONT, "waitid(WCONTINUED): CLD_CONTINUED, si_status SIGCONT", "r=%d code %d status %d", r, si.si_code, si.si_status);

	/* SIGKILL ends a stopped child */
	kill(pid, SIGSTOP);
	waitpid(pid, &st, WUNTRACED);
	kill(pid, SIGKILL);
	w = waitpid(pid, &st, 0);
	CHECK(w == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "SIGKILL ends a stopped child", "%s", wstatus_str(st));
}

static volatile int tstp_caught;
static void on_tstp(int sig)
{
	(void)sig;
	tstp_caught = 1;
}

static void handled_and_nocldstop(void)
{
	/* a stop signal with a handler does not stop */
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGTSTP, on_tstp);
		write(1, "", 0);
		for (int i = 0; i < 2000 && !tstp_caught; i++)
			usleep(1000);
		_exit(tstp_caught ? 5 : 6);
	}
	sleep_ms(30);
	kill(pid, SIGTSTP);
	int st;
	pid_t w = waitpid(pid, &st, WUNTRACED);
	CHECK(w == pid && WIFEXITED(st) && WEXITSTATUS(st) == 5, "SIGTSTP with a handler runs the handler and does not stop", "%s", wstatus_str(st));

	/* SA_NOCLDSTOP: no SIGCHLD for the stop, but wait still reports it */
	struct sigaction sa = {0};
	sa.sa_sigaction = on_chld;
	sa.sa_flags = SA_SIGINFO | SA_NOCLDSTOP | SA_RESTART;
	sigaction(SIGCHLD, &sa, NULL);
	pid = counting_child();
	chld_count = 0;
	kill(pid, SIGSTOP);
	w = waitpid(pid, &st, WUNTRACED);
	CHECK(w == pid && WIFSTOPPED(st), "with SA_NOCLDSTOP the stop is still reported by wait", "%s", wstatus_str(st));
	kill(pid, SIGCONT);
	sleep_ms(50);
	CHECK(chld_count == 0, "with SA_NOCLDSTOP no SIGCHLD comes for stop or continue", "count %d", chld_count);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigaction(SIGCHLD, &sa, NULL);
}

/* A stopped sleep finishes its sleep after SIGCONT (the syscall is restarted). */
static void stopped_sleeper(void)
{
	long long t0 = now_ms();
	pid_t pid = fork();
	if (pid == 0) {
		struct timespec ts = {0, 300 * 1000000L};
		_exit(nanosleep(&ts, NULL) == 0 ? 3 : 4);
	}
	sleep_ms(50);
	kill(pid, SIGSTOP);
	int st;
	waitpid(pid, &st, WUNTRACED);
	sleep_ms(50);
	kill(pid, SIGCONT);
	pid_t w = waitpid(pid, &st, 0);
	CHECK(w == pid && WIFEXITED(st) && WEXITSTATUS(st) == 3, "a sleep stopped and continued completes (nanosleep returns 0)", "%s", wstatus_str(st));
	CHECK(now_ms() - t0 >= 290, "and lasts at least its time", "%lld ms", now_ms() - t0);
}

/* SIGTSTP does nothing to an orphaned process group (here a new session's); SIGSTOP still
 * stops it. */
static void orphaned_group(void)
{
	*counter = 0;
	pid_t pid = fork();
	if (pid == 0) {
		setsid();
		for (int i = 0; i < 20000; i++) {
			(*counter)++;
			usleep(1000);
		}
		_exit(0);
	}
	while (*counter < 3)
		sleep_ms(1);
	kill(pid, SIGTSTP);
	sleep_ms(50);
	int st;
	CHECK(waitpid(pid, &st, WUNTRACED | WNOHANG) == 0, "SIGTSTP does not stop a process in an orphaned group", "%s", wstatus_str(st));
	kill(pid, SIGSTOP);
	pid_t w = waitpid(pid, &st, WUNTRACED);
	CHECK(w == pid && WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP, "SIGSTOP does", "%s", wstatus_str(st));
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
}

static volatile int hup_seen;
static void on_hup(int sig)
{
	(void)sig;
	hup_seen = 1;
}

/* A process group that becomes orphaned while a member is stopped gets SIGHUP then SIGCONT
 * (POSIX, Linux's kill_orphaned_pgrp()); one with no stopped member gets nothing. Here the
 * group's only link is its parent, a session leader in another group, which exits; we are a
 * child subreaper, so the orphan becomes our child and we can wait for it. */
static void orphaned_by_exit(int stop_member)
{
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	counter[1] = 0;
	pid_t leader = fork();
	if (leader == 0) {
		setsid();
		pid_t member = fork();
		if (member == 0) {
			setpgid(0, 0);
			signal(SIGHUP, on_hup);
			counter[1] = getpid();
			if (stop_member)
				raise(SIGSTOP);
			for (int i = 0; i < (stop_member ? 3000 : 300) && !hup_seen; i++)
				usleep(1000);
			_exit(hup_seen ? 40 : 41);
		}
		int st;
		if (stop_member)
			waitpid(member, &st, WUNTRACED);
		else
			while (counter[1] == 0)
				usleep(1000);
		_exit(0);
	}
	int st;
	waitpid(leader, &st, 0);
	pid_t member = (pid_t)counter[1];
	CHECK(member > 0 && getpgid(member) == member, "the orphan is our child now (subreaper)", "member %d pgid %d", member, getpgid(member));
	pid_t w = wait_timeout(member, &st, 5000);
	if (stop_member)
		CHECK(w == member && WIFEXITED(st) && WEXITSTATUS(st) == 40,
		      "a stopped member of a group the exit orphans gets SIGHUP and SIGCONT", "%s", wstatus_str(st));
	else
		CHECK(w == member && WIFEXITED(st) && WEXITSTATUS(st) == 41,
		      "a group the exit orphans with nobody stopped gets no SIGHUP", "%s", wstatus_str(st));
	prctl(PR_SET_CHILD_SUBREAPER, 0);
}

static void on_pdeath(int sig)
{
	(void)sig;
	counter[3] = getppid();
	counter[2] = 1;
}

/* PR_SET_PDEATHSIG: the child gets its signal when its parent dies, after it was reparented
 * (getppid() in the handler names the new parent, we as the subreaper). */
static void parent_death_signal(void)
{
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	counter[1] = counter[2] = counter[3] = 0;
	pid_t middle = fork();
	if (middle == 0) {
		pid_t child = fork();
		if (child == 0) {
			signal(SIGUSR2, on_pdeath);
			prctl(PR_SET_PDEATHSIG, SIGUSR2);
			int got = 0;
			prctl(PR_GET_PDEATHSIG, &got);
			counter[1] = got == SIGUSR2 ? getpid() : -1;
			for (int i = 0; i < 3000 && !counter[2]; i++)
				usleep(1000);
			_exit(counter[2] ? 42 : 43);
		}
		while (counter[1] == 0)
			usleep(1000);
		_exit(0);
	}
	int st;
	waitpid(middle, &st, 0);
	pid_t child = (pid_t)counter[1];
	CHECK(child > 0, "PR_GET_PDEATHSIG reads back the signal", "got %ld", counter[1]);
	if (child > 0) {
		pid_t w = wait_timeout(child, &st, 5000);
		CHECK(w == child && WIFEXITED(st) && WEXITSTATUS(st) == 42, "the parent-death signal arrives when the parent exits", "%s", wstatus_str(st));
		CHECK(counter[3] == getpid(), "its handler sees the new parent", "getppid %ld, we are %d", counter[3], getpid());
	}
	prctl(PR_SET_CHILD_SUBREAPER, 0);
}

/* The thread that forks is the parent PR_SET_PDEATHSIG watches: when it exits, the child
 * gets its signal although the process lives on (Linux's real_parent is a thread). */
static void *forking_thread(void *arg)
{
	(void)arg;
	pid_t child = fork();
	if (child == 0) {
		signal(SIGUSR2, on_pdeath);
		prctl(PR_SET_PDEATHSIG, SIGUSR2);
		counter[1] = getpid();
		for (int i = 0; i < 3000 && !counter[2]; i++)
			usleep(1000);
		_exit(counter[2] ? 42 : 43);
	}
	while (counter[1] == 0)
		usleep(1000);
	return (void *)(long)child;
}

static void parent_thread_death_signal(void)
{
	counter[1] = counter[2] = counter[3] = 0;
	pthread_t th;
	void *ret;
	pthread_create(&th, NULL, forking_thread, NULL);
	pthread_join(th, &ret);
	pid_t child = (pid_t)(long)ret;
	int st;
	pid_t w = wait_timeout(child, &st, 5000);
	CHECK(w == child && WIFEXITED(st) && WEXITSTATUS(st) == 42, "the parent-death signal fires when the forking thread exits",
	      "%s", wstatus_str(st));
}

static volatile int usr1_seen;
static void on_usr1(int sig)
{
	(void)sig;
	usr1_seen = 1;
}

/* A child that spins without making syscalls is stopped, continued, and runs a handler at
 * once: the kernel must interrupt a running task, not wait for its next syscall. */
static void spinning_child(void)
{
	signal(SIGUSR1, on_usr1);
	*counter = 0;
	pid_t pid = fork();
	if (pid == 0) {
		while (!usr1_seen)
			(*counter)++;
		_exit(5);
	}
	while (*counter < 1000)
		;
	kill(pid, SIGSTOP);
	int st;
	pid_t w = waitpid(pid, &st, WUNTRACED);
	CHECK(w == pid && WIFSTOPPED(st), "a child spinning without syscalls is stopped", "%s", wstatus_str(st));
	long before = *counter;
	sleep_ms(50);
	CHECK(*counter == before, "and makes no progress while stopped", "%ld then %ld", before, *counter);
	kill(pid, SIGCONT);
	kill(pid, SIGUSR1);
	w = wait_timeout(pid, &st, 5000);
	CHECK(w == pid && WIFEXITED(st) && WEXITSTATUS(st) == 5, "a spinning child runs its SIGUSR1 handler", "%s", wstatus_str(st));
	signal(SIGUSR1, SIG_DFL);
}

int main(void)
{
	counter = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	REQUIRE(counter != MAP_FAILED, "shared counter", "-");
	struct sigaction sa = {0};
	sa.sa_sigaction = on_chld;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigaction(SIGCHLD, &sa, NULL);
	alarm(30);
	stop_and_continue();
	handled_and_nocldstop();
	stopped_sleeper();
	spinning_child();
	orphaned_group();
	orphaned_by_exit(1);
	orphaned_by_exit(0);
	parent_death_signal();
	parent_thread_death_signal();
	return check_done();
}
