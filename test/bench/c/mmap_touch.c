/* mmap 1 MiB anonymous, write one byte to each 4 KiB page (256 faults), munmap. */
#include "bench.h"
#include <sys/mman.h>

#define SIZE (1 << 20)
#define PAGE 4096

int main(int argc, char **argv) {
  bench_t b;
  bench_init(&b, argc, argv, 0);
  BENCH_RUN(&b, 0, {
    char *p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) die("mmap");
    for (long off = 0; off < SIZE; off += PAGE) ((volatile char *)p)[off] = 1;
    if (munmap(p, SIZE) != 0) die("munmap");
  });
  return 0;
}
