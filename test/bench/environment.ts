// Where things are, and which host programs exist: the repository root, the build and
// scratch folders, PATH lookup, and a description of the machine for the reports.

import { accessSync, constants, existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface BenchPaths {
  /** The wvisor checkout (the folder holding wvisor's package.json). */
  repoRoot: string;
  /** test/bench/c: the C sources of the workloads, timeit and ptrace_floor. */
  cDir: string;
  /** test/bench/fixtures: checked-in inputs of the macro workloads. */
  fixturesDir: string;
  /** test/build/bench: everything generated (gitignored). */
  buildDir: string;
  /** test/build/bench/bin: the compiled C programs. */
  binDir: string;
  /** test/build/bench/data: generated inputs (read-only to workloads). */
  dataDir: string;
  /** test/build/bench/scratch: where workloads write, on the root filesystem. */
  scratchDir: string;
  /** A tmpfs folder for the tmpfs I/O workload (/dev/shm). */
  tmpfsDir: string;
  /** runsc's state folder (--root), private to the harness. */
  runscStateDir: string;
}

/** The wvisor checkout that holds this file, found by walking up to its package.json. */
export function findRepoRoot(from: string = path.dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if (JSON.parse(readFileSync(pkg, 'utf8')).name === 'wvisor') return dir;
      } catch {
        // not ours; keep walking
      }
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no wvisor package.json above ${from}`);
    dir = up;
  }
}

export function benchPaths(repoRoot: string): BenchPaths {
  const buildDir = path.join(repoRoot, 'test', 'build', 'bench');
  return {
    repoRoot,
    cDir: path.join(repoRoot, 'test', 'bench', 'c'),
    fixturesDir: path.join(repoRoot, 'test', 'bench', 'fixtures'),
    buildDir,
    binDir: path.join(buildDir, 'bin'),
    dataDir: path.join(buildDir, 'data'),
    scratchDir: path.join(buildDir, 'scratch'),
    tmpfsDir: '/dev/shm',
    runscStateDir: path.join(buildDir, 'runsc-state'),
  };
}

function isExecutableFile(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The absolute path of an executable found on PATH, or undefined. */
export function which(name: string): string | undefined {
  if (name.includes('/')) return isExecutableFile(name) ? path.resolve(name) : undefined;
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (!dir) continue;
    const p = path.join(dir, name);
    if (isExecutableFile(p)) return p;
  }
  return undefined;
}

/**
 * The real python3 interpreter. Version managers (pyenv, asdf) put shell-script shims on
 * PATH; timing a shim would time bash and the manager too, and a sandbox might not run it.
 * So: /usr/bin/python3 when present, else ask the python3 on PATH for sys.executable.
 */
export function findPython(): string | undefined {
  if (isExecutableFile('/usr/bin/python3')) return '/usr/bin/python3';
  const onPath = which('python3');
  if (!onPath) return undefined;
  try {
    const exe = execFileSync(onPath, ['-c', 'import sys; print(sys.executable)'], {
      encoding: 'utf8',
      timeout: 20_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return exe && isExecutableFile(exe) ? realpathSync(exe) : onPath;
  } catch {
    return onPath;
  }
}

/** The host programs the macro workloads run, as absolute paths (bare names if missing). */
export interface HostTools {
  python: string;
  gcc: string;
  make: string;
  sha256sum: string;
  tar: string;
  ls: string;
  /** A dynamically linked /bin/true. */
  trueDynamic: string;
}

export function findHostTools(): HostTools {
  return {
    python: findPython() ?? 'python3',
    gcc: which('gcc') ?? 'gcc',
    make: which('make') ?? 'make',
    sha256sum: which('sha256sum') ?? 'sha256sum',
    tar: which('tar') ?? 'tar',
    ls: which('ls') ?? 'ls',
    trueDynamic: which('true') ?? '/bin/true',
  };
}

export interface HostInfo {
  hostname: string;
  cpus: number;
  cpuModel: string;
  memGiB: number;
  kernel: string;
  node: string;
}

export function hostInfo(): HostInfo {
  const cpus = os.cpus();
  return {
    hostname: os.hostname(),
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    kernel: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
  };
}
