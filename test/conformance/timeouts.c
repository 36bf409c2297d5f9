/*
 * timeouts: what the waits with a timeout tell about the time left, and CPU affinity.
 *
 * - nanosleep and clock_nanosleep interrupted by a handled signal fail with EINTR and write
 *   the time left to rem (Linux's nanosleep_copyout()); an absolute sleep writes nothing.
 * - select writes the time left to its timeval when it returns (ready, timed out, or
 *   interrupted), and the raw pselect6 and ppoll syscalls to their timespec (Linux's
 *   poll_select_finish()); a zero timeout is not written.
 * - A nanosleep whose rem cannot be written fails with EFAULT when interrupted; select takes
 *   whole seconds in tv_usec; the STICKY_TIMEOUTS personality leaves the timeout alone; a
 *   timeout too long to count still waits and is interrupted as usual.
 * - A timerfd keeps running when the process that made it exits.
 * - The time a process spends stopped does not count against a select's timeout (Linux
 *   restarts the call with the time left).
 * - sched_setaffinity sets the mask sched_getaffinity then reports (the requested CPUs that
 *   exist); a mask with no such CPU is EINVAL, an unknown pid ESRCH, a bad pointer EFAULT;
 *   a child of fork inherits its parent's mask.
 * Times are checked with generous bounds (a busy 2-core VM).
 */
#include "check.h"
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/timerfd.h>
#include <stdint.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

#define MS 1000000LL

static int64_t ts_ns(struct timespec t) { return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec; }
static int64_t tv_ns(struct timeval t) { return (int64_t)t.tv_sec * 1000000000 + t.tv_usec * 1000LL; }

static void on_alarm(int sig) { (void)sig; }

/* A SIGALRM (handled, without SA_RESTART) in ms milliseconds. */
static void alarm_in(int ms)
{
	struct itimerval it = {{0, 0}, {ms / 1000, (ms % 1000) * 1000}};
	setitimer(ITIMER_REAL, &it, NULL);
}

/* The time left after an interruption about 50 ms into a 400 ms wait: at least 150 ms (at
 * most 250 ms more passed on a busy machine) and less than 400 ms (it was written). */
static void check_left(int64_t left, const char *what)
{
	say("info: %s: %lld ms left\n", what, (long long)(left / MS));
	char buf[160];
	snprintf(buf, sizeof buf, "%s tells the time left (150..400 ms of 400)", what);
	CHECK(left >= 150 * MS && left < 400 * MS, buf, "left %lld ns", (long long)left);
}

static void sleeps(void)
{
	struct timespec req = {0, 400 * MS}, rem = {-1, -1};
	alarm_in(50);
	CHECK_ERR(nanosleep(&req, &rem), EINTR, "nanosleep interrupted by a handler fails with EINTR");
	check_left(ts_ns(rem), "nanosleep's rem");

	rem = (struct timespec){-1, -1};
	alarm_in(50);
	int r = clock_nanosleep(CLOCK_MONOTONIC, 0, &req, &rem);
	CHECK(r == EINTR, "clock_nanosleep interrupted by a handler returns EINTR", "returned %d", r);
	check_left(ts_ns(rem), "clock_nanosleep's rem");

	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	struct timespec until = {now.tv_sec, now.tv_nsec + 400 * MS};
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	rem = (struct timespec){7, 7};
	alarm_in(50);
	r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, &rem);
	CHECK(r == EINTR, "an absolute clock_nanosleep interrupted returns EINTR", "returned %d", r);
	CHECK(rem.tv_sec == 7 && rem.tv_nsec == 7, "an absolute sleep leaves rem alone", "rem %lld.%09ld",
	      (long long)rem.tv_sec, rem.tv_nsec);
}

static void selects(void)
{
	int p[2];
	REQUIRE(pipe(p) == 0, "pipe", "%s", "failed");
	fd_set rd;

	/* Ready after about 50 ms: a child writes. */
	pid_t c = fork();
	if (c == 0) {
		usleep(50000);
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		_exit(0);
	}
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	struct timeval tv = {0, 400000};
	int n = select(p[0] + 1, &rd, NULL, NULL, &tv);
	CHECK(n == 1 && FD_ISSET(p[0], &rd), "select returns the pipe once it is readable", "returned %d", n);
	check_left(tv_ns(tv), "select's timeval when ready");
	waitpid(c, NULL, 0);
	char ch;
	CHECK(read(p[0], &ch, 1) == 1, "the byte is read", "%s", "no");

	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	tv = (struct timeval){0, 30000};
	n = select(p[0] + 1, &rd, NULL, NULL, &tv);
	CHECK(n == 0, "select times out", "returned %d", n);
	CHECK(tv.tv_sec == 0 && tv.tv_usec == 0, "a timed-out select leaves a zero timeval", "%ld.%06ld",
	      (long)tv.tv_sec, (long)tv.tv_usec);

	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	tv = (struct timeval){0, 400000};
	alarm_in(50);
	CHECK_ERR(select(p[0] + 1, &rd, NULL, NULL, &tv), EINTR, "select interrupted by a handler fails with EINTR");
	check_left(tv_ns(tv), "select's timeval when interrupted");

	/* A poll (zero timeout) is not written: a read-only timeval works (the raw syscall:
	 * glibc's wrapper writes it back itself). */
	static const struct timeval zero = {0, 0};
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	long z = syscall(SYS_select, p[0] + 1, &rd, NULL, NULL, &zero);
	CHECK(z == 0, "select with a zero timeout in read-only memory returns 0", "returned %ld", z);

	/* The raw syscalls: glibc's wrappers hide the update behind a copy. */
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	struct timespec ts = {0, 400 * MS};
	alarm_in(50);
	long r = syscall(SYS_pselect6, p[0] + 1, &rd, NULL, NULL, &ts, NULL);
	CHECK(r == -1 && errno == EINTR, "raw pselect6 interrupted fails with EINTR", "returned %ld", r);
	check_left(ts_ns(ts), "pselect6's timespec when interrupted");

	struct pollfd pf = {p[0], POLLIN, 0};
	ts = (struct timespec){0, 400 * MS};
	alarm_in(50);
	r = syscall(SYS_ppoll, &pf, 1, &ts, NULL, 8);
	CHECK(r == -1 && errno == EINTR, "raw ppoll interrupted fails with EINTR", "returned %ld", r);
	check_left(ts_ns(ts), "ppoll's timespec when interrupted");

	ts = (struct timespec){0, 30 * MS};
	r = syscall(SYS_ppoll, &pf, 1, &ts, NULL, 8);
	CHECK(r == 0 && ts.tv_sec == 0 && ts.tv_nsec == 0, "a timed-out raw ppoll leaves a zero timespec",
	      "returned %ld, %lld.%09ld", r, (long long)ts.tv_sec, ts.tv_nsec);
	close(p[0]);
	close(p[1]);
}

static void edges(void)
{
	/* rem in read-only memory. */
	struct timespec *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct timespec req = {0, 400 * MS};
	alarm_in(50);
	CHECK_ERR(nanosleep(&req, ro), EFAULT, "an interrupted nanosleep whose rem cannot be written fails with EFAULT");
	munmap(ro, 4096);

	int p[2];
	REQUIRE(pipe(p) == 0 && write(p[1], "x", 1) == 1, "a readable pipe", "%s", "failed");
	fd_set rd;
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	struct timeval tv = {0, 1000001};
	long n = syscall(SYS_select, p[0] + 1, &rd, NULL, NULL, &tv);
	CHECK(n == 1 && tv.tv_sec * 1000000 + tv.tv_usec > 900000, "select takes whole seconds in tv_usec",
	      "returned %ld, %ld.%06ld", n, (long)tv.tv_sec, (long)tv.tv_usec);

	int old = personality(0xffffffff);
	personality(old | STICKY_TIMEOUTS);
	char b;
	CHECK(read(p[0], &b, 1) == 1, "the pipe is drained", "%s", "no");
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	tv = (struct timeval){0, 30000};
	n = syscall(SYS_select, p[0] + 1, &rd, NULL, NULL, &tv);
	CHECK(n == 0 && tv.tv_sec == 0 && tv.tv_usec == 30000, "STICKY_TIMEOUTS leaves select's timeout alone",
	      "returned %ld, %ld.%06ld", n, (long)tv.tv_sec, (long)tv.tv_usec);
	personality(old);

	struct pollfd pf = {p[0], POLLIN, 0};
	struct timespec huge = {10000000000LL, 0};
	alarm_in(50);
	n = syscall(SYS_ppoll, &pf, 1, &huge, NULL, 8);
	CHECK(n == -1 && errno == EINTR, "a ppoll with a timeout of 300 years is interrupted with EINTR", "returned %ld", n);
	CHECK(huge.tv_sec > 1000000000LL, "and tells a long time left", "%lld s", (long long)huge.tv_sec);
	close(p[0]);
	close(p[1]);

	/* A timerfd lives with its file, not with the process that made it: a grandchild, ours
	 * again once its parent exits (we are a subreaper), waits on the timerfd it inherited. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	pid_t c = fork();
	if (c == 0) {
		int fd = timerfd_create(CLOCK_MONOTONIC, 0);
		struct itimerspec its = {{0, 20 * MS}, {0, 20 * MS}};
		timerfd_settime(fd, 0, &its, NULL);
		pid_t g = fork();
		if (g == 0) {
			usleep(100000); /* its maker has exited by now */
			struct pollfd tp = {fd, POLLIN, 0};
			_exit(poll(&tp, 1, 2000) == 1 ? 0 : 1);
		}
		_exit(g > 0 ? 0 : 2);
	}
	int st = -1;
	waitpid(c, &st, 0);
	REQUIRE(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the timerfd's maker forked and exited", "status %#x", st);
	st = -1;
	pid_t g = wait(&st);
	CHECK(g > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "the timerfd still fires after its maker exited",
	      "pid %d status %#x", g, st);
	prctl(PR_SET_CHILD_SUBREAPER, 0);
}

/* Stops child c 100 ms from now for stopped_ms, continues it, and returns its wait status. */
static int stop_and_reap(pid_t c, int stopped_ms)
{
	usleep(100000);
	kill(c, SIGSTOP);
	usleep(stopped_ms * 1000);
	kill(c, SIGCONT);
	int st = -1;
	waitpid(c, &st, 0);
	return st;
}

/* A child's 500 ms select, stopped for 300 ms after 100 ms: exits 0 when it took 700 ms or
 * more (Linux: about 800), 1 when less. With STICKY_TIMEOUTS the timeout cannot tell the
 * time left, so the stop ends the call with EINTR (poll_select_finish()): exits 0 when it
 * failed with EINTR after 300 to 700 ms. */
static void stopped_select_as(int sticky)
{
	int p[2];
	REQUIRE(pipe(p) == 0, "pipe", "%s", "failed");
	pid_t c = fork();
	if (c == 0) {
		fd_set rd;
		FD_ZERO(&rd);
		FD_SET(p[0], &rd);
		struct timeval tv = {0, 500000};
		struct timespec a, b;
		if (sticky)
			personality(personality(0xffffffff) | STICKY_TIMEOUTS);
		clock_gettime(CLOCK_MONOTONIC, &a);
		int n = (int)syscall(SYS_select, p[0] + 1, &rd, NULL, NULL, &tv);
		int e = errno;
		clock_gettime(CLOCK_MONOTONIC, &b);
		int64_t took = ts_ns(b) - ts_ns(a);
		if (sticky)
			_exit(n == -1 && e == EINTR && took >= 300 * MS && took < 700 * MS ? 0 : 1);
		_exit(n == 0 && took >= 700 * MS ? 0 : 1);
	}
	int st = stop_and_reap(c, 300);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      sticky ? "a stop ends a select whose timeout is sticky with EINTR" :
		       "a select's timeout does not count the time its process was stopped",
	      "status %#x", st);
	close(p[0]);
	close(p[1]);
}

/* A child's 2 s epoll_wait (which = 0) or sigtimedwait (1), stopped after 100 ms and
 * continued 100 ms later: exits 0 when the call failed with EINTR (signal(7): these are
 * interrupted by a stop signal even without a handler). */
static void stop_interrupts(int which, const char *what)
{
	pid_t c = fork();
	if (c == 0) {
		int r, e;
		if (which == 0) {
			int ep = epoll_create1(0);
			struct epoll_event ev;
			r = epoll_wait(ep, &ev, 1, 2000);
			e = errno;
		} else {
			sigset_t s;
			sigemptyset(&s);
			sigaddset(&s, SIGUSR1);
			sigprocmask(SIG_BLOCK, &s, NULL);
			struct timespec ts = {2, 0};
			r = sigtimedwait(&s, NULL, &ts);
			e = errno;
		}
		_exit(r == -1 && e == EINTR ? 0 : 1);
	}
	int st = stop_and_reap(c, 100);
	char buf[120];
	snprintf(buf, sizeof buf, "a stop and SIGCONT end a waiting %s with EINTR", what);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, buf, "status %#x", st);
}

static void stopped_select(void)
{
	stopped_select_as(0);
	stopped_select_as(1);
	stop_interrupts(0, "epoll_wait");
	stop_interrupts(1, "sigtimedwait");
}

static void affinity(void)
{
	cpu_set_t all, one, got;
	REQUIRE(sched_getaffinity(0, sizeof all, &all) == 0, "sched_getaffinity", "%s", "failed");
	int first = -1;
	for (int i = 0; i < CPU_SETSIZE && first < 0; i++)
		if (CPU_ISSET(i, &all))
			first = i;
	REQUIRE(first >= 0, "some CPU is allowed", "%s", "none");

	CPU_ZERO(&one);
	CPU_SET(first, &one);
	CHECK(sched_setaffinity(0, sizeof one, &one) == 0, "sched_setaffinity to one CPU", "%s", "failed");
	CPU_ZERO(&got);
	CHECK(sched_getaffinity(0, sizeof got, &got) == 0 && CPU_EQUAL(&got, &one),
	      "sched_getaffinity reports the one CPU", "count %d", CPU_COUNT(&got));

	unsigned cpu = 999, node = 999;
	CHECK(syscall(SYS_getcpu, &cpu, &node, NULL) == 0 && (int)cpu == first && node == 0,
	      "getcpu tells the one CPU the thread may run on, node 0", "cpu %u node %u", cpu, node);
	CHECK_ERR(syscall(SYS_getcpu, (void *)8, NULL, NULL), EFAULT, "getcpu to a bad pointer is EFAULT");

	pid_t c = fork();
	if (c == 0) {
		cpu_set_t mine;
		CPU_ZERO(&mine);
		_exit(sched_getaffinity(0, sizeof mine, &mine) == 0 && CPU_EQUAL(&mine, &one) ? 0 : 1);
	}
	int st = -1;
	waitpid(c, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "a forked child inherits the mask", "status %#x", st);

	/* By tid: the calling thread is the process's only one. */
	CPU_ZERO(&got);
	CHECK(sched_getaffinity(getpid(), sizeof got, &got) == 0 && CPU_EQUAL(&got, &one),
	      "sched_getaffinity by pid reports it too", "%s", "differs");

	cpu_set_t none;
	CPU_ZERO(&none);
	CHECK_ERR(sched_setaffinity(0, sizeof none, &none), EINVAL, "an empty mask is EINVAL");
	/* Only CPUs that do not exist (the last bit of a 1024-bit mask). */
	CPU_ZERO(&none);
	CPU_SET(CPU_SETSIZE - 1, &none);
	CHECK_ERR(sched_setaffinity(0, sizeof none, &none), EINVAL, "a mask of CPUs that do not exist is EINVAL");
	CHECK_ERR(sched_setaffinity(0, sizeof one, (cpu_set_t *)8), EFAULT, "a bad mask pointer is EFAULT");
	CHECK_ERR(sched_setaffinity(999999, sizeof one, &one), ESRCH, "an unknown pid is ESRCH");
	/* A short mask (one byte) is read as far as it goes, the rest taken as zero. */
	unsigned char byte = 1u << first;
	if (first < 8) {
		CHECK(syscall(SYS_sched_setaffinity, 0, 1, &byte) == 0, "a one-byte mask is accepted", "%s", "refused");
		CPU_ZERO(&got);
		CHECK(sched_getaffinity(0, sizeof got, &got) == 0 && CPU_EQUAL(&got, &one),
		      "the one-byte mask set the one CPU", "%s", "differs");
	}
	/* Extra CPUs that do not exist are dropped. */
	cpu_set_t more = all;
	CPU_SET(CPU_SETSIZE - 1, &more);
	CHECK(sched_setaffinity(0, sizeof more, &more) == 0, "a mask with CPUs that do not exist too is accepted", "%s", "refused");
	CPU_ZERO(&got);
	CHECK(sched_getaffinity(0, sizeof got, &got) == 0 && CPU_EQUAL(&got, &all),
	      "only the CPUs that exist are kept", "count %d", CPU_COUNT(&got));
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	sleeps();
	selects();
	edges();
	stopped_select();
	affinity();
	return check_done();
}
