// The order in which samples are taken.
//
// A noisy machine drifts: a neighbour starts a build, the CPU heats up, the page cache
// fills. If all runs of runner A came before all runs of runner B, that drift would show up
// as a difference between A and B. So runs alternate between runners, A B C A B C …, for
// one workload at a time: the samples of one workload under all runners are taken within
// the same few seconds, and each runner's runs are spread evenly across them.

export interface Slot {
  workload: string;
  runner: string;
  /** 1-based run number of this (workload, runner) cell. */
  run: number;
}

/**
 * The interleaved schedule: for each workload in order, `runs` rounds, and in each round
 * every runner once, in the given order. `supports(workload, runner)` false leaves the
 * runner out for that workload (a cell shown as "n/a").
 */
export function interleave(
  workloads: readonly string[],
  runners: readonly string[],
  runs: number,
  supports: (workload: string, runner: string) => boolean = () => true,
): Slot[] {
  if (!Number.isInteger(runs) || runs < 1) throw new RangeError(`runs must be a positive integer, not ${runs}`);
  const slots: Slot[] = [];
  for (const workload of workloads) {
    const here = runners.filter((r) => supports(workload, r));
    for (let run = 1; run <= runs; run++) {
      for (const runner of here) slots.push({ workload, runner, run });
    }
  }
  return slots;
}
