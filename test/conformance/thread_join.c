// Threads that ping-pong through a futex many times, then exit and are joined; and several
// threads that exit while the main thread waits in pthread_join. Checks that a thread's exit
// is seen by its joiner (clear_child_tid) and that the process then exits cleanly.
#define _GNU_SOURCE
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "check.h"

static _Atomic int word;
static _Atomic long rounds;

static void fwait(int v) { syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, v, NULL, NULL, 0); }
static void fwake(void) { syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0); }

static void *partner(void *arg) {
	(void)arg;
	for (;;) {
		int w;
		while ((w = atomic_load(&word)) == 0) fwait(0);
		if (w == 2) return (void *)7;
		atomic_fetch_add(&rounds, 1);
		atomic_store(&word, 0);
		fwake();
	}
}

static void *quick(void *arg) { return arg; }

int main(void) {
	pthread_t t;
	CHECK(pthread_create(&t, NULL, partner, NULL) == 0, "create the futex partner", "-");
	for (int i = 0; i < 500; i++) {
		atomic_store(&word, 1);
		fwake();
		while (atomic_load(&word) == 1) fwait(1);
	}
	atomic_store(&word, 2);
	fwake();
	void *r = NULL;
	CHECK(pthread_join(t, &r) == 0 && r == (void *)7, "join the partner after 500 rounds", "r=%p", r);
	CHECK(atomic_load(&rounds) == 500, "the partner answered every round", "%ld", (long)atomic_load(&rounds));
	pthread_t q[16];
	for (long i = 0; i < 16; i++) pthread_create(&q[i], NULL, quick, (void *)i);
	long sum = 0;
	for (int i = 0; i < 16; i++) {
		void *v;
		pthread_join(q[i], &v);
		sum += (long)v;
	}
	CHECK(sum == 120, "16 short threads joined with their results", "%ld", sum);
	return check_done();
}
