// Directories: Treaddir, and the messages that make a new name in one (Tmkdir, Tsymlink,
// Tmknod). Every creation is an *at call on the directory fid's O_PATH fd; the new file is
// then opened O_PATH | O_NOFOLLOW to set its owner and read its qid through that fd, so a
// name swapped right after creation affects nothing outside the tree.
import { checkName, statAtRaw, statFdRaw, type Dentry } from '../dentry.js';
import { targetOf, writeAttr } from './attr.js';
import { Errno, EBADF, EINVAL, ENOTDIR, EOPNOTSUPP, EPERM } from '../errno.js';
import type { Fid } from '../fid_table.js';
import * as abi from '../host/abi.js';
import {
  AT_EMPTY_PATH, DT_DIR, DT_LNK, EMPTY_PATH, O_CLOEXEC, O_NOFOLLOW, O_PATH, S_IFIFO, S_IFMT,
  S_IFREG, SEEK_SET, close, cstr, fchownat, getdents64, lseek, mkdirat, mknodat, openat, symlinkat, sys,
} from '../host/libc.js';
import { NONUNAME, QTDIR, QTFILE, QTSYMLINK } from '../protocol/constants.js';
import { ATTR_SIZE } from '../protocol/messages.js';
import type { Handler } from '../server.js';
import type { Session } from '../session.js';

const DIRENT64_NAME = abi.dirent64Head.fixed;

/**
 * Treaddir: entries from getdents64 after lseek(offset), as many as fit in count. Offsets
 * are the host's d_off cookies, which is what 9P's readdir offset means (the position after
 * the entry), so a client resumes exactly where it stopped. The root's ".." is reported as
 * the root itself, matching walk.
 */
export const readdir: Handler<'readdir'> = (s, req) => ({ data: listEntries(s, req.fid, req.offset, req.count, false) });

/**
 * Treaddirplus (the wvisor extension, gofer/README.md): Treaddir whose entries carry what
 * Tgetattrat would say of them. "." and ".." are left out (the client knows them, and the
 * root's ".." must not be stat'ed outside the tree); an entry removed since getdents64 read
 * it is left out too.
 */
export const readdirplus: Handler<'readdirplus'> = (s, req) => {
  if (!s.donate) throw new Errno(EOPNOTSUPP, 'Treaddirplus outside a 9P2000.L.wvisor session');
  return { data: listEntries(s, req.fid, req.offset, req.count, true) };
};

/** The entries of the open directory fid from offset, as many as fit in count: dirents, or
 *  with plus direntPlus records. */
function listEntries(s: Session, fid: number, offset: bigint, count: number, plus: boolean): Buffer {
  const f = s.fids.get(fid);
  if (f.open === null) throw new Errno(EBADF, 'fid not open');
  const dir = f.dentry;
  if (!dir.isDir) throw new Errno(ENOTDIR, 'readdir of a non-directory');
  const area = s.ioArea(count);
  const buf = s.direntBuffer();
  const open = f.open;
  if (open.dirOffset !== offset) {
    open.dirOffset = null;
    sys(lseek(open.fd, BigInt.asIntN(64, offset), SEEK_SET), 'lseek');
  }
  // Host entries are about as large as 9P's; a little more than count is read, and what does
  // not fit is read again next time from the last offset sent.
  const want = Math.min(buf.length, Math.max(area.length + 512, 1024));
  const root = dir === s.tree.root ? dir : null;
  let n = 0;
  let o = 0;
  let w = 0;
  let last = offset;
  // With plus, read on while every entry read fits: a batch may hold only entries that are
  // left out (an empty reply would say the directory ended), and reading to the end lets the
  // reply say so (END_MARK).
  do {
    n = sys(getdents64(open.fd, buf, want), 'getdents64');
    o = 0;
    let done = -1;
    while (o < n) {
      const reclen = buf.readUInt16LE(o + D_RECLEN);
      if (reclen < DIRENT64_NAME + 1 || o + reclen > n) throw new Error(`getdents64: bad d_reclen ${reclen}`);
      let end = buf.indexOf(0, o + DIRENT64_NAME);
      if (end < 0 || end > o + reclen) end = o + reclen;
      const next = plus ? writeEntryPlus(s, dir, buf, o, end, area, w) : writeDirent(dir, root, buf, o, end, area, w, 0);
      if (next < 0) break;
      w = next;
      done = o;
      o += reclen;
    }
    if (done >= 0) last = BigInt.asUintN(64, buf.readBigInt64LE(done + D_OFF));
  } while (plus && n > 0 && o === n);
  // When every entry read was sent, the fd stands where the client will ask to go on.
  open.dirOffset = o === n ? last : null;
  // An empty reply means the end of the directory: when the next entry exists but does not
  // fit, say so (as getdents64 says EINVAL for a buffer too small).
  if (w === 0 && o < n) throw new Errno(EINVAL, 'count too small for the next entry');
  // (Only after entries: a listing resumed at its end gets the empty reply, as ever.)
  if (plus && n === 0 && w > 0 && w + END_MARK <= area.length) {
    area.fill(0, w, w + END_MARK);
    area.writeBigUInt64LE(last, w + 13);
    w += END_MARK;
  }
  return area.subarray(0, w);
}

/** The record that ends an Rreaddirplus holding a directory's last entries (gofer/README.md):
 *  qid[13] offset[8] type[1] name[2] attr[153] target[2], all zero (an empty name) but the
 *  offset: the host's last one, where a listing resumed finds nothing more. */
const END_MARK = 13 + 8 + 1 + 2 + 153 + 2;

// struct linux_dirent64 (abi.ts dirent64Head, then the name) and 9P's dirent, qid[13]
// offset[8] type[1] name[s] (messages.ts), copied field by field: no number is decoded.
const D_OFF = abi.dirent64Head.offsetOf('d_off');
const D_RECLEN = abi.dirent64Head.offsetOf('d_reclen');
const D_TYPE = abi.dirent64Head.offsetOf('d_type');
const DIRENT_HEAD = 13 + 8 + 1 + 2;

/**
 * Writes the 9P dirent of the host entry at buf[o...] (its name ends at `end`) of directory
 * dir at area[w...], followed by `extra` bytes the caller fills. The qid path is d_ino with
 * the directory's device index in the top byte (DentryTree.qidPath); ".." of the root
 * (`root`, null elsewhere) is the root itself, as walk says. Returns the end of the dirent,
 * or -1 when it and the extra bytes do not fit.
 */
function writeDirent(dir: Dentry, root: Dentry | null, buf: Buffer, o: number, end: number, area: Buffer, w: number, extra: number): number {
  const nameLen = end - (o + DIRENT64_NAME);
  if (w + DIRENT_HEAD + nameLen + extra > area.length) return -1;
  const type = buf[o + D_TYPE];
  if (root !== null && nameLen === 2 && buf[end - 2] === 0x2e && buf[end - 1] === 0x2e) {
    area[w] = root.qid.type;
    area.writeUInt32LE(root.qid.version, w + 1);
    area.writeBigUInt64LE(root.qid.path, w + 5);
  } else {
    area[w] = type === DT_DIR ? QTDIR : type === DT_LNK ? QTSYMLINK : QTFILE; // d_type's qid.type
    area.writeUInt32LE(0, w + 1);
    buf.copy(area, w + 5, o, o + 8);
    area[w + 12] ^= dir.dev & 0xff;
  }
  buf.copy(area, w + 13, o + D_OFF, o + D_OFF + 8);
  area[w + 21] = type;
  area.writeUInt16LE(nameLen, w + 22);
  buf.copy(area, w + 24, o + DIRENT64_NAME, end);
  return w + DIRENT_HEAD + nameLen;
}

/** Writes the Treaddirplus record (messages.ts direntPlus) of the host entry at buf[o...]
 *  (name up to `end`) of dir at area[w...]: the dirent, Rgetattr's fields for the name, a
 *  symlink's target. Returns the record's end; w when the entry is left out ("." and "..",
 *  a name gone meanwhile); -1 when it does not fit. */
function writeEntryPlus(s: Session, dir: Dentry, buf: Buffer, o: number, end: number, area: Buffer, w: number): number {
  const name = buf.subarray(o + DIRENT64_NAME, end);
  if (isDots(name)) return w;
  let st: Buffer;
  let target: Buffer;
  try {
    st = statAtRaw(dir.fd, name);
    target = targetOf(dir, name, st);
  } catch (e) {
    if (e instanceof Errno) return w;
    throw e;
  }
  const at = writeDirent(dir, null, buf, o, end, area, w, ATTR_SIZE + 2 + target.length);
  if (at < 0) return -1;
  writeAttr(s.tree, st, area, at);
  area.writeUInt16LE(target.length, at + ATTR_SIZE);
  target.copy(area, at + ATTR_SIZE + 2);
  return at + ATTR_SIZE + 2 + target.length;
}

function isDots(name: Buffer): boolean {
  return name[0] === 0x2e && (name.length === 1 || (name.length === 2 && name[1] === 0x2e));
}

/** The directory a creation happens in, checked. */
function directoryOf(s: Session, fid: number): { f: Fid; dir: Dentry } {
  const f = s.fids.get(fid);
  if (!f.dentry.isDir) throw new Errno(ENOTDIR, 'not a directory');
  return { f, dir: f.dentry };
}

/**
 * After creating `name` in dir: open it O_PATH | O_NOFOLLOW, give it to the attaching user
 * and the requested gid (when the gofer runs as root, as diod acts as the attaching user),
 * and return its qid.
 */
function finishCreate(s: Session, f: Fid, dir: Dentry, name: Buffer, gid: number) {
  const fd = sys(openat(dir.fd, cstr(name), O_PATH | O_NOFOLLOW | O_CLOEXEC, 0), 'open new file');
  try {
    if (s.server.canChown && (f.uid !== NONUNAME || gid !== NONUNAME)) {
      sys(fchownat(fd, EMPTY_PATH, f.uid, gid, AT_EMPTY_PATH), 'chown');
    }
    return { qid: s.tree.qidOf(statFdRaw(fd)) };
  } finally {
    close(fd);
  }
}

/** Tmkdir: mkdirat with the mode's permission bits (the client applied its umask). */
export const mkdir: Handler<'mkdir'> = (s, req) => {
  const { f, dir } = directoryOf(s, req.dfid);
  checkName(req.name, false);
  sys(mkdirat(dir.fd, cstr(req.name), req.mode & 0o7777), 'mkdir');
  return finishCreate(s, f, dir, req.name, req.gid);
};

/** Tsymlink: symlinkat; the target is stored as given (the gofer never follows it). */
export const symlink: Handler<'symlink'> = (s, req) => {
  const { f, dir } = directoryOf(s, req.fid);
  checkName(req.name, false);
  sys(symlinkat(cstr(req.symtgt), dir.fd, cstr(req.name)), 'symlink');
  return finishCreate(s, f, dir, req.name, req.gid);
};

/**
 * Tmknod: regular files and fifos only. Device nodes would reach host hardware and sockets
 * belong to the Sentry, so both are EPERM (as mknod(2) without CAP_MKNOD).
 */
export const mknod: Handler<'mknod'> = (s, req) => {
  const { f, dir } = directoryOf(s, req.dfid);
  checkName(req.name, false);
  const type = req.mode & S_IFMT;
  if (type !== 0 && type !== S_IFREG && type !== S_IFIFO) throw new Errno(EPERM, 'mknod of a device or socket');
  sys(mknodat(dir.fd, cstr(req.name), (type || S_IFREG) | (req.mode & 0o7777), 0), 'mknod');
  return finishCreate(s, f, dir, req.name, req.gid);
};
