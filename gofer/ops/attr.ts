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

// writeAttr builds a record in `record`, ATTR_AT bytes into it: from mode on, every field of
// Rgetattr then starts on a 4-byte boundary, so the fields are moved as 32-bit words (a
// listing writes one record per entry; decoding each statx into numbers and back cost most
// of a listing's time, and so did a Buffer call per field while the Gofer is cold).
const ATTR_AT = 3;
const record = Buffer.alloc(ATTR_AT + ATTR_SIZE + 1);
const out32 = new Uint32Array(record.buffer, record.byteOffset, record.length >> 2);
/** Word index in out32 of the Rgetattr field at byte offset off (from mode on). */
const w = (off: number) => (ATTR_AT + off) >> 2;
/** Word index in a struct statx of the field at byte offset off. */
const sw = (off: number) => off >> 2;
let statWords: Uint32Array | null = null;

/** A word view of st (the stat buffer of dentry.ts, 4-byte aligned), made once. */
function wordsOf(st: Buffer): Uint32Array {
  if (statWords === null || statWords.buffer !== st.buffer || statWords.byteOffset !== st.byteOffset) {
    statWords = new Uint32Array(st.buffer, st.byteOffset, st.length >> 2);
  }
  return statWords;
}

/** Copies an 8-byte statx field into the record (copy32: a 4-byte one, widened). */
function copy64(st: Uint32Array, from: number, to: number): void {
  out32[w(to)] = st[sw(from)];
  out32[w(to) + 1] = st[sw(from) + 1];
}
function copy32(st: Uint32Array, from: number, to: number): void {
  out32[w(to)] = st[sw(from)];
  out32[w(to) + 1] = 0;
}

/**
 * Writes Rgetattr's fields (messages.ts ATTR_REPLY, ATTR_SIZE bytes) for the struct statx in
 * st at out[at...]: everything Linux's v9fs reads (P9_GETATTR_BASIC) whatever the request
 * mask, plus the birth time when the host file system keeps one; gen and data_version are
 * not known and left out of `valid`.
 */
export function writeAttr(tree: DentryTree, st: Buffer, out: Buffer, at: number): void {
  const s = wordsOf(st);
  const hasBtime = (s[sw(STX.mask)] & STATX_BTIME) !== 0;
  const mode = s[sw(STX.mode)] & 0xffff;
  // valid[8] (bytes 0-7), then qid: type[1] version[4] path[8]; version and the high half
  // of valid are never written (zero).
  record.writeUInt32LE(GETATTR_BASIC | (hasBtime ? GETATTR_BTIME : 0), ATTR_AT);
  record[ATTR_AT + 8] = qidType(mode);
  // qid.path: st_ino with the device index in the top byte (DentryTree.qidPath).
  copy64(s, STX.ino, 13);
  out32[w(13) + 1] ^= (tree.devIndexRaw(st) & 0xff) << 24;
  out32[w(21)] = mode;
  out32[w(25)] = s[sw(STX.uid)];
  out32[w(29)] = s[sw(STX.gid)];
  copy32(s, STX.nlink, 33);
  // rdev in glibc's makedev (Linux's new_encode_dev) encoding, as 9P carries it.
  const ma = s[sw(STX.rdevMajor)];
  const mi = s[sw(STX.rdevMinor)];
  out32[w(41)] = ((ma & 0xfff) << 8) | (mi & 0xff) | ((mi & 0xfff00) << 12);
  out32[w(41) + 1] = (ma & 0xfffff000) | ((mi >>> 20) & 0xfff);
  copy64(s, STX.size, 49);
  copy32(s, STX.blksize, 57);
  copy64(s, STX.blocks, 65);
  for (let i = 0; i < (hasBtime ? 4 : 3); i++) {
    copy64(s, TIMES[i][0], TIMES[i][1]);
    copy32(s, TIMES[i][0] + STX_NSEC, TIMES[i][1] + 8);
  }
  if (!hasBtime) out32.fill(0, w(121), w(137));
  // gen and data_version (137-152) are never written (zero).
  record.copy(out, at, ATTR_AT, ATTR_AT + ATTR_SIZE);
}

/** Where each timestamp is in a struct statx and in Rgetattr (atime, mtime, ctime, btime). */
const TIMES: [number, number][] = [
  [STX.atime, 73],
  [STX.mtime, 89],
  [STX.ctime, 105],
  [STX.btime, 121],
];

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
