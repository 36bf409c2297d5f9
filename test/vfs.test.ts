// VFS conformance: the file system programs in test/conformance/ (paths, atflags, dirs,
// rename, fileio, devfs, mmap_shared, openat2, tmpfile, xattr, unix_named, opath; helpers in vfs.h) must pass natively (this guards the programs
// themselves) and then under wvisor, for both a static and a static-PIE build, with the
// same stdout apart from "info:" lines. Each works only in its own /tmp/vfs-<name>-<pid>
// (inside the sandbox /tmp is the sandbox's own tmpfs) and removes it at the end.
//
// The app runs as uid 0 inside wvisor, and atflags, fileio and xattr check what root may do
// (chown to any id, access(2)'s rules for root), so natively they need root: they are
// skipped when the tests do not run as root. The native runs also expect a /tmp with
// Linux's usual directory st_nlink counting (ext4, tmpfs, xfs; not btrfs).
import t from 'tap';
import { buildC, type Variant } from './helpers/cbuild.js';
import { describe, deterministic, failures, runNative, runWvisor } from './helpers/wvisor.js';

const variants: Variant[] = ['static', 'static-pie'];

const programs = ['paths', 'atflags', 'dirs', 'rename', 'fileio', 'devfs', 'mmap_shared', 'openat2', 'tmpfile', 'xattr', 'unix_named', 'opath'];
/** The programs whose native run needs uid 0 (see above). */
const needRoot = new Set(['atflags', 'fileio', 'xattr']);
const isRoot = process.getuid?.() === 0;


for (const name of programs) {
  for (const variant of variants) {
    const skip = needRoot.has(name) && !isRoot ? 'the native run needs root' : false;
    t.test(`${name} (${variant})`, { skip }, async (t) => {
      const prog = buildC(name, variant);

      const native = runNative(prog, [], { timeoutMs: 30_000 });
      t.equal(native.code, 0, 'passes natively', describe(native));
      t.match(native.stdout, /^ok: all checks passed$/m, 'native: all checks passed');
      t.same(failures(native), [], 'native: no FAIL lines');

      const w = runWvisor(['do', prog], { timeoutMs: 30_000 });
      t.equal(w.code, 0, 'passes under wvisor', describe(w));
      t.match(w.stdout, /^ok: all checks passed$/m, 'wvisor: all checks passed');
      t.same(failures(w), [], 'wvisor: no FAIL lines (each is a check where wvisor differs from Linux)');
      t.equal(deterministic(w.stdout), deterministic(native.stdout), 'the same checks pass under wvisor', {
        stderr: w.stderr.slice(0, 4000),
      });
    });
  }
}
