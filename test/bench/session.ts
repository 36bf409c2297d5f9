// One benchmark session: every selected workload under every selected runner, several
// runs each, interleaved (schedule.ts), with failures recorded as such.

import { judge, runMeasured } from './measure.js';
import { buildCells, cellKey, type Cell, type Sample } from './results.js';
import type { Runner } from './runners.js';
import { interleave, type Slot } from './schedule.js';
import type { Workload, WorkloadContext } from './workloads.js';

/** Receives the session's progress (report_terminal.ts draws it). */
export interface ProgressSink {
  start(total: number): void;
  /** Called before a slot runs. */
  begin(done: number, slot: Slot): void;
  /** Called after a slot ran (sample set) or was skipped (sample undefined). */
  end(done: number, slot: Slot, sample: Sample | undefined): void;
  finish(): void;
}

export interface SessionConfig {
  workloads: readonly Workload[];
  runners: readonly Runner[];
  ctx: WorkloadContext;
  runs: number;
  timeoutMs: number;
  /** Path of the compiled c/timeit. */
  timeit: string;
  /** Working directory of every run. */
  cwd: string;
  /** Run each workload once natively, untimed, before its first timed run. */
  warmup: boolean;
  progress?: ProgressSink;
}

/** After this many timed-out runs, a runner's remaining cells fail without running. */
export const TIMEOUTS_BEFORE_GIVING_UP = 2;

const STDERR_TAIL = 2048;

/**
 * Runs the session. A cell stops at its first failed run (later runs would add nothing but
 * time); its error stays in the result. A runner that has timed out
 * TIMEOUTS_BEFORE_GIVING_UP times fails its remaining cells with that reason instead of
 * hanging the session once per workload.
 */
export async function runSession(cfg: SessionConfig): Promise<{ samples: Sample[]; cells: Cell[]; commands: Map<string, string[]> }> {
  const workloads = new Map(cfg.workloads.map((w) => [w.id, w]));
  const runners = new Map(cfg.runners.map((r) => [r.id, r]));
  const slots = interleave(
    cfg.workloads.map((w) => w.id),
    cfg.runners.map((r) => r.id),
    cfg.runs,
    (w, r) => runners.get(r)!.supports(workloads.get(w)!),
  );
  const samples: Sample[] = [];
  const commands = new Map<string, string[]>();
  const failed = new Set<string>();
  const timeouts = new Map<string, number>();
  const warmed = new Set<string>();
  const t0 = performance.now();
  const native = cfg.runners.find((r) => r.id === 'native');

  cfg.progress?.start(slots.length);
  let done = 0;
  for (const slot of slots) {
    const w = workloads.get(slot.workload)!;
    const r = runners.get(slot.runner)!;
    const key = cellKey(w.id, r.id);
    if (failed.has(key)) {
      cfg.progress?.end(++done, slot, undefined);
      continue;
    }
    if (cfg.warmup && native && !warmed.has(w.id)) {
      warmed.add(w.id);
      const warmCtx = { ...cfg.ctx, budgetMs: Math.min(cfg.ctx.budgetMs, 20) };
      await runMeasured(cfg.timeit, native.wrap(w.argv(warmCtx)), { cwd: cfg.cwd, timeoutMs: cfg.timeoutMs });
    }
    cfg.progress?.begin(done, slot);
    const argv = r.wrap(w.argv(cfg.ctx));
    commands.set(key, argv);
    const startedAtS = (performance.now() - t0) / 1000;
    let sample: Sample;
    if ((timeouts.get(r.id) ?? 0) >= TIMEOUTS_BEFORE_GIVING_UP) {
      sample = {
        workload: w.id, runner: r.id, run: slot.run, ok: false, metrics: {}, exitCode: null, signal: null, timedOut: false,
        error: `not run: ${r.id} already timed out ${TIMEOUTS_BEFORE_GIVING_UP} times in this session`, startedAtS,
      };
    } else {
      const outcome = await runMeasured(cfg.timeit, argv, { cwd: cfg.cwd, timeoutMs: cfg.timeoutMs });
      if (outcome.timedOut) timeouts.set(r.id, (timeouts.get(r.id) ?? 0) + 1);
      const verdict = judge(w.kind, outcome, cfg.timeoutMs, w.check ? (out) => w.check!(out, cfg.ctx) : undefined);
      sample = {
        workload: w.id,
        runner: r.id,
        run: slot.run,
        ok: verdict.ok,
        value: verdict.ok ? verdict.value : undefined,
        wallNs: outcome.wallNs,
        metrics: verdict.metrics,
        exitCode: outcome.exitCode,
        signal: outcome.signal,
        timedOut: outcome.timedOut,
        error: verdict.ok ? undefined : verdict.error,
        stderrTail: verdict.ok ? undefined : outcome.stderr.slice(-STDERR_TAIL),
        startedAtS,
      };
    }
    samples.push(sample);
    if (!sample.ok) failed.add(key);
    cfg.progress?.end(++done, slot, sample);
  }
  cfg.progress?.finish();
  return { samples, cells: buildCells(cfg.workloads, cfg.runners, samples, commands), commands };
}
