// Processes and signals: the conformance programs proc_fork, proc_pipe, proc_signal,
// thread_join, fifo, job_control, futex, signalfd_pidfd, execveat, clone_share, pty, thread_signal, clone_vm, socketpair, unix_dgram, rusage, futex_wake_op and robust_pending
// (test/conformance/, helpers in proc.h) must pass natively (this guards the programs
// themselves) and then under wvisor, for both a static and a static-PIE build, with the same
// stdout apart from "info:" lines. Then real shells and python3 from the host run under
// wvisor and must print what they print natively and exit with the same status.
//
// Inside the sandbox the first program is pid 1 (its parent pid is 0). Like the init of a
// Linux pid namespace, pid 1 ignores signals that it has no handler for, even SIGKILL
// sent to itself from inside: `sh -c 'kill -9 $$'` survives. The programs therefore test
// default signal actions on children only, and the pid 1 cases below compare with a shell
// that is pid 1 of a real pid namespace (`unshare --pid --fork`, when the tests run as root
// and unshare exists), not with a plain native run. (gVisor's runsc differs here: there
// `kill -9 $$` kills the sandbox's pid 1, exit 137.)
//
// A case can be marked todo (with the reason) when it needs something the kernel does not
// have yet: it still runs, but its wvisor assertions are tap todos, which do not fail the
// suite. None is marked now: subprocess with capture_output (poll) and timeout(1)
// (timers) work since those features landed.
import t from 'tap';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildC, type Variant } from './helpers/cbuild.js';
import { describe, deterministic, failures, runNative, runWvisor } from './helpers/wvisor.js';

const variants: Variant[] = ['static', 'static-pie'];
const programs = ['proc_fork', 'proc_pipe', 'proc_signal', 'thread_join', 'fifo', 'job_control', 'futex', 'signalfd_pidfd', 'execveat', 'clone_share', 'pty', 'thread_signal', 'clone_vm', 'socketpair', 'unix_dgram', 'rusage', 'futex_wake_op', 'robust_pending'];


/** Checks that fail under wvisor because a feature is missing, not because it is wrong. Each
 *  still runs; its failure is reported as a tap todo with the reason, and any other failure
 *  still fails the suite. Remove an entry when the feature lands. */
const KNOWN_GAPS: { match: string; reason: string }[] = [];
const isSummary = (l: string) => /^FAIL: \d+ check\(s\) failed$/.test(l);

for (const name of programs) {
  for (const variant of variants) {
    t.test(`${name} (${variant})`, async (t) => {
      const prog = buildC(name, variant);

      const native = runNative(prog, [], { timeoutMs: 60_000 });
      t.equal(native.code, 0, 'passes natively', describe(native));
      t.match(native.stdout, /^ok: all checks passed$/m, 'native: all checks passed');
      t.same(failures(native), [], 'native: no FAIL lines');

      const w = runWvisor(['do', prog], { timeoutMs: 60_000 });
      const failed = failures(w);
      const known = KNOWN_GAPS.filter((g) => failed.some((l) => l.includes(g.match)));
      for (const g of known) t.fail(`known gap: ${g.match}`, { todo: g.reason });
      const unexpected = failed.filter((l) => !isSummary(l) && !KNOWN_GAPS.some((g) => l.includes(g.match)));
      t.same(unexpected, [], 'wvisor: no FAIL lines (each is a check where wvisor differs from Linux)');
      // With only known gaps failing, the whole-run assertions are todos as well.
      const extra = known.length > 0 ? { todo: 'the known gaps above' } : {};
      t.equal(w.code, 0, 'passes under wvisor', { ...extra, ...describe(w) });
      t.match(w.stdout, /^ok: all checks passed$/m, 'wvisor: all checks passed', extra);
      t.equal(deterministic(w.stdout), deterministic(native.stdout), 'the same checks pass under wvisor', {
        ...extra,
        stderr: w.stderr.slice(0, 4000),
      });
    });
  }
}

// ---- real programs: wvisor's stdout and exit status equal the native ones ----

interface Case {
  name: string;
  argv: string[];
  /** what stdout must be (checked natively too, guarding the case itself) */
  stdout?: string;
  /** the exit status that both runs must have */
  code?: number;
  /** a reason: the case needs something the kernel does not have yet */
  todo?: string;
  timeoutMs?: number;
}

const sh = (script: string) => ['/bin/sh', '-c', script];
const bash = (script: string) => ['/bin/bash', '-c', script];
const py = (code: string) => ['/usr/bin/python3', '-c', code];

const cases: Case[] = [
  { name: 'a pipeline: ls | sort | head -3', argv: sh('ls /usr/bin | sort | head -3'), code: 0 },
  { name: '&& and ||', argv: sh('true && echo yes; false && echo no; false || echo fallback; true || echo never; echo end'), stdout: 'yes\nfallback\nend\n', code: 0 },
  { name: 'command substitution, nested', argv: sh('echo "x$(echo inner)y $(echo $(echo nested))"'), stdout: 'xinnery nested\n', code: 0 },
  { name: 'a background job and wait', argv: sh('/bin/sleep 0.1 & p=$!; echo started; wait $p; echo "waited $?"'), stdout: 'started\nwaited 0\n', code: 0 },
  { name: 'background jobs killed and waited for: 143', argv: sh('/bin/sleep 5 & kill $!; wait $!; echo "status $?"'), stdout: 'status 143\n', code: 0 },
  { name: 'background subshells, each waited for', argv: sh('for i in 1 2 3; do (echo job $i; exit $i) & wait; done; echo all done'), stdout: 'job 1\njob 2\njob 3\nall done\n', code: 0 },
  { name: 'bash trap on USR1 sent to itself', argv: bash('trap "echo caught" USR1; kill -USR1 $$; echo after'), stdout: 'caught\nafter\n', code: 0 },
  { name: 'bash EXIT trap', argv: bash('trap "echo bye" EXIT; echo body'), stdout: 'body\nbye\n', code: 0 },
  { name: 'a loop running /bin/true 20 times', argv: sh('n=0; for i in $(seq 20); do /bin/true || exit 1; n=$((n+1)); done; echo "ran $n"'), stdout: 'ran 20\n', code: 0 },
  { name: 'exit 42 is propagated', argv: sh('exit 42'), stdout: '', code: 42 },
  { name: "a child's exit status reaches $?", argv: sh('(exit 3); echo $?; /bin/sh -c "exit 7"; echo $?; false | true; echo $?; true | false; echo $?'), stdout: '3\n7\n0\n1\n', code: 0 },
  { name: 'bash pipefail', argv: bash('set -o pipefail; false | true; echo $?'), stdout: '1\n', code: 0 },
  { name: 'command not found 127, not executable 126', argv: sh('/nonexistent/cmd 2>/dev/null; echo $?; /etc/passwd 2>/dev/null; echo $?'), stdout: '127\n126\n', code: 0 },
  { name: 'a child shell killed by SIGKILL: 137', argv: sh('/bin/sh -c \'kill -9 $$; echo inner-survived\'; echo "inner status $?"'), stdout: 'inner status 137\n', code: 0 },
  { name: 'a child shell killed by SIGTERM: 143', argv: bash('/bin/sh -c \'kill -TERM $$\'; echo $?'), stdout: '143\n', code: 0 },
  { name: 'a here-document through a pipe', argv: sh('cat <<EOF | tr a-z A-Z\nhello here doc\nEOF'), stdout: 'HELLO HERE DOC\n', code: 0 },
  { name: 'yes | head -1: the writer dies of SIGPIPE', argv: bash('yes | head -1; echo "${PIPESTATUS[@]}"'), stdout: 'y\n141 0\n', code: 0 },
  { name: '100000 lines through a pipe', argv: sh('seq 1 100000 | grep -c 5'), stdout: '40951\n', code: 0 },
  { name: 'bash wait -n', argv: bash('sleep 0.2 & sleep 0.05 & wait -n; echo one; wait; echo both'), stdout: 'one\nboth\n', code: 0 },
  { name: 'bash coproc', argv: bash('coproc cat; echo ping >&${COPROC[1]}; read -u ${COPROC[0]} line; echo $line; kill $COPROC_PID; wait $COPROC_PID; echo $?'), stdout: 'ping\n143\n', code: 0 },
  { name: 'exec replaces the shell', argv: sh('exec /bin/echo replaced; echo never'), stdout: 'replaced\n', code: 0 },
  { name: 'xargs runs a command per batch', argv: sh('seq 1 10 | xargs -n 3 echo'), stdout: '1 2 3\n4 5 6\n7 8 9\n10\n', code: 0 },
  {
    name: 'python3 os.fork and os.waitpid',
    argv: py('import os\npid = os.fork()\nif pid == 0:\n    os._exit(7)\nwpid, st = os.waitpid(pid, 0)\nprint(wpid == pid, os.WIFEXITED(st), os.WEXITSTATUS(st))'),
    stdout: 'True True 7\n',
    code: 0,
  },
  {
    name: 'python3 os.pipe, os.kill and WTERMSIG',
    argv: py(
      'import os, signal\nr, w = os.pipe()\npid = os.fork()\nif pid == 0:\n    os.close(r); os.write(w, b"hi"); signal.pause()\nos.close(w)\nprint(os.read(r, 10))\nos.kill(pid, signal.SIGTERM)\n_, st = os.waitpid(pid, 0)\nprint(os.WIFSIGNALED(st), os.WTERMSIG(st))',
    ),
    stdout: "b'hi'\nTrue 15\n",
    code: 0,
  },
  {
    name: 'python3 subprocess without capture (one pipe)',
    argv: py("import subprocess\nprint(subprocess.run(['/bin/sh', '-c', 'exit 3']).returncode)\nprint(subprocess.check_output(['/bin/echo', 'x']))\np = subprocess.Popen(['/bin/cat'], stdin=subprocess.PIPE, stdout=subprocess.PIPE)\np.stdin.write(b'piped'); p.stdin.close(); print(p.stdout.read(), p.wait())"),
    stdout: "3\nb'x\\n'\nb'piped' 0\n",
    code: 0,
  },
  {
    name: 'python3 subprocess.run(capture_output=True) (poll over two pipes)',
    argv: py("import subprocess\nr = subprocess.run(['/bin/echo', 'x'], capture_output=True)\nprint(r.returncode, r.stdout, r.stderr)"),
    stdout: "0 b'x\\n' b''\n",
    code: 0,
  },
  {
    name: 'python3 threading (8 threads), multiprocessing.Pool(2) and signal.alarm',
    argv: py(
      "import threading, multiprocessing, signal, time\nr = []\nts = [threading.Thread(target=r.append, args=(i,)) for i in range(8)]\n[t.start() for t in ts]; [t.join() for t in ts]\nprint(sorted(r))\nwith multiprocessing.Pool(2) as p:\n    print(p.map(abs, [-1, -2, 3]))\nsignal.signal(signal.SIGALRM, lambda *a: print('alarm'))\nsignal.alarm(1)\nsignal.pause()",
    ),
    stdout: '[0, 1, 2, 3, 4, 5, 6, 7]\n[1, 2, 3]\nalarm\n',
    code: 0,
    timeoutMs: 60_000,
  },
  {
    name: 'python3 asyncio (socketpair self-pipe, a subprocess, a queue) and multiprocessing.Pipe',
    argv: py(
      [
        'import asyncio, multiprocessing as mp',
        'async def main():',
        "    p = await asyncio.create_subprocess_exec('/bin/echo', 'child', stdout=asyncio.subprocess.PIPE)",
        '    out, _ = await p.communicate()',
        '    q = asyncio.Queue()',
        '    async def prod():',
        '        for i in range(3):',
        '            await q.put(i)',
        '            await asyncio.sleep(0.01)',
        '    asyncio.ensure_future(prod())',
        '    return out, p.returncode, [await q.get() for _ in range(3)]',
        'print(asyncio.run(main()))',
        'a, b = mp.Pipe()',
        "a.send({'x': 1})",
        'print(b.recv())',
      ].join('\n'),
    ),
    stdout: "(b'child\\n', 0, [0, 1, 2])\n{'x': 1}\n",
    code: 0,
    timeoutMs: 60_000,
  },
  {
    name: "python3 multiprocessing with the forkserver start method, and a Listener on a unix socket path",
    argv: py(
      [
        'import multiprocessing as mp, threading',
        'from multiprocessing.connection import Listener, Client',
        "if __name__ == '__main__':",
        "    with mp.get_context('forkserver').Pool(2) as p:",
        '        print(p.map(abs, [-4, 5]))',
        "    with Listener('/tmp/wv-listener.sock') as l:",
        "        threading.Thread(target=lambda: Client('/tmp/wv-listener.sock').send('hi')).start()",
        '        with l.accept() as conn:',
        '            print(conn.recv())',
      ].join('\n'),
    ),
    stdout: '[4, 5]\nhi\n',
    code: 0,
    timeoutMs: 60_000,
  },
  {
    name: 'python3 pty.spawn: a shell on a pseudo-terminal',
    argv: py("import pty, sys\nsys.stdout.flush()\nst = pty.spawn(['/bin/sh', '-c', 'tty; stty size; echo $((6*7))'])\nprint(st >> 8)"),
    code: 0,
  },
  {
    name: 'script(1) runs a command on a pty',
    argv: ['/usr/bin/script', '-qc', 'echo on a tty; tty -s && echo yes', '/dev/null'],
    stdout: 'on a tty\r\nyes\r\n',
    code: 0,
  },
  {
    name: 'timeout 0.5 sleep 3 exits 124 (timers)',
    argv: ['/usr/bin/timeout', '0.5', '/bin/sleep', '3'],
    stdout: '',
    code: 124,
  },
];

// ---- make -j2: a small C project built with gcc (cc1, as, collect2, ld fork/exec'd) ----

t.test('make -j2 builds and runs a small C project', async (t) => {
  const make = ['/usr/bin/make', '/bin/make'].find((p) => existsSync(p));
  if (!make) {
    t.skip('make is not installed');
    return;
  }
  const base = mkdtempSync(path.join(tmpdir(), 'wvisor-make-'));
  t.teardown(() => rmSync(base, { recursive: true, force: true }));
  const files: Record<string, string> = {
    'Makefile': 'CFLAGS = -O1\nprog: main.o add.o mul.o\n\t$(CC) -o $@ $^\n%.o: %.c calc.h\n\t$(CC) $(CFLAGS) -c $<\n',
    'calc.h': 'int add(int, int);\nint mul(int, int);\n',
    'add.c': '#include "calc.h"\nint add(int a, int b) { return a + b; }\n',
    'mul.c': '#include "calc.h"\nint mul(int a, int b) { return a * b; }\n',
    'main.c': '#include <stdio.h>\n#include "calc.h"\nint main(void) { printf("%d\\n", add(mul(6, 7), 0)); return 0; }\n',
  };
  // Two copies: the sandbox builds in its overlay, natively the build writes the host's.
  for (const d of ['native', 'sandbox']) {
    mkdirSync(path.join(base, d));
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(base, d, name), text);
  }
  const script = (d: string) => `${make} -s -j2 -C ${path.join(base, d)} && ${path.join(base, d, 'prog')}`;
  const native = runNative('/bin/sh', ['-c', script('native')], { timeoutMs: 60_000 });
  t.equal(native.stdout, '42\n', 'natively it builds and prints 42', describe(native));
  const w = runWvisor(['do', '/bin/sh', '-c', script('sandbox')], { timeoutMs: 120_000 });
  t.equal(w.code, 0, 'under wvisor make succeeds', describe(w));
  t.equal(w.stdout, native.stdout, 'and the program prints the same');
  t.notOk(existsSync(path.join(base, 'sandbox', 'prog')), 'the build stayed in the sandbox (the host copy has no prog)');
});

for (const c of cases) {
  t.test(c.todo ? `${c.name} (todo)` : c.name, async (t) => {
    const opts = { timeoutMs: c.timeoutMs ?? 30_000 };
    const native = runNative(c.argv[0], c.argv.slice(1), opts);
    if (c.stdout !== undefined) t.equal(native.stdout, c.stdout, 'native: the expected output', describe(native));
    if (c.code !== undefined) t.equal(native.code, c.code, `native: exits ${c.code}`, describe(native));
    const w = runWvisor(['do', ...c.argv], opts);
    // A todo case runs and reports, but its wvisor assertions do not fail the suite yet.
    const extra = c.todo ? { todo: c.todo, ...describe(w) } : describe(w);
    t.equal(w.stdout, native.stdout, 'wvisor: the same output as natively', extra);
    t.equal(w.code, native.code, 'wvisor: the same exit status as natively', extra);
  });
}

// ---- pid 1: the shell is the sandbox's init ----

const UNSHARE = '/usr/bin/unshare';
const canUnshare = process.getuid?.() === 0 && existsSync(UNSHARE);

const pid1Cases: Case[] = [
  { name: 'pid 1 sees itself as pid 1 with parent 0', argv: sh('echo "$$ $PPID"'), stdout: '1 0\n', code: 0 },
  { name: 'kill -9 $$ in pid 1 is ignored (init of a pid namespace)', argv: sh('kill -9 $$; echo survived'), stdout: 'survived\n', code: 0 },
  { name: 'kill -TERM $$ in pid 1 without a handler is ignored', argv: sh('kill -TERM $$; echo survived'), stdout: 'survived\n', code: 0 },
  { name: 'when pid 1 exits, an orphan it inherited ends with it', argv: sh('(/bin/sleep 5 &); echo done'), stdout: 'done\n', code: 0 },
];

for (const c of pid1Cases) {
  t.test(c.name, async (t) => {
    if (canUnshare) {
      const ns = runNative(UNSHARE, ['--pid', '--fork', ...c.argv], { timeoutMs: 30_000 });
      if (/^unshare: /m.test(ns.stderr)) {
        t.comment(`no pid namespace here, so no native comparison: ${ns.stderr.trim()}`);
      } else {
        t.equal(ns.stdout, c.stdout, 'pid 1 of a real pid namespace: the expected output', describe(ns));
        t.equal(ns.code, c.code, `pid 1 of a real pid namespace: exits ${c.code}`, describe(ns));
      }
    }
    const w = runWvisor(['do', ...c.argv], { timeoutMs: 30_000 });
    t.equal(w.stdout, c.stdout, 'wvisor: the expected output', describe(w));
    t.equal(w.code, c.code, `wvisor: exits ${c.code}`, describe(w));
    t.ok(w.durationMs < 4000, 'wvisor: done without waiting for leftover processes', { durationMs: Math.round(w.durationMs) });
  });
}
