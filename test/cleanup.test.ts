// No stub process outlives wvisor: neither when the program dies of a signal, nor when
// wvisor itself is SIGKILLed while the program sleeps; no Gofer outlives a command line that
// wvisor rejects (it starts a `do`'s Gofer before it parses the rest).
//
// Stubs are recognised by "wvisor-stub" in their command line, Gofers by "gofer/main.js". Other test files may be
// running wvisor at the same time, so only stubs that belong to *our* wvisor count: those
// in its session or process group (it is started detached, so both are its pid), its
// children, and any stub seen among its descendants while it ran (orphans keep their pid
// even after they are re-parented).
import t from 'tap';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { buildC } from './helpers/cbuild.js';
import { runNative, startWvisor } from './helpers/wvisor.js';

interface Proc {
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
  args: string;
}

function ps(): Proc[] {
  const out = execFileSync('ps', ['-eo', 'pid=,ppid=,pgid=,sid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((l) => /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s?(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: +m[1], ppid: +m[2], pgid: +m[3], sid: +m[4], args: m[5] }));
}

const isStub = (p: Proc) => p.args.includes('wvisor-stub');
const isGofer = (p: Proc) => p.args.includes('gofer/main.js');

/** All processes below root (children, grandchildren, ...). */
function descendants(root: number, procs = ps()): Proc[] {
  const found: Proc[] = [];
  const todo = [root];
  while (todo.length) {
    const parent = todo.pop()!;
    for (const p of procs) {
      if (p.ppid === parent && p.pid !== root && !found.includes(p)) {
        found.push(p);
        todo.push(p.pid);
      }
    }
  }
  return found;
}

/** Our wvisor's processes of that kind (stubs unless told) that are still alive. */
function ours(root: number, known: Set<number>, kind = isStub): Proc[] {
  return ps().filter(
    (p) => kind(p) && (known.has(p.pid) || p.sid === root || p.pgid === root || p.ppid === root),
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls for up to `ms` until none of our stubs (or processes of that kind) is left;
 *  returns those still there. */
async function stubsGone(root: number, known: Set<number>, ms = 2000, kind = isStub): Promise<Proc[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const left = ours(root, known, kind);
    if (left.length === 0 || Date.now() >= deadline) return left;
    await sleep(50);
  }
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null)
      return resolve({ code: child.exitCode, signal: child.signalCode });
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

/** Kills what we left behind (only processes that belong to our wvisor). */
function reap(procs: Proc[]) {
  for (const p of procs) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

t.test('a program killed by SIGSEGV: wvisor exits 139 and leaves no stub', async (t) => {
  const crash = buildC('crash', 'static');
  const native = runNative(crash);
  t.equal(native.signal, 'SIGSEGV', 'native: crash dies of SIGSEGV');
  t.equal(native.stdout, 'about to crash\n', 'native: it got as far as the crash');

  const child = startWvisor(['do', crash]);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const known = new Set<number>();
  // Sample the process tree while it runs (it may be too quick to catch).
  const sampler = setInterval(() => {
    for (const p of descendants(child.pid!)) if (isStub(p)) known.add(p.pid);
  }, 20);
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const { code, signal } = await exited(child);
  clearInterval(sampler);
  clearTimeout(timer);
  t.equal(signal, null, 'wvisor itself was not killed by a signal', { stderr });
  t.equal(code, 139, 'wvisor exits 128 + SIGSEGV = 139', { stderr });
  t.equal(stdout, 'about to crash\n', 'the output before the crash arrived');
  const left = await stubsGone(child.pid!, known);
  t.same(left, [], 'no wvisor-stub process of this run remains');
  reap(left);
});

t.test('wvisor SIGKILLed while its program sleeps: no stub remains', async (t) => {
  const sleeper = buildC('sleeper', 'static');
  const native = runNative(sleeper, ['0.05']);
  t.equal(native.code, 0, 'native: the sleeper works');
  t.equal(native.stdout, 'sleeping\nwoke\n', 'native: sleeper output');

  const start = Date.now();
  const child = startWvisor(['do', sleeper, '30']);
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const started = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 10_000);
    child.stdout!.on('data', (d) => {
      stdout += d;
      if (stdout.includes('sleeping\n')) {
        clearTimeout(timer);
        resolve(true);
      }
    });
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
  t.ok(started, 'the program started and printed "sleeping"', { stdout, stderr });

  const before = descendants(child.pid!);
  const known = new Set(before.filter(isStub).map((p) => p.pid));
  if (started) t.ok(known.size > 0, 'a wvisor-stub process runs the program', { processes: before });

  const wait = 500 - (Date.now() - start);
  if (wait > 0) await sleep(wait);
  const gone = exited(child);
  child.kill('SIGKILL');
  const { signal } = await gone;
  t.equal(signal, 'SIGKILL', 'wvisor was killed');

  const left = await stubsGone(child.pid!, known);
  t.same(left, [], 'no wvisor-stub process of this run remains within 2 s');
  // Nothing else wvisor started should survive it either (gofer, helpers).
  const survivors = ps().filter((p) => before.some((b) => b.pid === p.pid && b.args === p.args));
  t.same(survivors, [], 'no process that wvisor started survives it');
  reap([...left, ...survivors]);
});

t.test('a do with a wrong command line: wvisor exits 2 with the reason, and no Gofer remains', async (t) => {
  for (const args of [['do', '--no-such-flag', '/bin/true'], ['do']]) {
    const child = startWvisor(args);
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const known = new Set<number>();
    const sampler = setInterval(() => {
      for (const p of descendants(child.pid!)) if (isGofer(p)) known.add(p.pid);
    }, 10);
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const { code } = await exited(child);
    clearInterval(sampler);
    clearTimeout(timer);
    t.equal(code, 2, `wvisor ${args.join(' ')}: exit 2`, { stderr });
    t.match(stderr, /^error: (unknown option '--no-such-flag'|missing required argument 'program')$/m, 'commander says why');
    const left = await stubsGone(child.pid!, known, 5000, isGofer);
    t.same(left, [], 'no Gofer of this run remains');
    reap(left);
  }
});
