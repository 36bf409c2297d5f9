// Our kernel's 9P2000.L client against a real server: diod (Debian's package) serves the
// root read-only in place of wvisor's Gofer (WVISOR_GOFER_COMMAND, host/sentry/
// gofer_process.ts). diod knows no fd donation, so every file byte, the dynamic loader and
// libraries included, comes through Tread, and listings through Treaddir. Each command's
// output must equal the native one; writes stay in the sandbox's overlay.
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, runNative, runWvisor } from './helpers/wvisor.js';

const diod = ['/usr/sbin/diod', '/usr/bin/diod'].find((p) => fs.existsSync(p));

if (!diod) {
  t.plan(0, 'skipped: diod is not installed (apt-get install diod)');
} else {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wvisor-diod-'));
  const conf = path.join(dir, 'diod.conf');
  // "/" read-only: diod's -e takes no options, its config file does.
  fs.writeFileSync(conf, 'exports = { { path="/", opts="ro" } }\n');
  const env = { ...process.env, WVISOR_GOFER_COMMAND: `${diod} -f -n -r 3 -w 3 -L /dev/null -c ${conf}` };
  // wvisor runs in the temporary directory, and diod with it: diod raises its own core
  // limit, so a core file, if it crashes, lands there rather than in the repository.
  const cwd = dir;
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

  const cases: { name: string; argv: string[] }[] = [
    { name: 'cat of a host file', argv: ['/bin/cat', '/etc/os-release'] },
    { name: 'sha256sum of a large binary (Tread)', argv: ['/usr/bin/sha256sum', '/usr/bin/perl'] },
    { name: 'a directory listing (Treaddir)', argv: ['/bin/ls', '-1', '/usr/lib/x86_64-linux-gnu'] },
    { name: 'a tree walk', argv: ['/bin/sh', '-c', 'find /usr/share/doc -maxdepth 2 | sort | md5sum'] },
    { name: 'stat of files and links', argv: ['/usr/bin/stat', '-c', '%n %s %a %F %U', '/etc/passwd', '/bin', '/usr/bin/perl'] },
    { name: 'python3 importing modules', argv: ['python3', '-c', 'import json, sqlite3; print(json.dumps([sqlite3.sqlite_version_info[0], 42]))'] },
  ];
  for (const c of cases) {
    t.test(c.name, async (t) => {
      const native = runNative(c.argv[0], c.argv.slice(1), { timeoutMs: 60_000 });
      t.equal(native.code, 0, 'runs natively', describe(native));
      const w = runWvisor(['do', ...c.argv], { env, cwd, timeoutMs: 120_000 });
      t.equal(w.code, 0, 'runs under wvisor with diod serving the root', describe(w));
      t.equal(w.stdout, native.stdout, 'the same output');
    });
  }

  t.test('writes stay in the sandbox', async (t) => {
    const probe = `/etc/wvisor-diod-probe-${process.pid}`;
    const w = runWvisor(['do', '/bin/sh', '-c', `echo x > ${probe} && cat ${probe} && rm /etc/hostname && ls /etc/hostname; true`], { env, cwd, timeoutMs: 60_000 });
    t.equal(w.stdout, 'x\n', 'the sandbox wrote and read its file', describe(w));
    t.notOk(fs.existsSync(probe), 'the host has no such file');
    t.ok(fs.existsSync('/etc/hostname'), 'the host file removed inside is still there');
  });
}
