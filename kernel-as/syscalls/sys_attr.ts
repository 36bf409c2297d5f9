// Changing file attributes and data size: chmod, fchmod, fchmodat, chown, fchown, lchown,
// fchownat, truncate, ftruncate, utimensat, umask, and the sync calls (Linux fs/open.c,
// fs/attr.c notify_change(), fs/utimes.c, fs/sync.c). The sandbox's root may change any owner
// and mode (CAP_CHOWN, CAP_FOWNER); others are checked as Linux checks them.
import { EACCES, EBADF, EFAULT, EINVAL, EISDIR, EOPNOTSUPP, EPERM, EROFS } from "../abi/errno";
import { sysArg } from "../abi/regs";
import { Task } from "../kernel/task";
import { vfsErr } from "../fs/vfs/error";
import { ATTR_ATIME, ATTR_CTIME, ATTR_GID, ATTR_MODE, ATTR_MTIME, ATTR_SIZE, ATTR_UID } from "../fs/vfs/inode";
import { InodeFile } from "../fs/vfs/inode_file";
import { Path } from "../fs/vfs/mount";
import { AT_FDCWD, LOOKUP_FOLLOW, resolveAt } from "../fs/vfs/namei";
import { MAY_WRITE, permitted } from "../fs/vfs/permission";
import { Attr } from "../fs/vfs/stat";
import { realtimeNow } from "../fs/vfs/time";
import { AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW, lookupAt } from "./sys_stat";
import { pathArg } from "./path_arg";

const UTIME_NOW: i64 = (1 << 30) - 1;
const UTIME_OMIT: i64 = (1 << 30) - 2;
const TS_BUF: usize = memory.data(32, 8);

/** The path of an fd opened on a file (not O_PATH: those only name a file). */
function pathOfFd(t: Task, fd: i32): Path | null {
  const f = t.fdTable.get(fd);
  if (f === null || !(f instanceof InodeFile) || (<InodeFile>f).isPathOnly) return null;
  return (<InodeFile>f).path;
}

function isOwnerOrRoot(t: Task, p: Path): bool {
  return t.tg.cred.euid == 0 || t.tg.cred.euid == p.inode.uid;
}

function chmod(t: Task, p: Path, mode: u32): i64 {
  if (p.mnt.readonly) return -EROFS;
  if (!isOwnerOrRoot(t, p)) return -EPERM;
  const a = new Attr();
  a.mode = mode & 0o7777;
  a.ctimeNs = realtimeNow();
  return p.inode.setattr(ATTR_MODE | ATTR_CTIME, a);
}

export function sysChmod(t: Task): i64 {
  const path = pathArg(t, sysArg(0));
  if (path === null) return -vfsErr;
  const p = resolveAt(t, AT_FDCWD, path, LOOKUP_FOLLOW);
  return p === null ? -vfsErr : chmod(t, p, <u32>sysArg(1));
}

export function sysFchmod(t: Task): i64 {
  const p = pathOfFd(t, <i32>sysArg(0));
  return p === null ? -EBADF : chmod(t, p, <u32>sysArg(1));
}

export function sysFchmodat(t: Task): i64 {
  const path = pathArg(t, sysArg(1));
  if (path === null) return -vfsErr;
  const p = resolveAt(t, <i32>sysArg(0), path, LOOKUP_FOLLOW);
  return p === null ? -vfsErr : chmod(t, p, <u32>sysArg(2));
}

/** fchmodat2(2): fchmodat with flags, AT_SYMLINK_NOFOLLOW (a symlink's own mode does not
 *  change: EOPNOTSUPP, as notify_change() says) and AT_EMPTY_PATH. */
export function sysFchmodat2(t: Task): i64 {
  const flags = <i32>sysArg(3);
  if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) != 0) return -EINVAL;
  const p = lookupAt(t, <i32>sysArg(0), sysArg(1), flags, (flags & AT_SYMLINK_NOFOLLOW) == 0);
  if (p === null) return -vfsErr;
  if (p.mnt.readonly) return -EROFS;
  return p.inode.isLnk ? -EOPNOTSUPP : chmod(t, p, <u32>sysArg(2));
}

/** chown family: -1 leaves an id unchanged; only root may give a file away. */
function chown(t: Task, p: Path, uid: u32, gid: u32): i64 {
  if (p.mnt.readonly) return -EROFS;
  const root = t.tg.cred.euid == 0;
  let mask = ATTR_CTIME;
  const a = new Attr();
  if (uid != 0xffffffff) {
    if (!root && uid != p.inode.uid) return -EPERM;
    a.uid = uid;
    mask |= ATTR_UID;
  }
  if (gid != 0xffffffff) {
    if (!root && (t.tg.cred.euid != p.inode.uid || gid != t.tg.cred.egid)) return -EPERM;
    a.gid = gid;
    mask |= ATTR_GID;
  }
  // Changing the owner clears set-user-ID and set-group-ID on a non-directory.
  if ((mask & (ATTR_UID | ATTR_GID)) != 0 && !p.inode.isDir && (p.inode.mode & 0o6000) != 0) {
    a.mode = p.inode.mode & 0o1777;
    mask |= ATTR_MODE;
  }
  a.ctimeNs = realtimeNow();
  return p.inode.setattr(mask, a);
}

export function sysChown(t: Task): i64 {
  const path = pathArg(t, sysArg(0));
  if (path === null) return -vfsErr;
  const p = resolveAt(t, AT_FDCWD, path, LOOKUP_FOLLOW);
  return p === null ? -vfsErr : chown(t, p, <u32>sysArg(1), <u32>sysArg(2));
}

export function sysLchown(t: Task): i64 {
  const path = pathArg(t, sysArg(0));
  if (path === null) return -vfsErr;
  const p = resolveAt(t, AT_FDCWD, path, 0);
  return p === null ? -vfsErr : chown(t, p, <u32>sysArg(1), <u32>sysArg(2));
}

export function sysFchown(t: Task): i64 {
  const p = pathOfFd(t, <i32>sysArg(0));
  return p === null ? -EBADF : chown(t, p, <u32>sysArg(1), <u32>sysArg(2));
}

export function sysFchownat(t: Task): i64 {
  const flags = <i32>sysArg(4);
  if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) != 0) return -EINVAL;
  const p = lookupAt(t, <i32>sysArg(0), sysArg(1), flags, (flags & AT_SYMLINK_NOFOLLOW) == 0);
  return p === null ? -vfsErr : chown(t, p, <u32>sysArg(2), <u32>sysArg(3));
}

function truncate(t: Task, p: Path, length: i64): i64 {
  if (length < 0) return -EINVAL;
  if (p.inode.isDir) return -EISDIR;
  if (!p.inode.isReg) return -EINVAL;
  if (p.mnt.readonly) return -EROFS;
  const a = new Attr();
  a.size = <u64>length;
  return p.inode.setattr(ATTR_SIZE, a);
}

export function sysTruncate(t: Task): i64 {
  const path = pathArg(t, sysArg(0));
  if (path === null) return -vfsErr;
  const p = resolveAt(t, AT_FDCWD, path, LOOKUP_FOLLOW);
  if (p === null) return -vfsErr;
  if (!permitted(p.inode, MAY_WRITE, t.tg.cred)) return -EACCES;
  return truncate(t, p, <i64>sysArg(1));
}

export function sysFtruncate(t: Task): i64 {
  const f = t.fdTable.get(<i32>sysArg(0));
  if (f === null) return -EBADF;
  if (f instanceof InodeFile && (<InodeFile>f).isPathOnly) return -EBADF;
  if (!(f instanceof InodeFile) || !f.writable) return -EINVAL;
  const file = <InodeFile>f;
  return truncate(t, file.path, <i64>sysArg(1));
}

/** Sets the times of the file named by (dirfd, path; a NULL path names dirfd itself). With
 *  explicit unset both are now; a time of -1 is left as it is (UTIME_OMIT). */
export function setTimes(t: Task, dirfd: i32, pathAddr: u64, flags: i32, explicit: bool, atime: i64, mtime: i64): i64 {
  const now = realtimeNow();
  let mask = ATTR_ATIME | ATTR_MTIME | ATTR_CTIME;
  if (!explicit) {
    atime = now;
    mtime = now;
  } else {
    if (atime == -1) mask &= ~ATTR_ATIME;
    if (mtime == -1) mask &= ~ATTR_MTIME;
    if ((mask & (ATTR_ATIME | ATTR_MTIME)) == 0) return 0;
  }
  let p: Path | null;
  if (pathAddr == 0) {
    // utimensat with a NULL path acts on dirfd itself (what futimens(3) uses); it takes no
    // flags and needs a real fd (do_utimes()).
    if (dirfd == AT_FDCWD) return -EFAULT;
    if (flags != 0) return -EINVAL;
    p = pathOfFd(t, dirfd);
    if (p === null) return -EBADF;
  } else {
    p = lookupAt(t, dirfd, pathAddr, flags, (flags & AT_SYMLINK_NOFOLLOW) == 0);
    if (p === null) return -vfsErr;
  }
  if (p.mnt.readonly) return -EROFS;
  // Setting explicit times takes ownership (or root); "now" only write access.
  if (explicit && !isOwnerOrRoot(t, p)) return -EPERM;
  if (!explicit && !isOwnerOrRoot(t, p) && !permitted(p.inode, MAY_WRITE, t.tg.cred)) return -EACCES;
  const a = new Attr();
  a.atimeNs = atime;
  a.mtimeNs = mtime;
  a.ctimeNs = now;
  return p.inode.setattr(mask, a);
}

/** utimensat(2): times from a timespec pair, UTIME_NOW and UTIME_OMIT; NULL means now. */
export function sysUtimensat(t: Task): i64 {
  const times = sysArg(2);
  const flags = <i32>sysArg(3);
  if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) != 0) return -EINVAL;
  if (times == 0) return setTimes(t, <i32>sysArg(0), sysArg(1), flags, false, -1, -1);
  if (t.mm.copyIn(times, TS_BUF, 32) < 0) return -EFAULT;
  const now = realtimeNow();
  let atime: i64 = -1;
  let mtime: i64 = -1;
  for (let i = 0; i < 2; i++) {
    const sec = load<i64>(TS_BUF + <usize>(16 * i));
    const ns = load<i64>(TS_BUF + <usize>(16 * i + 8));
    if (ns != UTIME_NOW && ns != UTIME_OMIT && (ns < 0 || ns >= 1000000000)) return -EINVAL;
    const v = ns == UTIME_OMIT ? -1 : ns == UTIME_NOW ? now : sec * 1000000000 + ns;
    if (i == 0) atime = v;
    else mtime = v;
  }
  return setTimes(t, <i32>sysArg(0), sysArg(1), flags, true, atime, mtime);
}

export function sysUmask(t: Task): i64 {
  const old = t.fs.umask;
  t.fs.umask = <u32>sysArg(0) & 0o777;
  return old;
}

/** fsync, fdatasync, syncfs: data already lives in the memory file or went to the Gofer. */
export function sysFsync(t: Task): i64 {
  const f = t.fdTable.get(<i32>sysArg(0));
  if (f === null || (f instanceof InodeFile && (<InodeFile>f).isPathOnly)) return -EBADF;
  return 0;
}

export function sysSync(t: Task): i64 {
  return 0;
}

