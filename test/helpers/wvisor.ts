// Running wvisor and native programs from the tests.
//
// runWvisor(['do', prog, ...args]) runs `node bin/wvisor.js ...` (with this Node) from the
// repository root; runNative(prog, args) runs a program directly. Both are synchronous
// and return the same shape. Output is decoded as UTF-8.
import { spawn, spawnSync, type ChildProcess, type StdioOptions } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** bin/wvisor.js, or the script named by WVISOR_TEST_BIN (to test another build). */
export const wvisorBin = process.env.WVISOR_TEST_BIN
  ? path.resolve(process.env.WVISOR_TEST_BIN)
  : path.join(repoRoot, 'bin', 'wvisor.js');

export interface RunOptions {
  /** bytes for stdin; stdin is closed after them (empty stdin when absent) */
  input?: string | Buffer;
  /** the whole environment (default: this process's) */
  env?: NodeJS.ProcessEnv;
  /** working directory (default: the repository root) */
  cwd?: string;
  /** killed with SIGKILL after this long (default 60 s) */
  timeoutMs?: number;
  /** an open fd to use as the child's stdout instead of a pipe (stdout is then '') */
  stdoutFd?: number;
}

export interface RunResult {
  /** exit code, or null when killed by a signal */
  code: number | null;
  /** the signal that killed the process, or null */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** host pid of the process that was started (wvisor itself for runWvisor) */
  pid: number;
  /** wall time from start to exit */
  durationMs: number;
  /** true when the timeout killed it */
  timedOut: boolean;
  /** set when the process could not be started (ENOENT, ...) */
  error?: Error;
}

export const DEFAULT_TIMEOUT_MS = 60_000;

function run(file: string, args: string[], opts: RunOptions = {}): RunResult {
  const timeout = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const stdio: StdioOptions = ['pipe', opts.stdoutFd ?? 'pipe', 'pipe'];
  const start = process.hrtime.bigint();
  const r = spawnSync(file, args, {
    cwd: opts.cwd ?? repoRoot,
    env: opts.env ?? process.env,
    input: opts.input ?? '',
    stdio,
    timeout,
    killSignal: 'SIGKILL',
    maxBuffer: 256 * 1024 * 1024,
  });
  const durationMs = Number(process.hrtime.bigint() - start) / 1e6;
  const err = r.error as NodeJS.ErrnoException | undefined;
  const timedOut = err?.code === 'ETIMEDOUT' || (r.signal === 'SIGKILL' && durationMs >= timeout);
  return {
    code: r.status,
    signal: r.signal,
    stdout: r.stdout ? r.stdout.toString('utf8') : '',
    stderr: r.stderr ? r.stderr.toString('utf8') : '',
    pid: r.pid ?? 0,
    durationMs,
    timedOut,
    error: err,
  };
}

/** Runs `node bin/wvisor.js ...args` from the repository root. */
export function runWvisor(args: string[], opts: RunOptions = {}): RunResult {
  return run(process.execPath, [wvisorBin, ...args], opts);
}

/** Runs a program directly on the host, with the same result shape as runWvisor. */
export function runNative(prog: string, args: string[] = [], opts: RunOptions = {}): RunResult {
  return run(prog, args, opts);
}

/**
 * Starts `node bin/wvisor.js ...args` without waiting, in a new session (detached), so
 * that its process group and session id are its own pid: processes it leaves behind can
 * be recognised by them. The caller must reap or kill it.
 */
export function startWvisor(args: string[], opts: Omit<RunOptions, 'input' | 'timeoutMs' | 'stdoutFd'> = {}): ChildProcess {
  return spawn(process.execPath, [wvisorBin, ...args], {
    cwd: opts.cwd ?? repoRoot,
    env: opts.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
}

/** A short description of a result, for assertion diagnostics. */
export function describe(r: RunResult): Record<string, unknown> {
  const clip = (s: string) => (s.length > 4000 ? `${s.slice(0, 2000)}\n...\n${s.slice(-2000)}` : s);
  // The FAIL lines come first: a CI log is often cut, and they say what broke.
  const failed = r.stdout.split('\n').filter((l) => l.startsWith('FAIL'));
  return {
    ...(failed.length ? { failed: clip(failed.join('\n')) } : {}),
    code: r.code,
    signal: r.signal,
    timedOut: r.timedOut,
    durationMs: Math.round(r.durationMs),
    error: r.error?.message,
    stdout: clip(r.stdout),
    stderr: clip(r.stderr),
  };
}

/** The lines of a conformance program's stdout that must be the same natively and under
 *  wvisor (its `info:` lines vary). */
export const deterministic = (out: string): string =>
  out
    .split('\n')
    .filter((l) => !l.startsWith('info:'))
    .join('\n');

/** A conformance program's own reports of failed checks (check.h prints them on stderr). */
export const failures = (r: RunResult): string[] => r.stderr.split('\n').filter((l) => l.startsWith('FAIL:'));
