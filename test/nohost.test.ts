// nohost: the sandboxed program's process system calls (getpid, getppid, kill) must not
// reach the host. Natively the program kills its parent and a victim process; under
// wvisor it must see itself as pid 1 with parent 0, find no host pid, and kill nobody.
//
// If kill() leaked to the host, this very test process (whose pid the program is given)
// would be SIGKILLed and tap would report this file as killed; that is why this test
// lives in a file of its own.
import t from 'tap';
import { buildC, type Variant } from './helpers/cbuild.js';
import { describe, runNative, runWvisor } from './helpers/wvisor.js';
import { alive, field, spawnVictim, waitExit } from './helpers/victim.js';

const variants: Variant[] = ['static', 'static-pie'];


for (const variant of variants) {
  t.test(`nohost (${variant})`, async (t) => {
    const prog = buildC('nohost', variant);

    // Natively, under a throw-away parent shell: it kills the shell and the victim. This
    // shows that the program does what it says, so that its failing to do it under wvisor
    // means something.
    const victim = spawnVictim();
    t.teardown(() => void victim.kill('SIGKILL'));
    const native = runNative('/bin/sh', ['-c', '"$@"; exit 0', 'sh', prog, String(victim.pid)]);
    t.equal(native.signal, 'SIGKILL', 'native: the parent shell was killed', describe(native));
    t.equal(field(native.stdout, 'kill(ppid)'), '0 errno=0', 'native: kill(getppid(), SIGKILL) succeeded');
    t.equal(field(native.stdout, `kill(${victim.pid})`), '0 errno=0', 'native: kill(victim) succeeded');
    await waitExit(victim, 2000);
    t.equal(victim.signalCode, 'SIGKILL', 'native: the victim died of SIGKILL');
    const nativePid = Number(field(native.stdout, 'pid'));
    t.ok(nativePid > 1, 'native: getpid() is a host pid');

    // Under wvisor: the targets are a victim and this test process itself.
    const victim2 = spawnVictim();
    t.teardown(() => void victim2.kill('SIGKILL'));
    const w = runWvisor(['do', prog, String(victim2.pid), String(process.pid)]);
    t.pass('the test process (the parent of wvisor) is still alive');
    t.equal(w.signal, null, 'wvisor was not killed', describe(w));
    t.equal(w.code, 0, 'wvisor exited 0 (the program finished)', describe(w));
    t.equal(field(w.stdout, 'pid'), '1', 'getpid() is 1 inside the sandbox');
    t.not(Number(field(w.stdout, 'pid')), w.pid, "getpid() is not wvisor's host pid");
    t.equal(field(w.stdout, 'ppid'), '0', 'getppid() is 0 for the first process');
    t.equal(field(w.stdout, 'tid'), '1', 'gettid() is 1');
    t.ok((field(w.stdout, 'nodename') ?? '').length > 0, 'uname gives a nodename');
    t.equal(field(w.stdout, 'kill(self,0)'), '0 errno=0', 'kill(getpid(), 0) succeeds');
    t.equal(field(w.stdout, 'kill(self,12345)'), '-1 errno=EINVAL', 'kill with a bad signal is EINVAL');
    t.equal(field(w.stdout, 'kill(ppid)'), 'skipped', 'there is no parent to kill');
    t.equal(field(w.stdout, `kill(${victim2.pid})`), '-1 errno=ESRCH', 'a host pid does not exist inside (ESRCH)');
    t.equal(field(w.stdout, `kill(${process.pid})`), '-1 errno=ESRCH', "the test process's pid does not exist inside (ESRCH)");
    await new Promise((r) => setTimeout(r, 100));
    t.ok(alive(victim2), 'the host victim is still alive');
    process.kill(process.pid, 0);
    t.pass('the test process is still alive after the run');
  });
}
