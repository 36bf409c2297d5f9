// The sandbox's memory limit (--total-memory): a program asking for more gets ENOMEM from
// mmap, the sandbox survives, and memory that is given back counts no more.
import t from 'tap';
import { buildC } from './helpers/cbuild.js';
import { runWvisor } from './helpers/wvisor.js';

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
