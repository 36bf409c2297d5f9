// Starting gofer processes for the tests.
//
// The gofer runs from dist/gofer/main.js when that build is newer than every gofer source
// (CI builds before testing), else from its TypeScript source with this process's Node flags
// (tap's TypeScript loader, about 3 s slower to start); WVISOR_GOFER_MAIN names another entry
// point. Every gofer is a child process: the tests' synchronous 9P client may block this
// process while the gofer answers.
import { spawn, spawnSync, type ChildProcess, type StdioOptions } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { close } from '../../gofer/host/libc.js';
import { P9Client, socketPair } from './client.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** True when every gofer/**.ts has a newer dist/gofer/**.js. */
function distIsFresh(): boolean {
  const walk = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []);
  try {
    return walk(path.join(repoRoot, 'gofer')).every((src) => {
      const out = path.join(repoRoot, 'dist', path.relative(repoRoot, src)).replace(/\.ts$/, '.js');
      return fs.statSync(out).mtimeMs >= fs.statSync(src).mtimeMs;
    });
  } catch {
    return false;
  }
}

const goferMain = process.env.WVISOR_GOFER_MAIN
  ? path.resolve(process.env.WVISOR_GOFER_MAIN)
  : distIsFresh()
    ? path.join(repoRoot, 'dist', 'gofer', 'main.js')
    : path.join(repoRoot, 'gofer', 'main.ts');
const nodeArgs = goferMain.endsWith('.ts') ? process.execArgv : [];
/** The environment without tap's NODE_OPTIONS (its preloads would only slow the gofer down). */
const env = { ...process.env, NODE_OPTIONS: '' };

export interface Gofer {
  proc: ChildProcess;
  /** What the gofer wrote to stderr so far. */
  stderr(): string;
  /** Resolves with the exit code (or signal name) once the process ended. */
  exited: Promise<number | string>;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<number | string>;
}

/** Gofers still running: killed if this process exits first (a listening gofer would live on). */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const p of running) p.kill('SIGKILL');
});

function track(proc: ChildProcess): Gofer {
  running.add(proc);
  let err = '';
  proc.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<number | string>((resolve) => {
    proc.on('exit', (code, signal) => {
      running.delete(proc);
      resolve(code ?? signal ?? -1);
    });
  });
  return {
    proc,
    stderr: () => err,
    exited,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      return exited;
    },
  };
}

/** A fresh temporary directory (removed by the caller's teardown). */
export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `wvisor-${prefix}-`));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts `gofer --listen SOCK --root ROOT [...extra]` and waits until it accepts. */
export async function startListening(root: string, sock: string, extra: string[] = []): Promise<Gofer> {
  const proc = spawn(process.execPath, [...nodeArgs, goferMain, '--listen', sock, '--root', root, ...extra], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env,
  });
  const g = track(proc);
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`gofer exited ${proc.exitCode}: ${g.stderr()}`);
    try {
      P9Client.connectUnix(sock).close();
      return g;
    } catch {
      if (Date.now() > deadline) {
        await g.stop();
        throw new Error(`gofer did not listen on ${sock}: ${g.stderr()}`);
      }
      await sleep(50);
    }
  }
}

/** Starts `gofer --fd 3 --root ROOT [...extra]` on one end of a socketpair; returns a client on the other. */
export function startOnFd(root: string, extra: string[] = []): { gofer: Gofer; client: P9Client } {
  const [mine, theirs] = socketPair();
  const proc = spawn(process.execPath, [...nodeArgs, goferMain, '--fd', '3', '--root', root, ...extra], {
    stdio: ['ignore', 'ignore', 'pipe', theirs],
    env,
  });
  close(theirs);
  return { gofer: track(proc), client: new P9Client(mine, 60_000) };
}

/** Runs the gofer to its end (for command-line errors): exit status and stderr. */
export function runGofer(args: string[], stdio: StdioOptions = ['ignore', 'ignore', 'pipe']): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [...nodeArgs, goferMain, ...args], { stdio, env, timeout: 60_000 });
  return { status: r.status, stderr: r.stderr?.toString() ?? '' };
}
