/* fork + _exit + waitpid: task creation, address-space copy, exit and reaping. */
#include "bench.h"
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
  bench_t b;
  bench_init(&b, argc, argv, 0);
  BENCH_RUN(&b, 0, {
    pid_t pid = fork();
    if (pid < 0) die("fork");
    if (pid == 0) _exit(0);
    int status;
    if (waitpid(pid, &status, 0) != pid) die("waitpid");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) die_msg("child did not exit 0");
  });
  return 0;
}
