/* clock_gettime(CLOCK_MONOTONIC): served by the vDSO natively, so no syscall at all. */
#include "bench.h"

int main(int argc, char **argv) {
  bench_t b;
  bench_init(&b, argc, argv, 0);
  struct timespec ts;
  volatile long sink = 0;
  BENCH_RUN(&b, 1023, { clock_gettime(CLOCK_MONOTONIC, &ts); sink += ts.tv_nsec; });
  (void)sink;
  return 0;
}
