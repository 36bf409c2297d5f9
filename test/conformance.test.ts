// Conformance: every C program in test/conformance/ must pass natively (this guards the
// program itself) and then under wvisor, for both a static and a static-PIE build.
// The programs check themselves; here we compare exit codes and the deterministic part
// of stdout (every line except "info: ..." lines) between the native and wvisor runs.
// nohost.c has its own file, test/nohost.test.ts.
import t from 'tap';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildC, type Variant } from './helpers/cbuild.js';
import { describe, runNative, runWvisor, wvisorBin, type RunOptions, type RunResult } from './helpers/wvisor.js';

const variants: Variant[] = ['static', 'static-pie'];

/** The lines that must be the same natively and under wvisor. */
const deterministic = (out: string) =>
  out
    .split('\n')
    .filter((l) => !l.startsWith('info:'))
    .join('\n');

interface Case {
  name: string;
  args?: string[];
  input?: string;
  env?: NodeJS.ProcessEnv;
  /** false for programs that do not use check.h (no "ok: all checks passed" line) */
  selfChecking?: boolean;
  /** checks on the output beyond the native/wvisor comparison */
  extra?: (t: Tap, r: RunResult, where: string) => void;
}

/** The type of a tap subtest's `t`. */
type Tap = Parameters<Parameters<typeof t.test>[0]>[0];

const ARGS = ['one', 'two words', '', 'ünïcödé ✓', '--flag=x', '*', '$HOME'];
const ARGS_ENV = 'value with spaces = and an equals sign';

const cases: Case[] = [
  {
    name: 'hello',
    selfChecking: false,
    extra: (t, r, where) => t.equal(r.stdout, 'hello, world\n', `${where}: prints exactly "hello, world\\n"`),
  },
  {
    name: 'args',
    args: ARGS,
    env: { ...process.env, WVISOR_ARGS_TEST: ARGS_ENV },
    extra: (t, r, where) => {
      const echo = r.stdout.split('\n').filter((l) => /^(argc=|argv\[|env )/.test(l));
      t.same(
        echo,
        [`argc=${ARGS.length + 1}`, ...ARGS.map((a, i) => `argv[${i + 1}]=${a}`), `env WVISOR_ARGS_TEST=${ARGS_ENV}`],
        `${where}: echoes argc, argv and the environment`,
      );
    },
  },
  { name: 'malloc' },
  { name: 'mprotect' },
  { name: 'mlock' },
  { name: 'mincore' },
  { name: 'mprotect_shared' },
  { name: 'rwf' },
  { name: 'memfd_seals' },
  { name: 'proc_perms' },
  { name: 'personality' },
  {
    name: 'signal_vs_wait',
    selfChecking: false,
    extra: (t, r, where) => t.match(r.stdout, /^rounds=300 worst=ok$/m, `${where}: every SIGCHLD handler ran before its poll slept`),
  },
  { name: 'clock' },
  { name: 'random' },
  { name: 'sleep' },
  { name: 'timeouts' },
  { name: 'cputimers' },
  { name: 'efault', input: 'efault-stdin\n' },
  {
    name: 'fds',
    input: 'fds-stdin: readv works\n',
    extra: (t, r, where) => {
      t.match(r.stdout, /^writev: one two three$/m, `${where}: writev output arrived`);
      t.match(r.stdout, /^write: through a dup$/m, `${where}: output through a dup arrived`);
    },
  },
  { name: 'identity' },
  {
    name: 'getpid_loop',
    selfChecking: false,
    args: ['1000'],
    extra: (t, r, where) => t.equal(r.stdout, '', `${where}: prints nothing`),
  },
];

for (const c of cases) {
  for (const variant of variants) {
    t.test(`${c.name} (${variant})`, async (t) => {
      const prog = buildC(c.name, variant);
      const opts: RunOptions = { input: c.input, env: c.env };
      const native = runNative(prog, c.args ?? [], opts);
      t.equal(native.code, 0, 'passes natively', describe(native));
      if (c.selfChecking !== false) t.match(native.stdout, /^ok: all checks passed$/m, 'native: all checks passed');
      c.extra?.(t, native, 'native');

      const w = runWvisor(['do', prog, ...(c.args ?? [])], opts);
      t.equal(w.code, 0, 'passes under wvisor', describe(w));
      if (c.selfChecking !== false) t.match(w.stdout, /^ok: all checks passed$/m, 'wvisor: all checks passed');
      t.equal(deterministic(w.stdout), deterministic(native.stdout), 'the same checks pass under wvisor', {
        stderr: w.stderr.slice(0, 4000),
      });
      c.extra?.(t, w, 'wvisor');
    });
  }
}

// exitcode: the exit status is the program's, through each way of exiting.
for (const variant of variants) {
  t.test(`exitcode (${variant})`, async (t) => {
    const prog = buildC('exitcode', variant);
    const runs: [string[], number][] = [
      [['0'], 0],
      [['1'], 1],
      [['42'], 42],
      [['255'], 255],
      [['256'], 0], // only the low 8 bits survive
      [['42', 'exit'], 42],
      [['43', 'exit_group'], 43],
    ];
    for (const [args, want] of runs) {
      const said = `exitcode: exiting with ${args[0]} via ${args[1] ?? 'return'}\n`;
      const native = runNative(prog, args);
      t.equal(native.code, want, `native: exitcode ${args.join(' ')} exits ${want}`, describe(native));
      t.equal(native.stdout, said, 'native: the program ran');
      const w = runWvisor(['do', prog, ...args]);
      t.equal(w.code, want, `wvisor: exitcode ${args.join(' ')} exits ${want}`, describe(w));
      t.equal(w.stdout, said, 'wvisor: the program ran (so the exit code is its own)');
    }
  });
}

// straddle.c: what a write straddling the end of a mapping returns depends on what stdout
// is (see the table in straddle.c); run it with each kind. It asserts Linux's result
// itself; here we check that exactly the bytes it reports arrived, natively and in wvisor.
const STRADDLE_BYTES: Record<string, number> = { socket: 0, pipe: 4096, file: 4096 + 100 + 2048 };

/** Runs cmd with stdout through a real pipe (`| cat`); the exit code comes back on stderr. */
function runThroughPipe(cmd: string[], opts: RunOptions): RunResult {
  const r = runNative('/bin/sh', ['-c', '{ "$@"; echo "wvisor-test-exit=$?" >&2; } | cat', 'sh', ...cmd], opts);
  const m = /wvisor-test-exit=(\d+)\n?$/.exec(r.stderr);
  return { ...r, code: m ? Number(m[1]) : null, stderr: r.stderr.replace(/wvisor-test-exit=\d+\n?$/, '') };
}

function runToFile(cmd: string[], opts: RunOptions): RunResult {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wvisor-straddle-'));
  const file = path.join(dir, 'stdout');
  const fd = openSync(file, 'w+');
  try {
    const r = runNative(cmd[0], cmd.slice(1), { ...opts, stdoutFd: fd });
    return { ...r, stdout: readFileSync(file, 'utf8') };
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const variant of variants) {
  t.test(`straddle: writes straddling a mapping's end, by stdout type (${variant})`, async (t) => {
    const prog = buildC('straddle', variant);
    const opts: RunOptions = {};
    const kinds: [string, (cmd: string[]) => RunResult][] = [
      ['socket', (cmd) => runNative(cmd[0], cmd.slice(1), opts)],
      ['pipe', (cmd) => runThroughPipe(cmd, opts)],
      ['file', (cmd) => runToFile(cmd, opts)],
    ];
    for (const [kind, runIt] of kinds) {
      for (const where of ['native', 'wvisor']) {
        const cmd = where === 'native' ? [prog] : [process.execPath, wvisorBin, 'do', prog];
        const r = runIt(cmd);
        t.equal(r.code, 0, `${where}, stdout a ${kind}: passes`, describe(r));
        const declared = /^straddle-bytes=(\d+)$/m.exec(r.stdout);
        const tildes = (r.stdout.match(/~/g) ?? []).length;
        t.equal(declared ? Number(declared[1]) : null, STRADDLE_BYTES[kind], `${where}, stdout a ${kind}: straddling writes report ${STRADDLE_BYTES[kind]} bytes`);
        t.equal(tildes, STRADDLE_BYTES[kind], `${where}, stdout a ${kind}: exactly those bytes arrived`);
        t.match(r.stdout, new RegExp(`^info: stdout is a ${kind === 'file' ? 'regular file' : kind}$`, 'm'), `${where}: the program saw a ${kind}`);
      }
    }
  });
}
