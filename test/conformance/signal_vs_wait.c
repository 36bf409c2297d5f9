// A signal that arrives just as a thread goes to sleep must still run its handler: natively it
// runs before the blocking call or interrupts it. Under a user-space kernel the signal can
// come while the thread runs app code (the host is interrupting it to take the signal) and
// the thread then enters the blocking call before that interruption lands. The pattern is
// Python's (signal.set_wakeup_fd): SIGCHLD's handler writes a byte to a pipe, and the main
// loop sleeps in poll() on that pipe. Each round forks a child that exits at once; a signal
// whose handler does not run before the sleep shows as a round that takes the whole 10 s.
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int wake[2];

static void on_chld(int sig) {
  (void)sig;
  int e = errno;
  if (write(wake[1], "x", 1) < 0) {
  }
  errno = e;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  int rounds = argc > 1 ? atoi(argv[1]) : 300;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_chld;
  sigaction(SIGCHLD, &sa, NULL);
  if (pipe(wake) < 0) {
    perror("pipe");
    return 1;
  }
  double worst = 0;
  int interrupted = 0;
  for (int i = 0; i < rounds; i++) {
    pid_t pid = fork();
    if (pid < 0) {
      perror("fork");
      return 1;
    }
    if (pid == 0) _exit(0);
    double t0 = now();
    // Spin a varying while, so that the signal comes at every point around the poll.
    for (volatile int k = 0; k < (i % 64) * 500; k++)
      ;
    struct pollfd p = {.fd = wake[0], .events = POLLIN};
    for (;;) {
      int r = poll(&p, 1, 10000);
      if (r < 0 && errno == EINTR) interrupted++;
      if (r != 0 || now() - t0 > 10) break;
    }
    char c;
    if (read(wake[0], &c, 1) != 1) {
      perror("read");
      return 1;
    }
    double dt = now() - t0;
    if (dt > worst) worst = dt;
    waitpid(pid, NULL, 0);
  }
  printf("info: %d polls interrupted\nrounds=%d worst=%s\n", interrupted, rounds, worst < 5 ? "ok" : "timeout");
  return worst < 5 ? 0 : 1;
}
