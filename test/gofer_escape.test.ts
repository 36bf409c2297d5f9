// The gofer never leaves its root: symlinks (to /, relative, absolute) are walked to as
// themselves and never through, `..` chains stop at the root, names with '/' are refused,
// nothing is created through a symlink, and racing a directory against a symlink while walks
// run never yields a file outside. Every "outside" file has an inode the tests look for.
import t from 'tap';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Qid } from '../gofer/dentry.js';
import * as E from '../gofer/errno.js';
import * as C from '../gofer/protocol/constants.js';
import { startOnFd, tempDir } from './gofer/spawn.js';

const base = tempDir('gofer-escape');
const outside = path.join(base, 'outside');
const root = path.join(base, 'root');
fs.mkdirSync(outside);
fs.mkdirSync(root);
fs.writeFileSync(path.join(outside, 'secret'), 'outside');
fs.mkdirSync(path.join(root, 'inside'));
fs.writeFileSync(path.join(root, 'inside', 'secret'), 'inside');
fs.symlinkSync('/', path.join(root, 'to_root'));
fs.symlinkSync('../outside', path.join(root, 'to_outside'));
fs.symlinkSync(outside, path.join(root, 'abs_outside'));
fs.symlinkSync('/etc/passwd', path.join(root, 'etc_passwd'));
fs.symlinkSync('../outside/created', path.join(root, 'dangling'));

const ino = (p: string) => fs.lstatSync(p, { bigint: true }).ino;
const rootIno = ino(root);
const outsideInos = new Set([ino(outside), ino(path.join(outside, 'secret')), ino(base), ino('/'), ino('/etc')]);

const { gofer, client: c } = startOnFd(root);
c.version(65536);
c.attach(0);
let next = 10;
const fid = () => next++;

t.teardown(async () => {
  c.close();
  await gofer.stop();
  fs.rmSync(base, { recursive: true, force: true });
});

t.test('.. chains stop at the root', async (t) => {
  const f = fid();
  const { wqids } = c.walk(0, f, ['..', '..', '..', '..']);
  t.same(wqids.map((q) => q.path), [rootIno, rootIno, rootIno, rootIno], 'every .. of the root is the root');
  t.equal(c.rpc('getattr', { fid: f, request_mask: 0x7ffn }).qid.path, rootIno);
  c.clunk(f);
  const g = fid();
  const w = c.walk(0, g, ['inside', '..', '..', '..', 'inside', 'secret']);
  t.equal(w.wqids.length, 6);
  t.same(w.wqids.slice(1, 4).map((q) => q.path), [rootIno, rootIno, rootIno]);
  t.equal(w.wqids[5].path, ino(path.join(root, 'inside', 'secret')), 'back down to the inside file');
  c.rpc('lopen', { fid: g, flags: 0 });
  t.equal(c.readAll(g).toString(), 'inside');
  c.clunk(g);
});

t.test('symlinks are walked to, never through', async (t) => {
  for (const [name, target] of [['to_root', '/'], ['to_outside', '../outside'], ['abs_outside', outside], ['etc_passwd', '/etc/passwd']]) {
    const f = fid();
    const { wqids } = c.walk(0, f, [name]);
    t.equal(wqids[0].type, C.QTSYMLINK, `${name}: a symlink qid`);
    t.equal(wqids[0].path, ino(path.join(root, name)), `${name}: the link's own inode`);
    t.equal(c.rpc('readlink', { fid: f }).target.toString(), target, `${name}: readlink gives the target`);
    t.equal(c.errno('lopen', { fid: f, flags: 0 }), E.ELOOP, `${name}: not opened`);
    t.equal(c.rpc('getattr', { fid: f, request_mask: 0x7ffn }).qid.type, C.QTSYMLINK, `${name}: getattr of the link`);
    c.clunk(f);
    const through = fid();
    t.equal(c.walk(0, through, [name, 'secret']).wqids.length, 1, `${name}/secret: the walk stops at the link`);
    t.equal(c.errno('clunk', { fid: through }), E.EBADF, 'no fid for the partial walk');
    const from = fid();
    c.walk(0, from, [name]);
    t.equal(c.errno('walk', { fid: from, newfid: fid(), wnames: ['etc'] }), E.ENOTDIR, `walk from ${name}: ENOTDIR`);
    t.equal(c.errno('walk', { fid: from, newfid: fid(), wnames: ['..'] }), E.ENOTDIR, `.. from ${name}: ENOTDIR`);
    c.clunk(from);
  }
});

t.test('names with a slash, empty, or too long', async (t) => {
  for (const bad of ['../outside', '/', '/etc', 'inside/secret', '', 'a\0b']) {
    t.equal(c.errno('walk', { fid: 0, newfid: fid(), wnames: [bad] }), E.EINVAL, `walk ${JSON.stringify(bad)}: EINVAL`);
  }
  t.equal(c.errno('walk', { fid: 0, newfid: fid(), wnames: ['x'.repeat(256)] }), E.ENAMETOOLONG);
  t.equal(c.errno('mkdir', { dfid: 0, name: '../escaped', mode: 0o755, gid: 0 }), E.EINVAL);
  t.equal(c.errno('symlink', { fid: 0, name: '../escaped', symtgt: 'x', gid: 0 }), E.EINVAL);
  t.equal(c.errno('renameat', { olddirfid: 0, oldname: 'inside', newdirfid: 0, newname: '../escaped' }), E.EINVAL);
  t.notOk(fs.existsSync(path.join(base, 'escaped')), 'nothing appeared outside');
});

t.test('nothing is created through a symlink', async (t) => {
  const f = fid();
  c.walk(0, f, []);
  t.equal(c.errno('lcreate', { fid: f, name: 'dangling', flags: 2, mode: 0o644, gid: 0 }), E.ELOOP, 'lcreate over a dangling symlink');
  t.notOk(fs.existsSync(path.join(outside, 'created')), 'its target was not created');
  t.equal(c.errno('mkdir', { dfid: 0, name: 'dangling', mode: 0o755, gid: 0 }), E.EEXIST, 'mkdir over a symlink');
  t.equal(c.errno('mknod', { dfid: 0, name: 'dangling', mode: 0o100644, major: 0, minor: 0, gid: 0 }), E.EEXIST);
  const l = fid();
  c.walk(0, l, ['to_outside']);
  t.equal(c.errno('lcreate', { fid: l, name: 'secret', flags: 2, mode: 0o644, gid: 0 }), E.ENOTDIR, 'a symlink fid is no directory to create in');
  t.equal(c.errno('mkdir', { dfid: l, name: 'x', mode: 0o755, gid: 0 }), E.ENOTDIR);
  t.equal(c.errno('unlinkat', { dirfd: l, name: 'secret', flags: 0 }), E.ENOTDIR, 'nor to remove from');
  t.ok(fs.existsSync(path.join(outside, 'secret')), 'the outside file is still there');
  c.clunk(f);
  c.clunk(l);
});

t.test('the root\'s .. in readdir is the root', async (t) => {
  const f = fid();
  c.walk(0, f, []);
  c.rpc('lopen', { fid: f, flags: 0 });
  const dotdot = c.readdirAll(f).find((e) => e.name === '..')!;
  t.equal(dotdot.path, rootIno);
  c.clunk(f);
});

t.test('a directory moved out of the root: .. still ends at the root', async (t) => {
  fs.mkdirSync(path.join(root, 'mover', 'deep'), { recursive: true });
  const f = fid();
  c.walk(0, f, ['mover', 'deep']);
  // A host process moves the directory outside the served tree while the fid holds it.
  fs.renameSync(path.join(root, 'mover'), path.join(outside, 'mover'));
  const up = fid();
  const { wqids } = c.walk(f, up, ['..', '..', '..', '..']);
  t.equal(wqids.length, 4);
  t.same(wqids.slice(1).map((q) => q.path), [rootIno, rootIno, rootIno], '.. follows the walk, not the host\'s parent');
  for (const q of wqids) t.notOk(outsideInos.has(q.path), 'no qid outside');
  c.clunk(f);
  c.clunk(up);
});

t.test('a directory swapped for a symlink while walks run', async (t) => {
  // race/ is a directory with secret inside; race_link -> ../outside. A separate process
  // swaps the two names as fast as it can while the client walks race/secret, in one
  // message and in two.
  fs.mkdirSync(path.join(root, 'race'));
  fs.writeFileSync(path.join(root, 'race', 'secret'), 'inside');
  fs.symlinkSync('../outside', path.join(root, 'race_link'));
  const insideSecret = ino(path.join(root, 'race', 'secret'));
  const swapper = spawn(process.execPath, ['-e', `
    const fs = require('fs');
    const r = ${JSON.stringify(root)};
    for (;;) {
      try {
        fs.renameSync(r + '/race', r + '/race_tmp');
        fs.renameSync(r + '/race_link', r + '/race');
        fs.renameSync(r + '/race', r + '/race_link');
        fs.renameSync(r + '/race_tmp', r + '/race');
      } catch (e) { if (e.code !== 'ENOENT') throw e; }
    }`], { stdio: 'ignore' });
  t.teardown(() => {
    swapper.kill('SIGKILL');
  });
  // Let the swapper start.
  await new Promise((r) => setTimeout(r, 300));

  let inside = 0;
  let stopped = 0;
  let escaped = 0;
  const deadline = Date.now() + 3000;
  let i = 0;
  while (Date.now() < deadline || inside === 0 || stopped === 0) {
    if (Date.now() > deadline + 20_000) break;
    i++;
    const f = fid();
    let qids: Qid[];
    if (i % 2 === 0) {
      const r = c.request('walk', { fid: 0, newfid: f, wnames: ['race', 'secret'] });
      qids = r.name === 'walk' ? r.body.wqids : [];
    } else {
      // Two messages: the swap may happen between the steps.
      const r1 = c.request('walk', { fid: 0, newfid: f, wnames: ['race'] });
      qids = [];
      if (r1.name === 'walk') {
        const g = fid();
        const r2 = c.request('walk', { fid: f, newfid: g, wnames: ['secret'] });
        c.clunk(f);
        if (r2.name === 'walk') {
          qids = [r1.body.wqids[0], r2.body.wqids[0]];
          c.request('clunk', { fid: g });
        }
      }
    }
    if (qids.length === 2) {
      if (qids[1].path === insideSecret) inside++;
      else escaped++;
      if (i % 2 === 0) c.clunk(f);
    } else {
      stopped++;
    }
    for (const q of qids) if (outsideInos.has(q.path)) escaped++;
  }
  swapper.kill('SIGKILL');
  t.ok(inside > 0, `walks that reached the inside file: ${inside}`);
  t.ok(stopped > 0, `walks stopped at the symlink or a missing name: ${stopped}`);
  t.equal(escaped, 0, 'no walk reached a file outside the root');
});

t.test('no internal errors', async (t) => {
  t.notMatch(gofer.stderr(), /BUG/);
});
