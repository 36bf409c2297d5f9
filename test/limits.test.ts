// The sandbox's memory limit (--total-memory): a program asking for more gets ENOMEM from
// mmap, the sandbox survives, and memory that is given back counts no more; page caches of
// host files that nothing maps any more are given back when memory runs short.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { buildC } from './helpers/cbuild.js';
import { runNative, runWvisor } from './helpers/wvisor.js';

t.test('mmap beyond --total-memory fails with ENOMEM', async (t) => {
  const prog = buildC('memlimit', 'static');
  const over = runWvisor(['--total-memory', '64M', 'do', prog, '256']);
  t.equal(over.code, 0, over.stderr);
  t.equal(over.stdout, 'mmap 256 MiB: Cannot allocate memory\n');
  const under = runWvisor(['--total-memory', '64M', 'do', prog, '32']);
  t.equal(under.code, 0, under.stderr);
  t.equal(under.stdout, 'mmap 32 MiB: ok\n');
});

t.test('a bad --total-memory is a clear error', async (t) => {
  const r = runWvisor(['--total-memory', 'lots', 'do', '/bin/true']);
  t.equal(r.code, 2);
  t.match(r.stderr, /invalid size "lots"/);
});

t.test('read-only mappings of host files, 120 MiB in turn under a 64 MiB limit: unmapped page caches are given back', async (t) => {
  const prog = buildC('mapfiles', 'static');
  const dir = mkdtempSync(path.join(tmpdir(), 'wvisor-mapfiles-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const files = [1, 2, 3].map((i) => {
    const f = path.join(dir, `f${i}`);
    writeFileSync(f, randomBytes(40 << 20));
    return f;
  });
  const native = runNative(prog, files);
  t.equal(native.code, 0, 'natively every file maps', { stdout: native.stdout });
  const w = runWvisor(['--total-memory', '64M', 'do', prog, ...files]);
  t.equal(w.code, 0, 'under wvisor too', { stdout: w.stdout, stderr: w.stderr });
  t.equal(w.stdout, native.stdout, 'with the same contents');
});
