/*
 * cputimers: timers that run on CPU time (Linux kernel/time/posix-cpu-timers.c, itimer.c).
 *
 * - setitimer(ITIMER_PROF) sends SIGPROF, ITIMER_VIRTUAL SIGVTALRM, once the process has
 *   used that much CPU time; a periodic one keeps firing while the process computes, and a
 *   process that sleeps uses no CPU time, so its timer does not fire.
 * - getitimer tells the CPU time left and the interval; a zero value disarms.
 * - fork's child does not inherit the parent's interval timers.
 * - POSIX timers on CLOCK_PROCESS_CPUTIME_ID and CLOCK_THREAD_CPUTIME_ID (timer_create)
 *   fire after that much CPU time of the process or the thread.
 * - clock_nanosleep on a thread's CPU clock is EINVAL.
 * - An interval timer keeps its interval when a zero value disarms it; setitimer with no new
 *   value disarms. A one-shot SIGEV_NONE timer reads 0 once its clock passed the expiry.
 * - A timer on an exited thread's clock reads 0 and cannot be set again (ESRCH); a thread
 *   clock of another process is EINVAL; the clock ids that name pid 0 work from any thread.
 * CPU time is checked against CLOCK_PROCESS_CPUTIME_ID; expiries may come late by a
 * scheduler tick or so, and an interval timer (counted in ticks) a little early.
 */
#include "check.h"
#include <signal.h>
#include <stdint.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

#define THREAD_CPUCLOCK(tid) ((~(clockid_t)(tid) << 3) | 2 | 4)
#define PROCESS_CPUCLOCK(pid) ((~(clockid_t)(pid) << 3) | 2)

#define MS 1000000LL

static volatile sig_atomic_t fired[65];

static void on_signal(int sig) { fired[sig]++; }

static int64_t clock_ns(clockid_t c)
{
	struct timespec t;
	clock_gettime(c, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* Computes until sig has fired `count` times or `wall_ms` of wall time passed; returns the
 * process's CPU time when it stopped. */
static int64_t spin_until(int sig, int count, int wall_ms)
{
	int64_t end = clock_ns(CLOCK_MONOTONIC) + wall_ms * MS;
	volatile uint64_t x = 0;
	while (fired[sig] < count && clock_ns(CLOCK_MONOTONIC) < end)
		for (int i = 0; i < 10000; i++)
			x += i;
	return clock_ns(CLOCK_PROCESS_CPUTIME_ID);
}

static void itimer_once(int which, int sig, const char *name)
{
	char what[160];
	fired[sig] = 0;
	int64_t cpu0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	struct itimerval it = {{0, 0}, {0, 30000}};
	REQUIRE(setitimer(which, &it, NULL) == 0, "setitimer", "%s", name);
	int64_t cpu1 = spin_until(sig, 1, 3000);
	snprintf(what, sizeof what, "%s fires once the process has used its CPU time", name);
	CHECK(fired[sig] == 1, what, "fired %d times", (int)fired[sig]);
	say("info: %s fired after %lld ms of CPU time\n", name, (long long)((cpu1 - cpu0) / MS));
	/* Linux counts an interval timer's CPU time in ticks, not to the nanosecond as
	 * CLOCK_PROCESS_CPUTIME_ID does: it may fire a few ms before 30 ms by that clock. */
	snprintf(what, sizeof what, "%s does not fire before 20 ms of CPU time", name);
	CHECK(cpu1 - cpu0 >= 20 * MS, what, "after %lld ns", (long long)(cpu1 - cpu0));
	struct itimerval left;
	getitimer(which, &left);
	snprintf(what, sizeof what, "a one-shot %s is disarmed once it fired", name);
	CHECK(left.it_value.tv_sec == 0 && left.it_value.tv_usec == 0, what, "%ld.%06ld left",
	      (long)left.it_value.tv_sec, (long)left.it_value.tv_usec);
}

static void itimers(void)
{
	itimer_once(ITIMER_PROF, SIGPROF, "ITIMER_PROF");
	itimer_once(ITIMER_VIRTUAL, SIGVTALRM, "ITIMER_VIRTUAL");

	/* getitimer: CPU time left and the interval. */
	struct itimerval it = {{0, 250000}, {1, 0}}, got;
	setitimer(ITIMER_PROF, &it, NULL);
	getitimer(ITIMER_PROF, &got);
	int64_t left = got.it_value.tv_sec * 1000000000LL + got.it_value.tv_usec * 1000LL;
	CHECK(left > 900 * MS && left <= 1100 * MS, "getitimer(ITIMER_PROF) tells the CPU time left",
	      "%lld ns", (long long)left);
	CHECK(got.it_interval.tv_sec == 0 && got.it_interval.tv_usec == 250000,
	      "getitimer(ITIMER_PROF) tells the interval", "%ld.%06ld", (long)got.it_interval.tv_sec,
	      (long)got.it_interval.tv_usec);

	/* Not inherited by fork's child. */
	pid_t c = fork();
	if (c == 0) {
		struct itimerval mine;
		getitimer(ITIMER_PROF, &mine);
		_exit(mine.it_value.tv_sec == 0 && mine.it_value.tv_usec == 0 && mine.it_interval.tv_usec == 0 ? 0 : 1);
	}
	int st = -1;
	waitpid(c, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "fork's child has no interval timer", "status %#x", st);

	/* Disarmed by a zero value. */
	struct itimerval zero = {{0, 0}, {0, 0}};
	setitimer(ITIMER_PROF, &zero, NULL);
	getitimer(ITIMER_PROF, &got);
	CHECK(got.it_value.tv_sec == 0 && got.it_value.tv_usec == 0 && got.it_interval.tv_usec == 0,
	      "a zero value disarms ITIMER_PROF", "%ld.%06ld", (long)got.it_value.tv_sec,
	      (long)got.it_value.tv_usec);

	/* A zero value disarms but keeps the interval; no new value disarms too. */
	it = (struct itimerval){{1, 0}, {0, 0}};
	setitimer(ITIMER_PROF, &it, NULL);
	getitimer(ITIMER_PROF, &got);
	CHECK(got.it_interval.tv_sec == 1 && got.it_value.tv_sec == 0 && got.it_value.tv_usec == 0,
	      "a disarmed ITIMER_PROF keeps its interval", "interval %ld.%06ld", (long)got.it_interval.tv_sec,
	      (long)got.it_interval.tv_usec);
	it = (struct itimerval){{0, 0}, {100, 0}};
	setitimer(ITIMER_PROF, &it, NULL);
	CHECK(syscall(SYS_setitimer, ITIMER_PROF, NULL, &got) == 0 && got.it_value.tv_sec >= 99,
	      "setitimer with no new value gives the old one", "%ld s", (long)got.it_value.tv_sec);
	getitimer(ITIMER_PROF, &got);
	CHECK(got.it_value.tv_sec == 0 && got.it_value.tv_usec == 0, "and disarms the timer", "%ld.%06ld left",
	      (long)got.it_value.tv_sec, (long)got.it_value.tv_usec);

	/* A sleeping process uses no CPU time: its timer stays quiet. */
	fired[SIGPROF] = 0;
	it = (struct itimerval){{0, 0}, {0, 50000}};
	setitimer(ITIMER_PROF, &it, NULL);
	struct timespec nap = {0, 300 * MS};
	nanosleep(&nap, NULL);
	CHECK(fired[SIGPROF] == 0, "ITIMER_PROF does not fire while the process sleeps", "fired %d",
	      (int)fired[SIGPROF]);
	setitimer(ITIMER_PROF, &zero, NULL);

	/* Periodic: 10 ms of CPU time, for 150 ms of computing. */
	fired[SIGPROF] = 0;
	it = (struct itimerval){{0, 10000}, {0, 10000}};
	setitimer(ITIMER_PROF, &it, NULL);
	int64_t cpu0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	while (clock_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu0 < 150 * MS)
		spin_until(SIGPROF, 1000000, 10);
	setitimer(ITIMER_PROF, &zero, NULL);
	say("info: a 10 ms ITIMER_PROF fired %d times in 150 ms of CPU time\n", (int)fired[SIGPROF]);
	CHECK(fired[SIGPROF] >= 4, "a periodic ITIMER_PROF keeps firing while the process computes",
	      "fired %d times", (int)fired[SIGPROF]);
}

static void posix_cpu_timer(clockid_t clock, const char *name)
{
	char what[160];
	timer_t id;
	struct sigevent ev;
	memset(&ev, 0, sizeof ev);
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = SIGUSR1;
	snprintf(what, sizeof what, "timer_create(%s)", name);
	if (!CHECK(timer_create(clock, &ev, &id) == 0, what, "failed"))
		return;
	fired[SIGUSR1] = 0;
	int64_t cpu0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	struct itimerspec its = {{0, 0}, {0, 30 * MS}};
	timer_settime(id, 0, &its, NULL);
	struct itimerspec got;
	timer_gettime(id, &got);
	snprintf(what, sizeof what, "timer_gettime(%s) tells the CPU time left", name);
	CHECK(got.it_value.tv_sec == 0 && got.it_value.tv_nsec > 0 && got.it_value.tv_nsec <= 30 * MS, what,
	      "%ld.%09ld", (long)got.it_value.tv_sec, got.it_value.tv_nsec);
	int64_t cpu1 = spin_until(SIGUSR1, 1, 3000);
	snprintf(what, sizeof what, "a timer on %s fires", name);
	CHECK(fired[SIGUSR1] == 1, what, "fired %d times", (int)fired[SIGUSR1]);
	snprintf(what, sizeof what, "a timer on %s does not fire before 30 ms of CPU time", name);
	CHECK(cpu1 - cpu0 >= 30 * MS, what, "after %lld ns", (long long)(cpu1 - cpu0));
	timer_gettime(id, &got);
	snprintf(what, sizeof what, "a one-shot timer on %s is disarmed once it fired", name);
	CHECK(got.it_value.tv_sec == 0 && got.it_value.tv_nsec == 0, what, "%ld.%09ld",
	      (long)got.it_value.tv_sec, got.it_value.tv_nsec);
	timer_delete(id);
}

static volatile pid_t worker_tid;

static void *worker(void *a)
{
	(void)a;
	worker_tid = (pid_t)syscall(SYS_gettid);
	spin_until(0, 1, 20);
	return NULL;
}

/* From a thread that is not the main one: the clocks that name pid 0 are this process's. */
static void *second_thread(void *a)
{
	(void)a;
	clockid_t c;
	int r = clock_getcpuclockid(0, &c);
	CHECK(r == 0, "clock_getcpuclockid(0) works in a second thread", "returned %d", r);
	struct timespec ts;
	CHECK(clock_gettime(PROCESS_CPUCLOCK(0), &ts) == 0, "the pid-0 process clock reads in a second thread",
	      "%s", "failed");
	struct sigevent ev;
	memset(&ev, 0, sizeof ev);
	ev.sigev_notify = SIGEV_NONE;
	timer_t id;
	CHECK(timer_create(PROCESS_CPUCLOCK(0), &ev, &id) == 0, "a timer on it is made in a second thread", "%s", "failed");
	timer_delete(id);
	return NULL;
}

static void clock_owners(void)
{
	struct sigevent ev;
	memset(&ev, 0, sizeof ev);
	ev.sigev_notify = SIGEV_NONE;
	timer_t id;

	/* A one-shot SIGEV_NONE timer reads 0 as soon as its clock has passed the expiry. */
	REQUIRE(timer_create(CLOCK_PROCESS_CPUTIME_ID, &ev, &id) == 0, "timer_create(SIGEV_NONE)", "%s", "failed");
	struct itimerspec its = {{0, 0}, {0, 10 * MS}}, got;
	timer_settime(id, 0, &its, NULL);
	int64_t cpu0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	while (clock_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu0 < 20 * MS)
		spin_until(0, 1, 5);
	timer_gettime(id, &got);
	CHECK(got.it_value.tv_sec == 0 && got.it_value.tv_nsec == 0, "a passed one-shot SIGEV_NONE timer reads 0",
	      "%ld.%09ld", (long)got.it_value.tv_sec, got.it_value.tv_nsec);
	timer_delete(id);

	/* Another process's thread clock is none of ours. */
	int p[2];
	REQUIRE(pipe(p) == 0, "pipe", "%s", "failed");
	pid_t c = fork();
	if (c == 0) {
		char b;
		_exit(read(p[0], &b, 1) == 1 ? 0 : 1);
	}
	struct timespec ts;
	CHECK_ERR(clock_gettime(THREAD_CPUCLOCK(c), &ts), EINVAL, "another process's thread clock is EINVAL");
	CHECK_ERR(timer_create(THREAD_CPUCLOCK(c), &ev, &id), EINVAL, "a timer on it is EINVAL");
	CHECK(clock_gettime(PROCESS_CPUCLOCK(c), &ts) == 0, "another process's process clock reads", "%s", "failed");
	if (write(p[1], "x", 1) != 1)
		say("info: the child was gone\n");
	waitpid(c, NULL, 0);

	/* A timer on a thread's clock stops with the thread. */
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	while (!worker_tid)
		;
	clockid_t tc;
	REQUIRE(pthread_getcpuclockid(t, &tc) == 0 && timer_create(tc, &ev, &id) == 0, "a timer on a thread's clock", "%s",
		"failed");
	its = (struct itimerspec){{0, 0}, {100, 0}};
	timer_settime(id, 0, &its, NULL);
	pthread_join(t, NULL);
	timer_gettime(id, &got);
	CHECK(got.it_value.tv_sec == 0 && got.it_value.tv_nsec == 0, "once its thread is gone the timer reads 0",
	      "%ld.%09ld", (long)got.it_value.tv_sec, got.it_value.tv_nsec);
	CHECK_ERR(timer_settime(id, 0, &its, NULL), ESRCH, "and setting it again is ESRCH");
	timer_delete(id);

	pthread_create(&t, NULL, second_thread, NULL);
	pthread_join(t, NULL);
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGPROF, &sa, NULL);
	sigaction(SIGVTALRM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	itimers();
	posix_cpu_timer(CLOCK_PROCESS_CPUTIME_ID, "CLOCK_PROCESS_CPUTIME_ID");
	posix_cpu_timer(CLOCK_THREAD_CPUTIME_ID, "CLOCK_THREAD_CPUTIME_ID");
	clock_owners();

	struct timespec ts = {0, MS};
	int r = clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &ts, NULL);
	CHECK(r == EINVAL, "clock_nanosleep on the thread's CPU clock is EINVAL", "returned %d", r);
	return check_done();
}
