/* getpid round trip: the cheapest syscall there is, so its cost is the interception cost. */
#include "bench.h"
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv) {
  bench_t b;
  bench_init(&b, argc, argv, 0);
  volatile long sink = 0;
  /* syscall() rather than getpid(): no libc may cache the answer. */
  BENCH_RUN(&b, 1023, sink += syscall(SYS_getpid));
  (void)sink;
  return 0;
}
