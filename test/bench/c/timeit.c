/*
 * timeit: run one command and report how it went, for the harness.
 *
 *     timeit CMD [ARGS...]
 *
 * Forks, execs CMD (PATH search) with the harness's stdin/stdout/stderr, waits for it with
 * wait4(), and writes one line to file descriptor 3:
 *     wall_ns=<n> exit=<code> signal=<n> utime_us=<n> stime_us=<n> maxrss_kb=<n>
 * Wall time runs from just before fork() to just after wait4() returns, read with
 * clock_gettime(CLOCK_MONOTONIC): the cost of the harness's own process spawning (Node)
 * is not in it. fd 3 is close-on-exec, so CMD never sees it. Exits with CMD's exit code
 * (128 + signal if it was killed). If exec fails, the child prints
 * "timeit: exec CMD: <error>" on stderr and exits 127.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: timeit CMD [ARGS...]\n");
    return 2;
  }
  int report = 3;
  if (fcntl(report, F_SETFD, FD_CLOEXEC) != 0) report = -1; /* no fd 3: report on stderr */
  uint64_t t0 = now_ns();
  pid_t pid = fork();
  if (pid < 0) {
    fprintf(stderr, "timeit: fork: %s\n", strerror(errno));
    return 125;
  }
  if (pid == 0) {
    execvp(argv[1], argv + 1);
    fprintf(stderr, "timeit: exec %s: %s\n", argv[1], strerror(errno));
    _exit(127);
  }
  int status;
  struct rusage ru;
  pid_t got;
  while ((got = wait4(pid, &status, 0, &ru)) < 0 && errno == EINTR) {}
  uint64_t t1 = now_ns();
  if (got != pid) {
    fprintf(stderr, "timeit: wait4: %s\n", strerror(errno));
    return 125;
  }
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  char line[256];
  int n = snprintf(line, sizeof line,
                   "wall_ns=%llu exit=%d signal=%d utime_us=%lld stime_us=%lld maxrss_kb=%ld\n",
                   (unsigned long long)(t1 - t0), code, sig,
                   (long long)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec,
                   (long long)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec, ru.ru_maxrss);
  if (write(report >= 0 ? report : 2, line, (size_t)n) != n) return 125;
  return sig ? 128 + sig : code;
}
