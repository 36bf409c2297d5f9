// The gofer through a 9P2000.L client: every message of the issue against a real directory,
// each result compared with what the host says about the same files; fd donation on
// 9P2000.L.wvisor sessions; read-only mode.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import * as E from '../gofer/errno.js';
import * as C from '../gofer/protocol/constants.js';
import { encodeRequest } from '../gofer/protocol/codec.js';
import { direntPlus } from '../gofer/protocol/messages.js';
import { Reader } from '../gofer/layout.js';
import { P9Client } from './gofer/client.js';
import { runGofer, startOnFd, tempDir, type Gofer } from './gofer/spawn.js';

const O_RDONLY = 0;
const O_WRONLY = 1;
const O_RDWR = 2;
const O_EXCL = 0o200;
const O_TRUNC = 0o1000;
const O_DIRECTORY = 0o200000;
const S_IFIFO = 0o10000;
const S_IFCHR = 0o20000;
const S_IFREG = 0o100000;
const S_IFSOCK = 0o140000;

function fixture(): string {
  const root = tempDir('gofer-ops');
  fs.writeFileSync(path.join(root, 'hello.txt'), 'hello, gofer\n');
  fs.mkdirSync(path.join(root, 'dir'));
  fs.writeFileSync(path.join(root, 'dir', 'inner.txt'), 'inner\n');
  fs.symlinkSync('hello.txt', path.join(root, 'link'));
  for (let i = 0; i < 150; i++) fs.writeFileSync(path.join(root, 'dir', `file-with-a-longish-name-${i}`), String(i));
  return root;
}

function session(root: string, extra: string[] = [], version = '9P2000.L'): { gofer: Gofer; c: P9Client } {
  const { gofer, client } = startOnFd(root, extra);
  client.version(1 << 20, version);
  client.attach(0, 'root', '', process.getuid!());
  return { gofer, c: client };
}

const root = fixture();
const { gofer, c } = session(root);
let nextFid = 100;
const fid = () => nextFid++;

t.teardown(async () => {
  await gofer.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

t.test('command line', async (t) => {
  t.equal(runGofer(['--fd', '3']).status, 2, 'no --root: usage error');
  t.equal(runGofer(['--root', root]).status, 2, 'neither --fd nor --listen');
  t.equal(runGofer(['--root', root, '--fd', '3', '--listen', '/tmp/x']).status, 2, 'both --fd and --listen');
  const missing = runGofer(['--root', path.join(root, 'nope'), '--fd', '0']);
  t.equal(missing.status, 1, 'a root that does not exist');
  t.match(missing.stderr, /open root/);
  const devNull = fs.openSync('/dev/null', 'r');
  const notSock = runGofer(['--root', root, '--fd', '0'], [devNull, 'ignore', 'pipe']);
  fs.closeSync(devNull);
  t.equal(notSock.status, 1, '--fd that is not a socket');
  t.match(notSock.stderr, /not a socket/);
});

t.test('version negotiation', async (t) => {
  const { gofer: g, client } = startOnFd(root);
  t.same(client.rpc('version', { msize: 8192, version: '9P2000.L' }).msize, 8192, 'msize is the smaller one');
  t.equal(client.rpc('version', { msize: 64 << 20, version: '9P2000.L' }).msize, (1 << 20) + 24, 'capped at the server\'s');
  t.equal(client.rpc('version', { msize: 8192, version: '9P2000.L.other' }).version.toString(), '9P2000.L', 'other .L dialects get 9P2000.L');
  t.equal(client.rpc('version', { msize: 8192, version: '9P2000.u' }).version.toString(), 'unknown', '9P2000.u is unknown');
  t.equal(client.errno('attach', { fid: 0, afid: C.NOFID, uname: '', aname: '', n_uname: 0 }), E.EPROTO, 'no attach without a version');
  t.equal(client.errno('version', { msize: 100, version: '9P2000.L' }), E.EINVAL, 'msize below 4096 refused');
  t.equal(client.rpc('version', { msize: 8192, version: '9P2000.L.wvisor' }).version.toString(), '9P2000.L.wvisor', 'the wvisor extension');
  t.equal(client.errno('auth', { afid: 1, uname: '', aname: '', n_uname: 0 }), E.ENOENT, 'Tauth: no authentication (as diod)');
  client.attach(0);
  client.walk(0, 1, []);
  client.version(8192);
  t.equal(client.errno('clunk', { fid: 1 }), E.EBADF, 'Tversion clunked every fid');
  client.close();
  await g.exited;
});

t.test('walk and getattr', async (t) => {
  const f = fid();
  const { wqids } = c.walk(0, f, ['dir', 'inner.txt']);
  const st = fs.statSync(path.join(root, 'dir', 'inner.txt'), { bigint: true });
  t.equal(wqids.length, 2);
  t.equal(wqids[0].type, C.QTDIR, 'a directory qid');
  t.equal(wqids[1].type, C.QTFILE, 'a file qid');
  t.equal(wqids[1].path, st.ino, 'qid.path is the inode number');
  const a = c.rpc('getattr', { fid: f, request_mask: BigInt(C.GETATTR_ALL) });
  t.equal(a.valid & BigInt(C.GETATTR_BASIC), BigInt(C.GETATTR_BASIC), 'basic attributes valid');
  t.equal(a.mode, Number(st.mode));
  t.equal(a.uid, Number(st.uid));
  t.equal(a.gid, Number(st.gid));
  t.equal(a.nlink, st.nlink);
  t.equal(a.size, st.size);
  t.equal(a.blocks, st.blocks);
  t.equal(a.mtime_sec * 1_000_000_000n + a.mtime_nsec, st.mtimeNs, 'mtime to the nanosecond');
  t.equal(a.ctime_sec * 1_000_000_000n + a.ctime_nsec, st.ctimeNs);
  t.same(a.qid, wqids[1], 'getattr qid = walk qid');

  const clone = fid();
  t.same(c.walk(f, clone, []).wqids, [], 'nwname 0 clones');
  t.equal(c.rpc('getattr', { fid: clone, request_mask: 0x7ffn }).size, st.size);
  t.equal(c.errno('walk', { fid: 0, newfid: clone, wnames: [] }), E.EBADF, 'newfid in use');
  t.equal(c.errno('walk', { fid: 999999, newfid: fid(), wnames: [] }), E.EBADF, 'bad fid');
  t.equal(c.errno('walk', { fid: 0, newfid: fid(), wnames: ['nope'] }), E.ENOENT, 'first step fails: Rlerror');
  const partial = fid();
  t.equal(c.walk(0, partial, ['dir', 'nope']).wqids.length, 1, 'a later step fails: partial Rwalk');
  t.equal(c.errno('clunk', { fid: partial }), E.EBADF, 'and newfid was not created');
  t.equal(c.walk(0, fid(), ['hello.txt', 'x']).wqids.length, 1, 'walk through a file stops after it');
  t.equal(c.errno('walk', { fid: f, newfid: fid(), wnames: ['x'] }), E.ENOTDIR, 'walk from a file: ENOTDIR');

  const moving = fid();
  c.walk(0, moving, []);
  c.walk(moving, moving, ['dir']);
  t.equal(c.rpc('getattr', { fid: moving, request_mask: 0x7ffn }).qid.type, C.QTDIR, 'walk with newfid = fid moves the fid');
  for (const n of [f, clone, moving]) c.clunk(n);
});

t.test('lopen and read', async (t) => {
  const f = fid();
  c.walk(0, f, ['hello.txt']);
  const o = c.rpc('lopen', { fid: f, flags: O_RDONLY });
  t.equal(o.qid.type, C.QTFILE);
  t.same(c.lastFds, [], 'plain 9P2000.L: no fd donated');
  t.equal(c.readAll(f, 5).toString(), 'hello, gofer\n', 'read in 5-byte chunks');
  t.equal(c.rpc('read', { fid: f, offset: 7n, count: 100 }).data.toString(), 'gofer\n', 'read at an offset');
  t.equal(c.rpc('read', { fid: f, offset: 1000n, count: 100 }).data.length, 0, 'read past the end');
  t.equal(c.rpc('read', { fid: f, offset: 0n, count: 0 }).data.length, 0, 'read of 0 bytes');
  t.equal(c.rpc('read', { fid: f, offset: 0n, count: 0xffffffff }).data.length, 13, 'a count above msize is capped');
  t.equal(c.errno('lopen', { fid: f, flags: O_RDONLY }), E.EINVAL, 'open twice');
  t.equal(c.errno('write', { fid: f, offset: 0n, data: Buffer.from('x') }), E.EBADF, 'write on a read-only open');
  c.clunk(f);

  const notOpen = fid();
  c.walk(0, notOpen, ['hello.txt']);
  t.equal(c.errno('read', { fid: notOpen, offset: 0n, count: 10 }), E.EBADF, 'read of a fid not open');
  c.clunk(notOpen);

  const d = fid();
  c.walk(0, d, ['dir']);
  t.equal(c.errno('lopen', { fid: d, flags: O_WRONLY }), E.EISDIR, 'a directory for writing');
  c.rpc('lopen', { fid: d, flags: O_RDONLY | O_DIRECTORY });
  t.equal(c.errno('read', { fid: d, offset: 0n, count: 10 }), E.EISDIR, 'Tread of a directory');
  c.clunk(d);

  const l = fid();
  c.walk(0, l, ['link']);
  t.equal(c.errno('lopen', { fid: l, flags: O_RDONLY }), E.ELOOP, 'a symlink is never opened');
  c.clunk(l);
});

t.test('readdir', async (t) => {
  const d = fid();
  c.walk(0, d, ['dir']);
  c.rpc('lopen', { fid: d, flags: O_RDONLY });
  const expected = ['.', '..', ...fs.readdirSync(path.join(root, 'dir'))].sort();
  const big = c.readdirAll(d, 1 << 16);
  t.same(big.map((e) => e.name).sort(), expected, 'every entry, with . and ..');
  const small = c.readdirAll(d, 300);
  t.same(small.map((e) => e.name).sort(), expected, 'every entry exactly once with a small count (resumed by offset)');
  const inner = big.find((e) => e.name === 'inner.txt')!;
  t.equal(inner.path, fs.statSync(path.join(root, 'dir', 'inner.txt'), { bigint: true }).ino, 'entry qid.path is the inode');
  t.equal(inner.type, 8, 'd_type DT_REG');
  t.equal(c.errno('readdir', { fid: d, offset: 0n, count: 20 }), E.EINVAL, 'count too small for one entry');
  c.clunk(d);

  const r = fid();
  c.walk(0, r, []);
  c.rpc('lopen', { fid: r, flags: O_RDONLY });
  const top = c.readdirAll(r);
  t.same(top.map((e) => e.name).sort(), ['.', '..', ...fs.readdirSync(root)].sort());
  const rootIno = fs.statSync(root, { bigint: true }).ino;
  t.equal(top.find((e) => e.name === '..')!.path, rootIno, 'the root\'s .. is the root');
  t.equal(top.find((e) => e.name === 'link')!.qidType, C.QTSYMLINK);
  t.equal(top.find((e) => e.name === 'dir')!.qidType, C.QTDIR);
  c.clunk(r);
});

t.test('lcreate, write, mkdir, unlinkat', async (t) => {
  const f = fid();
  c.walk(0, f, []);
  const cr = c.rpc('lcreate', { fid: f, name: 'new.txt', flags: O_RDWR, mode: 0o640, gid: process.getgid!() });
  t.equal(cr.qid.type, C.QTFILE);
  t.equal(c.rpc('write', { fid: f, offset: 0n, data: Buffer.from('written through 9P') }).count, 18);
  t.equal(c.rpc('write', { fid: f, offset: 8n, data: Buffer.from('THROUGH') }).count, 7);
  t.equal(c.rpc('write', { fid: f, offset: 0n, data: Buffer.alloc(0) }).count, 0, 'write of 0 bytes');
  c.rpc('fsync', { fid: f, datasync: 0 });
  c.rpc('fsync', { fid: f, datasync: 1 });
  const p = path.join(root, 'new.txt');
  t.equal(fs.readFileSync(p, 'utf8'), 'written THROUGH 9P', 'the host sees the writes');
  t.equal(fs.statSync(p).mode & 0o7777, 0o640, 'mode as asked (no umask applied by the gofer)');
  t.equal(cr.qid.path, fs.statSync(p, { bigint: true }).ino, 'the fid now names the new file');
  c.clunk(f);

  const again = fid();
  c.walk(0, again, []);
  t.equal(c.errno('lcreate', { fid: again, name: 'new.txt', flags: O_RDWR | O_EXCL, mode: 0o600, gid: 0 }), E.EEXIST, 'O_EXCL on an existing file');
  c.rpc('lcreate', { fid: again, name: 'new.txt', flags: O_RDWR | O_TRUNC, mode: 0o600, gid: 0 });
  t.equal(fs.readFileSync(p, 'utf8'), '', 'without O_EXCL: the existing file is opened (and truncated)');
  c.clunk(again);
  const onDir = fid();
  c.walk(0, onDir, []);
  t.equal(c.errno('lcreate', { fid: onDir, name: 'dir', flags: O_RDWR, mode: 0o600, gid: 0 }), E.EISDIR, 'lcreate over a directory');
  t.equal(c.errno('lcreate', { fid: onDir, name: 'link', flags: O_RDWR, mode: 0o600, gid: 0 }), E.ELOOP, 'lcreate over a symlink');
  c.clunk(onDir);

  const mk = c.rpc('mkdir', { dfid: 0, name: 'made', mode: 0o750, gid: process.getgid!() });
  t.equal(mk.qid.type, C.QTDIR);
  t.equal(fs.statSync(path.join(root, 'made')).mode & 0o7777, 0o750);
  t.equal(c.errno('mkdir', { dfid: 0, name: 'made', mode: 0o750, gid: 0 }), E.EEXIST);
  fs.writeFileSync(path.join(root, 'made', 'x'), '');
  t.equal(c.errno('unlinkat', { dirfd: 0, name: 'made', flags: C.AT_REMOVEDIR }), E.ENOTEMPTY);
  t.equal(c.errno('unlinkat', { dirfd: 0, name: 'made', flags: 0 }), E.EISDIR, 'unlink of a directory without AT_REMOVEDIR');
  const made = fid();
  c.walk(0, made, ['made']);
  c.rpc('unlinkat', { dirfd: made, name: 'x', flags: 0 });
  c.rpc('unlinkat', { dirfd: 0, name: 'made', flags: C.AT_REMOVEDIR });
  t.notOk(fs.existsSync(path.join(root, 'made')), 'directory removed');
  t.equal(c.errno('walk', { fid: made, newfid: fid(), wnames: ['x'] }), E.ENOENT, 'the removed directory\'s fid still works, and is empty');
  c.clunk(made);
  c.rpc('unlinkat', { dirfd: 0, name: 'new.txt', flags: 0 });
  t.notOk(fs.existsSync(p));
  t.equal(c.errno('mkdir', { dfid: 0, name: '..', mode: 0o755, gid: 0 }), E.EINVAL, '".." as a new name');
  t.equal(c.errno('unlinkat', { dirfd: 0, name: '.', flags: C.AT_REMOVEDIR }), E.EINVAL, '"." as a name to remove');
});

t.test('mknod', async (t) => {
  c.rpc('mknod', { dfid: 0, name: 'fifo', mode: S_IFIFO | 0o600, major: 0, minor: 0, gid: 0 });
  t.ok(fs.statSync(path.join(root, 'fifo')).isFIFO(), 'a fifo');
  c.rpc('mknod', { dfid: 0, name: 'plain', mode: S_IFREG | 0o600, major: 0, minor: 0, gid: 0 });
  t.ok(fs.statSync(path.join(root, 'plain')).isFile(), 'a regular file');
  t.equal(c.errno('mknod', { dfid: 0, name: 'null', mode: S_IFCHR | 0o666, major: 1, minor: 3, gid: 0 }), E.EPERM, 'no device nodes');
  t.equal(c.errno('mknod', { dfid: 0, name: 'sock', mode: S_IFSOCK | 0o666, major: 0, minor: 0, gid: 0 }), E.EPERM, 'no sockets');
  const f = fid();
  c.walk(0, f, ['fifo']);
  t.equal(c.errno('lopen', { fid: f, flags: O_RDONLY }), E.EPERM, 'a fifo is never opened by the gofer (it could block)');
  c.clunk(f);
  c.rpc('unlinkat', { dirfd: 0, name: 'fifo', flags: 0 });
  c.rpc('unlinkat', { dirfd: 0, name: 'plain', flags: 0 });
});

t.test('renameat, rename, and .. after a move', async (t) => {
  fs.mkdirSync(path.join(root, 'a'));
  fs.mkdirSync(path.join(root, 'b'));
  fs.mkdirSync(path.join(root, 'a', 'sub'));
  const a = fid();
  const b = fid();
  const sub = fid();
  c.walk(0, a, ['a']);
  c.walk(0, b, ['b']);
  c.walk(a, sub, ['sub']);
  c.rpc('renameat', { olddirfid: a, oldname: 'sub', newdirfid: b, newname: 'moved' });
  t.ok(fs.existsSync(path.join(root, 'b', 'moved')), 'renamed on the host');
  const up = fid();
  const bIno = fs.statSync(path.join(root, 'b'), { bigint: true }).ino;
  t.equal(c.walk(sub, up, ['..']).wqids[0].path, bIno, '.. of the moved directory is its new parent');
  c.clunk(up);

  const file = fid();
  fs.writeFileSync(path.join(root, 'a', 'f'), 'f');
  c.walk(a, file, ['f']);
  c.rpc('rename', { fid: file, dfid: b, name: 'g' });
  t.ok(fs.existsSync(path.join(root, 'b', 'g')) && !fs.existsSync(path.join(root, 'a', 'f')), 'Trename moved the fid\'s file');
  t.equal(c.errno('rename', { fid: 0, dfid: b, name: 'x' }), E.EBUSY, 'the root cannot be renamed');
  t.equal(c.errno('renameat', { olddirfid: a, oldname: 'nope', newdirfid: b, newname: 'x' }), E.ENOENT);
  for (const n of [a, b, sub, file]) c.clunk(n);
  fs.rmSync(path.join(root, 'a'), { recursive: true });
  fs.rmSync(path.join(root, 'b'), { recursive: true });
});

t.test('symlink, readlink, link', async (t) => {
  const q = c.rpc('symlink', { fid: 0, name: 'sl', symtgt: '../somewhere/else', gid: process.getgid!() }).qid;
  t.equal(q.type, C.QTSYMLINK);
  t.equal(fs.readlinkSync(path.join(root, 'sl')), '../somewhere/else');
  const s = fid();
  t.equal(c.walk(0, s, ['sl']).wqids[0].type, C.QTSYMLINK, 'walk to a symlink gives the symlink itself');
  t.equal(c.rpc('readlink', { fid: s }).target.toString(), '../somewhere/else');
  t.equal(c.rpc('getattr', { fid: s, request_mask: 0x7ffn }).mode & 0o170000, 0o120000, 'getattr of the link itself');
  const f = fid();
  c.walk(0, f, ['hello.txt']);
  t.equal(c.errno('readlink', { fid: f }), E.EINVAL, 'readlink of a file');

  c.rpc('link', { dfid: 0, fid: f, name: 'hard' });
  const st = fs.statSync(path.join(root, 'hard'), { bigint: true });
  t.equal(st.ino, fs.statSync(path.join(root, 'hello.txt'), { bigint: true }).ino, 'a hard link to the same inode');
  t.equal(c.rpc('getattr', { fid: f, request_mask: 0x7ffn }).nlink, 2n, 'nlink 2');
  c.rpc('link', { dfid: 0, fid: s, name: 'hard-sl' });
  t.equal(fs.readlinkSync(path.join(root, 'hard-sl')), '../somewhere/else', 'a hard link to a symlink is the symlink');
  const d = fid();
  c.walk(0, d, ['dir']);
  t.equal(c.errno('link', { dfid: 0, fid: d, name: 'dirlink' }), E.EPERM, 'no hard links to directories');
  for (const n of [s, f, d]) c.clunk(n);
  for (const n of ['sl', 'hard', 'hard-sl']) c.rpc('unlinkat', { dirfd: 0, name: n, flags: 0 });
});

t.test('setattr', async (t) => {
  const p = path.join(root, 'attrs');
  fs.writeFileSync(p, 'some content here');
  const f = fid();
  c.walk(0, f, ['attrs']);
  const none = { mode: 0, uid: 0, gid: 0, size: 0n, atime_sec: 0n, atime_nsec: 0n, mtime_sec: 0n, mtime_nsec: 0n };
  c.rpc('setattr', { ...none, fid: f, valid: C.SETATTR_SIZE, size: 4n });
  t.equal(fs.readFileSync(p, 'utf8'), 'some', 'truncate without an open fid');
  c.rpc('setattr', { ...none, fid: f, valid: C.SETATTR_MODE, mode: 0o4711 });
  t.equal(fs.statSync(p).mode & 0o7777, 0o4711, 'chmod');
  c.rpc('setattr', {
    ...none, fid: f, valid: C.SETATTR_ATIME | C.SETATTR_ATIME_SET | C.SETATTR_MTIME | C.SETATTR_MTIME_SET,
    atime_sec: 1000n, atime_nsec: 5n, mtime_sec: 2000n, mtime_nsec: 123456789n,
  });
  const st = fs.statSync(p, { bigint: true });
  t.equal(st.atimeNs, 1000_000_000_005n, 'atime set');
  t.equal(st.mtimeNs, 2000_123_456_789n, 'mtime set');
  const before = Date.now();
  c.rpc('setattr', { ...none, fid: f, valid: C.SETATTR_MTIME });
  t.ok(fs.statSync(p).mtimeMs >= before - 1000, 'mtime without MTIME_SET is now');
  t.equal(fs.statSync(p, { bigint: true }).atimeNs, 1000_000_000_005n, 'atime untouched when not asked');
  if (process.getuid!() === 0) {
    c.rpc('setattr', { ...none, fid: f, valid: C.SETATTR_UID | C.SETATTR_GID, uid: 1234, gid: 5678 });
    const o = fs.statSync(p);
    t.same([o.uid, o.gid], [1234, 5678], 'chown');
  }
  c.rpc('lopen', { fid: f, flags: O_RDWR });
  c.rpc('setattr', { ...none, fid: f, valid: C.SETATTR_SIZE, size: 2n });
  t.equal(fs.readFileSync(p, 'utf8'), 'so', 'truncate through the open fid');
  c.clunk(f);

  const l = fid();
  c.walk(0, l, ['link']);
  t.equal(c.errno('setattr', { ...none, fid: l, valid: C.SETATTR_MODE, mode: 0o600 }), E.EOPNOTSUPP, 'no chmod of a symlink');
  c.rpc('setattr', { ...none, fid: l, valid: C.SETATTR_MTIME | C.SETATTR_MTIME_SET, mtime_sec: 3000n });
  t.equal(fs.lstatSync(path.join(root, 'link')).mtimeMs, 3000_000, 'times of the symlink itself');
  t.not(fs.statSync(path.join(root, 'hello.txt')).mtimeMs, 3000_000, 'not of its target');
  c.clunk(l);
  c.rpc('unlinkat', { dirfd: 0, name: 'attrs', flags: 0 });
});

t.test('statfs', async (t) => {
  const s = c.rpc('statfs', { fid: 0 });
  const h = fs.statfsSync(root);
  t.equal(s.type, h.type, 'f_type');
  t.equal(s.bsize, h.bsize, 'f_bsize');
  t.equal(s.blocks, BigInt(h.blocks), 'f_blocks');
  t.equal(s.files, BigInt(h.files), 'f_files');
  t.ok(s.namelen >= 255, 'namelen');
});

t.test('lock and getlock', async (t) => {
  fs.writeFileSync(path.join(root, 'locked'), 'x'.repeat(100));
  const a = fid();
  const b = fid();
  c.walk(0, a, ['locked']);
  c.walk(0, b, ['locked']);
  c.rpc('lopen', { fid: a, flags: O_RDWR });
  c.rpc('lopen', { fid: b, flags: O_RDWR });
  const lk = (f: number, type: number, start = 0n, length = 0n) =>
    c.rpc('lock', { fid: f, type, flags: 0, start, length, proc_id: 42, client_id: 'test' }).status;
  t.equal(lk(a, C.LOCK_TYPE_WRLCK, 0n, 10n), C.LOCK_SUCCESS, 'A write-locks [0,10)');
  t.equal(lk(b, C.LOCK_TYPE_WRLCK, 5n, 10n), C.LOCK_BLOCKED, 'B conflicts: BLOCKED');
  t.equal(lk(b, C.LOCK_TYPE_WRLCK, 10n, 10n), C.LOCK_SUCCESS, 'B locks a range that does not overlap');
  const g = c.rpc('getlock', { fid: b, type: C.LOCK_TYPE_WRLCK, start: 0n, length: 0n, proc_id: 7, client_id: 'test' });
  t.equal(g.type, C.LOCK_TYPE_WRLCK, 'getlock reports A\'s lock');
  t.equal(g.start, 0n);
  t.equal(g.length, 10n);
  t.equal(lk(a, C.LOCK_TYPE_UNLCK, 0n, 0n), C.LOCK_SUCCESS, 'A unlocks');
  t.equal(c.rpc('getlock', { fid: b, type: C.LOCK_TYPE_WRLCK, start: 0n, length: 5n, proc_id: 7, client_id: 'x' }).type, C.LOCK_TYPE_UNLCK, 'nothing conflicts now');
  t.equal(lk(b, C.LOCK_TYPE_RDLCK, 0n, 5n), C.LOCK_SUCCESS);
  t.equal(lk(a, C.LOCK_TYPE_RDLCK, 0n, 5n), C.LOCK_SUCCESS, 'read locks share');
  t.equal(c.errno('lock', { fid: a, type: 9, flags: 0, start: 0n, length: 0n, proc_id: 1, client_id: '' }), E.EINVAL, 'bad lock type');
  c.clunk(a);
  t.equal(lk(b, C.LOCK_TYPE_WRLCK, 0n, 0n), C.LOCK_SUCCESS, 'clunk released A\'s locks');
  c.clunk(b);
  const n = fid();
  c.walk(0, n, ['locked']);
  t.equal(c.errno('lock', { fid: n, type: C.LOCK_TYPE_WRLCK, flags: 0, start: 0n, length: 0n, proc_id: 1, client_id: '' }), E.EBADF, 'lock needs an open fid');
  c.clunk(n);
});

t.test('remove, flush, xattrs, unknown messages', async (t) => {
  fs.writeFileSync(path.join(root, 'doomed'), '');
  const f = fid();
  c.walk(0, f, ['doomed']);
  c.rpc('remove', { fid: f });
  t.notOk(fs.existsSync(path.join(root, 'doomed')), 'Tremove removed it');
  t.equal(c.errno('clunk', { fid: f }), E.EBADF, 'and clunked the fid');
  t.same(c.rpc('flush', { oldtag: 3 }), {}, 'Rflush');
  t.equal(c.errno('xattrwalk', { fid: 0, newfid: fid(), name: 'user.x' }), E.EOPNOTSUPP);
  t.equal(c.errno('xattrcreate', { fid: 0, name: 'user.x', attr_size: 1n, flags: 0 }), E.EOPNOTSUPP);
  // Tstat (9P2000's, type 124) and an unassigned type.
  for (const type of [124, 200, 6]) {
    const frame = Buffer.from([11, 0, 0, 0, type, 9, 0, 0, 0, 0, 0]);
    t.ok(c.sendRaw(frame));
    const r = c.readReply()!;
    t.same([r.name, r.tag, r.body], ['lerror', 9, { ecode: E.EOPNOTSUPP }], `type ${type}: Rlerror EOPNOTSUPP`);
  }
  // A Tfsync without the datasync field (diod's form) is accepted.
  const g = fid();
  c.walk(0, g, ['hello.txt']);
  c.rpc('lopen', { fid: g, flags: O_RDONLY });
  const short = encodeRequest('fsync', 5, { fid: g, datasync: 0 });
  const cut = Buffer.from(short.subarray(0, short.length - 4));
  cut.writeUInt32LE(cut.length, 0);
  c.sendRaw(cut);
  t.equal(c.readReply()!.name, 'fsync', 'Tfsync without datasync');
  c.clunk(g);
});

t.test('fd donation on 9P2000.L.wvisor', async (t) => {
  const { gofer: g, c: w } = session(root, [], '9P2000.L.wvisor');
  w.walk(0, 1, ['hello.txt']);
  w.rpc('lopen', { fid: 1, flags: O_RDONLY });
  t.equal(w.lastFds.length, 1, 'Rlopen of a regular file carries one fd');
  const fd = w.lastFds[0];
  const buf = Buffer.alloc(64);
  const n = fs.readSync(fd, buf, 0, 64, 0);
  t.equal(buf.subarray(0, n).toString(), 'hello, gofer\n', 'the file read through the donated fd');
  t.throws(() => fs.writeSync(fd, 'x'), { code: 'EBADF' }, 'opened O_RDONLY: not writable');
  w.clunk(1);
  t.equal(fs.readSync(fd, buf, 0, 5, 0), 5, 'the donated fd outlives the fid');
  fs.closeSync(fd);

  w.walk(0, 2, ['dir']);
  w.rpc('lopen', { fid: 2, flags: O_RDONLY });
  t.same(w.lastFds, [], 'directories are not donated');
  w.clunk(2);

  w.walk(0, 3, []);
  w.rpc('lcreate', { fid: 3, name: 'donated.txt', flags: O_RDWR, mode: 0o644, gid: 0 });
  t.equal(w.lastFds.length, 1, 'Rlcreate carries the new file\'s fd');
  const cfd = w.lastFds[0];
  fs.writeSync(cfd, 'via the fd', 0);
  t.equal(w.rpc('read', { fid: 3, offset: 0n, count: 100 }).data.toString(), 'via the fd', 'same file through 9P');
  fs.closeSync(cfd);
  w.clunk(3);
  w.rpc('unlinkat', { dirfd: 0, name: 'donated.txt', flags: 0 });

  w.walk(0, 4, ['link']);
  t.equal(w.errno('lopen', { fid: 4, flags: O_RDONLY }), E.ELOOP);
  t.same(w.lastFds, [], 'no fd with an Rlerror');
  w.close();
  await g.exited;
  t.notMatch(g.stderr(), /BUG/);
});

t.test('getattrat (the wvisor extension)', async (t) => {
  const { gofer: g, c: w } = session(root, [], '9P2000.L.wvisor');
  const st = fs.lstatSync(path.join(root, 'hello.txt'));
  const a = w.rpc('getattrat', { dfid: 0, request_mask: 0x7ffn, name: Buffer.from('hello.txt') });
  t.equal(a.size, BigInt(st.size), 'the size of a name in the directory');
  t.equal(a.qid.path, BigInt(st.ino), 'its qid path is the inode number');
  t.equal(a.mode, st.mode, 'its mode');
  t.equal(a.target.length, 0, 'no target for a regular file');
  const l = w.rpc('getattrat', { dfid: 0, request_mask: 0x7ffn, name: Buffer.from('link') });
  t.equal(l.mode & 0o170000, 0o120000, 'a symlink is not followed');
  t.equal(l.target.toString(), 'hello.txt', 'and its target comes along');
  t.equal(w.rpc('getattrat', { dfid: 0, request_mask: 0x7ffn, name: Buffer.from('dir') }).qid.type, C.QTDIR, 'a directory');
  t.equal(w.errno('getattrat', { dfid: 0, request_mask: 0x7ffn, name: Buffer.from('absent') }), E.ENOENT, 'a missing name');
  t.equal(w.errno('getattrat', { dfid: 0, request_mask: 0x7ffn, name: Buffer.from('..') }), E.EINVAL, '".." is not a name');
  t.equal(w.errno('getattrat', { dfid: 0, request_mask: 0x7ffn, name: Buffer.from('dir/inner.txt') }), E.EINVAL, 'one component only');
  w.walk(0, 1, ['hello.txt']);
  t.equal(w.errno('getattrat', { dfid: 1, request_mask: 0x7ffn, name: Buffer.from('x') }), E.ENOTDIR, 'from a file');
  t.equal(w.errno('getattrat', { dfid: 77, request_mask: 0x7ffn, name: Buffer.from('x') }), E.EBADF, 'from an unknown fid');
  w.close();
  t.equal(c.errno('getattrat', { dfid: 0, request_mask: 0x7ffn, name: Buffer.from('hello.txt') }), E.EOPNOTSUPP,
    'a plain 9P2000.L session does not have it');
  await g.exited;
  t.notMatch(g.stderr(), /BUG/);
});

t.test('readdirplus (the wvisor extension)', async (t) => {
  const { gofer: g, c: w } = session(root, [], '9P2000.L.wvisor');
  w.walk(0, 1, []);
  w.rpc('lopen', { fid: 1, flags: O_RDONLY });
  const entries: { name: string; size: bigint; mode: number; target: string }[] = [];
  const data = w.rpc('readdirplus', { fid: 1, offset: 0n, count: 4096 }).data;
  const r = new Reader(data, 0, data.length);
  let end: { offset: bigint; mode: number; left: number } | undefined;
  while (r.left > 0 && end === undefined) {
    const e = direntPlus.read(r);
    if (e.name.length === 0) end = { offset: e.offset, mode: e.attr.mode, left: r.left };
    else entries.push({ name: e.name.toString(), size: e.attr.size, mode: e.attr.mode, target: e.target.toString() });
  }
  const names = entries.map((e) => e.name).sort();
  t.same(names, fs.readdirSync(root).sort(), 'every entry, without "." and "..", in one reply');
  t.same(end && { mode: end.mode, left: end.left }, { mode: 0, left: 0 }, 'which ends with the end record');
  t.equal(w.rpc('readdirplus', { fid: 1, offset: end?.offset ?? 0n, count: 4096 }).data.length, 0, 'resumed from its offset: nothing more');
  const hello = entries.find((e) => e.name === 'hello.txt')!;
  t.equal(hello.size, BigInt(fs.statSync(path.join(root, 'hello.txt')).size), 'with its size');
  const link = entries.find((e) => e.name === 'link')!;
  t.equal(link.mode & 0o170000, 0o120000, 'a symlink as itself');
  t.equal(link.target, 'hello.txt', 'with its target');
  w.walk(0, 2, ['dir']);
  w.rpc('lopen', { fid: 2, flags: O_RDONLY });
  let n = 0;
  let ended = false;
  let offset = 0n;
  while (!ended) {
    const data = w.rpc('readdirplus', { fid: 2, offset, count: 600 }).data;
    if (data.length === 0) break;
    const r = new Reader(data, 0, data.length);
    while (r.left > 0) {
      const e = direntPlus.read(r);
      ended = e.name.length === 0;
      if (ended) break;
      offset = e.offset;
      n++;
    }
  }
  t.equal(n, fs.readdirSync(path.join(root, 'dir')).length, 'a big directory in small replies, resumed by offset');
  t.equal(w.errno('readdirplus', { fid: 2, offset: 0n, count: 40 }), E.EINVAL, 'a count too small for one entry');
  w.close();
  c.walk(0, 9, []);
  c.rpc('lopen', { fid: 9, flags: O_RDONLY });
  t.equal(c.errno('readdirplus', { fid: 9, offset: 0n, count: 4096 }), E.EOPNOTSUPP, 'not on a plain 9P2000.L session');
  c.clunk(9);
  await g.exited;
  t.notMatch(g.stderr(), /BUG/);
});

t.test('pipelined requests: a donated fd is the file its Rlopen opened, even when a later request of the same read closes it', async (t) => {
  // One read holds: walk to a file, open it (donates its fd), clunk it (closes that fd),
  // walk to a directory and open it (its fd may reuse the number). The donation must be sent
  // before the clunk is handled, else the directory's fd would go out as the file's.
  const { gofer: g, c: w } = session(root, ['--ro'], '9P2000.L.wvisor');
  const frames = [
    encodeRequest('walk', 1, { fid: 0, newfid: 1, wnames: ['hello.txt'] }),
    encodeRequest('lopen', 2, { fid: 1, flags: O_RDONLY }),
    encodeRequest('clunk', 3, { fid: 1 }),
    encodeRequest('walk', 4, { fid: 0, newfid: 2, wnames: ['dir'] }),
    encodeRequest('lopen', 5, { fid: 2, flags: O_RDONLY | 0o200000 }),
  ];
  t.ok(w.sendRaw(Buffer.concat(frames)), 'sent in one write');
  w.lastFds = [];
  const names = [];
  for (let i = 0; i < frames.length; i++) names.push(w.readReply()?.name);
  t.same(names, ['walk', 'lopen', 'clunk', 'walk', 'lopen'], 'every reply, in order');
  t.equal(w.lastFds.length, 1, 'one fd donated (a directory is not)');
  for (const fd of w.lastFds) {
    t.equal(fs.readlinkSync(`/proc/self/fd/${fd}`), path.join(root, 'hello.txt'), 'the donated fd is the file');
    fs.closeSync(fd);
  }
  w.close();
  t.equal(await g.exited, 0);
});

t.test('readdirplus and getattrat attributes are the host lstat, field by field', async (t) => {
  // /dev holds device files (rdev), symlinks and directories side by side.
  const { gofer: g, c: w } = session('/dev', [], '9P2000.L.wvisor');
  w.walk(0, 1, []);
  w.rpc('lopen', { fid: 1, flags: O_RDONLY });
  const data = w.rpc('readdirplus', { fid: 1, offset: 0n, count: 60000 }).data;
  const r = new Reader(data, 0, data.length);
  const ns = (sec: bigint, nsec: bigint) => sec * 1_000_000_000n + nsec;
  let checked = 0;
  let devices = 0;
  while (r.left > 0) {
    const e = direntPlus.read(r);
    if (e.name.length === 0) break;
    const name = e.name.toString();
    let st: fs.BigIntStats;
    try {
      st = fs.lstatSync(path.join('/dev', name), { bigint: true });
    } catch {
      continue; // gone meanwhile
    }
    const a = e.attr;
    // qid.path: st_ino, with a small index of the device in the top byte (mount points).
    const got = [a.mode, a.uid, a.gid, a.nlink, a.rdev, a.size, a.blksize, a.blocks, a.qid.path & ((1n << 56n) - 1n), ns(a.mtime_sec, a.mtime_nsec), ns(a.ctime_sec, a.ctime_nsec)];
    const want = [Number(st.mode), Number(st.uid), Number(st.gid), st.nlink, st.rdev, st.size, st.blksize, st.blocks, st.ino, st.mtimeNs, st.ctimeNs];
    if (JSON.stringify(got, (_, v) => (typeof v === 'bigint' ? v.toString() : v)) !== JSON.stringify(want, (_, v) => (typeof v === 'bigint' ? v.toString() : v))) {
      t.fail(`${name}: ${got} != ${want}`);
    }
    if (st.isCharacterDevice() || st.isBlockDevice()) devices++;
    const at = w.rpc('getattrat', { dfid: 0, request_mask: BigInt(C.GETATTR_ALL), name });
    const { target, ...attr } = at;
    t.same(attr, a, `${name}: getattrat says the same`, { diagnostic: false });
    if (st.isSymbolicLink()) t.equal(target.toString(), fs.readlinkSync(path.join('/dev', name)), `${name}: its target`);
    checked++;
  }
  t.ok(checked > 5 && devices > 0, `${checked} entries checked, ${devices} of them devices`);
  w.close();
  t.equal(await g.exited, 0, 'the gofer ends with its connection');
  t.notMatch(g.stderr(), /BUG/);
});

t.test('read-only mode', async (t) => {
  const { gofer: g, c: r } = session(root, ['--ro'], '9P2000.L.wvisor');
  const none = { mode: 0, uid: 0, gid: 0, size: 0n, atime_sec: 0n, atime_nsec: 0n, mtime_sec: 0n, mtime_nsec: 0n };
  r.walk(0, 1, ['hello.txt']);
  r.walk(0, 2, ['dir']);
  const refused: [string, () => number][] = [
    ['lopen O_WRONLY', () => r.errno('lopen', { fid: 1, flags: O_WRONLY })],
    ['lopen O_RDWR', () => r.errno('lopen', { fid: 1, flags: O_RDWR })],
    ['lopen O_TRUNC', () => r.errno('lopen', { fid: 1, flags: O_RDONLY | O_TRUNC })],
    ['lcreate', () => r.errno('lcreate', { fid: 2, name: 'x', flags: O_RDWR, mode: 0o644, gid: 0 })],
    ['write', () => r.errno('write', { fid: 1, offset: 0n, data: Buffer.from('x') })],
    ['mkdir', () => r.errno('mkdir', { dfid: 0, name: 'x', mode: 0o755, gid: 0 })],
    ['symlink', () => r.errno('symlink', { fid: 0, name: 'x', symtgt: 'y', gid: 0 })],
    ['mknod', () => r.errno('mknod', { dfid: 0, name: 'x', mode: S_IFIFO | 0o644, major: 0, minor: 0, gid: 0 })],
    ['link', () => r.errno('link', { dfid: 0, fid: 1, name: 'x' })],
    ['rename', () => r.errno('rename', { fid: 1, dfid: 0, name: 'x' })],
    ['renameat', () => r.errno('renameat', { olddirfid: 0, oldname: 'hello.txt', newdirfid: 0, newname: 'x' })],
    ['unlinkat', () => r.errno('unlinkat', { dirfd: 0, name: 'hello.txt', flags: 0 })],
    ['setattr', () => r.errno('setattr', { ...none, fid: 1, valid: C.SETATTR_SIZE })],
    ['xattrcreate', () => r.errno('xattrcreate', { fid: 1, name: 'user.x', attr_size: 0n, flags: 0 })],
  ];
  for (const [what, call] of refused) t.equal(call(), E.EROFS, `${what}: EROFS`);
  r.walk(0, 3, ['hello.txt']);
  t.equal(r.errno('remove', { fid: 3 }), E.EROFS, 'remove: EROFS');
  t.equal(r.errno('clunk', { fid: 3 }), E.EBADF, 'and the fid was clunked all the same');
  t.ok(fs.existsSync(path.join(root, 'hello.txt')), 'nothing changed on the host');

  r.rpc('lopen', { fid: 1, flags: O_RDONLY });
  t.equal(r.lastFds.length, 1, 'reading works and donates');
  t.throws(() => fs.writeSync(r.lastFds[0], 'x'), { code: 'EBADF' }, 'the donated fd is read-only');
  fs.closeSync(r.lastFds[0]);
  t.equal(r.readAll(1).toString(), 'hello, gofer\n');
  t.equal(r.rpc('lock', { fid: 1, type: C.LOCK_TYPE_RDLCK, flags: 0, start: 0n, length: 0n, proc_id: 1, client_id: '' }).status, C.LOCK_SUCCESS, 'read locks still work');
  r.close();
  await g.exited;
});

t.test('kernel file systems are never opened for writing', async (t) => {
  const { gofer: g, c: k } = session('/proc');
  k.walk(0, 1, ['sys', 'kernel', 'hostname']);
  t.equal(k.errno('lopen', { fid: 1, flags: O_RDWR }), E.EACCES, '/proc/sys/kernel/hostname for writing: EACCES');
  t.equal(k.errno('lopen', { fid: 1, flags: O_RDONLY | O_TRUNC }), E.EACCES, 'O_TRUNC too');
  const none = { mode: 0, uid: 0, gid: 0, size: 0n, atime_sec: 0n, atime_nsec: 0n, mtime_sec: 0n, mtime_nsec: 0n };
  t.equal(k.errno('setattr', { ...none, fid: 1, valid: C.SETATTR_SIZE }), E.EACCES, 'truncate too');
  k.rpc('lopen', { fid: 1, flags: O_RDONLY });
  t.equal(k.readAll(1).toString(), fs.readFileSync('/proc/sys/kernel/hostname', 'utf8'), 'reading is fine');
  k.close();
  await g.exited;
});

t.test('the gofer ends with its socket', async (t) => {
  c.close();
  t.equal(await gofer.exited, 0, 'exit 0 when the peer closes');
  t.notMatch(gofer.stderr(), /BUG/, 'no internal error was logged');
});
