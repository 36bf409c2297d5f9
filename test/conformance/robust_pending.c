/*
 * A thread that dies with a robust-list operation pending on a lock word it has just set to
 * 0 (an unlock done, its FUTEX_WAKE not yet made) has one waiter woken by the kernel
 * (handle_futex_death()'s pending-op rule); without it that waiter would sleep for good.
 * A word the dying thread owns gets FUTEX_OWNER_DIED, with its waiter woken.
 */
#include "check.h"
#include <linux/futex.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>

struct lock {
	struct robust_list list;
	uint32_t word;
};

static struct lock pending_lock, owned_lock;
static struct robust_list_head head;

static void *dier(void *arg)
{
	(void)arg;
	head.list.next = &head.list;
	head.futex_offset = (long)offsetof(struct lock, word) - (long)offsetof(struct lock, list);
	/* owned_lock is on the list and held by this thread; pending_lock is the pending op. */
	owned_lock.word = (uint32_t)syscall(SYS_gettid);
	owned_lock.list.next = &head.list;
	head.list.next = &owned_lock.list;
	head.list_op_pending = &pending_lock.list;
	pending_lock.word = 0;
	syscall(SYS_set_robust_list, &head, sizeof head);
	struct timespec ts = {0, 500 * 1000 * 1000};
	nanosleep(&ts, NULL); /* the waiters block meanwhile */
	syscall(SYS_exit, 0); /* this thread only, without unlocking or waking */
	return NULL;
}

static void *waiter(void *arg)
{
	uint32_t *word = arg;
	uint32_t expected = *word;
	struct timespec to = {3, 0};
	long r = syscall(SYS_futex, word, FUTEX_WAIT, expected, &to, NULL, 0);
	return (void *)(r == 0 ? 0L : (long)errno);
}

int main(void)
{
	pthread_t d, w1, w2;
	owned_lock.word = 1; /* so that the waiter below waits on a nonzero value until the dier owns it */
	REQUIRE(pthread_create(&d, NULL, dier, NULL) == 0, "pthread_create", "errno %d", errno);
	struct timespec ts = {0, 50 * 1000 * 1000};
	nanosleep(&ts, NULL);
	REQUIRE(pthread_create(&w1, NULL, waiter, &pending_lock.word) == 0, "pthread_create", "errno %d", errno);
	REQUIRE(pthread_create(&w2, NULL, waiter, &owned_lock.word) == 0, "pthread_create", "errno %d", errno);
	/* FUTEX_WAITERS as a locker that went to sleep would have set it. */
	__atomic_or_fetch(&owned_lock.word, FUTEX_WAITERS, __ATOMIC_SEQ_CST);
	void *r1, *r2;
	pthread_join(w1, &r1);
	pthread_join(w2, &r2);
	pthread_join(d, NULL);
	CHECK(r1 == 0, "the waiter on the pending op's word (left 0) was woken", "errno %ld", (long)r1);
	CHECK(r2 == 0 || (long)r2 == EAGAIN, "the waiter on the dead owner's word was woken", "errno %ld", (long)r2);
	CHECK((owned_lock.word & FUTEX_OWNER_DIED) != 0, "which now says FUTEX_OWNER_DIED", "%#x", owned_lock.word);
	return check_done();
}
