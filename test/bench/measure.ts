// Taking one sample: run a command under c/timeit with a timeout, then decide whether the
// run succeeded and what its figure is. A run that exits non-zero, is killed, times out,
// or prints no figure is a failure carrying an error message — never a number.

import { spawn } from 'node:child_process';
import os from 'node:os';
import type { WorkloadKind } from './workloads.js';

/** What happened when a command ran. */
export interface RunOutcome {
  /** Exit code, or null when killed by a signal or never started. */
  exitCode: number | null;
  /** Name of the killing signal (SIGSEGV …), or null. */
  signal: string | null;
  timedOut: boolean;
  /** Wall time measured by timeit around fork…wait4, when it reported. */
  wallNs?: number;
  /** timeit's other figures: utime_us, stime_us, maxrss_kb. */
  rusage: Record<string, number>;
  stdout: string;
  stderr: string;
  /** Set when the command could not be started at all. */
  spawnError?: string;
}

export interface RunOptions {
  cwd: string;
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
}

const MAX_CAPTURE = 64 * 1024;
/** Grace between SIGTERM and SIGKILL of a timed-out run's process group. */
const KILL_GRACE_MS = 3000;

function signalName(n: number): string {
  const entry = Object.entries(os.constants.signals).find(([, v]) => v === n);
  return entry ? entry[0] : `signal ${n}`;
}

/**
 * Runs `timeit ARGV…` in its own process group, stdin from /dev/null, capturing stdout and
 * stderr (the first 64 KiB of each) and timeit's report on fd 3. On timeout, SIGTERM goes
 * to the whole group (so runsc and its sandbox get to clean up), SIGKILL after 3 s.
 */
export function runMeasured(timeit: string, argv: readonly string[], opts: RunOptions): Promise<RunOutcome> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let report = '';
    let timedOut = false;
    let settled = false;
    const child = spawn(timeit, argv, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      detached: true,
    });
    const append = (acc: string, chunk: Buffer): string =>
      acc.length >= MAX_CAPTURE ? acc : acc + chunk.toString('utf8').slice(0, MAX_CAPTURE - acc.length);
    child.stdout?.on('data', (c: Buffer) => (stdout = append(stdout, c)));
    child.stderr?.on('data', (c: Buffer) => (stderr = append(stderr, c)));
    (child.stdio[3] as NodeJS.ReadableStream | null)?.on('data', (c: Buffer) => (report += c.toString('utf8')));

    const killGroup = (sig: NodeJS.Signals): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, sig);
      } catch {
        // already gone
      }
    };
    let killTimer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup('SIGTERM');
      killTimer = setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS);
    }, opts.timeoutMs);

    const finish = (exitCode: number | null, signal: string | null, spawnError?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      const rusage = parseKeyValues(report);
      const wallNs = rusage.wall_ns;
      delete rusage.wall_ns;
      // timeit's own exit code mirrors the command's; its report is more precise about signals
      if (rusage.signal) signal = signalName(rusage.signal);
      delete rusage.signal;
      delete rusage.exit;
      resolve({ exitCode: signal ? null : exitCode, signal, timedOut, wallNs, rusage, stdout, stderr, spawnError });
    };
    child.on('error', (e) => finish(null, null, e.message));
    child.on('exit', () => {
      // A daemon left behind may hold our pipes open: give the pipes a moment, then stop.
      setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        (child.stdio[3] as NodeJS.ReadableStream & { destroy?: () => void } | null)?.destroy?.();
      }, 2000).unref();
    });
    child.on('close', (code, sig) => finish(code, sig));
  });
}

/** Parses `key=value` pairs (separated by spaces or newlines) whose values are numbers. */
export function parseKeyValues(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)=(-?[0-9.eE+-]+)(?=\s|$)/g)) {
    const v = Number(m[2]);
    if (Number.isFinite(v)) out[m[1]] = v;
  }
  return out;
}

/**
 * The line of stderr that best says what went wrong: the first line that reads like an
 * error (mentions error, fatal, cannot, failed, not found, no such, denied, unsupported,
 * not implemented, panic, abort), else the first non-empty line. Node's uncaught-error
 * output starts with a source location and a code excerpt, which this skips.
 */
export function errorLine(stderr: string): string | undefined {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const telling = /error|fatal|cannot|can't|failed|not found|no such|denied|unsupported|not implemented|panic|abort/i;
  const line = lines.find((l) => telling.test(l)) ?? lines[0];
  return line === undefined ? undefined : line.length > 300 ? line.slice(0, 297) + '...' : line;
}

export type Verdict =
  | { ok: true; value: number; metrics: Record<string, number> }
  | { ok: false; error: string; metrics: Record<string, number> };

/**
 * Whether a run succeeded, and its figure in ns: ns_per_op printed by the program for a
 * micro workload, timeit's wall time for a macro one. `check` (run only on success)
 * returns an error for wrong output.
 */
export function judge(
  kind: WorkloadKind,
  outcome: RunOutcome,
  timeoutMs: number,
  check?: (stdout: string) => string | undefined,
): Verdict {
  const metrics = { ...parseKeyValues(outcome.stdout), ...outcome.rusage };
  const why = errorLine(outcome.stderr);
  const withWhy = (head: string): string => (why ? `${head}: ${why}` : head);
  if (outcome.spawnError) return { ok: false, error: `could not start: ${outcome.spawnError}`, metrics };
  if (outcome.timedOut) return { ok: false, error: withWhy(`timed out after ${+(timeoutMs / 1000).toFixed(1)} s`), metrics };
  if (outcome.signal) return { ok: false, error: withWhy(`killed by ${outcome.signal}`), metrics };
  if (outcome.exitCode !== 0) return { ok: false, error: withWhy(`exit ${outcome.exitCode}`), metrics };
  const wrong = check?.(outcome.stdout);
  if (wrong) return { ok: false, error: wrong, metrics };
  if (kind === 'micro') {
    const v = metrics.ns_per_op;
    if (!(v > 0)) {
      const first = outcome.stdout.split('\n').find((l) => l.trim() !== '');
      return { ok: false, error: `exit 0 but no ns_per_op line in its output${first ? ` (first line: ${first.trim().slice(0, 80)})` : ''}`, metrics };
    }
    return { ok: true, value: v, metrics };
  }
  if (!(outcome.wallNs !== undefined && outcome.wallNs > 0)) {
    return { ok: false, error: 'harness: timeit gave no wall time', metrics };
  }
  return { ok: true, value: outcome.wallNs, metrics };
}
