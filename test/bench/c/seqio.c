/*
 * Sequential I/O in 64 KiB blocks: write MAX_ITERS blocks to a new file in DIR, then read
 * them all back, then unlink the file. ARGS: DIR
 * An operation is one 64 KiB write or read; ns_per_op covers both phases. BUDGET_MS is
 * not used (the file size is the work), and there is no warm-up beyond one block.
 * Also prints write_ns_per_op and read_ns_per_op.
 */
#include "bench.h"
#include <fcntl.h>
#include <unistd.h>

#define BLOCK (64 * 1024)

int main(int argc, char **argv) {
  bench_t b;
  int a = bench_init(&b, argc, argv, 1);
  char path[4096];
  snprintf(path, sizeof path, "%s/seqio.%ld.tmp", argv[a], (long)getpid());
  static char buf[BLOCK];
  memset(buf, 'w', sizeof buf);

  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) die(path);
  uint64_t t0 = now_ns();
  for (long i = 0; i < b.max_iters; i++)
    if (write(fd, buf, BLOCK) != BLOCK) die("write");
  uint64_t t1 = now_ns();
  if (lseek(fd, 0, SEEK_SET) != 0) die("lseek");
  for (long i = 0; i < b.max_iters; i++)
    if (read(fd, buf, BLOCK) != BLOCK) die("read");
  uint64_t t2 = now_ns();
  close(fd);
  if (unlink(path) != 0) die("unlink");

  printf("ns_per_op=%.3f\niters=%ld\nwrite_ns_per_op=%.3f\nread_ns_per_op=%.3f\n",
         (double)(t2 - t0) / (2.0 * b.max_iters), 2 * b.max_iters,
         (double)(t1 - t0) / b.max_iters, (double)(t2 - t1) / b.max_iters);
  return 0;
}
