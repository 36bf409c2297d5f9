/* stat of a file: path walk and attribute copy-out. ARGS: FILE */
#include "bench.h"
#include <sys/stat.h>

int main(int argc, char **argv) {
  bench_t b;
  int a = bench_init(&b, argc, argv, 1);
  const char *path = argv[a];
  struct stat st;
  BENCH_RUN(&b, 255, { if (stat(path, &st) != 0) die(path); });
  return 0;
}
