/*
 * Processes: fork and vfork, wait4/waitpid/waitid (exit codes, signals, WNOHANG,
 * WNOWAIT, ECHILD, pid selectors), zombies, getppid and orphan reparenting, process
 * groups and sessions (setpgid/getpgid/setsid/getsid with their errors), execve (ELF,
 * #! scripts, ENOENT/EACCES/ENOEXEC, close-on-exec, the pid kept across exec).
 *
 * Scratch files live under /tmp/proc_fork-<pid>-* and are removed at the end.
 */
#include "proc.h"
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>

static int global_var = 1;
static char scratch[128];

static char *const no_env[] = {NULL};

/* A path under /tmp unique to this run. */
static const char *tmp_path(const char *what)
{
	static char buf[4][160];
	static int i;
	char *b = buf[i++ & 3];
	snprintf(b, 160, "%s-%s", scratch, what);
	return b;
}

static int write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return -1;
	int r = write_all(fd, text, strlen(text));
	close(fd);
	if (r == 0)
		r = chmod(path, mode);
	return r;
}

/* Runs argv in a child with stdout to a pipe; returns the wait status, output in out. */
static int run_capture(const char *path, char *const argv[], char *const envp[], char *out, size_t max)
{
	int p[2], st = -1;
	if (pipe(p) != 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execve(path, argv, envp);
		_exit(127);
	}
	close(p[1]);
	ssize_t n = read_all(p[0], out, max - 1);
	out[n < 0 ? 0 : n] = 0;
	close(p[0]);
	wait_timeout(pid, &st, 5000);
	return st;
}

/* ---- fork basics ---- */

static int child_memory(void *arg, long *v)
{
	(void)arg;
	v[0] = global_var; /* the parent's value before the fork */
	global_var = 2;
	v[1] = global_var;
	return 0;
}

/* After fork each side's memory is its own, however it is written: by the program, by the
 * kernel (read() into it), in either order, across several generations. */
static char small_buf[3 * 4096];

/* cow_buf: three pages of memory the parent and the child both have after fork (an
 * implementation may copy it at once or share it copy-on-write; wvisor copies small areas
 * and shares big ones, so both kinds are tested). */
static void test_fork_memory_isolation(char *cow_buf, const char *what)
{
	say("info: fork isolation of %s\n", what);
	memset(cow_buf, 'a', 3 * 4096);
	int p[2], q[2];
	REQUIRE(pipe(p) == 0 && pipe(q) == 0, "pipes for the isolation test", "-");
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		/* wait until the parent has written its copy, then check ours is untouched */
		if (read(q[0], &c, 1) != 1)
			_exit(1);
		int ok = cow_buf[0] == 'a' && cow_buf[4096] == 'a';
		/* the kernel writes into the child's copy */
		if (read(q[0], cow_buf + 4096, 5) != 5)
			_exit(2);
		ok = ok && memcmp(cow_buf + 4096, "child", 5) == 0;
		/* a grandchild's writes stay in the grandchild */
		pid_t g = fork();
		if (g == 0) {
			cow_buf[8192] = 'g';
			_exit(cow_buf[8192] == 'g' ? 0 : 1);
		}
		int st;
		waitpid(g, &st, 0);
		ok = ok && WIFEXITED(st) && WEXITSTATUS(st) == 0 && cow_buf[8192] == 'a';
		write(p[1], &ok, sizeof ok);
		_exit(0);
	}
	cow_buf[0] = 'P';
	cow_buf[4096] = 'P';
	write(q[1], "x", 1);
	write(q[1], "child", 5);
	int ok = 0;
	CHECK(read(p[0], &ok, sizeof ok) == sizeof ok && ok, "the child's memory is its own: the parent's writes, the kernel's and a grandchild's do not cross", "ok %d", ok);
	int st;
	waitpid(pid, &st, 0);
	CHECK(cow_buf[0] == 'P' && cow_buf[4096] == 'P' && cow_buf[8192] == 'a', "the parent's memory is its own: the child's read() did not reach it", "%c %c %c", cow_buf[0], cow_buf[4096], cow_buf[8192]);
	cow_buf[8192] = 'z';
	CHECK(cow_buf[8192] == 'z', "after the child is gone the parent writes as before", "-");
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
}

static void test_fork_basics(void)
{
	pid_t me = getpid();
	int p[2];
	REQUIRE(pipe(p) == 0, "pipe for the fork test", "-");
	pid_t pid = fork();
	if (pid == 0) {
		long v[3] = {getpid(), getppid(), 0};
		close(p[0]);
		write_all(p[1], v, sizeof v);
		_exit(0);
	}
	REQUIRE(pid >= 0, "fork succeeds", "fork returned %d", (int)pid);
	close(p[1]);
	long v[3] = {0};
	ssize_t n = read_all(p[0], v, sizeof v);
	close(p[0]);
	CHECK(pid > 0 && pid != me, "fork returns the child's pid in the parent", "pid %d, me %d", (int)pid, (int)me);
	CHECK(n == sizeof v && v[0] == pid, "the child's getpid() is the pid fork returned", "n=%zd child getpid %ld, fork %d", n, v[0], (int)pid);
	CHECK(v[1] == me, "the child's getppid() is the parent's pid", "got %ld want %d", v[1], (int)me);
	int st;
	pid_t w = xwaitpid(pid, &st, 0);
	CHECK(w == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0, "wait4 reaps the child: exited 0", "w=%d %s", (int)w, wstatus_str(st));

	/* fork returns 0 in the child */
	pid = fork();
	if (pid == 0)
		_exit(getpid() != me ? 42 : 1);
	w = xwaitpid(pid, &st, 0);
	CHECK(w == pid && WIFEXITED(st) && WEXITSTATUS(st) == 42, "fork returns 0 in the child, which has its own pid", "%s", wstatus_str(st));

	/* memory is copied, not shared */
	long vals[MAX_VALS];
	int nv;
	global_var = 1;
	char *heap = malloc(64);
	strcpy(heap, "parent");
	st = run_child(child_memory, NULL, vals, &nv, 5000);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0 && nv == MAX_VALS, "the memory child ran", "%s nv=%d", wstatus_str(st), nv);
	CHECK(vals[0] == 1 && vals[1] == 2, "the child sees the parent's memory and can change its copy", "%ld %ld", vals[0], vals[1]);
	CHECK(global_var == 1, "the child's write does not change the parent's global", "global_var=%d", global_var);
	pid = fork();
	if (pid == 0) {
		strcpy(heap, "child!");
		char stackbuf[16] = "child";
		(void)stackbuf;
		_exit(strcmp(heap, "child!") == 0 ? 0 : 1);
	}
	w = xwaitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0 && strcmp(heap, "parent") == 0, "the child's heap write does not change the parent's heap", "%s heap=%s", wstatus_str(st), heap);
	free(heap);
}

/* ---- exit codes and signals ---- */

static void test_exit_codes(void)
{
	static const int codes[][2] = {{0, 0}, {7, 7}, {255, 255}, {256 + 7, 7}, {-1, 255}};
	for (unsigned i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		pid_t pid = fork();
		if (pid == 0)
			_exit(codes[i][0]);
		int st = 0x5555;
		struct rusage ru;
		pid_t w;
		do
			w = wait4(pid, &st, 0, &ru);
		while (w < 0 && errno == EINTR);
		char what[96];
		snprintf(what, sizeof what, "wait4: _exit(%d) gives WIFEXITED with status %d", codes[i][0], codes[i][1]);
		CHECK(w == pid && WIFEXITED(st) && !WIFSIGNALED(st) && WEXITSTATUS(st) == codes[i][1], what, "w=%d %s", (int)w, wstatus_str(st));
	}
	/* exit() through the C library (atexit, stdio) reports the same */
	pid_t pid = fork();
	if (pid == 0)
		exit(3);
	int st;
	xwaitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 3, "exit(3) gives status 3", "%s", wstatus_str(st));
	/* exit_group directly */
	pid = fork();
	if (pid == 0)
		syscall(SYS_exit_group, 9);
	xwaitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 9, "exit_group(9) gives status 9", "%s", wstatus_str(st));
	/* the raw exit syscall of the only thread ends the process too */
	pid = fork();
	if (pid == 0)
		syscall(SYS_exit, 11);
	xwaitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 11, "exit(11) of the only thread gives status 11", "%s", wstatus_str(st));
}

/* A child that blocks reading fd until it gets EOF or a byte, then exits with code. */
static pid_t blocked_child(int *wfd, int code)
{
	int p[2];
	if (pipe(p) != 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		for (int fd = 3; fd < 64; fd++)
			if (fd != p[0])
				close(fd);
		char c;
		ssize_t r;
		do
			r = read(p[0], &c, 1);
		while (r < 0 && errno == EINTR);
		_exit(code);
	}
	close(p[0]);
	*wfd = p[1];
	return pid;
}

static void no_core_dumps(void)
{
	struct rlimit no_core = {0, 0};
	setrlimit(RLIMIT_CORE, &no_core);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

static void test_killed(void)
{
	static const int sigs[] = {SIGKILL, SIGTERM};
	for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		int wfd;
		pid_t pid = blocked_child(&wfd, 0);
		CHECK(kill(pid, sigs[i]) == 0, "kill of a blocked child succeeds", "pid %d", (int)pid);
		int st;
		pid_t w = wait_timeout(pid, &st, 5000);
		close(wfd);
		char what[96];
		snprintf(what, sizeof what, "a child killed by signal %d: WIFSIGNALED, WTERMSIG %d, no core flag", sigs[i], sigs[i]);
		CHECK(w == pid && WIFSIGNALED(st) && !WIFEXITED(st) && WTERMSIG(st) == sigs[i] && !WCOREDUMP(st), what, "w=%d %s", (int)w, wstatus_str(st));
	}

	/* SIGSEGV: the child writes through NULL (without a core dump) */
	pid_t pid = fork();
	if (pid == 0) {
		no_core_dumps();
		signal(SIGSEGV, SIG_DFL);
		*(volatile int *)0 = 1;
		_exit(0);
	}
	int st;
	pid_t w = wait_timeout(pid, &st, 5000);
	CHECK(w == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "a child writing through NULL is killed by SIGSEGV", "%s", wstatus_str(st));
	CHECK(!WCOREDUMP(st), "no core flag when no core is dumped (RLIMIT_CORE 0, not dumpable)", "%s", wstatus_str(st));

	/* waitid reports the signal: CLD_KILLED, si_status the signal */
	int wfd;
	pid = blocked_child(&wfd, 0);
	kill(pid, SIGKILL);
	siginfo_t si;
	memset(&si, 0, sizeof si);
	int r;
	do
		r = waitid(P_PID, (id_t)pid, &si, WEXITED);
	while (r < 0 && errno == EINTR);
	close(wfd);
	CHECK(r == 0 && si.si_signo == SIGCHLD && si.si_pid == pid && si.si_code == CLD_KILLED && si.si_status == SIGKILL,
	      "waitid of a SIGKILLed child: CLD_KILLED, si_status SIGKILL", "r=%d signo %d pid %d code %d status %d", r, si.si_signo, (int)si.si_pid, si.si_code, si.si_status);
}

/* ---- WNOHANG, waitid, WNOWAIT, ECHILD, zombies ---- */

static void test_wnohang(void)
{
	int wfd, st = 0x5555;
	pid_t pid = blocked_child(&wfd, 5);
	pid_t w = waitpid(pid, &st, WNOHANG);
	CHECK(w == 0, "WNOHANG returns 0 while the child runs", "w=%d", (int)w);
	CHECK(st == 0x5555, "WNOHANG with nothing to report leaves the status alone", "st=0x%x", st);
	w = waitpid(-1, &st, WNOHANG);
	CHECK(w == 0, "waitpid(-1, WNOHANG) returns 0 while the only child runs", "w=%d", (int)w);

	siginfo_t si;
	memset(&si, 0x55, sizeof si);
	int r = waitid(P_ALL, 0, &si, WEXITED | WNOHANG);
	CHECK(r == 0 && si.si_pid == 0 && si.si_signo == 0, "waitid(WNOHANG) with no exited child returns 0 and zeroes si_pid/si_signo", "r=%d pid %d signo %d", r, (int)si.si_pid, si.si_signo);

	write_all(wfd, "x", 1);
	close(wfd);
	w = wait_timeout(pid, &st, 5000);
	CHECK(w == pid && WIFEXITED(st) && WEXITSTATUS(st) == 5, "after the pipe write the child exits 5 and is reaped", "w=%d %s", (int)w, wstatus_str(st));
	CHECK_ERR(waitpid(pid, &st, WNOHANG), ECHILD, "a reaped child can't be waited for again (ECHILD)");
}

static void test_waitid_wnowait(void)
{
	int wfd;
	pid_t pid = blocked_child(&wfd, 23);
	close(wfd); /* EOF: the child exits 23 */
	siginfo_t si;
	memset(&si, 0, sizeof si);
	int r;
	do
		r = waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT);
	while (r < 0 && errno == EINTR);
	CHECK(r == 0 && si.si_signo == SIGCHLD && si.si_pid == pid && si.si_code == CLD_EXITED && si.si_status == 23,
	      "waitid(P_PID, WNOWAIT): SIGCHLD, the pid, CLD_EXITED, si_status 23", "r=%d signo %d pid %d code %d status %d", r, si.si_signo, (int)si.si_pid, si.si_code, si.si_status);
	CHECK(si.si_uid == getuid(), "waitid: si_uid is the child's uid", "si_uid %d", (int)si.si_uid);
	CHECK(kill(pid, 0) == 0, "the zombie still exists (kill 0 succeeds)", "-");
	memset(&si, 0, sizeof si);
	r = waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT | WNOHANG);
	CHECK(r == 0 && si.si_pid == pid && si.si_status == 23, "WNOWAIT left the zombie: waitid reports it again", "r=%d pid %d", r, (int)si.si_pid);
	int st;
	pid_t w = waitpid(pid, &st, WNOHANG);
	CHECK(w == pid && WIFEXITED(st) && WEXITSTATUS(st) == 23, "then waitpid reaps it", "w=%d %s", (int)w, wstatus_str(st));
	CHECK_ERR(kill(pid, 0), ESRCH, "after reaping, the pid is gone (kill 0 gives ESRCH)");
	memset(&si, 0, sizeof si);
	errno = 0;
	r = waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG);
	CHECK(r == -1 && errno == ECHILD, "waitid of a reaped pid gives ECHILD", "r=%d", r);

	/* waitid without WEXITED (or another state) is EINVAL */
	CHECK_ERR(waitid(P_ALL, 0, &si, WNOHANG), EINVAL, "waitid without WEXITED/WSTOPPED/WCONTINUED is EINVAL");
	CHECK_ERR(waitid((idtype_t)42, 0, &si, WEXITED), EINVAL, "waitid with an unknown idtype is EINVAL");
	CHECK_ERR(waitpid(-1, &st, 0x100), EINVAL, "waitpid with an unknown option bit is EINVAL");
}

static void test_wait_selectors(void)
{
	/* three children, any order: wait(-1) collects each once */
	pid_t kids[3];
	int seen = 0;
	for (int i = 0; i < 3; i++) {
		kids[i] = fork();
		if (kids[i] == 0)
			_exit(10 + i);
	}
	for (int n = 0; n < 3; n++) {
		int st;
		pid_t w = xwaitpid(-1, &st, 0);
		for (int i = 0; i < 3; i++)
			if (w == kids[i] && WIFEXITED(st) && WEXITSTATUS(st) == 10 + i)
				seen |= 1 << i;
	}
	CHECK(seen == 7, "waitpid(-1) reaps each of three children once with its own status", "seen mask %d", seen);
	CHECK_ERR(wait(NULL), ECHILD, "then wait() gives ECHILD");

	/* pid 0 = our process group, -pgid = that group */
	int wa, wb;
	pid_t a = blocked_child(&wa, 31);
	pid_t b = blocked_child(&wb, 32);
	setpgid(a, a); /* a gets its own group (the child may or may not have started yet) */
	CHECK(getpgid(a) == a, "setpgid(child, child) moves the child to its own group", "getpgid %d", (int)getpgid(a));
	CHECK(getpgid(b) == getpgrp(), "an untouched child is in the parent's group", "getpgid %d, ours %d", (int)getpgid(b), (int)getpgrp());
	close(wa);
	close(wb);
	siginfo_t si;
	waitid(P_PID, (id_t)a, &si, WEXITED | WNOWAIT);
	waitid(P_PID, (id_t)b, &si, WEXITED | WNOWAIT);
	int st;
	pid_t w = xwaitpid(0, &st, 0);
	CHECK(w == b && WEXITSTATUS(st) == 32, "waitpid(0) reaps only the child in our group", "w=%d (a=%d b=%d)", (int)w, (int)a, (int)b);
	w = waitpid(0, &st, WNOHANG);
	CHECK(w == -1 && errno == ECHILD, "waitpid(0) then has no child in our group (ECHILD)", "w=%d", (int)w);
	memset(&si, 0, sizeof si);
	int r = waitid(P_PGID, (id_t)a, &si, WEXITED | WNOWAIT);
	CHECK(r == 0 && si.si_pid == a && si.si_status == 31, "waitid(P_PGID, a's group) finds a", "r=%d pid %d", r, (int)si.si_pid);
	w = xwaitpid(-a, &st, 0);
	CHECK(w == a && WEXITSTATUS(st) == 31, "waitpid(-pgid) reaps the child in that group", "w=%d %s", (int)w, wstatus_str(st));
	CHECK_ERR(waitpid(-a, &st, 0), ECHILD, "waitpid(-pgid) of an empty group gives ECHILD");
}

/* ---- getppid, reparenting ---- */

static void test_orphan(void)
{
	int p[2];
	REQUIRE(pipe(p) == 0, "pipe for the orphan test", "-");
	pid_t mid = fork();
	if (mid == 0) {
		int q[2];
		close(p[0]);
		if (pipe(q) != 0)
			_exit(2);
		pid_t g = fork();
		if (g == 0) {
			long v[4];
			close(q[0]);
			v[0] = getpid();
			v[1] = getppid(); /* mid */
			write_all(p[1], v, 2 * sizeof(long));
			close(q[1]); /* lets mid exit */
			long long end = now_ms() + 2000;
			pid_t pp;
			while ((pp = getppid()) == (pid_t)v[1] && now_ms() < end)
				sleep_ms(2);
			v[2] = pp;
			v[3] = getppid();
			write_all(p[1], v + 2, 2 * sizeof(long));
			_exit(0);
		}
		/* mid exits as soon as the grandchild reported its parent */
		close(q[1]);
		char c;
		while (read(q[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(g > 0 ? 0 : 1);
	}
	close(p[1]);
	int st;
	pid_t w = xwaitpid(mid, &st, 0);
	CHECK(w == mid && WIFEXITED(st) && WEXITSTATUS(st) == 0, "the middle process exits 0", "%s", wstatus_str(st));
	long v[4] = {0};
	ssize_t n = read_all(p[0], v, sizeof v);
	close(p[0]);
	CHECK(n == sizeof v, "the grandchild reported its parents", "n=%zd", n);
	CHECK(v[1] == mid, "the grandchild's getppid() is its parent first", "got %ld want %d", v[1], (int)mid);
	CHECK(v[2] != mid && v[2] > 0, "after its parent exits the orphan's getppid() changes (to init or a subreaper)", "got %ld (dead parent %d)", v[2], (int)mid);
	say("info: the orphan was reparented to %ld (we are %d)\n", v[2], (int)getpid());
	/* inside wvisor the orphan is now our child: reap it */
	if (v[0] > 0 && (pid_t)v[2] == getpid())
		xwaitpid((pid_t)v[0], &st, 0);
}

/* ---- process groups and sessions ---- */

static int child_session(void *arg, long *v)
{
	(void)arg;
	pid_t me = getpid();
	v[0] = getpgrp() != me;               /* not a group leader after fork */
	v[1] = setsid() == me;                /* so setsid succeeds */
	v[2] = getsid(0) == me && getpgrp() == me && getpgid(0) == me;
	errno = 0;
	v[3] = setsid() == -1 && errno == EPERM; /* a group (and session) leader can't */
	errno = 0;
	v[4] = setpgid(0, 0) == -1 && errno == EPERM; /* a session leader can't change its group */
	errno = 0;
	v[5] = setpgid(getppid(), 0) == -1 && errno == ESRCH; /* not a child of ours */
	errno = 0;
	v[6] = getsid(getppid()) != me; /* the parent stays in the old session */
	return 0;
}

struct pg_arg {
	pid_t dead, parent_pgrp;
};

static int child_setpgid(void *arg, long *v)
{
	struct pg_arg *a = arg;
	pid_t dead = a->dead;
	pid_t me = getpid();
	v[0] = getpgrp() == a->parent_pgrp && getpgid(0) == getpgrp();
	v[1] = setpgid(0, 0) == 0 && getpgrp() == me;
	v[2] = setpgid(0, a->parent_pgrp) == 0; /* back to the parent's group */
	v[3] = getpgrp() == a->parent_pgrp;
	errno = 0;
	v[4] = setpgid(0, dead) == -1 && errno == EPERM; /* no such group in the session */
	errno = 0;
	v[5] = setpgid(0, -1) == -1 && errno == EINVAL;
	return 0;
}

static void test_pgrp_session(void)
{
	pid_t me = getpid();
	CHECK(getpgid(0) == getpgrp() && getpgid(me) == getpgrp(), "getpgid(0) and getpgid(self) equal getpgrp()", "%d %d %d", (int)getpgid(0), (int)getpgid(me), (int)getpgrp());
	CHECK(getsid(0) == getsid(me) && getsid(0) > 0, "getsid(0) equals getsid(self)", "%d %d", (int)getsid(0), (int)getsid(me));

	/* a pid that no longer exists */
	pid_t dead = fork();
	if (dead == 0)
		_exit(0);
	int st;
	xwaitpid(dead, &st, 0);
	CHECK_ERR(getpgid(dead), ESRCH, "getpgid of a dead pid gives ESRCH");
	CHECK_ERR(getsid(dead), ESRCH, "getsid of a dead pid gives ESRCH");
	CHECK_ERR(setpgid(dead, 0), ESRCH, "setpgid of a dead pid gives ESRCH");
	CHECK_ERR(kill(dead, 0), ESRCH, "kill(0) of a dead pid gives ESRCH");

	long v[MAX_VALS];
	int nv;
	st = run_child(child_session, NULL, v, &nv, 5000);
	CHECK(WIFEXITED(st) && nv == MAX_VALS, "the session child ran", "%s", wstatus_str(st));
	CHECK(v[0] == 1, "a forked child is not a group leader", "%ld", v[0]);
	CHECK(v[1] == 1, "setsid in the child returns its pid", "%ld", v[1]);
	CHECK(v[2] == 1, "after setsid: getsid, getpgrp and getpgid(0) are the child's pid", "%ld", v[2]);
	CHECK(v[3] == 1, "a second setsid gives EPERM", "%ld", v[3]);
	CHECK(v[4] == 1, "setpgid(0, 0) in a session leader gives EPERM", "%ld", v[4]);
	CHECK(v[5] == 1, "setpgid of the parent (not a child) gives ESRCH", "%ld", v[5]);
	CHECK(v[6] == 1, "the parent's session is not the child's new one", "%ld", v[6]);

	struct pg_arg pa = {dead, getpgrp()};
	st = run_child(child_setpgid, &pa, v, &nv, 5000);
	CHECK(WIFEXITED(st) && nv == MAX_VALS, "the setpgid child ran", "%s", wstatus_str(st));
	CHECK(v[0] == 1, "the child starts in the parent's group", "%ld", v[0]);
	CHECK(v[1] == 1, "setpgid(0, 0) makes the child a group leader", "%ld", v[1]);
	CHECK(v[2] == 1 && v[3] == 1, "setpgid(0, parent's group) moves it back", "%ld %ld", v[2], v[3]);
	CHECK(v[4] == 1, "setpgid to a group that does not exist gives EPERM", "%ld", v[4]);
	CHECK(v[5] == 1, "setpgid with a negative pgid gives EINVAL", "%ld", v[5]);

	/* the parent moves a child that is in another session: EPERM; getsid sees it */
	int go[2], ready[2];
	REQUIRE(pipe(go) == 0 && pipe(ready) == 0, "pipes for the session test", "-");
	pid_t pid = fork();
	if (pid == 0) {
		close(go[1]);
		close(ready[0]);
		setsid();
		write_all(ready[1], "r", 1);
		char c;
		while (read(go[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(go[0]);
	close(ready[1]);
	char c;
	read_all(ready[0], &c, 1);
	close(ready[0]);
	CHECK(getsid(pid) == pid, "getsid of a child that called setsid is its pid", "getsid %d pid %d", (int)getsid(pid), (int)pid);
	CHECK(getpgid(pid) == pid, "getpgid of that child is its pid", "%d", (int)getpgid(pid));
	CHECK_ERR(setpgid(pid, pid), EPERM, "setpgid of a child in another session gives EPERM");
	close(go[1]);
	xwaitpid(pid, &st, 0);

	/* setpgid of a child that has called execve: EACCES */
	int in[2], cl[2];
	REQUIRE(pipe(in) == 0 && pipe2(cl, O_CLOEXEC) == 0, "pipes for the exec'd child", "-");
	pid = fork();
	if (pid == 0) {
		dup2(in[0], 0);
		close(in[0]);
		close(in[1]);
		close(cl[0]);
		char *argv[] = {"cat", NULL};
		execve("/bin/cat", argv, no_env);
		_exit(127);
	}
	close(in[0]);
	close(cl[1]);
	ssize_t n = read(cl[0], &c, 1); /* EOF once the exec closed the close-on-exec end */
	close(cl[0]);
	CHECK(n == 0, "the close-on-exec pipe end closes at execve", "n=%zd", n);
	CHECK_ERR(setpgid(pid, pid), EACCES, "setpgid of a child after its execve gives EACCES");
	close(in[1]);
	pid_t w = wait_timeout(pid, &st, 5000);
	CHECK(w == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0, "cat exits 0 at EOF", "%s", wstatus_str(st));
}

/* ---- vfork ---- */

static void test_vfork(void)
{
	pid_t me = getpid();
	pid_t pid = vfork();
	if (pid == 0)
		_exit(getppid() == me ? 9 : 1);
	int st;
	pid_t w = xwaitpid(pid, &st, 0);
	CHECK(pid > 0 && w == pid && WIFEXITED(st) && WEXITSTATUS(st) == 9, "vfork + _exit(9): the parent reaps status 9", "pid %d w %d %s", (int)pid, (int)w, wstatus_str(st));

	char *argv[] = {"true", NULL};
	pid = vfork();
	if (pid == 0) {
		execve("/bin/true", argv, no_env);
		_exit(127);
	}
	w = xwaitpid(pid, &st, 0);
	CHECK(w == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0, "vfork + execve(/bin/true): exits 0", "%s", wstatus_str(st));

	char *argv2[] = {"nope", NULL};
	pid = vfork();
	if (pid == 0) {
		execve("/nonexistent/wvisor-nope", argv2, no_env);
		_exit(errno == ENOENT ? 44 : 1);
	}
	w = xwaitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 44, "vfork + failed execve: the child sees ENOENT and _exits", "%s", wstatus_str(st));
}

/* ---- execve ---- */

static int child_exec_errno(const char *path)
{
	pid_t pid = fork();
	if (pid == 0) {
		char *argv[] = {(char *)path, NULL};
		execve(path, argv, no_env);
		_exit(errno & 0x7f);
	}
	int st;
	wait_timeout(pid, &st, 5000);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_exec(void)
{
	char out[512];
	char *tr[] = {"true", NULL};
	int st = run_capture("/bin/true", tr, no_env, out, sizeof out);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "fork + execve(/bin/true) exits 0", "%s", wstatus_str(st));
	char *fa[] = {"false", NULL};
	st = run_capture("/bin/false", fa, no_env, out, sizeof out);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 1, "fork + execve(/bin/false) exits 1", "%s", wstatus_str(st));

	/* argv and envp arrive; the pid and parent stay the same across execve */
	char *sh[] = {"sh", "-c", "echo \"$0|$1|$FOO\"; echo $$; echo $PPID", "zero", "one", NULL};
	char *env[] = {"FOO=bar baz", "PATH=/bin:/usr/bin", NULL};
	int p[2];
	REQUIRE(pipe(p) == 0, "pipe for exec", "-");
	pid_t pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execve("/bin/sh", sh, env);
		_exit(127);
	}
	close(p[1]);
	ssize_t n = read_all(p[0], out, sizeof out - 1);
	out[n < 0 ? 0 : n] = 0;
	close(p[0]);
	xwaitpid(pid, &st, 0);
	char want[128];
	snprintf(want, sizeof want, "zero|one|bar baz\n%d\n%d\n", (int)pid, (int)getpid());
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0 && strcmp(out, want) == 0,
	      "execve(/bin/sh -c) gets argv and envp; $$ is the forked pid, $PPID ours", "%s, got \"%s\"", wstatus_str(st), out);

	/* failures: the calling process goes on */
	char *nope[] = {"nope", NULL};
	CHECK_ERR(execve("/nonexistent/wvisor-nope", nope, no_env), ENOENT, "execve of a missing path gives ENOENT");
	CHECK_ERR(execve("", nope, no_env), ENOENT, "execve of an empty path gives ENOENT");
	CHECK_ERR(execve("/tmp", nope, no_env), EACCES, "execve of a directory gives EACCES");
	CHECK_ERR(execve("/etc/passwd/x", nope, no_env), ENOTDIR, "execve through a non-directory gives ENOTDIR");

	const char *noexec = tmp_path("noexec");
	REQUIRE(write_file(noexec, "#!/bin/sh\nexit 0\n", 0644) == 0, "write a non-executable script", "%s", noexec);
	int e = child_exec_errno(noexec);
	CHECK(e == EACCES, "execve of a file without execute permission gives EACCES (even for root)", "errno %d", e);

	const char *text = tmp_path("text");
	REQUIRE(write_file(text, "echo this is not an executable\n", 0755) == 0, "write an executable text file", "%s", text);
	e = child_exec_errno(text);
	CHECK(e == ENOEXEC, "execve of a text file without #! gives ENOEXEC", "errno %d", e);

	const char *junk = tmp_path("junk");
	REQUIRE(write_file(junk, "\177ELF garbage that is not a valid ELF header at all......................\n", 0755) == 0, "write a broken ELF", "%s", junk);
	e = child_exec_errno(junk);
	CHECK(e == ENOEXEC, "execve of a broken ELF gives ENOEXEC", "errno %d", e);

	const char *empty = tmp_path("empty");
	REQUIRE(write_file(empty, "", 0755) == 0, "write an empty executable", "%s", empty);
	e = child_exec_errno(empty);
	CHECK(e == ENOEXEC, "execve of an empty file gives ENOEXEC", "errno %d", e);

	const char *badinterp = tmp_path("badinterp");
	REQUIRE(write_file(badinterp, "#!/nonexistent/interp\n", 0755) == 0, "write a script with a missing interpreter", "%s", badinterp);
	e = child_exec_errno(badinterp);
	CHECK(e == ENOENT, "execve of a script whose interpreter is missing gives ENOENT", "errno %d", e);

	/* #! scripts: the interpreter gets [interp, arg, script, args...] */
	const char *echo_script = tmp_path("echo.sh");
	REQUIRE(write_file(echo_script, "#!/bin/echo from-shebang\nnot read\n", 0755) == 0, "write a #!/bin/echo script", "%s", echo_script);
	char *eargv[] = {"ignored-argv0", "x", "y z", NULL};
	st = run_capture(echo_script, eargv, no_env, out, sizeof out);
	snprintf(want, sizeof want, "from-shebang %s x y z\n", echo_script);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0 && strcmp(out, want) == 0,
	      "#! with an argument: the interpreter gets its argument, the script path, then argv[1..]", "%s, got \"%s\"", wstatus_str(st), out);

	const char *sh_script = tmp_path("args.sh");
	REQUIRE(write_file(sh_script, "#!/bin/sh -e\necho \"$0 $1\"\ncase $- in *e*) echo errexit;; esac\nexit 3\n", 0755) == 0, "write a #!/bin/sh -e script", "%s", sh_script);
	char *sargv[] = {"whatever", "first", NULL};
	st = run_capture(sh_script, sargv, no_env, out, sizeof out);
	snprintf(want, sizeof want, "%s first\nerrexit\n", sh_script);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 3 && strcmp(out, want) == 0,
	      "#!/bin/sh -e script: $0 is the script, $1 the argument, -e applied, exit 3", "%s, got \"%s\"", wstatus_str(st), out);

	const char *spaced = tmp_path("spaced.sh");
	REQUIRE(write_file(spaced, "#!  /bin/echo   a b  \n", 0755) == 0, "write a #! with spaces", "%s", spaced);
	char *pargv[] = {"x", NULL};
	st = run_capture(spaced, pargv, no_env, out, sizeof out);
	snprintf(want, sizeof want, "a b %s\n", spaced);
	CHECK(WIFEXITED(st) && strcmp(out, want) == 0, "#! line: leading blanks skipped, the rest is one argument (trailing blanks cut)", "got \"%s\"", out);

	/* close-on-exec: fd 5 (O_CLOEXEC) is closed in the new image, fd 6 kept */
	int a[2], b[2];
	REQUIRE(pipe2(a, O_CLOEXEC) == 0 && pipe(b) == 0, "pipes for close-on-exec", "-");
	pid = fork();
	if (pid == 0) {
		/* first move the pipe ends out of the way of fds 5 and 6 */
		int A = fcntl(a[1], F_DUPFD, 10), B = fcntl(b[1], F_DUPFD, 10);
		close(a[0]);
		close(a[1]);
		close(b[0]);
		close(b[1]);
		dup3(A, 5, O_CLOEXEC);
		dup2(B, 6);
		close(A);
		close(B);
		char *c[] = {"sh", "-c", "exec 2>/dev/null; echo kept >&6; echo leaked >&5; echo done >&6", NULL};
		execve("/bin/sh", c, no_env);
		_exit(127);
	}
	close(a[1]);
	close(b[1]);
	char oa[64], ob[64];
	ssize_t na = read_all(a[0], oa, sizeof oa - 1);
	ssize_t nb = read_all(b[0], ob, sizeof ob - 1);
	oa[na < 0 ? 0 : na] = 0;
	ob[nb < 0 ? 0 : nb] = 0;
	close(a[0]);
	close(b[0]);
	xwaitpid(pid, &st, 0);
	CHECK(na == 0, "an O_CLOEXEC fd is closed by execve (nothing arrives through it)", "got \"%s\"", oa);
	CHECK(strcmp(ob, "kept\ndone\n") == 0, "an fd without FD_CLOEXEC survives execve", "got \"%s\"", ob);

	/* FD_CLOEXEC set with fcntl after the fact works too; dup2 clears it on the copy */
	int c2[2];
	REQUIRE(pipe(c2) == 0, "pipe for fcntl FD_CLOEXEC", "-");
	pid = fork();
	if (pid == 0) {
		int C = fcntl(c2[1], F_DUPFD, 10);
		close(c2[0]);
		close(c2[1]);
		dup2(C, 7);
		close(C);
		fcntl(7, F_SETFD, FD_CLOEXEC);
		dup2(7, 8); /* the copy has no FD_CLOEXEC */
		char *c[] = {"sh", "-c", "exec 2>/dev/null; echo seven >&7; echo eight >&8", NULL};
		execve("/bin/sh", c, no_env);
		_exit(127);
	}
	close(c2[1]);
	n = read_all(c2[0], out, sizeof out - 1);
	out[n < 0 ? 0 : n] = 0;
	close(c2[0]);
	xwaitpid(pid, &st, 0);
	CHECK(strcmp(out, "eight\n") == 0, "fcntl(F_SETFD, FD_CLOEXEC) closes at exec; its dup2 copy stays", "got \"%s\"", out);

	unlink(noexec);
	unlink(text);
	unlink(junk);
	unlink(empty);
	unlink(badinterp);
	unlink(echo_script);
	unlink(sh_script);
	unlink(spaced);
}

/* The session and process-group checks need a session whose leader we can
 * see. When ours is led from outside our pid namespace (getsid() gives 0, as
 * in a CI container started by a pid-namespace launcher), run the test in a
 * child that starts its own session; the parent only passes its status on. */
static void own_session_if_invisible(void)
{
	if (getsid(0) != 0)
		return;
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (pid == 0) {
		if (setsid() < 0) {
			perror("setsid");
			_exit(1);
		}
		return;
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			exit(1);
	exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}

int main(void)
{
	own_session_if_invisible();
	snprintf(scratch, sizeof scratch, "/tmp/proc_fork-%d", (int)getpid());
	signal(SIGCHLD, SIG_DFL);

	int st;
	CHECK_ERR(wait(&st), ECHILD, "wait with no children gives ECHILD");
	CHECK_ERR(waitpid(-1, &st, WNOHANG), ECHILD, "waitpid(-1, WNOHANG) with no children gives ECHILD");
	siginfo_t si;
	CHECK_ERR(waitid(P_ALL, 0, &si, WEXITED | WNOHANG), ECHILD, "waitid(P_ALL) with no children gives ECHILD");

	test_fork_basics();
	test_fork_memory_isolation(small_buf, "three pages of .bss");
	/* a 4 MiB mapping, of which the test uses three pages in the middle */
	char *big = mmap(NULL, 4 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	REQUIRE(big != MAP_FAILED, "mmap of 4 MiB", "errno %d", errno);
	test_fork_memory_isolation(big + (2 << 20), "three pages of a 4 MiB mapping");
	munmap(big, 4 << 20);
	test_exit_codes();
	test_killed();
	test_wnohang();
	test_waitid_wnowait();
	test_wait_selectors();
	test_pgrp_session();
	test_vfork();
	test_exec();
	test_orphan();

	int extra = reap_zombies();
	if (extra)
		say("info: reaped %d leftover children\n", extra);
	CHECK_ERR(wait(&st), ECHILD, "at the end no children are left");
	return check_done();
}
