/* fork + execve + waitpid of a static program that exits 0. ARGS: PROGRAM */
#include "bench.h"
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
  bench_t b;
  int a = bench_init(&b, argc, argv, 1);
  char *const child_argv[] = {argv[a], NULL};
  char *const child_envp[] = {NULL};
  BENCH_RUN(&b, 0, {
    pid_t pid = fork();
    if (pid < 0) die("fork");
    if (pid == 0) {
      execve(argv[a], child_argv, child_envp);
      _exit(127);
    }
    int status;
    if (waitpid(pid, &status, 0) != pid) die("waitpid");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) die_msg("exec'd child did not exit 0");
  });
  return 0;
}
