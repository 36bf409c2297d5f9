/*
 * FUTEX_WAKE_OP updates its second word atomically: while another thread adds to the same
 * word with atomic instructions, every FUTEX_OP_ADD of WAKE_OP still counts (a kernel that
 * reads the word, then writes the sum back, loses the thread's adds made in between). The
 * old value it compares also decides the second wake.
 */
#include "check.h"
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/syscall.h>

#define ROUNDS 20000

static _Atomic uint32_t word;
static uint32_t other;
static atomic_int stop;
static atomic_int started;
static long thread_adds;

static long wake_op(uint32_t *uaddr, int nr_wake, uint32_t *uaddr2, int nr_wake2, int op)
{
	return syscall(SYS_futex, uaddr, FUTEX_WAKE_OP | FUTEX_PRIVATE_FLAG, nr_wake, (long)nr_wake2, uaddr2, op);
}

static void *adder(void *arg)
{
	(void)arg;
	atomic_store(&started, 1);
	while (!atomic_load(&stop)) {
		atomic_fetch_add(&word, 1000000);
		thread_adds++;
	}
	return NULL;
}

int main(void)
{
	pthread_t th;
	REQUIRE(pthread_create(&th, NULL, adder, NULL) == 0, "pthread_create", "errno %d", errno);
	while (!atomic_load(&started))
		;
	long failed = 0;
	for (int i = 0; i < ROUNDS; i++)
		if (wake_op(&other, 1, (uint32_t *)&word, 1, FUTEX_OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_EQ, 0)) < 0)
			failed++;
	atomic_store(&stop, 1);
	pthread_join(th, NULL);
	CHECK(failed == 0, "every WAKE_OP succeeded", "%ld failed, errno %d", failed, errno);
	CHECK(thread_adds > 0, "the other thread added meanwhile", "%ld", thread_adds);
	uint32_t want = (uint32_t)ROUNDS + (uint32_t)(thread_adds * 1000000u);
	CHECK(atomic_load(&word) == want, "no add of either side was lost", "word %u, want %u (%ld thread adds)",
	      atomic_load(&word), want, thread_adds);

	/* The comparison sees the old value: OR 2 into 5 with CMP_EQ 5 is a hit (the result is
	 * how many woke: nobody waits, so 0 either way), and the word becomes 7. */
	uint32_t w2 = 5;
	CHECK(wake_op(&other, 1, &w2, 1, FUTEX_OP(FUTEX_OP_OR, 2, FUTEX_OP_CMP_EQ, 5)) == 0 && w2 == 7,
	      "OR applies to the word", "word %u", w2);
	CHECK(wake_op(&other, 1, &w2, 1, FUTEX_OP(FUTEX_OP_ANDN, 1, FUTEX_OP_CMP_EQ, 0)) == 0 && w2 == 6, "ANDN",
	      "word %u", w2);
	CHECK(wake_op(&other, 1, &w2, 1, FUTEX_OP(FUTEX_OP_XOR, 3, FUTEX_OP_CMP_EQ, 0)) == 0 && w2 == 5, "XOR",
	      "word %u", w2);
	CHECK(wake_op(&other, 1, &w2, 1, FUTEX_OP(FUTEX_OP_SET, 9, FUTEX_OP_CMP_EQ, 0)) == 0 && w2 == 9, "SET",
	      "word %u", w2);
	CHECK(wake_op(&other, 1, &w2, 1, FUTEX_OP((FUTEX_OP_SET | FUTEX_OP_OPARG_SHIFT), 4, FUTEX_OP_CMP_EQ, 0)) == 0 &&
		      w2 == 16,
	      "SET with OPARG_SHIFT (1 << 4)", "word %u", w2);
	return check_done();
}
