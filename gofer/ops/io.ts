// Opening and data: Tlopen, Tlcreate, Tread, Twrite, Tfsync.
//
// An open fid holds a host fd opened with the client's flags; reads and writes are pread and
// pwrite at the offsets the client sends (the fd's own offset is never used, so a donated fd
// shares nothing that matters with the gofer's). On a 9P2000.L.wvisor session every regular
// file opened is donated: the reply carries the same open file as SCM_RIGHTS.
import { checkName, statFd } from '../dentry.js';
import { Errno, EBADF, EEXIST, EINVAL, EISDIR, ELOOP, ENOTDIR, EROFS } from '../errno.js';
import type { Fid } from '../fid_table.js';
import {
  O_ACCMODE, O_APPEND, O_CLOEXEC, O_CREAT, O_DIRECT, O_DIRECTORY, O_DSYNC, O_EXCL, O_LARGEFILE,
  O_NOATIME, O_NOCTTY, O_NOFOLLOW, O_PATH, O_RDONLY, O_SYNC, O_TRUNC, S_IFDIR, S_IFLNK, S_IFMT,
  S_IFREG, close, cstr, errno, fchown, fdatasync, fsync, openat, pread, pwrite, sys,
} from '../host/libc.js';
import { DOTL_EXCL, NONUNAME } from '../protocol/constants.js';
import type { Handler } from '../server.js';
import { DONATE, type Donation, type Session } from '../session.js';

/**
 * The Tlopen/Tlcreate flags passed to the host. O_CREAT and O_EXCL are Tlcreate's business,
 * O_NOFOLLOW is always implied (the fid already is the file), O_NONBLOCK, O_ASYNC and
 * O_CLOEXEC describe the client's descriptor, not the file.
 */
const OPEN_FLAGS = O_ACCMODE | O_TRUNC | O_APPEND | O_DSYNC | O_SYNC | O_DIRECT | O_LARGEFILE | O_DIRECTORY | O_NOATIME;

function hostFlags(flags: number): number {
  const f = flags & OPEN_FLAGS;
  if ((f & O_ACCMODE) === O_ACCMODE) throw new Errno(EINVAL, 'access mode 3');
  return f;
}

function writes(flags: number): boolean {
  return (flags & O_ACCMODE) !== O_RDONLY || (flags & O_TRUNC) !== 0;
}

/** The donation of an opened regular file to a 9P2000.L.wvisor client. */
function donation(s: Session, f: Fid, fd: number): { [DONATE]?: Donation } {
  if (!s.donate || f.dentry.fileType !== S_IFREG) return {};
  return {
    [DONATE]: {
      fd,
      revert() {
        if (f.open?.fd === fd) {
          close(fd);
          f.open = null;
        }
      },
    },
  };
}

/** Tlopen: opens the fid's file (regular file or directory) with the client's flags. */
export const lopen: Handler<'lopen'> = (s, req) => {
  const f = s.fids.get(req.fid);
  if (f.open !== null) throw new Errno(EINVAL, 'fid already open');
  const flags = hostFlags(req.flags);
  if (s.server.readOnly && writes(flags)) throw new Errno(EROFS, 'read-only');
  const fd = s.reopen(f.dentry, flags);
  f.open = { fd, flags };
  return { qid: f.dentry.qid, iounit: 0, ...donation(s, f, fd) };
};

/**
 * Tlcreate: creates and opens a regular file `name` in the fid's directory; the fid then
 * names the new file (open). O_CREAT | O_EXCL | O_NOFOLLOW on the host, so a name that is a
 * symlink, even a dangling one, is never followed to create something elsewhere. Without
 * O_EXCL from the client an existing regular file is opened instead, as open(O_CREAT) does;
 * an existing directory is EISDIR, a symlink ELOOP, anything else EEXIST (a fifo or a
 * device is never opened).
 */
export const lcreate: Handler<'lcreate'> = (s, req) => {
  const f = s.fids.get(req.fid);
  const dir = f.dentry;
  if (f.open !== null) throw new Errno(EINVAL, 'fid already open');
  if (!dir.isDir) throw new Errno(ENOTDIR, 'create in a non-directory');
  checkName(req.name, false);
  const flags = hostFlags(req.flags) & ~O_DIRECTORY;
  const name = cstr(req.name);

  let fd = openat(dir.fd, name, flags | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, req.mode & 0o7777);
  let pathFd: number;
  if (fd >= 0) {
    try {
      if (s.server.canChown && (f.uid !== NONUNAME || req.gid !== NONUNAME)) sys(fchown(fd, f.uid, req.gid), 'chown');
      // An O_PATH fd of the very inode just created, for the fid's dentry.
      pathFd = sys(openat(s.server.procSelfFd, Buffer.from(`${fd}\0`), O_PATH | O_CLOEXEC, 0), 'reopen O_PATH');
    } catch (e) {
      close(fd);
      throw e;
    }
  } else {
    const err = errno();
    if (err !== EEXIST || (req.flags & DOTL_EXCL) !== 0) throw new Errno(err, 'create');
    pathFd = sys(openat(dir.fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0), 'open existing');
    try {
      const st = statFd(pathFd);
      const type = st.stx_mode & S_IFMT;
      if (type !== S_IFREG) throw new Errno(type === S_IFDIR ? EISDIR : type === S_IFLNK ? ELOOP : EEXIST, 'create over a non-file');
      fd = s.reopenFd(pathFd, s.tree.devIndex(st), flags);
    } catch (e) {
      close(pathFd);
      throw e;
    }
  }

  let created;
  try {
    created = s.tree.adopt(dir, req.name, pathFd);
  } catch (e) {
    close(fd);
    throw e;
  }
  s.tree.release(dir);
  f.dentry = created;
  f.open = { fd, flags };
  return { qid: created.qid, iounit: 0, ...donation(s, f, fd) };
};

function openFd(f: Fid): number {
  if (f.open === null) throw new Errno(EBADF, 'fid not open');
  return f.open.fd;
}

/** Tread: pread into the reply itself, at most msize - 11 bytes. */
export const read: Handler<'read'> = (s, req) => {
  const fd = openFd(s.fids.get(req.fid));
  const area = s.ioArea(req.count);
  const n = sys(pread(fd, area, area.length, BigInt.asIntN(64, req.offset)), 'pread');
  return { data: area.subarray(0, n) };
};

/** Twrite: pwrite straight from the request (O_APPEND files append, as pwrite(2) does on Linux). */
export const write: Handler<'write'> = (s, req) => {
  const fd = openFd(s.fids.get(req.fid));
  const n = sys(pwrite(fd, req.data, req.data.length, BigInt.asIntN(64, req.offset)), 'pwrite');
  return { count: n };
};

/** Tfsync: fsync, or fdatasync when the client says datasync. */
export const fsyncOp: Handler<'fsync'> = (s, req) => {
  const fd = openFd(s.fids.get(req.fid));
  sys(req.datasync ? fdatasync(fd) : fsync(fd), 'fsync');
  return {};
};
