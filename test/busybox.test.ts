// Real programs: the statically linked busybox from Debian's busybox-static package.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, repoRoot, runNative, runWvisor } from './helpers/wvisor.js';

const BUSYBOX = '/bin/busybox';

if (!existsSync(BUSYBOX)) {
  t.plan(0, `${BUSYBOX} is missing: install Debian's busybox-static to run these tests`);
} else {
  const bb = (args: string[]) => runWvisor(['do', BUSYBOX, ...args]);

  t.test('busybox echo hello', async (t) => {
    const r = bb(['echo', 'hello']);
    t.equal(r.code, 0, 'exits 0', describe(r));
    t.equal(r.stdout, 'hello\n', 'prints hello');
  });

  t.test('busybox true and false', async (t) => {
    const tr = bb(['true']);
    t.equal(tr.code, 0, 'busybox true exits 0', describe(tr));
    t.equal(tr.stdout, '', 'busybox true prints nothing');
    const fa = bb(['false']);
    t.equal(fa.code, 1, 'busybox false exits 1', describe(fa));
    // wvisor's own failures also exit 1; they say something on stderr, false does not
    t.equal(fa.stderr, '', 'busybox false prints nothing on stderr (so the 1 is its own)');
  });

  t.test('a program name without a slash is looked up in PATH', async (t) => {
    const r = runWvisor(['do', 'busybox', 'echo', 'found in PATH'], {
      env: { ...process.env, PATH: `/bin:${process.env.PATH ?? '/usr/bin'}` },
    });
    t.equal(r.code, 0, 'exits 0', describe(r));
    t.equal(r.stdout, 'found in PATH\n', 'prints its arguments');
  });

  t.test('bin/wvisor keeps NODE_EXTRA_CA_CERTS from Node and gives it to the program', async (t) => {
    // Node 20 reads the file at start and warns on stderr when it is missing.
    const r = spawnSync(path.join(repoRoot, 'bin', 'wvisor'), ['do', BUSYBOX, 'env'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, NODE_EXTRA_CA_CERTS: '/nonexistent/ca.pem', PROBE: 'x y' },
      timeout: 60_000,
    });
    t.equal(r.status, 0, 'exits 0', r.stderr);
    t.equal(r.stderr, '', 'nothing on stderr: no Node process read the certificate file');
    const env = r.stdout.split('\n');
    t.ok(env.includes('NODE_EXTRA_CA_CERTS=/nonexistent/ca.pem'), 'the program has the variable');
    t.ok(env.includes('PROBE=x y'), 'and the rest of the environment');
    t.notOk(r.stdout.includes('WVISOR_APP_'), 'and not the name it was moved to');
  });

  t.test('busybox seq 1 100000', async (t) => {
    const native = runNative(BUSYBOX, ['seq', '1', '100000']);
    t.equal(native.code, 0, 'native: exits 0', describe(native));
    const r = bb(['seq', '1', '100000']);
    t.equal(r.code, 0, 'exits 0', describe(r));
    const lines = r.stdout.split('\n');
    t.equal(lines.pop(), '', 'output ends with a newline');
    t.equal(lines.length, 100000, '100000 lines');
    t.equal(lines[lines.length - 1], '100000', 'the last line is 100000');
    t.ok(r.stdout === native.stdout, 'the whole output equals the native output');
  });

  t.test('busybox expr 6 * 7', async (t) => {
    const r = bb(['expr', '6', '*', '7']);
    t.equal(r.code, 0, 'exits 0', describe(r));
    t.equal(r.stdout, '42\n', 'prints 42');
  });

  t.test('busybox printf', async (t) => {
    const r = bb(['printf', '%s-%d\\n', 'a', '5']);
    t.equal(r.code, 0, 'exits 0', describe(r));
    t.equal(r.stdout, 'a-5\n', 'prints a-5');
  });

  t.test('busybox sleep 0.1', async (t) => {
    const r = bb(['sleep', '0.1']);
    t.equal(r.code, 0, 'exits 0', describe(r));
    t.ok(r.durationMs >= 100, `took at least 100 ms (${Math.round(r.durationMs)} ms)`);
  });
}
