// Smaller file calls: close_range, preadv/pwritev (and the v2 forms), fadvise64, readahead,
// sync_file_range, fallocate,
// memfd_create, chroot, utimes/futimesat/utime, msync, sysinfo (Linux fs/open.c,
// fs/read_write.c, mm/fadvise.c, mm/memfd.c, fs/utimes.c, mm/msync.c, kernel/sys.c).
import { EBADF, EFAULT, EINVAL, ENOMEM, ENOTDIR, EOPNOTSUPP, ESPIPE, EACCES, EPERM } from "../abi/errno";
import { O_APPEND, O_NONBLOCK, O_RDWR, pageAligned, pageUp, RLIMIT_NOFILE } from "../abi/linux";
import { sysArg } from "../abi/regs";
import { memoryFile, memoryLimit } from "../kernel/globals";
import { threadGroups } from "../kernel/kernel";
import { Task } from "../kernel/task";
import { monotonicNow } from "../kernel/time";
import { vfsErr } from "../fs/vfs/error";
import { InodeFile } from "../fs/vfs/inode_file";
import { Dentry, Mount, Path } from "../fs/vfs/mount";
import { AT_FDCWD, LOOKUP_DIRECTORY, LOOKUP_FOLLOW, resolveAt } from "../fs/vfs/namei";
import { MAY_EXEC, permitted } from "../fs/vfs/permission";
import { S_IFDIR, S_IFLNK, S_IFMT, S_IFREG } from "../fs/vfs/stat";
import { newTmpfs, TmpfsFile } from "../fs/tmpfs/tmpfs";
import { pathArg } from "./path_arg";
import { readOrWriteVector } from "./sys_read_write";
import { setTimes } from "./sys_attr";

const CLOSE_RANGE_UNSHARE: u32 = 2;
const CLOSE_RANGE_CLOEXEC: u32 = 4;
const BUF: usize = memory.data(128, 8);

export function sysCloseRange(t: Task): i64 {
  const first = <u32>sysArg(0);
  const last = <u32>sysArg(1);
  const flags = <u32>sysArg(2);
  if ((flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC)) != 0 || first > last) return -EINVAL;
  // The fd table is not shared between tasks yet, so UNSHARE has nothing to do.
  t.fdTable.closeRange(first, last, (flags & CLOSE_RANGE_CLOEXEC) != 0);
  return 0;
}

// preadv2/pwritev2 flags (include/uapi/linux/fs.h).
const RWF_HIPRI: u64 = 0x1;
const RWF_DSYNC: u64 = 0x2;
const RWF_SYNC: u64 = 0x4;
const RWF_NOWAIT: u64 = 0x8;
const RWF_APPEND: u64 = 0x10;

/** preadv/pwritev(fd, iov, cnt, pos) and the v2 forms, where pos -1 means the file position
 *  and flags act for this call (kiocb_set_rw_flags()): RWF_APPEND as O_APPEND would (a write
 *  goes to the end; only pos -1 moves the position), RWF_NOWAIT as O_NONBLOCK would. The
 *  hints RWF_HIPRI, RWF_DSYNC and RWF_SYNC are taken (the Sentry keeps no dirty data of its
 *  own; a host file is not synced), others are EOPNOTSUPP. */
function vectorAt(t: Task, write: bool, v2: bool): i64 {
  const f = t.fdTable.get(<i32>sysArg(0));
  if (f === null || (write ? !f.writable : !f.readable)) return -EBADF;
  const pos = <i64>sysArg(3);
  const rwf = v2 ? sysArg(5) : 0;
  if ((rwf & ~(RWF_HIPRI | RWF_DSYNC | RWF_SYNC | RWF_NOWAIT | RWF_APPEND)) != 0) return -EOPNOTSUPP;
  if (pos < 0 && !(v2 && pos == -1)) return -EINVAL;
  let callFlags = 0;
  if ((rwf & RWF_NOWAIT) != 0) callFlags |= O_NONBLOCK;
  if ((rwf & RWF_APPEND) != 0 && write) callFlags |= O_APPEND;
  // The description's own flags are lent to this call (the Sentry runs one call at a time,
  // and the call does not keep them across a wait: it is redone from here).
  const saved = f.flags;
  f.flags |= callFlags;
  const r = readOrWriteVector(t, f, sysArg(1), sysArg(2), write, pos);
  f.flags = saved;
  return r;
}

export function sysPreadv(t: Task): i64 { return vectorAt(t, false, false); }
export function sysPwritev(t: Task): i64 { return vectorAt(t, true, false); }
export function sysPreadv2(t: Task): i64 { return vectorAt(t, false, true); }
export function sysPwritev2(t: Task): i64 { return vectorAt(t, true, true); }

/** fadvise64: advice is a hint; the checks are Linux's. */
export function sysFadvise64(t: Task): i64 {
  const f = t.fdTable.get(<i32>sysArg(0));
  if (f === null) return -EBADF;
  const advice = <i32>sysArg(3);
  if (advice < 0 || advice > 5 || <i64>sysArg(2) < 0) return -EINVAL;
  if (!(f instanceof InodeFile)) return -ESPIPE;
  return 0;
}

/** readahead(2): a hint for a regular file open for reading (EINVAL for other files). */
export function sysReadahead(t: Task): i64 {
  const f = t.fdTable.get(<i32>sysArg(0));
  if (f === null || !f.readable) return -EBADF;
  if (!(f instanceof InodeFile) || ((<InodeFile>f).path.inode.mode & S_IFMT) != S_IFREG) return -EINVAL;
  // The count is a length for fadvise: past the largest one it is negative (EINVAL).
  return <i64>sysArg(2) < 0 ? -EINVAL : 0;
}

const SYNC_FILE_RANGE_ALL: u32 = 7;

/** sync_file_range(2): nothing to write back (see fsync); the arguments are checked as
 *  Linux checks them: flags, a negative or wrapping range (EINVAL), a file that is not a
 *  regular file, directory or symlink (ESPIPE). */
export function sysSyncFileRange(t: Task): i64 {
  const f = t.fdTable.get(<i32>sysArg(0));
  if (f === null) return -EBADF;
  const off = <i64>sysArg(1);
  const n = <i64>sysArg(2);
  if ((<u32>sysArg(3) & ~SYNC_FILE_RANGE_ALL) != 0 || off < 0 || n < 0 || off > I64.MAX_VALUE - n) return -EINVAL;
  if (!(f instanceof InodeFile)) return -ESPIPE;
  const type = (<InodeFile>f).path.inode.mode & S_IFMT;
  return type == S_IFREG || type == S_IFDIR || type == S_IFLNK ? 0 : -ESPIPE;
}

const FALLOC_FL_KEEP_SIZE: i32 = 1;
const FALLOC_FL_PUNCH_HOLE: i32 = 2;

export function sysFallocate(t: Task): i64 {
  const f = t.fdTable.get(<i32>sysArg(0));
  if (f === null) return -EBADF;
  const mode = <i32>sysArg(1);
  const off = <i64>sysArg(2);
  const len = <i64>sysArg(3);
  if (off < 0 || len <= 0) return -EINVAL;
  if (!f.writable) return -EBADF;
  if (!(f instanceof InodeFile)) return -ESPIPE;
  const inode = (<InodeFile>f).path.inode;
  if (inode.isDir) return -21; // EISDIR
  if (!inode.isReg) return -19; // ENODEV
  if ((mode & FALLOC_FL_PUNCH_HOLE) != 0 && (mode & FALLOC_FL_KEEP_SIZE) == 0) return -EOPNOTSUPP;
  if ((mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE)) != 0) return -EOPNOTSUPP;
  return inode.allocate(mode, <u64>off, <u64>len);
}

/** Where memfds live: an internal tmpfs that no path reaches. */
let memfdMount: Mount | null = null;

export function sysMemfdCreate(t: Task): i64 {
  const name = t.mm.copyInString(sysArg(0), 250);
  if (name === null) return -EINVAL;
  const flags = <u32>sysArg(1);
  const MFD_CLOEXEC: u32 = 1;
  const MFD_ALLOW_SEALING: u32 = 2;
  if ((flags & ~(MFD_CLOEXEC | MFD_ALLOW_SEALING)) != 0) return -EINVAL;
  if (memfdMount === null) {
    memfdMount = new Mount(new Dentry("/", null, newTmpfs(0o1777)), 0, "tmpfs", "memfd");
  }
  const dir = memfdMount!.root;
  const inode = dir.inode.mknod("memfd:" + name, S_IFREG | 0o777, 0, t.tg.cred);
  if (inode === null) return -vfsErr;
  if ((flags & MFD_ALLOW_SEALING) != 0) (<TmpfsFile>inode).seals = 0;
  const file = inode.open(O_RDWR, new Path(memfdMount!, new Dentry("memfd:" + name, dir, inode)));
  // The file has no name in any directory, as a memfd has none. It is unlinked once open:
  // a file with neither links nor open files is freed, and its pages would go with the
  // last mapping of them.
  dir.inode.unlink("memfd:" + name, inode, false);
  inode.nlink = 0;
  if (file === null) return -vfsErr;
  const lim = t.tg.rlimits.cur[RLIMIT_NOFILE];
  return t.fdTable.install(file, 0, lim > 0x7fffffff ? 0x7fffffff : <i32>lim, (flags & MFD_CLOEXEC) != 0);
}

/** chroot(2): the sandbox's root (uid 0) holds CAP_SYS_CHROOT. */
export function sysChroot(t: Task): i64 {
  const path = pathArg(t, sysArg(0));
  if (path === null) return -vfsErr;
  const p = resolveAt(t, AT_FDCWD, path, LOOKUP_FOLLOW | LOOKUP_DIRECTORY);
  if (p === null) return -vfsErr;
  if (!p.inode.isDir) return -ENOTDIR;
  if (!permitted(p.inode, MAY_EXEC, t.tg.cred)) return -EACCES;
  if (t.tg.cred.euid != 0) return -EPERM;
  t.fs.root = p;
  return 0;
}

/** utimes/futimesat: struct timeval pairs (NULL: now). */
function timevals(t: Task, dirfd: i32, pathAddr: u64, tv: u64): i64 {
  if (tv == 0) return setTimes(t, dirfd, pathAddr, 0, false, -1, -1);
  if (t.mm.copyIn(tv, BUF, 32) < 0) return -EFAULT;
  const au = load<i64>(BUF + 8);
  const mu = load<i64>(BUF + 24);
  if (au < 0 || au >= 1000000 || mu < 0 || mu >= 1000000) return -EINVAL;
  return setTimes(t, dirfd, pathAddr, 0, true, load<i64>(BUF) * 1000000000 + au * 1000, load<i64>(BUF + 16) * 1000000000 + mu * 1000);
}

export function sysUtimes(t: Task): i64 { return timevals(t, AT_FDCWD, sysArg(0), sysArg(1)); }
export function sysFutimesat(t: Task): i64 { return timevals(t, <i32>sysArg(0), sysArg(1), sysArg(2)); }

/** utime(2): struct utimbuf {actime, modtime} in seconds (NULL: now). */
export function sysUtime(t: Task): i64 {
  const buf = sysArg(1);
  if (buf == 0) return setTimes(t, AT_FDCWD, sysArg(0), 0, false, -1, -1);
  if (t.mm.copyIn(buf, BUF, 16) < 0) return -EFAULT;
  return setTimes(t, AT_FDCWD, sysArg(0), 0, true, load<i64>(BUF) * 1000000000, load<i64>(BUF + 8) * 1000000000);
}

const MS_ASYNC: i32 = 1;
const MS_INVALIDATE: i32 = 2;
const MS_SYNC: i32 = 4;

/** msync(2): a shared mapping maps the file's own pages (tmpfs), and the others are private
 *  copies, so there is nothing to write back. */
export function sysMsync(t: Task): i64 {
  const addr = sysArg(0);
  const flags = <i32>sysArg(2);
  if (!pageAligned(addr)) return -EINVAL;
  if ((flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) != 0) return -EINVAL;
  if ((flags & MS_ASYNC) != 0 && (flags & MS_SYNC) != 0) return -EINVAL;
  const len = pageUp(sysArg(1));
  if (addr + len < addr) return -ENOMEM;
  return t.mm.rangeMapped(addr, addr + len) ? 0 : -ENOMEM;
}

let bootNs: i64 = 0;

/** Remembers when the sandbox booted (sysinfo's uptime counts from here). */
export function noteBootTime(): void {
  bootNs = monotonicNow();
}

/** sysinfo(2): uptime of the sandbox, its memory limit and use, its task count. */
export function sysSysinfo(t: Task): i64 {
  memory.fill(BUF, 0, 112);
  store<i64>(BUF, (monotonicNow() - bootNs) / 1000000000 + 1);
  store<u64>(BUF + 32, memoryLimit);
  store<u64>(BUF + 40, memoryLimit - memoryFile.used);
  store<u16>(BUF + 80, <u16>threadGroups.size);
  store<u32>(BUF + 104, 1);
  return t.mm.copyOut(sysArg(0), BUF, 112) < 0 ? -EFAULT : 0;
}

