/* Pipe ping-pong between two processes: one byte there and back is one operation. */
#include "bench.h"
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
  bench_t b;
  bench_init(&b, argc, argv, 0);
  int there[2], back[2];
  if (pipe(there) || pipe(back)) die("pipe");
  pid_t pid = fork();
  if (pid < 0) die("fork");
  if (pid == 0) {
    close(there[1]);
    close(back[0]);
    char c;
    while (read(there[0], &c, 1) == 1)
      if (write(back[1], &c, 1) != 1) _exit(1);
    _exit(0);
  }
  close(there[0]);
  close(back[1]);
  char c = 'x';
  BENCH_RUN(&b, 63, {
    if (write(there[1], &c, 1) != 1) die("write");
    if (read(back[0], &c, 1) != 1) die("read");
  });
  close(there[1]);
  int status;
  if (waitpid(pid, &status, 0) != pid) die("waitpid");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) die_msg("echo child failed");
  return 0;
}
