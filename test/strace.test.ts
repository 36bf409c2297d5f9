// --strace: one line per system call on stderr, stdout untouched.
import t from 'tap';
import { buildC } from './helpers/cbuild.js';
import { describe, runNative, runWvisor } from './helpers/wvisor.js';

// (spaces before "=" allowed, as strace pads its lines)
const WRITE_LINE = /write\(1, "hello, world\\n", 13\) += 13\b/;
const EXIT_LINE = /exit_group\(0\)/;

t.test('--strace do hello', async (t) => {
  const hello = buildC('hello', 'static');
  const native = runNative(hello);
  t.equal(native.stdout, 'hello, world\n', 'native: hello works');

  const r = runWvisor(['--strace', 'do', hello]);
  t.equal(r.code, 0, 'exits 0', describe(r));
  t.equal(r.stdout, 'hello, world\n', "stdout is only the program's output");
  t.match(r.stderr, WRITE_LINE, 'stderr shows write(1, "hello, world\\n", 13) = 13');
  t.match(r.stderr, EXIT_LINE, 'stderr shows exit_group(0)');
  const w = r.stderr.search(WRITE_LINE);
  const e = r.stderr.search(EXIT_LINE);
  t.ok(w >= 0 && e > w, 'the write comes before exit_group');
});

t.test('without --strace there is no trace', async (t) => {
  const hello = buildC('hello', 'static');
  const r = runWvisor(['do', hello]);
  t.equal(r.code, 0, 'exits 0', describe(r));
  t.equal(r.stdout, 'hello, world\n', 'prints hello');
  t.notMatch(r.stderr, WRITE_LINE, 'no write line on stderr');
  t.notMatch(r.stderr, EXIT_LINE, 'no exit_group line on stderr');
});
