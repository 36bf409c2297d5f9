// Looking at files without opening them: stat, lstat, newfstatat, statx, access, faccessat,
// faccessat2, readlink, readlinkat, statfs, fstatfs (Linux fs/stat.c, fs/open.c, fs/statfs.c).
import { EACCES, EBADF, EFAULT, EINVAL, ENOENT, EROFS } from "../abi/errno";
import { sysArg } from "../abi/regs";
import { Task } from "../kernel/task";
import { fail, vfsErr } from "../fs/vfs/error";
import { InodeFile } from "../fs/vfs/inode_file";
import { Path } from "../fs/vfs/mount";
import { AT_FDCWD, LOOKUP_FOLLOW, resolveAt } from "../fs/vfs/namei";
import { MAY_WRITE, permitted } from "../fs/vfs/permission";
import { Attr, decodeStat, encodeStat, encodeStatx } from "../fs/vfs/stat";
import { pathArg } from "./path_arg";

export const AT_SYMLINK_NOFOLLOW: i32 = 0x100;
export const AT_EACCESS: i32 = 0x200;
export const AT_REMOVEDIR: i32 = 0x200;
export const AT_SYMLINK_FOLLOW: i32 = 0x400;
export const AT_NO_AUTOMOUNT: i32 = 0x800;
export const AT_EMPTY_PATH: i32 = 0x1000;
const AT_STATX_SYNC_TYPE: i32 = 0x6000;
const STAT_BUF: usize = memory.data(256, 8);

/** Resolves (dirfd, path) for the *at calls that take AT_EMPTY_PATH and AT_SYMLINK_NOFOLLOW;
 *  an empty path with AT_EMPTY_PATH names dirfd itself (any open file, not only a directory). */
export function lookupAt(t: Task, dirfd: i32, pathAddr: u64, flags: i32, follow: bool): Path | null {
  const path = pathArg(t, pathAddr);
  if (path === null) return null;
  if (path.length == 0 && (flags & AT_EMPTY_PATH) != 0) {
    if (dirfd == AT_FDCWD) return t.fs.cwd;
    const f = t.fdTable.getRaw(dirfd);
    if (f === null) return fail<Path>(EBADF);
    // A host fd has no path in the sandbox; callers that can stat it do so before this.
    if (!(f instanceof InodeFile)) return fail<Path>(ENOENT);
    return (<InodeFile>f).path;
  }
  return resolveAt(t, dirfd, path, follow ? LOOKUP_FOLLOW : 0);
}

function statPath(t: Task, p: Path, addr: u64): i64 {
  const a = new Attr();
  p.inode.getattr(a);
  encodeStat(a, STAT_BUF);
  return t.mm.copyOut(addr, STAT_BUF, 144) < 0 ? -EFAULT : 0;
}

/** stat of a file that is not an InodeFile (host stdio): the description answers itself. */
function statFd(t: Task, dirfd: i32, addr: u64, statx: bool): i64 {
  const f = t.fdTable.getRaw(dirfd);
  if (f === null) return -EBADF;
  const r = f.stat(STAT_BUF);
  if (r < 0) return r;
  if (!statx) return t.mm.copyOut(addr, STAT_BUF, 144) < 0 ? -EFAULT : 0;
  // Rebuild a statx from the struct stat the description gave.
  const a = new Attr();
  decodeStat(STAT_BUF, a);
  encodeStatx(a, STAT_BUF);
  return t.mm.copyOut(addr, STAT_BUF, 256) < 0 ? -EFAULT : 0;
}

function isHostFdEmptyPath(t: Task, dirfd: i32, pathAddr: u64, flags: i32): bool {
  if ((flags & AT_EMPTY_PATH) == 0 || dirfd == AT_FDCWD) return false;
  const f = t.fdTable.getRaw(dirfd);
  if (f === null || f instanceof InodeFile) return false;
  const path = pathArg(t, pathAddr);
  return path !== null && path.length == 0;
}

export function sysStat(t: Task): i64 {
  const path = pathArg(t, sysArg(0));
  if (path === null) return -vfsErr;
  const p = resolveAt(t, AT_FDCWD, path, LOOKUP_FOLLOW);
  if (p === null) return -vfsErr;
  return statPath(t, p, sysArg(1));
}

export function sysLstat(t: Task): i64 {
  const path = pathArg(t, sysArg(0));
  if (path === null) return -vfsErr;
  const p = resolveAt(t, AT_FDCWD, path, 0);
  if (p === null) return -vfsErr;
  return statPath(t, p, sysArg(1));
}

export function sysNewfstatat(t: Task): i64 {
  const dirfd = <i32>sysArg(0);
  const flags = <i32>sysArg(3);
  if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH)) != 0) return -EINVAL;
  if (isHostFdEmptyPath(t, dirfd, sysArg(1), flags)) return statFd(t, dirfd, sysArg(2), false);
  const p = lookupAt(t, dirfd, sysArg(1), flags, (flags & AT_SYMLINK_NOFOLLOW) == 0);
  if (p === null) return -vfsErr;
  return statPath(t, p, sysArg(2));
}

export function sysFstat(t: Task): i64 {
  return statFd(t, <i32>sysArg(0), sysArg(1), false);
}

export function sysStatx(t: Task): i64 {
  const dirfd = <i32>sysArg(0);
  const flags = <i32>sysArg(2);
  if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH | AT_STATX_SYNC_TYPE)) != 0) return -EINVAL;
  if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE) return -EINVAL;
  if ((<u32>sysArg(3) & 0x80000000) != 0) return -EINVAL; // STATX__RESERVED
  if (isHostFdEmptyPath(t, dirfd, sysArg(1), flags)) return statFd(t, dirfd, sysArg(4), true);
  const p = lookupAt(t, dirfd, sysArg(1), flags, (flags & AT_SYMLINK_NOFOLLOW) == 0);
  if (p === null) return -vfsErr;
  const a = new Attr();
  p.inode.getattr(a);
  a.btimeNs = 0;
  encodeStatx(a, STAT_BUF);
  return t.mm.copyOut(sysArg(4), STAT_BUF, 256) < 0 ? -EFAULT : 0;
}

/** access(2) family: checks with the real ids (the sandbox's are equal to the effective). */
function access(t: Task, dirfd: i32, pathAddr: u64, mode: i32, flags: i32): i64 {
  if ((mode & ~7) != 0) return -EINVAL;
  if ((flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) != 0) return -EINVAL;
  const p = lookupAt(t, dirfd, pathAddr, flags, (flags & AT_SYMLINK_NOFOLLOW) == 0);
  if (p === null) return -vfsErr;
  if ((mode & MAY_WRITE) != 0 && p.mnt.readonly && (p.inode.isReg || p.inode.isDir || p.inode.isLnk)) return -EROFS;
  return permitted(p.inode, mode, t.tg.cred) ? 0 : -EACCES;
}

export function sysAccess(t: Task): i64 {
  return access(t, AT_FDCWD, sysArg(0), <i32>sysArg(1), 0);
}

export function sysFaccessat(t: Task): i64 {
  return access(t, <i32>sysArg(0), sysArg(1), <i32>sysArg(2), 0);
}

export function sysFaccessat2(t: Task): i64 {
  return access(t, <i32>sysArg(0), sysArg(1), <i32>sysArg(2), <i32>sysArg(3));
}

function readlink(t: Task, dirfd: i32, pathAddr: u64, buf: u64, size: i64): i64 {
  if (size <= 0) return -EINVAL;
  const path = pathArg(t, pathAddr);
  if (path === null) return -vfsErr;
  // An empty path names the fd itself (an O_PATH fd of a symlink), never the cwd.
  if (path.length == 0 && dirfd == AT_FDCWD) return -ENOENT;
  const p = lookupAt(t, dirfd, pathAddr, AT_EMPTY_PATH, false);
  if (p === null) return -vfsErr;
  if (!p.inode.isLnk) return path.length == 0 ? -ENOENT : -EINVAL;
  const target = p.inode.readlink();
  if (target === null) return -vfsErr;
  const bytes = String.UTF8.encode(target);
  const n = <i64>bytes.byteLength < size ? bytes.byteLength : <i32>size;
  return t.mm.copyOut(buf, changetype<usize>(bytes), <u64>n) < 0 ? -EFAULT : n;
}

export function sysReadlink(t: Task): i64 {
  return readlink(t, AT_FDCWD, sysArg(0), sysArg(1), <i64>sysArg(2));
}

export function sysReadlinkat(t: Task): i64 {
  return readlink(t, <i32>sysArg(0), sysArg(1), sysArg(2), <i64>sysArg(3));
}

/** struct statfs for a path (f_type of the file system, sizes from the memory limit). */
function statfsOf(t: Task, p: Path, addr: u64): i64 {
  memory.fill(STAT_BUF, 0, 120);
  const fsType = p.mnt.fsType;
  const magic: u64 = fsType == "tmpfs" ? 0x01021994 : fsType == "devtmpfs" ? 0x01021994 : fsType == "proc" ? 0x9fa0 : 0x01021997;
  store<u64>(STAT_BUF, magic);          // f_type
  store<u64>(STAT_BUF + 8, 4096);       // f_bsize
  store<u64>(STAT_BUF + 16, 1 << 20);   // f_blocks
  store<u64>(STAT_BUF + 24, 1 << 19);   // f_bfree
  store<u64>(STAT_BUF + 32, 1 << 19);   // f_bavail
  store<u64>(STAT_BUF + 40, 1 << 20);   // f_files
  store<u64>(STAT_BUF + 48, 1 << 19);   // f_ffree
  store<u64>(STAT_BUF + 64, 255);       // f_namelen
  store<u64>(STAT_BUF + 72, 4096);      // f_frsize
  store<u64>(STAT_BUF + 80, p.mnt.readonly ? 1 : 0); // f_flags: ST_RDONLY
  return t.mm.copyOut(addr, STAT_BUF, 120) < 0 ? -EFAULT : 0;
}

export function sysStatfs(t: Task): i64 {
  const path = pathArg(t, sysArg(0));
  if (path === null) return -vfsErr;
  const p = resolveAt(t, AT_FDCWD, path, LOOKUP_FOLLOW);
  if (p === null) return -vfsErr;
  return statfsOf(t, p, sysArg(1));
}

export function sysFstatfs(t: Task): i64 {
  const f = t.fdTable.getRaw(<i32>sysArg(0));
  if (f === null) return -EBADF;
  if (!(f instanceof InodeFile)) {
    // A host fd (stdio): report a pipe-like file system, as Linux's pipefs would.
    return statfsOf(t, t.fs.root, sysArg(1));
  }
  return statfsOf(t, (<InodeFile>f).path, sysArg(1));
}

