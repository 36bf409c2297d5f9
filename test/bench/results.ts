// The shape of a benchmark session's results, shared by the session loop and the three
// reports, and the step from samples to cells (one cell per workload and runner).

import type { HostInfo } from './environment.js';
import type { MissingRunner, Runner } from './runners.js';
import { ratio, summarize, type Summary } from './stats.js';
import type { Workload, WorkloadKind } from './workloads.js';

/** One run of one workload under one runner. */
export interface Sample {
  workload: string;
  runner: string;
  /** 1-based run number within its cell. */
  run: number;
  ok: boolean;
  /** The figure in ns (ns per operation for micro, wall time for macro), when ok. */
  value?: number;
  /** Wall time of the whole process as timeit measured it, in ns. */
  wallNs?: number;
  /** Every key=value the program printed, and timeit's rusage figures. */
  metrics: Record<string, number>;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  error?: string;
  /** The last 2 KiB of stderr of a failed run. */
  stderrTail?: string;
  /** Seconds since the session started, when the run began. */
  startedAtS: number;
}

export type CellStatus = 'ok' | 'failed' | 'n/a';

/** The result of one workload under one runner. */
export interface Cell {
  workload: string;
  runner: string;
  status: CellStatus;
  /** Of the successful samples; only for status 'ok'. */
  summary?: Summary;
  /** median / native median; null when native failed; only for status 'ok'. */
  ratio?: number | null;
  /** The first failure's error; only for status 'failed'. */
  error?: string;
  /** Runs attempted (failed cells stop at their first failure). */
  attempts: number;
  /** The full command line of a run. */
  command?: string[];
}

export interface RunnerInfo {
  id: string;
  description: string;
  version?: string;
  notes: string[];
  /** The command for a placeholder PROGRAM, to show what the runner does. */
  example: string[];
}

export interface WorkloadInfo {
  id: string;
  kind: WorkloadKind;
  what: string;
  unit: string;
}

export interface BenchResult {
  schema: 'wvisor-bench/1';
  startedAt: string;
  finishedAt: string;
  durationS: number;
  host: HostInfo;
  options: {
    quick: boolean;
    runs: number;
    budgetMs: number;
    timeoutS: number;
    workloads?: string;
    runners?: string;
  };
  runners: RunnerInfo[];
  /** Runners the harness knows but could not use here. */
  missing: MissingRunner[];
  workloads: WorkloadInfo[];
  samples: Sample[];
  cells: Cell[];
}

export function runnerInfo(r: Runner): RunnerInfo {
  return { id: r.id, description: r.description, version: r.version, notes: r.notes, example: r.wrap(['PROGRAM', 'ARGS...']) };
}

/**
 * Cells from samples. A cell is n/a when its runner does not support the workload;
 * failed when any of its samples failed (the first failure's error is kept: a workload
 * that fails once is not timed as if it had succeeded); ok otherwise, with the summary of
 * its values and the ratio of its median to native's median.
 */
export function buildCells(
  workloads: readonly Workload[],
  runners: readonly Runner[],
  samples: readonly Sample[],
  commands: ReadonlyMap<string, string[]> = new Map(),
): Cell[] {
  const cells: Cell[] = [];
  for (const w of workloads) {
    const row: Cell[] = [];
    for (const r of runners) {
      const key = cellKey(w.id, r.id);
      const mine = samples.filter((s) => s.workload === w.id && s.runner === r.id);
      const command = commands.get(key);
      if (!r.supports(w)) {
        row.push({ workload: w.id, runner: r.id, status: 'n/a', attempts: 0 });
        continue;
      }
      const failure = mine.find((s) => !s.ok);
      if (failure || mine.length === 0) {
        row.push({
          workload: w.id,
          runner: r.id,
          status: 'failed',
          error: failure?.error ?? 'not run',
          attempts: mine.length,
          command,
        });
        continue;
      }
      row.push({
        workload: w.id,
        runner: r.id,
        status: 'ok',
        summary: summarize(mine.map((s) => s.value as number)),
        attempts: mine.length,
        command,
      });
    }
    const native = row.find((c) => c.runner === 'native');
    const base = native?.status === 'ok' ? native.summary!.median : NaN;
    for (const c of row) if (c.status === 'ok') c.ratio = ratio(c.summary!.median, base);
    cells.push(...row);
  }
  return cells;
}

export const cellKey = (workload: string, runner: string): string => `${workload}\u0000${runner}`;

/** The cell of a workload and runner in a result. */
export function cellOf(result: Pick<BenchResult, 'cells'>, workload: string, runner: string): Cell | undefined {
  return result.cells.find((c) => c.workload === workload && c.runner === runner);
}
