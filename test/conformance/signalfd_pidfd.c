/* Signals and processes as file descriptors, as Linux makes them: signalfd/signalfd4 (blocked
 * signals read as struct signalfd_siginfo, poll/epoll readiness, mask updates, the errors),
 * pidfd_open/pidfd_send_signal/waitid(P_PIDFD) (a pidfd becomes readable when its process
 * exits), and fork-like clone3 (CLONE_PIDFD, CLONE_PARENT_SETTID, CLONE_VFORK, bad args).
 * Blocking calls are bounded by alarm() with a handler (no SA_RESTART) or by timeouts;
 * default signal actions are only tested on forked children. */
#include "check.h"
#include "proc.h"
#include <linux/sched.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/wait.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#define P_PIDFD_ ((idtype_t)3)
#define PIDFD_NONBLOCK_ O_NONBLOCK

static void on_alarm(int sig)
{
	(void)sig;
}

static long pidfd_open(pid_t pid, unsigned flags)
{
	return syscall(SYS_pidfd_open, pid, flags);
}

static long pidfd_send_signal(int fd, int sig, siginfo_t *info, unsigned flags)
{
	return syscall(SYS_pidfd_send_signal, fd, sig, info, flags);
}

static long clone3(struct clone_args *a, size_t size)
{
	return syscall(SYS_clone3, a, size);
}

static int sig_pending(int sig)
{
	sigset_t p;
	sigemptyset(&p);
	sigpending(&p);
	return sigismember(&p, sig);
}

static int readable(int fd)
{
	struct pollfd pfd = {fd, POLLIN, 0};
	int r = poll(&pfd, 1, 0);
	return r == 1 && (pfd.revents & POLLIN);
}

/* A child that sleeps (making syscalls) for at most 10 s, then exits 1. */
static pid_t sleeping_child(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		for (int i = 0; i < 1000; i++)
			sleep_ms(10);
		_exit(1);
	}
	return pid;
}

static void signalfd_reads(const sigset_t *mask)
{
	int fd = signalfd(-1, mask, SFD_NONBLOCK | SFD_CLOEXEC);
	REQUIRE(fd >= 0, "signalfd(-1, {SIGUSR1,SIGUSR2}, SFD_NONBLOCK|SFD_CLOEXEC) makes an fd", "errno %d", errno);
	CHECK(fcntl(fd, F_GETFD) == FD_CLOEXEC, "SFD_CLOEXEC sets FD_CLOEXEC", "%d", fcntl(fd, F_GETFD));
	CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK, "SFD_NONBLOCK sets O_NONBLOCK", "0%o", fcntl(fd, F_GETFL));

	/* nothing pending: EAGAIN, not readable */
	struct signalfd_siginfo si[2];
	CHECK_ERR(read(fd, si, sizeof si[0]), EAGAIN, "read with nothing pending is EAGAIN");
	CHECK(!readable(fd), "poll: no POLLIN with nothing pending", "-");

	/* kill() to ourselves: SI_USER with our pid and uid; reading dequeues it */
	kill(getpid(), SIGUSR1);
	CHECK(sig_pending(SIGUSR1), "a blocked SIGUSR1 from kill() is pending", "-");
	CHECK(readable(fd), "poll: POLLIN with SIGUSR1 pending", "-");
	CHECK_ERR(read(fd, si, sizeof si[0] - 1), EINVAL, "a buffer smaller than signalfd_siginfo is EINVAL");
	CHECK(sig_pending(SIGUSR1), "the failed read leaves the signal pending", "-");
	memset(si, 0, sizeof si);
	ssize_t n = read(fd, si, sizeof si[0]);
	CHECK(n == (ssize_t)sizeof si[0] && sizeof si[0] == 128, "read gives one 128-byte signalfd_siginfo", "n=%zd", n);
	CHECK(si[0].ssi_signo == SIGUSR1 && si[0].ssi_code == SI_USER, "ssi_signo SIGUSR1, ssi_code SI_USER", "signo %u code %d", si[0].ssi_signo, si[0].ssi_code);
	CHECK(si[0].ssi_pid == (uint32_t)getpid() && si[0].ssi_uid == (uint32_t)getuid(), "ssi_pid and ssi_uid are the sender's", "pid %u uid %u", si[0].ssi_pid, si[0].ssi_uid);
	CHECK(!sig_pending(SIGUSR1), "the read consumed the signal (no longer pending)", "-");
	CHECK_ERR(read(fd, si, sizeof si[0]), EAGAIN, "and a second read is EAGAIN");

	/* raise() is tgkill(): SI_TKILL */
	memset(si, 0, sizeof si);
	raise(SIGUSR1);
	n = read(fd, si, sizeof si[0]);
	CHECK(n == 128 && si[0].ssi_signo == SIGUSR1 && si[0].ssi_code == SI_TKILL, "raise() reads as SI_TKILL", "n=%zd signo %u code %d", n, si[0].ssi_signo, si[0].ssi_code);

	/* sigqueue: SI_QUEUE and the value */
	memset(si, 0, sizeof si);
	union sigval v;
	v.sival_ptr = (void *)42;
	CHECK(sigqueue(getpid(), SIGUSR2, v) == 0, "sigqueue(getpid(), SIGUSR2, 42)", "errno %d", errno);
	n = read(fd, si, sizeof si[0]);
	CHECK(n == 128 && si[0].ssi_signo == SIGUSR2 && si[0].ssi_code == SI_QUEUE, "a queued signal reads as SI_QUEUE", "n=%zd signo %u code %d", n, si[0].ssi_signo, si[0].ssi_code);
	CHECK(si[0].ssi_int == 42 && si[0].ssi_ptr == 42 && si[0].ssi_pid == (uint32_t)getpid(), "ssi_int and ssi_ptr carry the value, ssi_pid the sender", "int %d ptr %llu", si[0].ssi_int, (unsigned long long)si[0].ssi_ptr);

	/* two pending: one read of 256 bytes gets both, lowest number first */
	memset(si, 0, sizeof si);
	kill(getpid(), SIGUSR2);
	kill(getpid(), SIGUSR1);
	n = read(fd, si, sizeof si);
	CHECK(n == 256, "one read of 2*128 bytes gets both pending signals", "n=%zd", n);
	CHECK(si[0].ssi_signo == SIGUSR1 && si[1].ssi_signo == SIGUSR2, "lowest signal number first", "%u then %u", si[0].ssi_signo, si[1].ssi_signo);
	kill(getpid(), SIGUSR2);
	kill(getpid(), SIGUSR1);
	n = read(fd, si, 200);
	CHECK(n == 128 && si[0].ssi_signo == SIGUSR1, "a 200-byte read gets whole records only (128)", "n=%zd", n);
	n = read(fd, si, sizeof si);
	CHECK(n == 128 && si[0].ssi_signo == SIGUSR2, "the next read gets the other one", "n=%zd", n);

	/* signalfd(fd, ...) replaces the mask of an existing signalfd */
	sigset_t only1;
	sigemptyset(&only1);
	sigaddset(&only1, SIGUSR1);
	CHECK(signalfd(fd, &only1, 0) == fd, "signalfd with an existing fd returns that fd", "errno %d", errno);
	kill(getpid(), SIGUSR2);
	CHECK(!readable(fd), "a pending signal outside the new mask is not readable", "-");
	CHECK_ERR(read(fd, si, sizeof si[0]), EAGAIN, "nor read (EAGAIN)");
	CHECK(signalfd(fd, mask, 0) == fd && readable(fd), "widening the mask again makes it readable", "errno %d", errno);
	memset(si, 0, sizeof si);
	n = read(fd, si, sizeof si[0]);
	CHECK(n == 128 && si[0].ssi_signo == SIGUSR2, "and the read gets SIGUSR2", "n=%zd signo %u", n, si[0].ssi_signo);

	/* fstat, /proc/self/fd */
	struct stat st;
	CHECK(fstat(fd, &st) == 0, "fstat of a signalfd works", "errno %d", errno);
	say("info: signalfd st_mode 0%o\n", st.st_mode);
	char link[64], target[128];
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof target - 1);
	target[n > 0 ? n : 0] = 0;
	CHECK(strcmp(target, "anon_inode:[signalfd]") == 0, "/proc/self/fd of a signalfd is anon_inode:[signalfd]", "'%s'", target);

	/* epoll */
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = 77}, out[2];
	CHECK(ep >= 0 && epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0, "epoll_ctl ADD of a signalfd", "errno %d", errno);
	CHECK(epoll_wait(ep, out, 2, 0) == 0, "epoll: nothing with no signal pending", "-");
	kill(getpid(), SIGUSR1);
	memset(out, 0, sizeof out);
	int r = epoll_wait(ep, out, 2, 1000);
	CHECK(r == 1 && (out[0].events & EPOLLIN) && out[0].data.u32 == 77, "epoll: EPOLLIN with a signal pending", "r=%d events 0x%x", r, out[0].events);
	read(fd, si, sizeof si);
	CHECK(epoll_wait(ep, out, 2, 0) == 0, "epoll: nothing after the read", "-");
	close(ep);
	close(fd);
}

static void signalfd_errors_and_blocking(const sigset_t *mask)
{
	CHECK_ERR(signalfd(-1, mask, 1), EINVAL, "signalfd with unknown flags is EINVAL");
	int p[2];
	REQUIRE(pipe(p) == 0, "pipe", "-");
	CHECK_ERR(signalfd(p[0], mask, 0), EINVAL, "signalfd on a pipe fd is EINVAL");
	CHECK_ERR(signalfd(999, mask, 0), EBADF, "signalfd on a closed fd number is EBADF");
	CHECK_ERR(syscall(SYS_signalfd4, -1, mask, 4, 0), EINVAL, "signalfd4 with sizemask 4 is EINVAL");
	sigset_t big = *mask;
	sigaddset(&big, SIGKILL);
	sigaddset(&big, SIGSTOP);
	int fd = signalfd(-1, &big, 0);
	CHECK(fd >= 0, "SIGKILL and SIGSTOP in the mask are accepted (silently dropped)", "errno %d", errno);
	close(fd);

	/* a blocking read (no SFD_NONBLOCK) is woken by a signal a child sends */
	fd = signalfd(-1, mask, 0);
	REQUIRE(fd >= 0, "a blocking signalfd", "errno %d", errno);
	CHECK(!(fcntl(fd, F_GETFL) & O_NONBLOCK) && !(fcntl(fd, F_GETFD) & FD_CLOEXEC), "without flags: no O_NONBLOCK, no FD_CLOEXEC", "-");
	pid_t pid = fork();
	if (pid == 0) {
		sleep_ms(50);
		kill(getppid(), SIGUSR2);
		_exit(0);
	}
	struct signalfd_siginfo si = {0};
	long long t0 = now_ms();
	alarm(5);
	ssize_t n = read(fd, &si, sizeof si);
	alarm(0);
	say("info: blocking read waited %lld ms\n", now_ms() - t0);
	CHECK(n == 128 && si.ssi_signo == SIGUSR2 && si.ssi_code == SI_USER, "a blocking read is woken by a child's kill()", "n=%zd signo %u errno %d", n, si.ssi_signo, errno);
	CHECK(si.ssi_pid == (uint32_t)pid, "ssi_pid is the child's pid", "%u vs %d", si.ssi_pid, (int)pid);
	int st;
	wait_timeout(pid, &st, 5000);

	/* SIGSTOP and SIGKILL still act on a child blocked in a signalfd read with them in the mask */
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		int f = signalfd(-1, &big, 0);
		write(p[1], "s", 1);
		alarm(10);
		read(f, &si, sizeof si);
		_exit(3);
	}
	close(p[1]);
	char c;
	alarm(5);
	read(p[0], &c, 1);
	alarm(0);
	sleep_ms(30);
	kill(pid, SIGSTOP);
	pid_t w = 0;
	for (int i = 0; i < 2500 && w == 0; i++) {
		w = waitpid(pid, &st, WUNTRACED | WNOHANG);
		if (w == 0)
			sleep_ms(2);
	}
	CHECK(w == pid && WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP, "SIGSTOP stops a child whose signalfd mask has SIGSTOP", "%s", wstatus_str(st));
	kill(pid, SIGKILL);
	w = wait_timeout(pid, &st, 5000);
	CHECK(w == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "SIGKILL kills it", "%s", wstatus_str(st));
	close(p[0]);
	close(fd);
}

static void pidfds(void)
{
	pid_t pid = sleeping_child();
	int pfd = (int)pidfd_open(pid, 0);
	REQUIRE(pfd >= 0, "pidfd_open of a child", "errno %d", errno);
	CHECK(fcntl(pfd, F_GETFD) == FD_CLOEXEC, "a pidfd has FD_CLOEXEC", "%d", fcntl(pfd, F_GETFD));
	char link[64], target[128];
	snprintf(link, sizeof link, "/proc/self/fd/%d", pfd);
	ssize_t n = readlink(link, target, sizeof target - 1);
	target[n > 0 ? n : 0] = 0;
	CHECK(strcmp(target, "anon_inode:[pidfd]") == 0, "/proc/self/fd of a pidfd is anon_inode:[pidfd]", "'%s'", target);
	CHECK(!readable(pfd), "poll: a live child's pidfd is not readable", "-");
	CHECK(pidfd_send_signal(pfd, 0, NULL, 0) == 0, "pidfd_send_signal with signal 0 probes a live child", "errno %d", errno);
	/* flags 1, 2, 4 pick the thread, thread group or process group since Linux 6.9 */
	CHECK_ERR(pidfd_send_signal(pfd, SIGTERM, NULL, 8), EINVAL, "pidfd_send_signal with unknown flags (8) is EINVAL");
	CHECK_ERR(pidfd_send_signal(pfd, SIGTERM, NULL, 3), EINVAL, "pidfd_send_signal with two scope flags (1|2) is EINVAL");
	int p[2];
	REQUIRE(pipe(p) == 0, "pipe", "-");
	CHECK_ERR(pidfd_send_signal(p[0], SIGTERM, NULL, 0), EBADF, "pidfd_send_signal on a pipe fd is EBADF");
	CHECK_ERR(pidfd_send_signal(999, SIGTERM, NULL, 0), EBADF, "pidfd_send_signal on a closed fd number is EBADF");
	close(p[0]);
	close(p[1]);

	int nb = (int)pidfd_open(pid, PIDFD_NONBLOCK_);
	CHECK(nb >= 0 && (fcntl(nb, F_GETFL) & O_NONBLOCK), "pidfd_open(PIDFD_NONBLOCK) gives an O_NONBLOCK pidfd", "errno %d", errno);
	siginfo_t si;
	memset(&si, 0, sizeof si);
	CHECK_ERR(waitid(P_PIDFD_, nb, &si, WEXITED), EAGAIN, "waitid(P_PIDFD) on a non-blocking pidfd of a live child is EAGAIN");
	close(nb);

	CHECK(pidfd_send_signal(pfd, SIGTERM, NULL, 0) == 0, "pidfd_send_signal SIGTERM", "errno %d", errno);
	struct pollfd pp = {pfd, POLLIN, 0};
	int r = poll(&pp, 1, 5000);
	CHECK(r == 1 && (pp.revents & POLLIN), "poll: the pidfd becomes readable when the child exits", "r=%d revents 0x%x", r, pp.revents);
	memset(&si, 0, sizeof si);
	alarm(5);
	r = waitid(P_PIDFD_, pfd, &si, WEXITED);
	alarm(0);
	CHECK(r == 0 && si.si_pid == pid && si.si_code == CLD_KILLED && si.si_status == SIGTERM, "waitid(P_PIDFD) reaps it: killed by SIGTERM", "r=%d code %d status %d", r, si.si_code, si.si_status);
	if (r != 0) {
		int st;
		kill(pid, SIGKILL);
		wait_timeout(pid, &st, 5000);
	}
	CHECK_ERR(pidfd_send_signal(pfd, 0, NULL, 0), ESRCH, "pidfd_send_signal after the child is reaped is ESRCH");
	CHECK_ERR(pidfd_open(pid, 0), ESRCH, "pidfd_open of a reaped (nonexistent) pid is ESRCH");
	CHECK_ERR(pidfd_open(0x3ffffff0, 0), ESRCH, "pidfd_open of a pid never used is ESRCH");
	close(pfd);

	/* the same through waitpid: WTERMSIG */
	pid = sleeping_child();
	pfd = (int)pidfd_open(pid, 0);
	CHECK_ERR(pidfd_open(pid, 1), EINVAL, "pidfd_open with flags 1 is EINVAL");
	CHECK_ERR(pidfd_open(-1, 0), EINVAL, "pidfd_open of pid -1 is EINVAL");
	CHECK(pidfd_send_signal(pfd, SIGTERM, NULL, 0) == 0, "pidfd_send_signal SIGTERM to a second child", "errno %d", errno);
	int st = 0;
	pid_t w = wait_timeout(pid, &st, 5000);
	CHECK(w == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, "waitpid: WTERMSIG is SIGTERM", "%s", wstatus_str(st));
	close(pfd);
}

static void clone3_tests(void)
{
	/* fork-like: 0 in the child, the child's pid in the parent */
	int p[2];
	REQUIRE(pipe(p) == 0, "pipe", "-");
	struct clone_args a;
	memset(&a, 0, sizeof a);
	a.exit_signal = SIGCHLD;
	pid_t pid = (pid_t)clone3(&a, sizeof a);
	if (pid == 0) {
		int me = getpid();
		write(p[1], &me, sizeof me);
		_exit(9);
	}
	close(p[1]);
	CHECK(pid > 0, "clone3(flags 0, SIGCHLD) makes a child", "errno %d", errno);
	int child = -1, st = 0;
	if (pid > 0) {
		alarm(5);
		read(p[0], &child, sizeof child);
		alarm(0);
		CHECK(child == pid, "clone3 returns the child's pid in the parent (0 in the child)", "%d vs %d", child, (int)pid);
		pid_t w = wait_timeout(pid, &st, 5000);
		CHECK(w == pid && WIFEXITED(st) && WEXITSTATUS(st) == 9, "waitpid gives the child's exit 9", "%s", wstatus_str(st));
	}
	close(p[0]);

	/* CLONE_PIDFD and CLONE_PARENT_SETTID */
	int pfd = -1;
	pid_t ptid = 0;
	memset(&a, 0, sizeof a);
	a.flags = CLONE_PIDFD | CLONE_PARENT_SETTID;
	a.pidfd = (uintptr_t)&pfd;
	a.parent_tid = (uintptr_t)&ptid;
	a.exit_signal = SIGCHLD;
	pid = (pid_t)clone3(&a, sizeof a);
	if (pid == 0) {
		sleep_ms(20);
		_exit(7);
	}
	CHECK(pid > 0 && pfd >= 0, "clone3(CLONE_PIDFD) stores a pidfd", "pid %d pidfd %d errno %d", (int)pid, pfd, errno);
	CHECK(pid > 0 && ptid == pid, "clone3(CLONE_PARENT_SETTID) stores the pid in parent_tid", "%d vs %d", (int)ptid, (int)pid);
	if (pid > 0 && pfd >= 0) {
		CHECK(fcntl(pfd, F_GETFD) == FD_CLOEXEC, "the clone3 pidfd has FD_CLOEXEC", "-");
		siginfo_t si;
		memset(&si, 0, sizeof si);
		alarm(5);
		int r = waitid(P_PIDFD_, pfd, &si, WEXITED);
		alarm(0);
		CHECK(r == 0 && si.si_pid == pid && si.si_code == CLD_EXITED && si.si_status == 7, "waitid(P_PIDFD) on it reaps the child (exit 7)", "r=%d code %d status %d", r, si.si_code, si.si_status);
		close(pfd);
	}
	if (pid > 0)
		wait_timeout(pid, &st, 100);

	/* bad arguments */
	memset(&a, 0, sizeof a);
	a.exit_signal = SIGCHLD;
	CHECK_ERR(clone3(&a, 32), EINVAL, "clone3 with size 32 (< CLONE_ARGS_SIZE_VER0) is EINVAL");
	a.flags = 1ULL << 40;
	CHECK_ERR(clone3(&a, sizeof a), EINVAL, "clone3 with unknown flag bits is EINVAL");
	a.flags = 0;
	a.exit_signal = 200;
	CHECK_ERR(clone3(&a, sizeof a), EINVAL, "clone3 with exit_signal 200 is EINVAL");

	/* CLONE_VFORK: the parent resumes only after the child exits */
	volatile int *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	REQUIRE(shared != MAP_FAILED, "shared page", "-");
	*shared = 0;
	memset(&a, 0, sizeof a);
	a.flags = CLONE_VFORK;
	a.exit_signal = SIGCHLD;
	long long t0 = now_ms();
	pid = (pid_t)clone3(&a, sizeof a);
	if (pid == 0) {
		sleep_ms(100);
		*shared = 1;
		_exit(4);
	}
	int seen = *shared;
	long long took = now_ms() - t0;
	CHECK(pid > 0 && seen == 1, "clone3(CLONE_VFORK): the parent resumes after the child's _exit", "pid %d seen %d errno %d", (int)pid, seen, errno);
	CHECK(took >= 90, "and waited for it", "%lld ms", took);
	if (pid > 0) {
		pid_t w = wait_timeout(pid, &st, 5000);
		CHECK(w == pid && WIFEXITED(st) && WEXITSTATUS(st) == 4, "the vfork child's exit 4", "%s", wstatus_str(st));
	}
	munmap((void *)shared, 4096);
}

int main(void)
{
	struct sigaction sa = {0};
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL); /* no SA_RESTART: an alarm ends a blocked call with EINTR */
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGUSR2);
	REQUIRE(sigprocmask(SIG_BLOCK, &mask, NULL) == 0, "block SIGUSR1 and SIGUSR2", "errno %d", errno);
	signalfd_reads(&mask);
	signalfd_errors_and_blocking(&mask);
	pidfds();
	clone3_tests();
	reap_zombies();
	return check_done();
}
