/*
 * futex(2) as Linux does it: FUTEX_WAIT/WAKE errors and timeouts, bitsets, private versus
 * shared keys (two mappings of one page, across fork), FUTEX_REQUEUE/CMP_REQUEUE,
 * FUTEX_WAKE_OP, robust futexes (a dead thread, a dead process, a blocked waiter),
 * get_robust_list, and the CLONE_CHILD_CLEARTID wake pthread_join depends on.
 *
 * Every waiter (thread or child) waits with a timeout, so a lost wake makes a check fail
 * instead of hanging; SIGALRM is the last guard. A waiter can't tell us it is asleep in the
 * kernel, so where a check needs it queued we give it 50 ms after it announced itself.
 */
#include "proc.h"
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stddef.h>
#include <sys/mman.h>

#define PG 4096
#define SEQ __ATOMIC_SEQ_CST
typedef volatile uint32_t vu32;

static long futex(vu32 *uaddr, int op, uint32_t val, const struct timespec *ts, vu32 *uaddr2, uint32_t val3)
{
	return syscall(SYS_futex, uaddr, op, val, ts, uaddr2, val3);
}
static long wake(vu32 *uaddr, int op, int n) { return futex(uaddr, op, (uint32_t)n, NULL, NULL, 0); }
/* REQUEUE and WAKE_OP take a count (nr_requeue, nr_wake2) where the timeout goes. */
#define VAL2(n) ((const struct timespec *)(long)(n))

/* The time ms from now on clock c (ms may be negative). */
static struct timespec ts_in(clockid_t c, long ms)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	long long ns = (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec + ms * 1000000LL;
	return (struct timespec){ns / 1000000000LL, ns % 1000000000LL};
}

static const char *volatile stage = "start";
static void on_alarm(int sig) { (void)sig; complain("FAIL: timed out in %s\n", stage); _exit(3); }

/* ---- waiter threads: each does one FUTEX_WAIT* with a 5 s timeout ---- */
struct waiter {
	vu32 *addr;
	int op, err, done;
	uint32_t val, bitset;
	long ret;
	pthread_t th;
};
#define WAITER(a, o, v, b) ((struct waiter){.addr = (a), .op = (o), .val = (v), .bitset = (b), .ret = -2})
static int arrived;

static void *wait_thread(void *p)
{
	struct waiter *w = p;
	struct timespec ts = {5, 0};
	if ((w->op & FUTEX_CMD_MASK) == FUTEX_WAIT_BITSET) /* its timeout is absolute */
		ts = ts_in(CLOCK_MONOTONIC, 5000);
	__atomic_fetch_add(&arrived, 1, SEQ);
	w->ret = futex(w->addr, w->op, w->val, &ts, NULL, w->bitset);
	w->err = errno;
	__atomic_store_n(&w->done, 1, SEQ);
	return NULL;
}

/* Starts n waiter threads and gives them time to block in the kernel. */
static void start_waiters(struct waiter *w, int n)
{
	__atomic_store_n(&arrived, 0, SEQ);
	for (int i = 0; i < n; i++)
		if (pthread_create(&w[i].th, NULL, wait_thread, &w[i]) != 0) {
			complain("FAIL: pthread_create for a waiter\n");
			exit(2);
		}
	long long end = now_ms() + 2000;
	while (__atomic_load_n(&arrived, SEQ) < n && now_ms() < end)
		sleep_ms(1);
	sleep_ms(50);
}

static int join_ms(pthread_t th, void **ret, long ms)
{
	struct timespec ts = ts_in(CLOCK_REALTIME, ms);
	return pthread_timedjoin_np(th, ret, &ts); /* a thread that never exits can't hang us */
}

/* Joins waiters (their waits end within 5 s); returns how many were woken (returned 0). */
static int join_waiters(struct waiter *w, int n)
{
	int woken = 0;
	for (int i = 0; i < n; i++) {
		if (join_ms(w[i].th, NULL, 8000) != 0) {
			complain("FAIL: a waiter thread did not finish\n");
			exit(2);
		}
		woken += w[i].ret == 0;
	}
	return woken;
}

static int count_done(struct waiter *w, int n)
{
	int d = 0;
	while (n-- > 0)
		d += __atomic_load_n(&w[n].done, SEQ);
	return d;
}

/* Repeats a wake until it wakes someone (the waiter may not be queued yet) or 2 s pass. */
static long wake_until(vu32 *addr, int op)
{
	long long end = now_ms() + 2000;
	long r;
	while ((r = wake(addr, op, INT_MAX)) == 0 && now_ms() < end)
		sleep_ms(1);
	return r;
}

/* ---- 1. errors and timeouts ---- */
static void test_errors(void)
{
	static uint32_t words[2] = {1, 0};
	vu32 *w = &words[0];
	stage = "errors";
	/* the value is compared first: a different one is EAGAIN, no sleep */
	CHECK_ERR(futex(w, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0), EAGAIN, "FUTEX_WAIT_PRIVATE with a different value is EAGAIN");
	CHECK_ERR(futex(w, FUTEX_WAIT, 0, NULL, NULL, 0), EAGAIN, "shared FUTEX_WAIT with a different value is EAGAIN");
	/* FUTEX_WAIT's timeout is relative (CLOCK_MONOTONIC) */
	struct timespec ts = {0, 30 * 1000000L};
	long long t0 = now_ms();
	CHECK_ERR(futex(w, FUTEX_WAIT_PRIVATE, 1, &ts, NULL, 0), ETIMEDOUT, "FUTEX_WAIT with the value and a relative 30 ms timeout is ETIMEDOUT");
	long long el = now_ms() - t0;
	CHECK(el >= 29, "the relative timeout lasted at least 30 ms", "%lld ms", el);
	ts = (struct timespec){0, 1000000000L};
	CHECK_ERR(futex(w, FUTEX_WAIT_PRIVATE, 1, &ts, NULL, 0), EINVAL, "a timeout with tv_nsec 1e9 is EINVAL");
	ts = (struct timespec){-1, 0};
	CHECK_ERR(futex(w, FUTEX_WAIT_PRIVATE, 1, &ts, NULL, 0), EINVAL, "a negative timeout is EINVAL");
	/* the key needs a 4-byte aligned address */
	vu32 *odd = (vu32 *)((char *)words + 1);
	CHECK_ERR(futex(odd, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0), EINVAL, "FUTEX_WAIT on an unaligned address is EINVAL");
	CHECK_ERR(wake(odd, FUTEX_WAKE_PRIVATE, 1), EINVAL, "FUTEX_WAKE on an unaligned address is EINVAL");
	/* a bad address is EFAULT where the word is read or the page looked up; a private wake does neither */
	vu32 *gone = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	REQUIRE(gone != MAP_FAILED && munmap((void *)gone, PG) == 0, "mmap and munmap a page", "-");
	CHECK_ERR(futex(gone, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0), EFAULT, "FUTEX_WAIT_PRIVATE on an unmapped page is EFAULT");
	CHECK_ERR(futex(gone, FUTEX_WAIT, 0, NULL, NULL, 0), EFAULT, "shared FUTEX_WAIT on an unmapped page is EFAULT");
	CHECK_ERR(wake(gone, FUTEX_WAKE, 1), EFAULT, "shared FUTEX_WAKE on an unmapped page is EFAULT");
	long r;
	CHECK((r = wake(gone, FUTEX_WAKE_PRIVATE, 1)) == 0, "FUTEX_WAKE_PRIVATE on an unmapped page returns 0 (the word is not read)", "r=%ld", r);
	/* bitsets: 0 matches nothing and is refused; FUTEX_WAIT_BITSET's timeout is absolute */
	CHECK_ERR(futex(w, FUTEX_WAIT_BITSET_PRIVATE, 1, NULL, NULL, 0), EINVAL, "FUTEX_WAIT_BITSET with bitset 0 is EINVAL");
	CHECK_ERR(futex(w, FUTEX_WAKE_BITSET_PRIVATE, 1, NULL, NULL, 0), EINVAL, "FUTEX_WAKE_BITSET with bitset 0 is EINVAL");
	ts = ts_in(CLOCK_MONOTONIC, -1000);
	CHECK_ERR(futex(w, FUTEX_WAIT_BITSET_PRIVATE, 1, &ts, NULL, ~0u), ETIMEDOUT, "FUTEX_WAIT_BITSET with an absolute CLOCK_MONOTONIC deadline in the past is ETIMEDOUT");
	ts = ts_in(CLOCK_REALTIME, -1000);
	CHECK_ERR(futex(w, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 1, &ts, NULL, ~0u), ETIMEDOUT, "FUTEX_WAIT_BITSET|FUTEX_CLOCK_REALTIME with a past CLOCK_REALTIME deadline is ETIMEDOUT");
	ts = ts_in(CLOCK_MONOTONIC, 30);
	t0 = now_ms();
	CHECK_ERR(futex(w, FUTEX_WAIT_BITSET_PRIVATE, 1, &ts, NULL, ~0u), ETIMEDOUT, "FUTEX_WAIT_BITSET with a deadline 30 ms ahead is ETIMEDOUT");
	el = now_ms() - t0;
	CHECK(el >= 29, "it slept until the absolute deadline", "%lld ms", el);
	/* unknown commands, and FUTEX_CLOCK_REALTIME on a command without a timeout */
	CHECK_ERR(futex(w, 99, 0, NULL, NULL, 0), ENOSYS, "an unknown futex op is ENOSYS");
	CHECK_ERR(wake(w, FUTEX_WAKE | FUTEX_CLOCK_REALTIME, 1), ENOSYS, "FUTEX_WAKE|FUTEX_CLOCK_REALTIME is ENOSYS");
}

/* ---- 2. waking threads: FUTEX_WAKE counts, FUTEX_WAKE_BITSET ---- */
static void test_wake(void)
{
	static uint32_t word;
	struct waiter w[3];
	long r;
	stage = "wake";
	CHECK((r = wake(&word, FUTEX_WAKE_PRIVATE, INT_MAX)) == 0, "FUTEX_WAKE with no waiters returns 0", "r=%ld", r);
	w[0] = WAITER(&word, FUTEX_WAIT_PRIVATE, 0, 0);
	start_waiters(w, 1);
	CHECK(count_done(w, 1) == 0, "a FUTEX_WAIT_PRIVATE thread sleeps while the word holds its value", "-");
	CHECK((r = wake_until(&word, FUTEX_WAKE_PRIVATE)) == 1, "FUTEX_WAKE_PRIVATE from another thread wakes it and returns 1", "r=%ld", r);
	CHECK(join_waiters(w, 1) == 1, "the woken FUTEX_WAIT returns 0", "ret %ld errno %d", w[0].ret, w[0].err);

	/* FUTEX_WAKE wakes at most val waiters */
	for (int i = 0; i < 3; i++)
		w[i] = WAITER(&word, FUTEX_WAIT_PRIVATE, 0, 0);
	start_waiters(w, 3);
	CHECK((r = wake(&word, FUTEX_WAKE_PRIVATE, 2)) == 2, "FUTEX_WAKE with val 2 and three waiters returns 2", "r=%ld", r);
	CHECK((r = wake(&word, FUTEX_WAKE_PRIVATE, INT_MAX)) == 1, "the next FUTEX_WAKE wakes the last one", "r=%ld", r);
	CHECK(join_waiters(w, 3) == 3, "all three waits returned 0", "-");

	/* FUTEX_WAKE_BITSET wakes only waiters whose bitset intersects its own; FUTEX_WAIT's is all ones */
	w[0] = WAITER(&word, FUTEX_WAIT_BITSET_PRIVATE, 0, 1);
	w[1] = WAITER(&word, FUTEX_WAIT_BITSET_PRIVATE, 0, 2);
	w[2] = WAITER(&word, FUTEX_WAIT_PRIVATE, 0, 0);
	start_waiters(w, 3);
	r = futex(&word, FUTEX_WAKE_BITSET_PRIVATE, INT_MAX, NULL, NULL, 4);
	CHECK(r == 1, "FUTEX_WAKE_BITSET 4 wakes only the plain FUTEX_WAIT, not the waiters with bitsets 1 and 2", "r=%ld", r);
	CHECK(join_ms(w[2].th, NULL, 5000) == 0 && w[2].ret == 0, "and it is the plain waiter that woke", "ret %ld", w[2].ret);
	r = futex(&word, FUTEX_WAKE_BITSET_PRIVATE, INT_MAX, NULL, NULL, 2);
	CHECK(r == 1, "FUTEX_WAKE_BITSET 2 wakes one waiter", "r=%ld", r);
	CHECK(join_ms(w[1].th, NULL, 5000) == 0 && w[1].ret == 0 && count_done(w, 3) == 2, "it is the bitset-2 waiter", "ret %ld done %d", w[1].ret, count_done(w, 3));
	CHECK((r = wake(&word, FUTEX_WAKE_PRIVATE, INT_MAX)) == 1, "a plain FUTEX_WAKE (all bits) wakes the bitset-1 waiter", "r=%ld", r);
	CHECK(join_waiters(w, 1) == 1, "its FUTEX_WAIT_BITSET returned 0", "ret %ld errno %d", w[0].ret, w[0].err);
}

/* ---- 3. shared futexes are keyed by the page (inode, offset), private ones by address space and address ---- */
/* In a child: flags it is about to wait, then waits; exit code 0 woken, 1 timed out, 2 other. */
static int child_wait(vu32 *flag, vu32 *addr, int op, long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	__atomic_store_n(flag, 1, SEQ);
	long r = futex(addr, op, 0, &ts, NULL, 0);
	return r == 0 ? 0 : errno == ETIMEDOUT ? 1 : 2;
}

static int reaped(pid_t pid, int code)
{
	int st = -1;
	return wait_timeout(pid, &st, 8000) == pid && WIFEXITED(st) && WEXITSTATUS(st) == code;
}

static void test_shared(void)
{
	stage = "shared";
	long r;
	vu32 *sh = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	REQUIRE(sh != MAP_FAILED, "mmap MAP_SHARED|MAP_ANONYMOUS", "errno %d", errno);
	pid_t pid = fork();
	if (pid == 0)
		_exit(child_wait(&sh[1], &sh[0], FUTEX_WAIT, 5000));
	CHECK((r = wake_until(&sh[0], FUTEX_WAKE)) == 1, "a shared FUTEX_WAKE in the parent wakes a forked child's FUTEX_WAIT on MAP_SHARED memory", "r=%ld", r);
	CHECK(reaped(pid, 0), "the child's FUTEX_WAIT returned 0", "-");

	/* the same address in another process: a private futex belongs to one address space */
	sh[1] = 0;
	pid = fork();
	if (pid == 0)
		_exit(child_wait(&sh[1], &sh[0], FUTEX_WAIT_PRIVATE, 400));
	for (long long end = now_ms() + 2000; !__atomic_load_n(&sh[1], SEQ) && now_ms() < end;)
		sleep_ms(1);
	sleep_ms(50);
	CHECK((r = wake(&sh[0], FUTEX_WAKE_PRIVATE, INT_MAX)) == 0, "a private wake in the parent does not wake the child's private waiter at the same address", "r=%ld", r);
	CHECK((r = wake(&sh[0], FUTEX_WAKE, INT_MAX)) == 0, "nor does a shared wake (private and shared keys differ)", "r=%ld", r);
	CHECK(reaped(pid, 1), "the child's private wait ran into its timeout", "-");
	munmap((void *)sh, PG);

	/* one memfd page mapped twice here: pages [0,2) at a, page 1 alone at b */
	int fd = memfd_create("futex", 0);
	REQUIRE(fd >= 0 && ftruncate(fd, 2 * PG) == 0, "memfd_create and ftruncate", "errno %d", errno);
	char *a = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	char *b = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, PG);
	REQUIRE(a != MAP_FAILED && b != MAP_FAILED, "two MAP_SHARED mappings of the memfd", "errno %d", errno);
	close(fd);
	vu32 *wa = (vu32 *)(a + PG + 64), *wb = (vu32 *)(b + 64);
	*wa = 7;
	CHECK(*wb == 7 && wa != wb, "the word is visible through both mappings at different addresses", "%u", *wb);
	*wa = 0;
	struct waiter w[1] = {WAITER(wa, FUTEX_WAIT, 0, 0)};
	start_waiters(w, 1);
	CHECK((r = wake(wb + 1, FUTEX_WAKE, INT_MAX)) == 0, "a shared wake on the next word of the page wakes nobody", "r=%ld", r);
	CHECK((r = wake_until(wb, FUTEX_WAKE)) == 1, "a shared wake through the second mapping wakes the waiter on the first", "r=%ld", r);
	CHECK(join_waiters(w, 1) == 1, "its FUTEX_WAIT returned 0", "ret %ld errno %d", w[0].ret, w[0].err);

	w[0] = WAITER(wa, FUTEX_WAIT_PRIVATE, 0, 0);
	start_waiters(w, 1);
	CHECK((r = wake(wb, FUTEX_WAKE_PRIVATE, INT_MAX)) == 0, "a private waiter is not woken by a private wake through the other mapping", "r=%ld", r);
	CHECK((r = wake(wb, FUTEX_WAKE, INT_MAX)) == 0, "nor by a shared wake through it", "r=%ld", r);
	CHECK((r = wake_until(wa, FUTEX_WAKE_PRIVATE)) == 1, "a private wake at the waiter's own address wakes it", "r=%ld", r);
	CHECK(join_waiters(w, 1) == 1, "its FUTEX_WAIT_PRIVATE returned 0", "ret %ld errno %d", w[0].ret, w[0].err);

	w[0] = WAITER(wa, FUTEX_WAIT, 0, 0);
	start_waiters(w, 1);
	CHECK((r = wake(wa, FUTEX_WAKE_PRIVATE, INT_MAX)) == 0, "a private wake at the same address does not wake a shared waiter on a file page", "r=%ld", r);
	CHECK((r = wake_until(wa, FUTEX_WAKE)) == 1 && join_waiters(w, 1) == 1, "a shared wake there does", "r=%ld", r);
	munmap(a, 2 * PG);
	munmap(b, PG);

	/* a /dev/shm file: the child maps it a second time and waits there; the parent wakes through its own mapping */
	char path[64];
	snprintf(path, sizeof path, "/dev/shm/futex-%d", (int)getpid());
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (!CHECK(fd >= 0, "create a file in /dev/shm", "errno %d", errno))
		return;
	unlink(path);
	vu32 *p = ftruncate(fd, PG) == 0 ? mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) : MAP_FAILED;
	REQUIRE(p != MAP_FAILED, "ftruncate and mmap the /dev/shm file", "errno %d", errno);
	pid = fork();
	if (pid == 0) {
		vu32 *q = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		_exit(q == MAP_FAILED || q == p ? 3 : child_wait(&q[1], &q[0], FUTEX_WAIT, 5000));
	}
	CHECK((r = wake_until(&p[0], FUTEX_WAKE)) == 1, "a shared wake through the parent's mapping wakes a child waiting on its own mapping of the /dev/shm file", "r=%ld", r);
	CHECK(reaped(pid, 0), "the child mapped it elsewhere and its wait returned 0", "-");
	munmap((void *)p, PG);
	close(fd);
}

/* ---- 4. FUTEX_REQUEUE and FUTEX_CMP_REQUEUE: wake nr_wake on A, move up to nr_requeue to B, return both ---- */
static void test_requeue(void)
{
	static uint32_t A, B;
	struct waiter w[3];
	long r, r2;
	stage = "requeue";
	for (int i = 0; i < 3; i++)
		w[i] = WAITER(&A, FUTEX_WAIT_PRIVATE, 0, 0);
	start_waiters(w, 3);
	r = futex(&A, FUTEX_REQUEUE_PRIVATE, 1, VAL2(2), &B, 0);
	CHECK(r == 3, "FUTEX_REQUEUE(A->B, wake 1, requeue 2) with three waiters returns 3", "r=%ld", r);
	sleep_ms(30);
	CHECK(count_done(w, 3) == 1, "one waiter woke, two still sleep", "%d", count_done(w, 3));
	CHECK((r = wake(&A, FUTEX_WAKE_PRIVATE, INT_MAX)) == 0, "no waiter is left on A", "r=%ld", r);
	CHECK((r = wake(&B, FUTEX_WAKE_PRIVATE, INT_MAX)) == 2, "FUTEX_WAKE on B wakes the two requeued waiters", "r=%ld", r);
	CHECK(join_waiters(w, 3) == 3, "all three waits returned 0", "-");

	/* CMP_REQUEUE checks the counts, then compares *A with val3 */
	CHECK_ERR(futex(&A, FUTEX_CMP_REQUEUE_PRIVATE, 1, VAL2(1), &B, 1), EAGAIN, "FUTEX_CMP_REQUEUE with a mismatching val3 is EAGAIN");
	CHECK_ERR(futex(&A, FUTEX_CMP_REQUEUE_PRIVATE, 1, VAL2(-1), &B, 0), EINVAL, "FUTEX_CMP_REQUEUE with a negative nr_requeue is EINVAL");
	CHECK((r = futex(&A, FUTEX_CMP_REQUEUE_PRIVATE, 1, VAL2(1), &B, 0)) == 0, "FUTEX_CMP_REQUEUE with a matching val3 and no waiters returns 0", "r=%ld", r);
	w[0] = w[1] = WAITER(&A, FUTEX_WAIT_PRIVATE, 0, 0);
	start_waiters(w, 2);
	CHECK_ERR(futex(&A, FUTEX_CMP_REQUEUE_PRIVATE, 1, VAL2(1), &B, 5), EAGAIN, "with waiters, a mismatching val3 is still EAGAIN");
	r = futex(&A, FUTEX_CMP_REQUEUE_PRIVATE, 0, VAL2(1), &B, 0);
	CHECK(r == 1, "FUTEX_CMP_REQUEUE(wake 0, requeue 1) with a matching val3 returns 1 (the requeued one)", "r=%ld", r);
	r = wake(&A, FUTEX_WAKE_PRIVATE, INT_MAX);
	r2 = wake(&B, FUTEX_WAKE_PRIVATE, INT_MAX);
	CHECK(r == 1 && r2 == 1, "then one waiter is on A and one on B", "A %ld B %ld", r, r2);
	CHECK(join_waiters(w, 2) == 2, "both waits returned 0", "-");
}

/* ---- 5. FUTEX_WAKE_OP: old = *uaddr2; *uaddr2 = old OP oparg; wake uaddr; if (old CMP cmparg) wake uaddr2 ---- */
static uint32_t w1, w2;

static long wake_op(unsigned encoded) { return futex(&w1, FUTEX_WAKE_OP_PRIVATE, 1, VAL2(1), &w2, encoded); }

static void wake_op_value(const char *what, uint32_t before, unsigned op, int oparg, uint32_t want)
{
	w2 = before;
	long r = wake_op(FUTEX_OP(op, oparg, FUTEX_OP_CMP_EQ, 0));
	CHECK(r == 0 && w2 == want, what, "r=%ld word 0x%x want 0x%x", r, w2, want);
}

static void test_wake_op(void)
{
	long r;
	stage = "wake_op";
	wake_op_value("FUTEX_OP_SET stores oparg", 5, FUTEX_OP_SET, 7, 7);
	wake_op_value("FUTEX_OP_ADD adds oparg", 5, FUTEX_OP_ADD, 3, 8);
	wake_op_value("FUTEX_OP_ADD with oparg 0xfff adds -1 (12-bit sign extension)", 5, FUTEX_OP_ADD, -1, 4);
	wake_op_value("FUTEX_OP_OR", 0x50, FUTEX_OP_OR, 0x0f, 0x5f);
	wake_op_value("FUTEX_OP_ANDN clears the oparg bits", 0xff, FUTEX_OP_ANDN, 0x0f, 0xf0);
	wake_op_value("FUTEX_OP_XOR", 0xf0f, FUTEX_OP_XOR, 0x0ff, 0xff0);
	wake_op_value("FUTEX_OP_SET|FUTEX_OP_OPARG_SHIFT stores 1 << oparg", 5, FUTEX_OP_SET | FUTEX_OP_OPARG_SHIFT, 4, 16);
	wake_op_value("FUTEX_OP_OR|FUTEX_OP_OPARG_SHIFT 31 sets the top bit", 1, FUTEX_OP_OR | FUTEX_OP_OPARG_SHIFT, 31, 0x80000001u);

	/* every comparison against the old value 5 (ADD 0 keeps it): false wakes nobody, true wakes the uaddr2 waiter */
	static const struct { int cmp, f, t; const char *name; } cmps[] = {
		{FUTEX_OP_CMP_EQ, 4, 5, "EQ"}, {FUTEX_OP_CMP_NE, 5, 4, "NE"}, {FUTEX_OP_CMP_LT, 5, 6, "LT"},
		{FUTEX_OP_CMP_LE, 4, 5, "LE"}, {FUTEX_OP_CMP_GT, 5, 4, "GT"}, {FUTEX_OP_CMP_GE, 6, 5, "GE"},
	};
	struct waiter w[3];
	for (unsigned i = 0; i < sizeof cmps / sizeof cmps[0]; i++) {
		w2 = 5;
		w[0] = WAITER(&w2, FUTEX_WAIT_PRIVATE, 5, 0);
		start_waiters(w, 1);
		long rf = wake_op(FUTEX_OP(FUTEX_OP_ADD, 0, cmps[i].cmp, cmps[i].f));
		long rt = wake_op(FUTEX_OP(FUTEX_OP_ADD, 0, cmps[i].cmp, cmps[i].t));
		if (rt == 0)
			wake(&w2, FUTEX_WAKE_PRIVATE, INT_MAX);
		join_waiters(w, 1);
		char what[128];
		snprintf(what, sizeof what, "FUTEX_OP_CMP_%s: old 5 vs %d (false) wakes nobody, vs %d (true) wakes the uaddr2 waiter", cmps[i].name, cmps[i].f, cmps[i].t);
		CHECK(rf == 0 && rt == 1 && w[0].ret == 0, what, "false %ld true %ld waiter %ld", rf, rt, w[0].ret);
	}

	/* the comparison uses the old value, not the stored one */
	w2 = 1;
	w[0] = WAITER(&w2, FUTEX_WAIT_PRIVATE, 1, 0);
	start_waiters(w, 1);
	r = wake_op(FUTEX_OP(FUTEX_OP_SET, 0, FUTEX_OP_CMP_EQ, 0));
	CHECK(r == 0 && w2 == 0, "SET 0 with CMP_EQ 0 on old value 1 stores 0 and wakes nobody", "r=%ld word %u", r, w2);
	r = wake_op(FUTEX_OP(FUTEX_OP_SET, 9, FUTEX_OP_CMP_EQ, 0));
	CHECK(r == 1 && w2 == 9, "SET 9 with CMP_EQ 0 on old value 0 stores 9 and wakes the uaddr2 waiter", "r=%ld word %u", r, w2);
	join_waiters(w, 1);

	/* the result counts the woken on both words; nr_wake limits those on uaddr */
	w1 = w2 = 0;
	w[0] = w[1] = WAITER(&w1, FUTEX_WAIT_PRIVATE, 0, 0);
	w[2] = WAITER(&w2, FUTEX_WAIT_PRIVATE, 0, 0);
	start_waiters(w, 3);
	r = wake_op(FUTEX_OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_LT, 10));
	CHECK(r == 2 && w2 == 1, "FUTEX_WAKE_OP(wake 1, wake2 1) with two waiters on uaddr and one on uaddr2 returns 2", "r=%ld word %u", r, w2);
	CHECK((r = wake(&w1, FUTEX_WAKE_PRIVATE, INT_MAX)) == 1, "one waiter is left on uaddr", "r=%ld", r);
	CHECK(join_waiters(w, 3) == 3, "all three waits returned 0", "-");

	/* errors: a bad cmp is ENOSYS after the op was applied; a bad op is ENOSYS before */
	w2 = 5;
	CHECK_ERR(wake_op(FUTEX_OP(FUTEX_OP_ADD, 1, 7, 0)), ENOSYS, "FUTEX_WAKE_OP with cmp 7 is ENOSYS");
	CHECK(w2 == 6, "Linux applied the op before it rejected the cmp", "word %u", w2);
	w2 = 7;
	CHECK_ERR(wake_op(FUTEX_OP(5, 1, FUTEX_OP_CMP_EQ, 0)), ENOSYS, "FUTEX_WAKE_OP with op 5 is ENOSYS");
	CHECK(w2 == 7, "an unknown op leaves the word alone", "word %u", w2);
	CHECK_ERR(futex(&w1, FUTEX_WAKE_OP_PRIVATE, 1, VAL2(1), NULL, 0), EFAULT, "FUTEX_WAKE_OP with uaddr2 NULL is EFAULT");
}

/* ---- 6. robust futexes: at exit the kernel walks the robust list, sets FUTEX_OWNER_DIED and wakes a waiter ---- */
static struct robust_list_head *thread_head;

static void *lock_and_exit(void *m)
{
	size_t len;
	syscall(SYS_get_robust_list, 0, &thread_head, &len);
	return (void *)(long)pthread_mutex_lock(m);
}

static void init_robust(pthread_mutex_t *m, int pshared)
{
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	pthread_mutexattr_setpshared(&a, pshared ? PTHREAD_PROCESS_SHARED : PTHREAD_PROCESS_PRIVATE);
	pthread_mutex_init(m, &a);
	pthread_mutexattr_destroy(&a);
}

/* After EOWNERDEAD: make it consistent, unlock, and check it locks normally again. */
static int recover(pthread_mutex_t *m)
{
	return pthread_mutex_consistent(m) == 0 && pthread_mutex_unlock(m) == 0 && pthread_mutex_lock(m) == 0 && pthread_mutex_unlock(m) == 0;
}

static void test_robust(void)
{
	stage = "robust";
	struct robust_list_head *head = NULL, *h2 = NULL;
	size_t len = 0, len2 = 0;
	long r = syscall(SYS_get_robust_list, 0, &head, &len);
	REQUIRE(r == 0 && head != NULL && len == 24, "get_robust_list(0) returns a head and len 24", "r=%ld len %zu", r, len);
	long off = (long)offsetof(pthread_mutex_t, __data.__lock) - (long)offsetof(pthread_mutex_t, __data.__list.__next);
	CHECK(head->list.next == &head->list && head->futex_offset == off, "it is glibc's head: an empty circular list, glibc's futex_offset", "off %ld", head->futex_offset);
	pthread_mutex_t m;
	init_robust(&m, 0);
	pthread_mutex_lock(&m);
	CHECK(head->list.next == (void *)&m.__data.__list.__next && head->list_op_pending == NULL, "a held robust mutex is on that list", "-");
	pthread_mutex_unlock(&m);
	CHECK(head->list.next == &head->list, "an unlocked one is off it again", "-");
	CHECK(syscall(SYS_get_robust_list, (int)syscall(SYS_gettid), &h2, &len2) == 0 && h2 == head && len2 == 24, "get_robust_list(own tid) gives the same head", "-");
	CHECK_ERR(syscall(SYS_get_robust_list, INT_MAX, &h2, &len2), ESRCH, "get_robust_list of a missing tid is ESRCH");
	CHECK_ERR(syscall(SYS_set_robust_list, head, 23), EINVAL, "set_robust_list with a length other than 24 is EINVAL");

	/* a thread exits holding a robust mutex */
	pthread_t th;
	void *ret = (void *)-1L;
	REQUIRE(pthread_create(&th, NULL, lock_and_exit, &m) == 0, "pthread_create", "-");
	CHECK(join_ms(th, &ret, 5000) == 0 && ret == NULL, "a thread locks the robust mutex and exits", "ret %p", ret);
	CHECK(thread_head != NULL && thread_head != head, "the thread had its own robust list head", "-");
	CHECK(m.__data.__lock == FUTEX_OWNER_DIED, "the kernel left FUTEX_OWNER_DIED (no tid) in the lock word", "0x%x", (unsigned)m.__data.__lock);
	int e = pthread_mutex_lock(&m);
	CHECK(e == EOWNERDEAD, "pthread_mutex_lock in the main thread returns EOWNERDEAD", "got %d", e);
	CHECK(e == EOWNERDEAD && recover(&m), "pthread_mutex_consistent, unlock, and it locks normally again", "-");

	/* a process exits holding a robust, process-shared mutex */
	pthread_mutex_t *pm = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	REQUIRE(pm != MAP_FAILED, "mmap MAP_SHARED for the mutex", "-");
	init_robust(pm, 1);
	pid_t pid = fork();
	if (pid == 0)
		_exit(pthread_mutex_lock(pm) == 0 ? 0 : 1);
	CHECK(reaped(pid, 0), "a child locks a shared robust mutex and _exit()s", "-");
	CHECK(pm->__data.__lock == FUTEX_OWNER_DIED, "the kernel left FUTEX_OWNER_DIED in the shared lock word", "0x%x", (unsigned)pm->__data.__lock);
	e = pthread_mutex_lock(pm);
	CHECK(e == EOWNERDEAD && recover(pm), "the parent's pthread_mutex_lock returns EOWNERDEAD, and it recovers", "got %d", e);

	/* the parent is blocked in pthread_mutex_lock (FUTEX_WAITERS set) when the owner dies */
	int p1[2], p2[2];
	REQUIRE(pipe(p1) == 0 && pipe(p2) == 0, "pipes", "-");
	pid = fork();
	if (pid == 0) {
		char c = 0;
		if (pthread_mutex_lock(pm) != 0)
			_exit(1);
		write_all(p1[1], "L", 1);
		if (read(p2[0], &c, 1) == 1) /* the parent is about to lock */
			sleep_ms(50);
		_exit(c == 'g' ? 0 : 2);
	}
	close(p1[1]);
	close(p2[0]);
	char c = 0;
	stage = "robust: waiting for the child to lock";
	alarm(10);
	CHECK(read(p1[0], &c, 1) == 1 && c == 'L', "the child holds the shared robust mutex", "-");
	write_all(p2[1], "g", 1);
	stage = "robust: pthread_mutex_lock while the owner dies";
	e = pthread_mutex_lock(pm);
	alarm(120);
	CHECK(e == EOWNERDEAD, "a parent blocked in pthread_mutex_lock is woken with EOWNERDEAD when the owner dies", "got %d", e);
	CHECK(e == EOWNERDEAD && recover(pm), "and the mutex recovers", "-");
	CHECK(reaped(pid, 0), "the owner child exited 0", "-");
	close(p1[0]);
	close(p2[1]);
	munmap(pm, PG);
}

/* ---- 7. CLONE_CHILD_CLEARTID: the kernel zeroes the exiting thread's tid and wakes the joiner ---- */
static void *slow_return(void *arg) { sleep_ms(50); return arg; }

static void test_cleartid(void)
{
	pthread_t th;
	void *ret = NULL;
	int e = pthread_create(&th, NULL, slow_return, (void *)42L) ?: join_ms(th, &ret, 5000);
	CHECK(e == 0 && ret == (void *)42L, "pthread_join of a running thread returns once it exits (CLONE_CHILD_CLEARTID wake)", "e=%d ret %p", e, ret);
}

int main(void)
{
	signal(SIGALRM, on_alarm);
	alarm(120);
	test_errors();
	test_wake();
	test_shared();
	test_requeue();
	test_wake_op();
	test_robust();
	test_cleartid();
	alarm(0);
	return check_done();
}
