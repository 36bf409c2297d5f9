/*
 * bench.h: the shared frame of the micro workloads.
 *
 * Every micro program is called as
 *     PROG MAX_ITERS BUDGET_MS [ARGS...]
 * It runs its operation untimed for a tenth of the budget (warm-up), then timed until
 * MAX_ITERS operations are done or BUDGET_MS of wall time has passed, whichever comes
 * first, and prints on stdout
 *     ns_per_op=<float>
 *     iters=<operations timed>
 * Time is read with clock_gettime(CLOCK_MONOTONIC) inside the program, so process
 * start-up (and the sandbox's start-up) never counts. Any failure prints one line on
 * stderr and exits 1: the harness reports the workload failed with that line.
 */
#ifndef WVISOR_BENCH_H
#define WVISOR_BENCH_H

#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline void die(const char *what) {
  fprintf(stderr, "%s: %s\n", what, strerror(errno));
  exit(1);
}

static inline void die_msg(const char *msg) {
  fprintf(stderr, "%s\n", msg);
  exit(1);
}

typedef struct {
  long max_iters;     /* upper bound on timed operations */
  uint64_t budget_ns; /* upper bound on timed wall time */
  long limit;         /* bound of the current phase */
  uint64_t phase_budget_ns;
  long done;          /* operations done in the current phase */
  uint64_t t0;        /* start of the current phase */
  uint64_t elapsed_ns;/* length of the timed phase, set by bench_report */
} bench_t;

/* Parses MAX_ITERS and BUDGET_MS; returns the index of the first extra argument. */
static inline int bench_init(bench_t *b, int argc, char **argv, int extra_args) {
  if (argc < 3 + extra_args) {
    fprintf(stderr, "usage: %s MAX_ITERS BUDGET_MS%s\n", argv[0], extra_args ? " ARGS..." : "");
    exit(2);
  }
  b->max_iters = atol(argv[1]);
  double ms = atof(argv[2]);
  if (b->max_iters <= 0 || ms <= 0) die_msg("MAX_ITERS and BUDGET_MS must be positive");
  b->budget_ns = (uint64_t)(ms * 1e6);
  return 3;
}

/* warm = 1: the untimed warm-up phase (a tenth of both bounds); warm = 0: the timed one. */
static inline void bench_phase(bench_t *b, int warm) {
  b->limit = warm ? b->max_iters / 10 + 1 : b->max_iters;
  b->phase_budget_ns = warm ? b->budget_ns / 10 : b->budget_ns;
  b->done = 0;
  b->t0 = now_ns();
}

/*
 * Whether to do one more operation. The clock is read only when (done & mask) == 0,
 * so cheap operations (mask 1023) are not slowed by it; costly ones use mask 0.
 */
static inline int bench_next(bench_t *b, long mask) {
  if (b->done >= b->limit) return 0;
  if (b->done > 0 && (b->done & mask) == 0 && now_ns() - b->t0 >= b->phase_budget_ns) return 0;
  b->done++;
  return 1;
}

static inline void bench_report(bench_t *b) {
  b->elapsed_ns = now_ns() - b->t0;
  printf("ns_per_op=%.3f\niters=%ld\n", (double)b->elapsed_ns / (double)b->done, b->done);
  fflush(stdout);
}

/* Runs BODY as the operation: warm-up, then the timed phase, then prints the result. */
#define BENCH_RUN(b, mask, BODY)                         \
  do {                                                   \
    bench_phase((b), 1);                                 \
    while (bench_next((b), (mask))) { BODY; }            \
    bench_phase((b), 0);                                 \
    while (bench_next((b), (mask))) { BODY; }            \
    bench_report(b);                                     \
  } while (0)

#endif
