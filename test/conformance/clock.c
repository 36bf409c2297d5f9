/*
 * clock [N]: clock_gettime, clock_getres, gettimeofday and time.
 * CLOCK_MONOTONIC must never go backwards over N (default 100000) reads; the realtime
 * sources must agree with each other; the CPU-time clock must advance while we spin and
 * never faster than wall time. The glibc wrappers go through the vDSO when there is one;
 * raw syscall() variants are checked as well so the system call path is always covered.
 */
#include "check.h"
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>

static int64_t ns(struct timespec t) { return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec; }

static int valid(struct timespec t) { return t.tv_sec >= 0 && t.tv_nsec >= 0 && t.tv_nsec < 1000000000; }

static int64_t now(clockid_t c)
{
	struct timespec t;
	clock_gettime(c, &t);
	return ns(t);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000;
	struct timespec a, b;

	/* The kernel gives a vDSO (clock_gettime below goes through it, the syscall beside it). */
	unsigned long vdso = getauxval(AT_SYSINFO_EHDR);
	CHECK(vdso != 0 && memcmp((const void *)vdso, "\177ELF", 4) == 0, "AT_SYSINFO_EHDR points at the vDSO's ELF header",
	      "%#lx", vdso);

	/* Monotonic never goes backwards, through the wrapper and through the syscall. */
	int ok = 1, bad_ts = 0;
	clock_gettime(CLOCK_MONOTONIC, &a);
	int64_t first = ns(a);
	for (long i = 0; i < n; i++) {
		if (i & 1)
			syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &b);
		else
			clock_gettime(CLOCK_MONOTONIC, &b);
		if (!valid(b))
			bad_ts = 1;
		if (ns(b) < ns(a))
			ok = 0;
		a = b;
	}
	CHECK(!bad_ts, "CLOCK_MONOTONIC readings are normalised (0 <= tv_nsec < 1e9)",
	      "bad timespec");
	CHECK(ok, "CLOCK_MONOTONIC never went backwards", "it did, within %ld reads", n);
	CHECK(ns(a) > first, "CLOCK_MONOTONIC advanced over the reads", "stuck at %lld",
	      (long long)first);
	say("info: %ld monotonic reads took %lld ns\n", n, (long long)(ns(a) - first));

	/*
	 * Realtime sources agree. time() is the coarse clock (the time at the last tick),
	 * so it is never ahead of the precise clocks but may lag them by up to one tick:
	 * time() <= CLOCK_REALTIME <= gettimeofday, and gettimeofday is at most a second
	 * ahead of a later time().
	 */
	for (int round = 0; round < 2; round++) {
		time_t t1 = round ? syscall(SYS_time, NULL) : time(NULL);
		struct timespec rt;
		struct timeval tv;
		if (round) {
			syscall(SYS_clock_gettime, CLOCK_REALTIME, &rt);
			syscall(SYS_gettimeofday, &tv, NULL);
		} else {
			clock_gettime(CLOCK_REALTIME, &rt);
			gettimeofday(&tv, NULL);
		}
		time_t t2 = round ? syscall(SYS_time, NULL) : time(NULL);
		const char *how = round ? "(raw syscalls)" : "(libc)";
		char what[128];
		snprintf(what, sizeof what, "time() <= CLOCK_REALTIME <= gettimeofday <= time() + 1 %s",
			 how);
		int64_t rt_us = ns(rt) / 1000, tv_us = (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
		CHECK(t1 <= rt.tv_sec && rt_us <= tv_us && tv.tv_sec <= t2 + 1 && t2 - t1 <= 1, what,
		      "time %lld, realtime %lld.%09ld, gettimeofday %lld.%06ld, time %lld",
		      (long long)t1, (long long)rt.tv_sec, rt.tv_nsec, (long long)tv.tv_sec,
		      (long)tv.tv_usec, (long long)t2);
		snprintf(what, sizeof what, "the realtime clock is after 2020 %s", how);
		CHECK(rt.tv_sec > 1577836800, what, "%lld", (long long)rt.tv_sec);
		snprintf(what, sizeof what, "gettimeofday's tv_usec is below 1000000 %s", how);
		CHECK(tv.tv_usec >= 0 && tv.tv_usec < 1000000, what, "%ld", (long)tv.tv_usec);
	}
	time_t tloc = 0;
	time_t tr = syscall(SYS_time, &tloc);
	CHECK(tr == tloc && tr > 0, "time(&t) also stores the time in t", "returned %lld, stored %lld",
	      (long long)tr, (long long)tloc);
	struct timezone tz = {-1, -1};
	struct timeval tv2;
	CHECK(syscall(SYS_gettimeofday, &tv2, &tz) == 0, "gettimeofday with a timezone argument",
	      "failed");
	CHECK(syscall(SYS_gettimeofday, NULL, NULL) == 0, "gettimeofday(NULL, NULL) succeeds",
	      "failed");

	/* Resolutions. */
	static const struct {
		clockid_t id;
		const char *name;
	} clocks[] = {
		{CLOCK_REALTIME, "CLOCK_REALTIME"},
		{CLOCK_MONOTONIC, "CLOCK_MONOTONIC"},
		{CLOCK_PROCESS_CPUTIME_ID, "CLOCK_PROCESS_CPUTIME_ID"},
		{CLOCK_THREAD_CPUTIME_ID, "CLOCK_THREAD_CPUTIME_ID"},
		{CLOCK_MONOTONIC_RAW, "CLOCK_MONOTONIC_RAW"},
		{CLOCK_BOOTTIME, "CLOCK_BOOTTIME"},
	};
	for (size_t i = 0; i < sizeof clocks / sizeof clocks[0]; i++) {
		struct timespec res = {-1, -1}, t = {-1, -1};
		char what[128];
		long r1 = syscall(SYS_clock_getres, clocks[i].id, &res);
		snprintf(what, sizeof what, "clock_getres(%s) is between 1 ns and 1 ms",
			 clocks[i].name);
		CHECK(r1 == 0 && res.tv_sec == 0 && res.tv_nsec >= 1 && res.tv_nsec <= 1000000,
		      what, "returned %ld, res %lld.%09ld", r1, (long long)res.tv_sec, res.tv_nsec);
		long r2 = syscall(SYS_clock_gettime, clocks[i].id, &t);
		snprintf(what, sizeof what, "clock_gettime(%s) gives a valid time", clocks[i].name);
		CHECK(r2 == 0 && valid(t), what, "returned %ld, %lld.%09ld", r2, (long long)t.tv_sec,
		      t.tv_nsec);
	}
	CHECK(syscall(SYS_clock_getres, CLOCK_MONOTONIC, NULL) == 0,
	      "clock_getres with a NULL result pointer succeeds", "failed");
	struct timespec coarse;
	CHECK(syscall(SYS_clock_getres, CLOCK_MONOTONIC_COARSE, &coarse) == 0 &&
		      coarse.tv_sec == 0 && coarse.tv_nsec >= 1000000 &&
		      coarse.tv_nsec <= 10000000,
	      "clock_getres(CLOCK_MONOTONIC_COARSE) is one tick (1 to 10 ms)", "%lld.%09ld",
	      (long long)coarse.tv_sec, coarse.tv_nsec);
	CHECK_ERR(syscall(SYS_clock_gettime, 12345, &a), EINVAL, "clock_gettime of an unknown clock");
	CHECK_ERR(syscall(SYS_clock_getres, 12345, &a), EINVAL, "clock_getres of an unknown clock");

	/* CPU time advances while we spin, but never faster than the wall clock. */
	volatile uint64_t sink = 0;
	int64_t cpu0 = now(CLOCK_PROCESS_CPUTIME_ID), thr0 = now(CLOCK_THREAD_CPUTIME_ID);
	int64_t wall0 = now(CLOCK_MONOTONIC), wall1;
	do {
		for (int i = 0; i < 10000; i++)
			sink += i;
		wall1 = now(CLOCK_MONOTONIC);
	} while (wall1 - wall0 < 50000000); /* 50 ms of spinning */
	int64_t cpu1 = now(CLOCK_PROCESS_CPUTIME_ID), thr1 = now(CLOCK_THREAD_CPUTIME_ID);
	int64_t wall2 = now(CLOCK_MONOTONIC);
	say("info: spun %lld ns wall, %lld ns process cpu, %lld ns thread cpu\n",
	    (long long)(wall2 - wall0), (long long)(cpu1 - cpu0), (long long)(thr1 - thr0));
	CHECK(cpu1 > cpu0, "CLOCK_PROCESS_CPUTIME_ID advances while the process runs", "stuck");
	CHECK(thr1 > thr0, "CLOCK_THREAD_CPUTIME_ID advances while the thread runs", "stuck");
	/* a 1 ms allowance for the clocks' different granularities */
	CHECK(cpu1 - cpu0 <= wall2 - wall0 + 1000000,
	      "one thread's process CPU time grows no faster than wall time",
	      "cpu %lld ns > wall %lld ns", (long long)(cpu1 - cpu0), (long long)(wall2 - wall0));
	CHECK(cpu1 < (int64_t)60 * 1000000000, "the process has used less than a minute of CPU",
	      "%lld ns", (long long)cpu1);

	return check_done();
}
