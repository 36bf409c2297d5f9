/* open + read + close of a small file: path walk, file description, copy out. ARGS: FILE */
#include "bench.h"
#include <fcntl.h>
#include <unistd.h>

int main(int argc, char **argv) {
  bench_t b;
  int a = bench_init(&b, argc, argv, 1);
  const char *path = argv[a];
  char buf[4096];
  BENCH_RUN(&b, 63, {
    int fd = open(path, O_RDONLY);
    if (fd < 0) die(path);
    if (read(fd, buf, sizeof buf) <= 0) die("read");
    close(fd);
  });
  return 0;
}
