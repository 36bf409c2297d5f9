// The platforms (host/platform/): the stub's machine code is what its assembly says; an app
// cannot reach the host through the stub's code or its context pages under either platform;
// and the ptrace platform, no longer the default, still runs the conformance programs that
// exercise most of it (signals, threads, fork, shared memory, job control).
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildC } from './helpers/cbuild.js';
import { deterministic, describe, repoRoot, runNative, runWvisor } from './helpers/wvisor.js';
import { alive, field, spawnVictim, waitExit } from './helpers/victim.js';

const PLATFORMS = ['systrap', 'ptrace'];

const hasAssembler = (() => {
  try {
    execFileSync('as', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

t.test('stub_code.ts is what stub.S assembles to', { skip: hasAssembler ? false : 'GNU as is not installed' }, async (t) => {
  const generated = execFileSync(process.execPath, [path.join(repoRoot, 'scripts/stub_code.js'), '--print'], { encoding: 'utf8' });
  const committed = readFileSync(path.join(repoRoot, 'host/platform/stub/stub_code.ts'), 'utf8');
  t.equal(committed, generated, 'run `node scripts/stub_code.js` after changing stub.S');
});


t.test('the stub syscall instructions do not reach the host', async (t) => {
  const prog = buildC('stub_escape');
  // Natively the same attack through a `syscall` of the program's own kills the victim.
  const v0 = spawnVictim();
  t.teardown(() => void v0.kill('SIGKILL'));
  const native = runNative(prog, ['kill', String(v0.pid)]);
  t.equal(native.code, 0, 'native: runs', describe(native));
  t.equal(field(native.stdout, 'gadgets'), '1', 'native: used its own syscall instruction');
  await waitExit(v0, 2000);
  t.notOk(alive(v0), 'native: the victim was killed');

  for (const platform of PLATFORMS) {
    const v = spawnVictim();
    t.teardown(() => void v.kill('SIGKILL'));
    const r = runWvisor(['--platform', platform, 'do', prog, 'kill', String(v.pid)]);
    t.equal(r.code, 0, `${platform}: runs`, describe(r));
    t.equal(field(r.stdout, 'stub'), 'yes', `${platform}: the stub page is there to attack`);
    t.ok(Number(field(r.stdout, 'gadgets')) >= 8, `${platform}: every syscall instruction of the stub was tried`, describe(r));
    await new Promise((r) => setTimeout(r, 200));
    t.ok(alive(v), `${platform}: the victim lives`);
  }
});

t.test('int 0x80 does not reach the host', async (t) => {
  const prog = buildC('stub_escape');
  const v0 = spawnVictim();
  t.teardown(() => void v0.kill('SIGKILL'));
  const native = runNative(prog, ['int80', String(v0.pid)]);
  t.equal(native.code, 0, 'native: runs', describe(native));
  t.comment(`native: int80=${field(native.stdout, 'int80')} (0 where the host has IA32 emulation)`);
  for (const platform of PLATFORMS) {
    const v = spawnVictim();
    t.teardown(() => void v.kill('SIGKILL'));
    const r = runWvisor(['--platform', platform, 'do', prog, 'int80', String(v.pid)]);
    t.equal(r.code, 0, `${platform}: runs`, describe(r));
    // systrap sees the i386 ABI in the SIGSYS and answers with SIGSEGV; ptrace's syscall
    // stop does not tell the ABIs apart, and runs the 64-bit call of that number (alarm).
    if (platform === 'systrap') t.equal(field(r.stdout, 'int80'), 'fault', `${platform}: the call faults`, describe(r));
    await new Promise((r) => setTimeout(r, 200));
    t.ok(alive(v), `${platform}: the victim lives`);
  }
});

t.test('a forged event in a context page kills only the app', async (t) => {
  const prog = buildC('stub_escape');
  const native = runNative(prog, ['forge']);
  t.equal(field(native.stdout, 'forged'), '0', 'native: there is nothing to forge');
  const s = runWvisor(['--platform', 'systrap', 'do', prog, 'forge'], { timeoutMs: 30_000 });
  t.ok(Number(field(s.stdout, 'forged')) > 0, 'systrap: the context pages are writable by the app', describe(s));
  t.notMatch(s.stdout, /still alive/, 'systrap: the app did not outlive its forgery');
  t.equal(s.code, 128 + 9, 'systrap: the sandbox ends as the app was killed', describe(s));
  t.match(s.stderr, /the stub of pid 1 died of signal 9/, 'systrap: and says so');
  t.ok(s.durationMs < 10_000, 'systrap: at once, not at the end of its spin', describe(s));
  const p = runWvisor(['--platform', 'ptrace', 'do', prog, 'forge']);
  t.equal(field(p.stdout, 'forged'), '0', 'ptrace: no stub page is writable');
  t.equal(p.code, 0, 'ptrace: runs', describe(p));
});

// The conformance programs that use the most of a platform: each must do under ptrace what
// it does natively (test/conformance.test.ts and the others run them under the default).
for (const name of ['proc_signal', 'thread_signal', 'thread_join', 'futex', 'clone_vm', 'mmap_shared', 'job_control', 'clock']) {
  t.test(`${name} under the ptrace platform`, async (t) => {
    const prog = buildC(name);
    const native = runNative(prog);
    t.equal(native.code, 0, 'passes natively', describe(native));
    const r = runWvisor(['--platform', 'ptrace', 'do', prog], { cwd: path.join(repoRoot, 'test', 'build') });
    t.equal(r.code, 0, 'passes under wvisor --platform ptrace', describe(r));
    t.equal(deterministic(r.stdout), deterministic(native.stdout), 'the same checks pass');
  });
}
