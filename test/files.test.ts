// Real programs with the host root (issue: files, the Gofer, the VFS, dynamic programs): each
// runs under wvisor with the host's root file system served by the Gofer under an overlay, and
// its result is checked against the host's own answer.
import fs from 'node:fs';
import t from 'tap';
import { runNative, runWvisor } from './helpers/wvisor.js';

const wv = (args: string[]) => runWvisor(['do', ...args]);

t.test('dynamically linked programs run', async (t) => {
  t.equal(wv(['/bin/true']).code, 0, 'true exits 0');
  t.equal(wv(['/bin/false']).code, 1, 'false exits 1');
});

t.test('a Gofer that cannot be started is a clear error', async (t) => {
  const r = runWvisor(['do', '/bin/true'], { env: { ...process.env, WVISOR_GOFER_COMMAND: '/nonexistent/gofer' } });
  t.equal(r.code, 1, 'exits 1');
  t.match(r.stderr, /cannot start the Gofer \(\/nonexistent\/gofer\).*ENOENT/, 'says which server and why');
  t.notMatch(r.stderr, /\n\s+at /, 'no stack trace');
});

t.test('ls -la / lists the host root', async (t) => {
  const r = wv(['/bin/ls', '-la', '/']);
  t.equal(r.code, 0, r.stderr);
  for (const name of ['etc', 'usr', 'tmp', 'proc', 'dev']) t.match(r.stdout, new RegExp(` ${name}\\n`), `lists ${name}`);
  t.equal(r.stderr, '', 'nothing on stderr');
  // Listing a directory ends with a clunk whose reply the Sentry reads only with its next
  // request: at the end it reads it before it closes, and the Gofer says nothing either.
  const usr = wv(['/bin/ls', '/usr']);
  t.equal(usr.code, 0, usr.stderr);
  t.equal(usr.stderr, '', 'ls /usr: nothing on stderr');
});

t.test('cat /etc/os-release equals the host file', async (t) => {
  const r = wv(['/bin/cat', '/etc/os-release']);
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout, fs.readFileSync('/etc/os-release', 'utf8'));
});

t.test('find over a host directory matches the native listing', async (t) => {
  const args = ['/usr/lib/x86_64-linux-gnu', '-maxdepth', '1', '-name', 'libc*.so*'];
  const native = runNative('/usr/bin/find', args);
  const r = wv(['/usr/bin/find', ...args]);
  t.equal(r.code, 0, r.stderr);
  const sorted = (s: string) => s.split('\n').filter(Boolean).sort();
  t.same(sorted(r.stdout), sorted(native.stdout));
  t.ok(sorted(native.stdout).length > 0, 'the listing is not empty');
});

t.test('a host tree 40 directories deep: listed, read, and walked with ..', async (t) => {
  // Directories walk for their fids lazily, from the nearest one holding a fid, at most 16
  // names a walk: deeper, the walks chain.
  const top = fs.mkdtempSync('/tmp/wvisor-deep-');
  t.teardown(() => fs.rmSync(top, { recursive: true, force: true }));
  const names = Array.from({ length: 40 }, (_, i) => `d${i + 1}`);
  const bottom = `${top}/${names.join('/')}`;
  fs.mkdirSync(bottom, { recursive: true });
  fs.writeFileSync(`${bottom}/f`, 'bottom\n');
  fs.symlinkSync('d40/f', `${top}/${names.slice(0, 39).join('/')}/l`);
  const script = `ls -lR ${top} && cat ${bottom}/f && cd ${top}/${names.slice(0, 20).join('/')} && cat ../${names.slice(19).join('/')}/../l`;
  const native = runNative('/bin/sh', ['-c', script]);
  t.equal(native.code, 0, native.stderr);
  const r = wv(['/bin/sh', '-c', script]);
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout, native.stdout, 'the same listing and contents as natively');
  t.match(r.stdout, /bottom\nbottom\n$/, 'the file read by its path and through a symlink');
});

t.test('4000 host files held open, then closed: the Sentry and the Gofer keep talking', async (t) => {
  // Closing them posts a Tclunk for each file beyond the idle handles the Sentry keeps; the
  // Gofer's replies to posted requests must be read before they fill the socket (it sends
  // them blocking, and would stop reading while the Sentry waits to send).
  const script = [
    'import os, resource',
    'resource.setrlimit(resource.RLIMIT_NOFILE, (8192, 8192))',
    'fs = []',
    "for root, dirs, files in os.walk('/usr/share'):",
    '    dirs.sort()',
    '    for n in sorted(files):',
    '        p = os.path.join(root, n)',
    '        if len(fs) < 4000 and os.path.isfile(p) and not os.path.islink(p) and os.access(p, os.R_OK):',
    "            fs.append(open(p, 'rb'))",
    'for f in fs: f.close()',
    "print(len(fs), 'closed')",
  ].join('\n');
  const native = runNative('/usr/bin/python3', ['-c', script], { timeoutMs: 60_000 });
  t.equal(native.stdout, '4000 closed\n', 'natively', { stderr: native.stderr });
  const r = runWvisor(['do', '/usr/bin/python3', '-c', script], { timeoutMs: 60_000 });
  t.equal(r.stdout, native.stdout, 'under wvisor', { stderr: r.stderr, code: r.code, signal: r.signal });
});

t.test('sha256sum of a large host file equals the host answer', async (t) => {
  const file = process.execPath; // the node binary: tens of MiB
  const native = runNative('/usr/bin/sha256sum', [file]);
  const r = wv(['/usr/bin/sha256sum', file]);
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout, native.stdout);
});

const py = (code: string) => wv(['/usr/bin/python3', '-c', code]);

t.test('python3 writes and reads files under /tmp', async (t) => {
  const r = py(`
import os
os.makedirs('/tmp/py/sub')
with open('/tmp/py/sub/f.txt', 'w') as f:
    f.write('hello\\n' * 1000)
with open('/tmp/py/sub/f.txt') as f:
    data = f.read()
print(len(data), os.path.getsize('/tmp/py/sub/f.txt'), sorted(os.listdir('/tmp/py')))
`);
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout, "6000 6000 ['sub']\n");
});

t.test('sqlite3 creates a database in /tmp and queries it', async (t) => {
  const r = wv(['/usr/bin/sqlite3', '/tmp/wvisor-test.db', 'create table a(b); insert into a values (1),(2),(39); select sum(b) from a;']);
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout, '42\n');
  const p = py(`
import sqlite3
c = sqlite3.connect('/tmp/t.db')
c.execute('create table t(x)')
c.executemany('insert into t values(?)', [(i,) for i in range(100)])
c.commit()
print(c.execute('select sum(x) from t').fetchone()[0])
`);
  t.equal(p.code, 0, p.stderr);
  t.equal(p.stdout, '4950\n');
});

t.test('cp -a copies a host tree inside the sandbox', async (t) => {
  const src = '/usr/share/doc/bash';
  t.ok(fs.existsSync(src), 'the source tree exists on the host');
  const r = wv(['/bin/cp', '-av', src, '/tmp/copy']);
  t.equal(r.code, 0, r.stderr);
  const listed = r.stdout.split('\n').filter(Boolean).length;
  const walk = (d: string): number => fs.readdirSync(d, { withFileTypes: true }).reduce((n, e) => n + 1 + (e.isDirectory() ? walk(`${d}/${e.name}`) : 0), 0);
  t.equal(listed, walk(src) + 1, 'cp reports every entry of the tree and the tree itself');
  // Each wvisor run starts from a fresh overlay, so the comparison copies again itself.
  const check = py(`
import os, filecmp, shutil
shutil.copytree('${src}', '/tmp/copy2', symlinks=True)
same = filecmp.dircmp('${src}', '/tmp/copy2')
print(same.left_only, same.right_only, same.diff_files)
print(sorted(os.listdir('/tmp/copy2')) == sorted(os.listdir('${src}')))
`);
  t.equal(check.code, 0, check.stderr);
  t.equal(check.stdout, '[] [] []\nTrue\n');
});

t.test('the host tree is untouched by writes inside the sandbox', async (t) => {
  const probe = '/etc/wvisor-probe';
  t.notOk(fs.existsSync(probe), 'no probe file before');
  const doc = '/usr/share/doc';
  const before = fs.readdirSync(doc).length;
  const r = py(`
import os, shutil
open('${probe}', 'w').write('x')
shutil.rmtree('${doc}')
os.remove('/etc/hostname') if os.path.exists('/etc/hostname') else None
print(os.path.exists('${probe}'), os.path.exists('${doc}'))
`);
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout, 'True False\n', 'inside: the file exists and the tree is gone');
  t.notOk(fs.existsSync(probe), 'outside: no probe file');
  t.equal(fs.readdirSync(doc).length, before, 'outside: the tree is whole');
});

t.test('overlay: names stay removed after a rename or exchange put another file there', async (t) => {
  // Which names need a whiteout is the lower layer's to say, not the moved file's: a file
  // renamed or exchanged onto a host name and then removed must not uncover the host's.
  const r = py(`
import os, ctypes
libc = ctypes.CDLL(None, use_errno=True)
RENAME_EXCHANGE = 2
open('/etc/wv-new', 'w').write('new')
assert libc.renameat2(-100, b'/etc/hostname', -100, b'/etc/wv-new', RENAME_EXCHANGE) == 0, ctypes.get_errno()
print(open('/etc/hostname').read())
os.remove('/etc/hostname')
open('/etc/wv-y', 'w').write('y')
os.rename('/etc/wv-y', '/etc/debian_version')
os.remove('/etc/debian_version')
print(os.path.exists('/etc/hostname'), os.path.exists('/etc/debian_version'), os.path.exists('/etc/wv-new'))
`);
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout, 'new\nFalse False True\n', 'inside: both host names stay removed, the exchanged file lives on');
  t.ok(fs.existsSync('/etc/hostname') && fs.existsSync('/etc/debian_version'), 'outside: the host files are there');
});
