/*
 * Futex ping-pong between two threads of one process: the main thread sets the word to 1
 * and wakes; the partner sets it back to 0 and wakes. One round trip is one operation.
 * The word 2 tells the partner to stop.
 */
#include "bench.h"
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <unistd.h>

static _Atomic int word = 0;

static void futex_wait(int expected) {
  syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, expected, NULL, NULL, 0);
}
static void futex_wake(void) {
  syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void *partner(void *arg) {
  (void)arg;
  for (;;) {
    int w;
    while ((w = atomic_load(&word)) == 0) futex_wait(0);
    if (w == 2) return NULL;
    atomic_store(&word, 0);
    futex_wake();
  }
}

int main(int argc, char **argv) {
  bench_t b;
  bench_init(&b, argc, argv, 0);
  pthread_t t;
  if ((errno = pthread_create(&t, NULL, partner, NULL)) != 0) die("pthread_create");
  BENCH_RUN(&b, 63, {
    atomic_store(&word, 1);
    futex_wake();
    while (atomic_load(&word) == 1) futex_wait(1);
  });
  atomic_store(&word, 2);
  futex_wake();
  if ((errno = pthread_join(t, NULL)) != 0) die("pthread_join");
  return 0;
}
