// The runners: the ways of running a workload that the harness compares, how to tell
// whether each is installed here, and the command line each wraps a workload in.
//
//   native        the program itself, no sandbox: the baseline of every ratio
//   bwrap         bubblewrap with all namespaces unshared: the floor of isolation
//                 without syscall interception
//   ptrace-floor  c/ptrace_floor.c: a C tracer answering getpid under PTRACE_SYSEMU and
//                 nothing else: the floor of any ptrace-based design on this machine
//                 (getpid workload only; other workloads show n/a)
//   wvisor-<p>    bin/wvisor --platform=<p> do …, for each platform available here
//   runsc-<p>     gVisor's `runsc --network=none --platform=<p> do …`, for each platform
//                 the installed runsc has among ptrace and systrap

import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { which, type BenchPaths } from './environment.js';
import { errorLine, runMeasured } from './measure.js';
import type { Workload } from './workloads.js';

export interface Runner {
  /** Name on the command line and in reports. */
  id: string;
  /** The family, accepted by --runners for all its members: 'wvisor', 'runsc'. */
  group: string;
  description: string;
  /** Version of the sandbox, when it has one. */
  version?: string;
  /** Facts found while detecting it (flags chosen, probe result). */
  notes: string[];
  /** The command that runs argv under this runner. */
  wrap(argv: readonly string[]): string[];
  /** Whether it can run the workload at all; false shows "n/a", not a failure. */
  supports(w: Workload): boolean;
}

/** A runner the harness knows but could not use here, and why. */
export interface MissingRunner {
  id: string;
  reason: string;
}

/** The order of runners in tables: baseline, the two floors, then the sandboxes. */
export const RUNNER_ORDER = ['native', 'bwrap', 'ptrace-floor', 'wvisor', 'runsc'];
export const WVISOR_PLATFORMS = ['systrap', 'ptrace', 'kvm'];
export const RUNSC_PLATFORMS = ['ptrace', 'systrap'];

const always = (): boolean => true;

export function nativeRunner(): Runner {
  return {
    id: 'native',
    group: 'native',
    description: 'the program run directly, no sandbox',
    notes: [],
    wrap: (argv) => [...argv],
    supports: always,
  };
}

/**
 * bwrap: the host root read-only, a private /dev, /proc and /tmp, all namespaces unshared
 * (user, mount, pid, net, ipc, uts, cgroup); the scratch folder writable.
 */
export function bwrapRunner(bwrap: string, paths: BenchPaths, version?: string): Runner {
  const prefix = [
    bwrap, '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp',
    '--bind', paths.scratchDir, paths.scratchDir, '--unshare-all', '--die-with-parent',
    '--chdir', paths.scratchDir, '--',
  ];
  return {
    id: 'bwrap',
    group: 'bwrap',
    description: 'bubblewrap, all namespaces unshared: isolation without syscall interception',
    version,
    notes: [],
    wrap: (argv) => [...prefix, ...argv],
    supports: always,
  };
}

export function ptraceFloorRunner(floorBin: string): Runner {
  return {
    id: 'ptrace-floor',
    group: 'ptrace-floor',
    description: 'c/ptrace_floor.c: getpid answered by a C tracer under PTRACE_SYSEMU, nothing else emulated',
    notes: ['runs the getpid workload only'],
    wrap: (argv) => [floorBin, ...argv],
    supports: (w) => w.floor === true,
  };
}

export function wvisorRunner(paths: BenchPaths, platform: string): Runner {
  // The command a user runs (package.json's bin), launcher included.
  const cli = path.join(paths.repoRoot, 'bin', 'wvisor');
  return {
    id: `wvisor-${platform}`,
    group: 'wvisor',
    description: `bin/wvisor --platform=${platform} do`,
    notes: [],
    wrap: (argv) => [cli, `--platform=${platform}`, 'do', ...argv],
    supports: always,
  };
}

export function runscRunner(runsc: string, platform: string, flags: readonly string[], paths: BenchPaths, version?: string): Runner {
  const prefix = [runsc, ...flags, '--network=none', `--platform=${platform}`, `--root=${paths.runscStateDir}`, 'do'];
  return {
    id: `runsc-${platform}`,
    group: 'runsc',
    description: `gVisor: runsc ${[...flags, '--network=none', `--platform=${platform}`].join(' ')} do`,
    version,
    notes: [],
    wrap: (argv) => [...prefix, ...argv],
    supports: always,
  };
}

function firstLineOf(cmd: string, args: string[]): string | undefined {
  try {
    const out = execFileSync(cmd, args, { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] });
    return out.split('\n')[0]?.trim() || undefined;
  } catch {
    return undefined;
  }
}

function canOpenReadWrite(p: string): boolean {
  try {
    accessSync(p, constants.R_OK | constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The platforms this wvisor build offers, read from the choices of --platform in
 * `wvisor --help`; WVISOR_PLATFORMS when that cannot be read (then the runs will say why).
 */
export function wvisorPlatforms(paths: BenchPaths): { platforms: string[]; source: string } {
  let help = '';
  try {
    help = execFileSync(process.execPath, [path.join(paths.repoRoot, 'bin', 'wvisor.js'), '--help'], {
      encoding: 'utf8',
      timeout: 20_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (e) {
    help = String((e as { stdout?: string }).stdout ?? '');
  }
  const platforms = parsePlatformChoices(help);
  return platforms.length
    ? { platforms, source: `platforms from \`wvisor --help\`: ${platforms.join(', ')}` }
    : { platforms: [...WVISOR_PLATFORMS], source: '`wvisor --help` lists no --platform choices; trying all known platforms' };
}

/** The quoted choices of --platform in commander-style help text (which may wrap lines). */
export function parsePlatformChoices(help: string): string[] {
  const at = help.search(/^\s*--platform\b/m);
  if (at < 0) return [];
  const lines = help.slice(at).split('\n');
  const block = [lines[0]];
  for (const line of lines.slice(1)) {
    if (/^\s*-/.test(line) || line.trim() === '') break; // the next option, or the end of the list
    block.push(line);
  }
  const m = /choices:\s*((?:"[^"]+"(?:,\s*)?)+)/.exec(block.join(' '));
  return m ? [...m[1].matchAll(/"([^"]+)"/g)].map((x) => x[1]) : [];
}

/** Extra global flags to try, in order, until `runsc do /bin/true` works. */
export const RUNSC_FLAG_CANDIDATES: readonly string[][] = [
  [],
  ['--ignore-cgroups'],
  ['--rootless'],
  ['--rootless', '--ignore-cgroups'],
];

export interface DetectOptions {
  paths: BenchPaths;
  timeit: string;
  floorBin: string;
  /** Log one line of progress (stderr). */
  log?: (line: string) => void;
}

/**
 * Finds the runners usable here. A runner that is installed but fails its probe is still
 * returned (its cells will fail, with the reason), so nothing installed is left out of
 * the table silently; one that is not installed goes to `missing`.
 */
export async function detectRunners(opts: DetectOptions): Promise<{ runners: Runner[]; missing: MissingRunner[] }> {
  const { paths, timeit } = opts;
  const runners: Runner[] = [nativeRunner()];
  const missing: MissingRunner[] = [];
  mkdirSync(paths.scratchDir, { recursive: true }); // the probes' working directory
  const probe = async (argv: string[]): Promise<string | undefined> => {
    const o = await runMeasured(timeit, argv, { cwd: paths.scratchDir, timeoutMs: 30_000 });
    if (o.exitCode === 0) return undefined;
    const head = o.timedOut ? 'timed out' : o.signal ? `killed by ${o.signal}` : `exit ${o.exitCode}`;
    const why = errorLine(o.stderr) ?? o.spawnError;
    return why ? `${head}: ${why}` : head;
  };

  const bwrap = which('bwrap');
  if (bwrap) {
    const r = bwrapRunner(bwrap, paths, firstLineOf(bwrap, ['--version']));
    const err = await probe(r.wrap(['/bin/true']));
    if (err) r.notes.push(`probe \`bwrap … /bin/true\` failed: ${err}`);
    runners.push(r);
  } else {
    missing.push({ id: 'bwrap', reason: 'bwrap not found on PATH' });
  }

  if (existsSync(opts.floorBin)) runners.push(ptraceFloorRunner(opts.floorBin));
  else missing.push({ id: 'ptrace-floor', reason: `${opts.floorBin} was not built` });

  if (existsSync(path.join(paths.repoRoot, 'bin', 'wvisor'))) {
    const { platforms, source } = wvisorPlatforms(paths);
    for (const platform of platforms) {
      if (platform === 'kvm' && !canOpenReadWrite('/dev/kvm')) {
        missing.push({ id: 'wvisor-kvm', reason: '/dev/kvm is missing or not accessible' });
        continue;
      }
      const r = wvisorRunner(paths, platform);
      r.notes.push(source);
      if (!existsSync(path.join(paths.repoRoot, 'dist', 'host', 'cli', 'main.js'))) {
        r.notes.push('dist/host/cli/main.js is missing: run `npm run build` first');
      }
      runners.push(r);
    }
    for (const platform of WVISOR_PLATFORMS) {
      if (!platforms.includes(platform)) missing.push({ id: `wvisor-${platform}`, reason: `not a platform of this wvisor (${source})` });
    }
  } else {
    missing.push({ id: 'wvisor', reason: 'bin/wvisor not found' });
  }

  const runsc = which('runsc');
  if (runsc) {
    const version = firstLineOf(runsc, ['--version']);
    const flagsHelp = (() => {
      try {
        return execFileSync(runsc, ['flags'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] });
      } catch (e) {
        return String((e as { stdout?: string }).stdout ?? '');
      }
    })();
    mkdirSync(paths.runscStateDir, { recursive: true });
    for (const platform of RUNSC_PLATFORMS) {
      if (platform !== 'ptrace' && !new RegExp(`\\b${platform}\\b`).test(flagsHelp)) {
        missing.push({ id: `runsc-${platform}`, reason: `this runsc (${version ?? 'unknown version'}) has no ${platform} platform` });
        continue;
      }
      let chosen: Runner | undefined;
      let firstErr: string | undefined;
      for (const flags of RUNSC_FLAG_CANDIDATES) {
        const r = runscRunner(runsc, platform, flags, paths, version);
        const err = await probe(r.wrap(['/bin/true']));
        if (!err) {
          chosen = r;
          r.notes.push(flags.length ? `needs ${flags.join(' ')} here` : 'runs as is (no extra flags)');
          break;
        }
        firstErr ??= err;
        opts.log?.(`runsc-${platform} with [${flags.join(' ')}]: ${err}`);
      }
      if (!chosen) {
        chosen = runscRunner(runsc, platform, [], paths, version);
        chosen.notes.push(`no flag set made \`runsc do /bin/true\` work: ${firstErr}`);
      }
      runners.push(chosen);
    }
  } else {
    missing.push({ id: 'runsc', reason: 'runsc not found on PATH' });
  }
  return { runners, missing };
}

/**
 * The runners a --runners list names: ids (runsc-ptrace) or groups (runsc, wvisor).
 * native is always kept: it is the baseline of every ratio. Names of runners that are
 * known but not available here are returned in `unavailable`; unknown names throw.
 */
export function selectRunners(
  available: readonly Runner[],
  missing: readonly MissingRunner[],
  list: string | undefined,
): { runners: Runner[]; unavailable: MissingRunner[] } {
  if (!list) return { runners: [...available], unavailable: [] };
  const names = list.split(',').map((s) => s.trim()).filter(Boolean);
  const chosen = new Set<Runner>([available.find((r) => r.id === 'native')!]);
  const unavailable: MissingRunner[] = [];
  for (const name of names) {
    const hits = available.filter((r) => r.id === name || r.group === name);
    if (hits.length) {
      hits.forEach((r) => chosen.add(r));
      continue;
    }
    const gone = missing.filter((m) => m.id === name || m.id.startsWith(`${name}-`) || name.startsWith(`${m.id}-`));
    if (gone.length) {
      unavailable.push(...gone);
      continue;
    }
    const known = RUNNER_ORDER.some((g) => name === g || name.startsWith(`${g}-`));
    if (!known) throw new Error(`unknown runner '${name}'; runners: ${RUNNER_ORDER.join(', ')} (or wvisor-<platform>, runsc-<platform>)`);
    unavailable.push({ id: name, reason: 'not available here' });
  }
  return { runners: available.filter((r) => chosen.has(r)), unavailable };
}
