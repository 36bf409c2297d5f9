// Tgetattr, Tgetattrat (the wvisor extension) and Tsetattr: a file's attributes through its O_PATH fd (statx, fchownat and
// utimensat with AT_EMPTY_PATH, which act on the fd's own inode, symlinks included).
import { checkName, statAt, statFd, type Dentry, type Stat } from '../dentry.js';
import type { Session } from '../session.js';
import type { ReplyInput } from '../protocol/codec.js';
import { Errno, EINVAL, ENOTDIR, EOPNOTSUPP } from '../errno.js';
import * as abi from '../host/abi.js';
import {
  AT_EMPTY_PATH, EMPTY_PATH, O_ACCMODE, O_RDONLY, O_WRONLY, PATH_MAX, S_IFLNK, S_IFMT, STATX_BTIME, UTIME_NOW,
  UTIME_OMIT, close, cstr, fchmodat, fchownat, ftruncate, readlinkat, sys, utimensat,
} from '../host/libc.js';
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

/**
 * Tgetattr: everything Linux's v9fs reads (P9_GETATTR_BASIC) whatever the request mask, plus
 * the birth time when the host file system keeps one. gen and data_version are not known
 * and left out of `valid`.
 */
export const getattr: Handler<'getattr'> = (s, req) => attrReply(s, statFd(s.fids.get(req.fid).dentry.fd));

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
  const st = statAt(d.fd, name);
  let target = Buffer.alloc(0);
  if ((st.stx_mode & S_IFMT) === S_IFLNK) {
    // A copy: the reply is encoded after the next name is read into the same buffer.
    const n = sys(readlinkat(d.fd, cstr(name), linkBuf, linkBuf.length), 'readlink');
    target = Buffer.from(linkBuf.subarray(0, n));
  }
  return { ...attrReply(s, st), target };
}

/** Rgetattr's fields for a statx result. */
function attrReply(s: Session, st: Stat): ReplyInput<'getattr'> {
  const hasBtime = (st.stx_mask & STATX_BTIME) !== 0;
  return {
    valid: BigInt(GETATTR_BASIC | (hasBtime ? GETATTR_BTIME : 0)),
    qid: s.tree.qidOf(st),
    mode: st.stx_mode,
    uid: st.stx_uid,
    gid: st.stx_gid,
    nlink: BigInt(st.stx_nlink),
    rdev: makedev(st.stx_rdev_major, st.stx_rdev_minor),
    size: st.stx_size,
    blksize: BigInt(st.stx_blksize),
    blocks: st.stx_blocks,
    atime_sec: st.stx_atime.tv_sec,
    atime_nsec: BigInt(st.stx_atime.tv_nsec),
    mtime_sec: st.stx_mtime.tv_sec,
    mtime_nsec: BigInt(st.stx_mtime.tv_nsec),
    ctime_sec: st.stx_ctime.tv_sec,
    ctime_nsec: BigInt(st.stx_ctime.tv_nsec),
    btime_sec: hasBtime ? st.stx_btime.tv_sec : 0n,
    btime_nsec: hasBtime ? BigInt(st.stx_btime.tv_nsec) : 0n,
    gen: 0n,
    data_version: 0n,
  };
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
