/* 16-byte writes to /dev/null: the cost of a syscall with an fd and a user buffer. */
#include "bench.h"
#include <fcntl.h>
#include <unistd.h>

int main(int argc, char **argv) {
  bench_t b;
  bench_init(&b, argc, argv, 0);
  int fd = open("/dev/null", O_WRONLY);
  if (fd < 0) die("/dev/null");
  static const char msg[16] = "wvisor-bench-16\n";
  BENCH_RUN(&b, 1023, { if (write(fd, msg, sizeof msg) != sizeof msg) die("write"); });
  close(fd);
  return 0;
}
