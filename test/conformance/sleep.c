/*
 * sleep: nanosleep and clock_nanosleep (relative and TIMER_ABSTIME) of 100 ms take at
 * least 100 ms and less than 300 ms (a generous bound for a busy 2-core VM), measured
 * with CLOCK_MONOTONIC. The error cases return at once.
 */
#include "check.h"
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>

#define MS 1000000LL
#define SLACK (200 * MS)

static int64_t ns(struct timespec t) { return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec; }

static int64_t now(clockid_t c)
{
	struct timespec t;
	clock_gettime(c, &t);
	return ns(t);
}

static struct timespec ts_of(int64_t v)
{
	struct timespec t = {v / 1000000000, v % 1000000000};
	return t;
}

static void check_took(int64_t took, int64_t want, const char *what)
{
	say("info: %s took %lld us\n", what, (long long)(took / 1000));
	char buf[160];
	snprintf(buf, sizeof buf, "%s slept at least %lld ms", what, (long long)(want / MS));
	CHECK(took >= want, buf, "took %lld ns", (long long)took);
	snprintf(buf, sizeof buf, "%s slept less than %lld ms", what, (long long)((want + SLACK) / MS));
	CHECK(took < want + SLACK, buf, "took %lld ns", (long long)took);
}

int main(void)
{
	struct timespec req = ts_of(100 * MS), rem = {-1, -1};
	int64_t t0 = now(CLOCK_MONOTONIC);
	int r = nanosleep(&req, &rem);
	int64_t t1 = now(CLOCK_MONOTONIC);
	CHECK(r == 0, "nanosleep(100 ms) returns 0", "returned %d", r);
	check_took(t1 - t0, 100 * MS, "nanosleep(100 ms)");

	t0 = now(CLOCK_MONOTONIC);
	long rr = syscall(SYS_nanosleep, &req, NULL);
	t1 = now(CLOCK_MONOTONIC);
	CHECK(rr == 0, "raw nanosleep(100 ms, NULL) returns 0", "returned %ld", rr);
	check_took(t1 - t0, 100 * MS, "raw nanosleep(100 ms)");

	t0 = now(CLOCK_MONOTONIC);
	r = clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL);
	t1 = now(CLOCK_MONOTONIC);
	CHECK(r == 0, "clock_nanosleep(CLOCK_MONOTONIC, relative 100 ms) returns 0", "returned %d",
	      r);
	check_took(t1 - t0, 100 * MS, "clock_nanosleep(CLOCK_MONOTONIC, relative 100 ms)");

	t0 = now(CLOCK_MONOTONIC);
	struct timespec until = ts_of(t0 + 100 * MS);
	r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL);
	t1 = now(CLOCK_MONOTONIC);
	CHECK(r == 0, "clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME now+100 ms) returns 0",
	      "returned %d", r);
	CHECK(t1 >= ns(until), "an absolute monotonic sleep ends at or after its deadline",
	      "woke %lld ns early", (long long)(ns(until) - t1));
	check_took(t1 - t0, 100 * MS, "clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME)");

	/* An absolute deadline on the realtime clock. */
	int64_t rt0 = now(CLOCK_REALTIME);
	t0 = now(CLOCK_MONOTONIC);
	until = ts_of(rt0 + 100 * MS);
	r = clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &until, NULL);
	t1 = now(CLOCK_MONOTONIC);
	int64_t rt1 = now(CLOCK_REALTIME);
	CHECK(r == 0, "clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME now+100 ms) returns 0",
	      "returned %d", r);
	CHECK(rt1 >= ns(until), "an absolute realtime sleep ends at or after its deadline",
	      "woke %lld ns early", (long long)(ns(until) - rt1));
	CHECK(t1 - t0 < 100 * MS + SLACK, "an absolute realtime sleep of 100 ms ends in time",
	      "took %lld ns", (long long)(t1 - t0));

	/* A deadline in the past and a zero sleep return at once. */
	t0 = now(CLOCK_MONOTONIC);
	until = ts_of(t0 - 1000 * MS);
	r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL);
	struct timespec zero = {0, 0};
	int r2 = nanosleep(&zero, NULL);
	t1 = now(CLOCK_MONOTONIC);
	CHECK(r == 0 && r2 == 0, "a past absolute deadline and a zero sleep return 0",
	      "returned %d and %d", r, r2);
	CHECK(t1 - t0 < 50 * MS, "a past absolute deadline and a zero sleep return at once",
	      "took %lld ns", (long long)(t1 - t0));

	/* Errors. clock_nanosleep returns the error number instead of setting errno. */
	struct timespec bad = {0, 1000000000};
	CHECK_ERR(nanosleep(&bad, NULL), EINVAL, "nanosleep with tv_nsec = 1e9");
	struct timespec neg = {-1, 0};
	CHECK_ERR(nanosleep(&neg, NULL), EINVAL, "nanosleep with a negative tv_sec");
	r = clock_nanosleep(CLOCK_MONOTONIC, 0, &bad, NULL);
	CHECK(r == EINVAL, "clock_nanosleep with tv_nsec = 1e9 returns EINVAL", "returned %d", r);
	r = clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &req, NULL);
	CHECK(r == EINVAL, "clock_nanosleep on CLOCK_THREAD_CPUTIME_ID returns EINVAL",
	      "returned %d", r);
	r = clock_nanosleep(12345, 0, &req, NULL);
	CHECK(r == EINVAL, "clock_nanosleep on an unknown clock returns EINVAL", "returned %d", r);
	CHECK_ERR(syscall(SYS_nanosleep, (void *)1, NULL), EFAULT, "nanosleep with a bad pointer");
	return check_done();
}
