// The workloads: what each one runs and how its result is read.
//
// Micro workloads are the static C programs in c/ (built with `gcc -O2 -static`, so every
// runner can run them). Each times its own operation with clock_gettime(CLOCK_MONOTONIC)
// and prints `ns_per_op=<float>`: the sandbox's start-up is not in the figure. Their
// arguments are MAX_ITERS BUDGET_MS [ARGS...] (see c/bench.h): they stop at whichever
// bound comes first, so a runner that is 100 times slower still finishes in BUDGET_MS.
//
// Macro workloads are ordinary programs of the machine; their figure is the wall time of
// the whole process (start-up included), measured around it by c/timeit.c.

import path from 'node:path';
import type { BenchPaths, HostTools } from './environment.js';
import type { BenchData } from './fixtures.js';

export type WorkloadKind = 'micro' | 'macro';

/** Everything a workload's command line may refer to. */
export interface WorkloadContext {
  paths: BenchPaths;
  tools: HostTools;
  data: BenchData;
  quick: boolean;
  /** Timed wall-time budget of one micro run, in milliseconds. */
  budgetMs: number;
}

export interface Workload {
  /** Name on the command line and in reports: lowercase words joined by '-'. */
  id: string;
  kind: WorkloadKind;
  /** What one operation (micro) or one run (macro) is, in a few words. */
  what: string;
  /** C programs (in c/) this workload needs compiled. */
  programs: string[];
  /** Whether the ptrace-floor runner can run it (it only emulates getpid). */
  floor?: boolean;
  /** The command to run, before a runner wraps it. */
  argv(ctx: WorkloadContext): string[];
  /** For a run that exited 0: an error message when its output is wrong, else undefined. */
  check?(stdout: string, ctx: WorkloadContext): string | undefined;
}

/** More operations than any budget allows: the time budget is the real bound. */
const MAX_ITERS = '1000000000';

const bin = (ctx: WorkloadContext, name: string): string => path.join(ctx.paths.binDir, name);

function micro(id: string, program: string, what: string, args: (ctx: WorkloadContext) => string[] = () => [], extra: Partial<Workload> = {}): Workload {
  return {
    id,
    kind: 'micro',
    what,
    programs: [program],
    argv: (ctx) => [bin(ctx, program), MAX_ITERS, String(ctx.budgetMs), ...args(ctx)],
    ...extra,
  };
}

/** 64 KiB blocks written then read back: 64 MiB in --quick mode, 256 MiB otherwise. */
const seqioBlocks = (ctx: WorkloadContext): string => String(ctx.quick ? 1024 : 4096);

export const WORKLOADS: readonly Workload[] = [
  micro('getpid', 'getpid', 'getpid() round trip', undefined, { floor: true }),
  micro('clock-gettime', 'clock_gettime', 'clock_gettime(CLOCK_MONOTONIC) (vDSO natively)'),
  micro('open-read-close', 'open_read_close', 'open + read + close of a 100-byte file', (ctx) => [ctx.data.smallFile]),
  micro('stat', 'stat', 'stat of a file', (ctx) => [ctx.data.smallFile]),
  {
    id: 'write-read-tmpfs',
    kind: 'micro',
    what: '64 KiB write or read, sequential, 256 MiB (64 MiB quick) on tmpfs (/dev/shm)',
    programs: ['seqio'],
    argv: (ctx) => [bin(ctx, 'seqio'), seqioBlocks(ctx), '1', ctx.paths.tmpfsDir],
  },
  {
    id: 'write-read-rootfs',
    kind: 'micro',
    what: '64 KiB write or read, sequential, 256 MiB (64 MiB quick) on the root filesystem',
    programs: ['seqio'],
    argv: (ctx) => [bin(ctx, 'seqio'), seqioBlocks(ctx), '1', ctx.paths.scratchDir],
  },
  micro('pipe-pingpong', 'pipe_pingpong', 'one byte there and back through two pipes between two processes'),
  micro('fork-exit', 'fork_exit', 'fork + _exit + waitpid'),
  micro('fork-exec', 'fork_exec', 'fork + execve of a static program + waitpid', (ctx) => [bin(ctx, 'true_static')], {
    programs: ['fork_exec', 'true_static'],
  }),
  micro('mmap-1m', 'mmap_touch', 'mmap 1 MiB + touch its 256 pages + munmap'),
  micro('futex-pingpong', 'futex_pingpong', 'futex wake/wait round trip between two threads'),
  micro('devnull-write', 'devnull_write', '16-byte write to /dev/null'),

  {
    id: 'true-static',
    kind: 'macro',
    what: 'start-up: a static program that exits 0',
    programs: ['true_static'],
    argv: (ctx) => [bin(ctx, 'true_static')],
  },
  {
    id: 'true-dynamic',
    kind: 'macro',
    what: 'start-up: /bin/true (dynamically linked)',
    programs: [],
    argv: (ctx) => [ctx.tools.trueDynamic],
  },
  {
    id: 'python-pass',
    kind: 'macro',
    what: 'python3 -c pass',
    programs: [],
    argv: (ctx) => [ctx.tools.python, '-c', 'pass'],
  },
  {
    id: 'gcc-c',
    kind: 'macro',
    what: 'gcc -O2 -c of a small C file that includes libc headers',
    programs: [],
    argv: (ctx) => [ctx.tools.gcc, '-O2', '-c', ctx.data.cFile, '-o', path.join(ctx.paths.scratchDir, 'compile-me.o')],
  },
  {
    id: 'python-json-sqlite',
    kind: 'macro',
    what: 'python3: json round trip and sqlite file of 50k rows (20k quick)',
    programs: [],
    argv: (ctx) => [ctx.tools.python, ctx.data.pythonJob, path.join(ctx.paths.scratchDir, 'job.sqlite'), pythonRows(ctx)],
    check: (stdout, ctx) =>
      new RegExp(`^rows=${pythonRows(ctx)} groups=7 digest=[0-9a-f]{16}$`, 'm').test(stdout)
        ? undefined
        : `unexpected output: ${firstLine(stdout) || '(none)'}`,
  },
  {
    id: 'make-j2',
    kind: 'macro',
    what: 'make -B -j2 of 9 C files and a link',
    programs: [],
    argv: (ctx) => [
      ctx.tools.make, '-s', '-B', '-j2', '-C', ctx.data.makeProject,
      `OUT=${path.join(ctx.paths.scratchDir, 'make-out')}`, `CC=${ctx.tools.gcc}`,
    ],
  },
  {
    id: 'sha256sum',
    kind: 'macro',
    what: 'sha256sum of a 256 MiB file (64 MiB quick)',
    programs: [],
    argv: (ctx) => [ctx.tools.sha256sum, ctx.data.bigFile],
    check: (stdout, ctx) =>
      stdout.startsWith(ctx.data.bigFileSha256) ? undefined : `wrong digest: ${firstLine(stdout) || '(none)'}`,
  },
  {
    id: 'tar',
    kind: 'macro',
    what: 'tar -c of a tree of 40 folders, 1000 files, 9 MiB, into a file',
    programs: [],
    argv: (ctx) => [ctx.tools.tar, '-cf', path.join(ctx.paths.scratchDir, 'tree.tar'), '-C', ctx.data.treeParent, ctx.data.treeName],
  },
  {
    id: 'ls-lR',
    kind: 'macro',
    what: 'ls -lR /usr/lib (/usr/lib/x86_64-linux-gnu quick): a walk of the host tree with a stat of every file',
    programs: [],
    argv: (ctx) => [ctx.tools.ls, '-lR', ctx.quick ? '/usr/lib/x86_64-linux-gnu' : '/usr/lib'],
  },
];

const pythonRows = (ctx: WorkloadContext): string => (ctx.quick ? '20000' : '50000');

function firstLine(text: string): string {
  return text.split('\n').find((l) => l.trim() !== '')?.trim().slice(0, 120) ?? '';
}

/** Size of the sha256sum input in MiB. */
export const bigFileMiB = (quick: boolean): number => (quick ? 64 : 256);

/** Unit of a workload's figure, for reports. */
export const unitOf = (kind: WorkloadKind): string => (kind === 'micro' ? 'ns per operation' : 'ns wall time per run');

/**
 * The workloads a --workloads filter names. Each comma-separated term is a workload id,
 * a prefix of ids (`fork` → fork-exit, fork-exec), or a kind (`micro`, `macro`).
 * Throws on a term that names nothing.
 */
export function selectWorkloads(all: readonly Workload[], filter: string | undefined): Workload[] {
  if (!filter) return [...all];
  const terms = filter.split(',').map((t) => t.trim()).filter(Boolean);
  const chosen = new Set<Workload>();
  for (const term of terms) {
    const hits = all.filter((w) => w.kind === term || w.id === term || w.id.startsWith(term));
    if (hits.length === 0) {
      throw new Error(`no workload matches '${term}'; workloads: ${all.map((w) => w.id).join(', ')}`);
    }
    for (const w of hits) chosen.add(w);
  }
  return all.filter((w) => chosen.has(w));
}
