// Tgetattr, Tgetattrat (the wvisor extension) and Tsetattr: a file's attributes through its O_PATH fd (statx, fchownat and
// utimensat with AT_EMPTY_PATH, which act on the fd's own inode, symlinks included).
import { checkName, qidType, statAtRaw, statFdRaw, STX, STX_NSEC, type Dentry, type DentryTree } from '../dentry.js';
import type { Session } from '../session.js';
import type { ReplyInput } from '../protocol/codec.js';
import { Errno, EINVAL, ENOTDIR, EOPNOTSUPP } from '../errno.js';
import * as abi from '../host/abi.js';
import {
  AT_EMPTY_PATH, EMPTY_PATH, O_ACCMODE, O_RDONLY, O_WRONLY, PATH_MAX, S_IFLNK, S_IFMT, STATX_BTIME, UTIME_NOW,
  UTIME_OMIT, close, cstr, fchmodat, fchownat, ftruncate, readlinkat, sys, utimensat,
} from '../host/libc.js';
import { attr, ATTR_SIZE } from '../protocol/messages.js';
import {
  GETATTR_BASIC, GETATTR_BTIME, SETATTR_ATIME, SETATTR_ATIME_SET, SETATTR_GID, SETATTR_MODE,
  SETATTR_MTIME, SETATTR_MTIME_SET, SETATTR_SIZE, SETATTR_UID,
} from '../protocol/constants.js';
import type { Handler } from '../server.js';

/** The dev_t encoding of glibc's makedev (and Linux's new_encode_dev), which 9P's rdev carries. */
export function makedev(major: number, minor: number): bigint {
  const ma = BigInt(major >>> 0);
  const mi = BigInt(minor >>> 0);
  return ((ma & 0xfffn) << 8n) | ((ma & ~0xfffn) << 32n) | (mi & 0xffn) | ((mi & ~0xffn) << 12n);
}

/** Tgetattr: the fields writeAttr fills, whatever the request mask. */
export const getattr: Handler<'getattr'> = (s, req) => attrReply(s, statFdRaw(s.fids.get(req.fid).dentry.fd));

const linkBuf = Buffer.alloc(PATH_MAX);

/**
 * Tgetattrat (the wvisor extension): Rgetattr's fields for a name in the directory dfid,
 * never following it, plus the target when it is a symlink ("" otherwise). The name is one
 * component, not "." or "..", so the answer is always about an entry of that directory.
 */
export const getattrat: Handler<'getattrat'> = (s, req) => {
  if (!s.donate) throw new Errno(EOPNOTSUPP, 'Tgetattrat outside a 9P2000.L.wvisor session');
  const d = s.fids.get(req.dfid).dentry;
  if (!d.isDir) throw new Errno(ENOTDIR, 'getattrat from a non-directory');
  checkName(req.name, false);
  return attrsAt(s, d, req.name);
};

/** Rgetattr's fields for name in directory d, never following it, and a symlink's target
 *  (Tgetattrat's reply, and each Treaddirplus entry's). */
export function attrsAt(s: Session, d: Dentry, name: Buffer): ReplyInput<'getattrat'> {
  const st = statAtRaw(d.fd, name);
  return { ...attrReply(s, st), target: Buffer.from(targetOf(d, name, st)) };
}

/** The target of name in d when its struct statx st says it is a symlink, else empty; in a
 *  buffer the next call reuses. */
export function targetOf(d: Dentry, name: Buffer, st: Buffer): Buffer {
  if ((st.readUInt16LE(STX.mode) & S_IFMT) !== S_IFLNK) return linkBuf.subarray(0, 0);
  return linkBuf.subarray(0, sys(readlinkat(d.fd, cstr(name), linkBuf, linkBuf.length), 'readlink'));
}

const attrBuf = Buffer.alloc(ATTR_SIZE);

/** Rgetattr's fields for a struct statx, as the codec takes them. */
function attrReply(s: Session, st: Buffer): ReplyInput<'getattr'> {
  writeAttr(s.tree, st, attrBuf, 0);
  return attr.decode(attrBuf);
}

/**
 * Writes Rgetattr's fields (messages.ts ATTR_REPLY, ATTR_SIZE bytes) for the struct statx in
 * st at out[at...]: everything Linux's v9fs reads (P9_GETATTR_BASIC) whatever the request
 * mask, plus the birth time when the host file system keeps one; gen and data_version are
 * not known and left out of `valid`. Fields are copied as bytes (a listing writes one record
 * per entry: decoding each statx into numbers and back cost most of a listing's time).
 */
export function writeAttr(tree: DentryTree, st: Buffer, out: Buffer, at: number): void {
  const hasBtime = (st.readUInt32LE(STX.mask) & STATX_BTIME) !== 0;
  const mode = st.readUInt16LE(STX.mode);
  const u32AsU64 = (from: number, to: number) => {
    out.writeUInt32LE(st.readUInt32LE(from), at + to);
    out.writeUInt32LE(0, at + to + 4);
  };
  const time = (from: number, to: number) => {
    st.copy(out, at + to, from, from + 8);
    u32AsU64(from + STX_NSEC, to + 8);
  };
  out.writeUInt32LE(GETATTR_BASIC | (hasBtime ? GETATTR_BTIME : 0), at);
  out.writeUInt32LE(0, at + 4);
  // qid: type, version 0, path = st_ino with the device index in the top byte (qidPath).
  out[at + 8] = qidType(mode);
  out.writeUInt32LE(0, at + 9);
  st.copy(out, at + 13, STX.ino, STX.ino + 8);
  out[at + 20] ^= tree.devIndexRaw(st) & 0xff;
  out.writeUInt32LE(mode, at + 21);
  out.writeUInt32LE(st.readUInt32LE(STX.uid), at + 25);
  out.writeUInt32LE(st.readUInt32LE(STX.gid), at + 29);
  u32AsU64(STX.nlink, 33);
  out.writeBigUInt64LE(makedev(st.readUInt32LE(STX.rdevMajor), st.readUInt32LE(STX.rdevMinor)), at + 41);
  st.copy(out, at + 49, STX.size, STX.size + 8);
  u32AsU64(STX.blksize, 57);
  st.copy(out, at + 65, STX.blocks, STX.blocks + 8);
  time(STX.atime, 73);
  time(STX.mtime, 89);
  time(STX.ctime, 105);
  if (hasBtime) time(STX.btime, 121);
  else out.fill(0, at + 121, at + 137);
  out.fill(0, at + 137, at + ATTR_SIZE); // gen, data_version
}

const timesBuf = Buffer.alloc(2 * abi.timespec.fixed);

/**
 * Tsetattr, in the order that keeps each request's meaning: owner first (a chown clears
 * set-id bits, so a mode given together must come after), then mode, size, and times last
 * (a truncate moves mtime, explicit times must win). ATTR_CTIME alone changes nothing:
 * there is no call that sets ctime, and every other change here moves it anyway.
 */
export const setattr: Handler<'setattr'> = (s, req) => {
  const f = s.fids.get(req.fid);
  const d = f.dentry;
  const v = req.valid;

  if (v & (SETATTR_UID | SETATTR_GID)) {
    const uid = v & SETATTR_UID ? req.uid : -1;
    const gid = v & SETATTR_GID ? req.gid : -1;
    sys(fchownat(d.fd, EMPTY_PATH, uid, gid, AT_EMPTY_PATH), 'chown');
  }
  if (v & SETATTR_MODE) {
    // Linux has no mode for symlinks (fchmodat(AT_SYMLINK_NOFOLLOW) is EOPNOTSUPP).
    if (d.isSymlink) throw new Errno(EOPNOTSUPP, 'chmod of a symlink');
    // fchmod refuses O_PATH fds; the /proc/self/fd magic link reaches the same inode.
    sys(fchmodat(s.server.procSelfFd, Buffer.from(`${d.fd}\0`), req.mode & 0o7777, 0), 'chmod');
  }
  if (v & SETATTR_SIZE) {
    const size = BigInt.asIntN(64, req.size);
    if (size < 0n) throw new Errno(EINVAL, 'negative size');
    const open = f.open;
    if (open !== null && (open.flags & O_ACCMODE) !== O_RDONLY) {
      sys(ftruncate(open.fd, size), 'ftruncate');
    } else {
      const fd = s.reopen(d, O_WRONLY);
      try {
        sys(ftruncate(fd, size), 'ftruncate');
      } finally {
        close(fd);
      }
    }
  }
  if (v & (SETATTR_ATIME | SETATTR_MTIME)) {
    const at = timeOf(v & SETATTR_ATIME, v & SETATTR_ATIME_SET, req.atime_sec, req.atime_nsec);
    const mt = timeOf(v & SETATTR_MTIME, v & SETATTR_MTIME_SET, req.mtime_sec, req.mtime_nsec);
    abi.timespec.encode(at, timesBuf, 0);
    abi.timespec.encode(mt, timesBuf, abi.timespec.fixed);
    sys(utimensat(d.fd, EMPTY_PATH, timesBuf, AT_EMPTY_PATH), 'utimensat');
  }
  return {};
};

/** One timespec of utimensat: omitted, now, or the given time (as Linux's setattr_prepare). */
function timeOf(change: number, given: number, sec: bigint, nsec: bigint): { tv_sec: bigint; tv_nsec: bigint } {
  if (!change) return { tv_sec: 0n, tv_nsec: BigInt(UTIME_OMIT) };
  if (!given) return { tv_sec: 0n, tv_nsec: BigInt(UTIME_NOW) };
  if (nsec >= 1_000_000_000n) throw new Errno(EINVAL, 'nanoseconds out of range');
  return { tv_sec: BigInt.asIntN(64, sec), tv_nsec: nsec };
}
