// Directories and creating names: getdents64, getcwd, chdir, fchdir, mkdir(at), mknod(at), and
// the checks every creation shares (Linux fs/namei.c filename_create(), fs/readdir.c, fs/d_path.c).
import { EACCES, EBADF, EEXIST, EFAULT, EINVAL, ENOENT, ENOTDIR, EPERM, ERANGE, EROFS } from "../abi/errno";
import { sysArg } from "../abi/regs";
import { Task } from "../kernel/task";
import { fail, vfsErr } from "../fs/vfs/error";
import { Inode } from "../fs/vfs/inode";
import { InodeFile } from "../fs/vfs/inode_file";
import { Path, pathName } from "../fs/vfs/mount";
import { AT_FDCWD, isDotName, LOOKUP_DIRECTORY, LOOKUP_FOLLOW, ParentPath, resolveAt, resolveParentAt } from "../fs/vfs/namei";
import { MAY_EXEC, MAY_WRITE, permitted } from "../fs/vfs/permission";
import { S_IFCHR, S_IFBLK, S_IFDIR, S_IFIFO, S_IFMT, S_IFREG, S_IFSOCK } from "../fs/vfs/stat";
import { pathArg } from "./path_arg";

/** The parent and name for creating path: the name must not exist, the mount must be
 *  writable, the directory writable and searchable. Null with vfsErr otherwise. */
export function createTarget(t: Task, dirfd: i32, pathAddr: u64, isDir: bool): ParentPath | null {
  const path = pathArg(t, pathAddr);
  if (path === null) return null;
  return createTargetAt(t, dirfd, path, isDir);
}

/** createTarget for a path the kernel already holds (bind(2)'s socket path). */
export function createTargetAt(t: Task, dirfd: i32, path: string, isDir: bool): ParentPath | null {
  const pp = resolveParentAt(t, dirfd, path);
  if (pp === null) return null;
  if (isDotName(pp.name)) return fail<ParentPath>(EEXIST);
  if (pp.dir.inode.removed) return fail<ParentPath>(ENOENT);
  if (pp.dir.dentry.child(pp.name) !== null) return fail<ParentPath>(EEXIST);
  if (vfsErr != ENOENT) return null;
  // A trailing slash asks for a directory: anything else cannot be made under that name.
  if (pp.trailingSlash && !isDir) return fail<ParentPath>(ENOENT);
  if (pp.dir.mnt.readonly) return fail<ParentPath>(EROFS);
  if (!permitted(pp.dir.inode, MAY_WRITE | MAY_EXEC, t.tg.cred)) return fail<ParentPath>(EACCES);
  return pp;
}

/** Caches a created inode and reports success, or the error the file system gave. */
export function created(pp: ParentPath, inode: Inode | null): i64 {
  if (inode === null) return -vfsErr;
  pp.dir.dentry.add(pp.name, inode);
  return 0;
}

function mkdir(t: Task, dirfd: i32, pathAddr: u64, mode: u32): i64 {
  const pp = createTarget(t, dirfd, pathAddr, true);
  if (pp === null) return -vfsErr;
  // mkdir keeps only the permission bits and the sticky bit (vfs_mkdir's S_IRWXUGO|S_ISVTX).
  return created(pp, pp.dir.inode.mkdir(pp.name, mode & 0o1777 & ~t.fs.umask, t.tg.cred));
}

export function sysMkdir(t: Task): i64 {
  return mkdir(t, AT_FDCWD, sysArg(0), <u32>sysArg(1));
}

export function sysMkdirat(t: Task): i64 {
  return mkdir(t, <i32>sysArg(0), sysArg(1), <u32>sysArg(2));
}

/** mknod: regular files and fifos (devices need CAP_MKNOD in Linux and a driver here). */
function mknod(t: Task, dirfd: i32, pathAddr: u64, mode: u32, dev: u64): i64 {
  let type = mode & S_IFMT;
  if (type == 0) type = S_IFREG;
  if (type == S_IFCHR || type == S_IFBLK || type == S_IFDIR) return -EPERM;
  if (type != S_IFREG && type != S_IFIFO && type != S_IFSOCK) return -EINVAL;
  const pp = createTarget(t, dirfd, pathAddr, false);
  if (pp === null) return -vfsErr;
  return created(pp, pp.dir.inode.mknod(pp.name, type | (mode & 0o7777 & ~t.fs.umask), 0, t.tg.cred));
}

export function sysMknod(t: Task): i64 {
  return mknod(t, AT_FDCWD, sysArg(0), <u32>sysArg(1), sysArg(2));
}

export function sysMknodat(t: Task): i64 {
  return mknod(t, <i32>sysArg(0), sysArg(1), <u32>sysArg(2), sysArg(3));
}

export function sysGetdents64(t: Task): i64 {
  const f = t.fdTable.get(<i32>sysArg(0));
  if (f === null) return -EBADF;
  if (!(f instanceof InodeFile)) return -ENOTDIR;
  const file = <InodeFile>f;
  if (file.isPathOnly) return -EBADF;
  if (file.path.inode.removed) return -ENOENT;
  return file.getdents(t, sysArg(1), sysArg(2));
}

/** getcwd(2): the path from the task's root, with its NUL; ERANGE if it does not fit. */
export function sysGetcwd(t: Task): i64 {
  if (t.fs.cwd.inode.removed) return -ENOENT;
  const name = String.UTF8.encode(pathName(t.fs.cwd, t.fs.root), true);
  const size = sysArg(1);
  if (<u64>name.byteLength > size) return -ERANGE;
  return t.mm.copyOut(sysArg(0), changetype<usize>(name), <u64>name.byteLength) < 0 ? -EFAULT : name.byteLength;
}

function chdirTo(t: Task, p: Path): i64 {
  if (!p.inode.isDir) return -ENOTDIR;
  if (!permitted(p.inode, MAY_EXEC, t.tg.cred)) return -EACCES;
  t.fs.cwd = p;
  return 0;
}

export function sysChdir(t: Task): i64 {
  const path = pathArg(t, sysArg(0));
  if (path === null) return -vfsErr;
  const p = resolveAt(t, AT_FDCWD, path, LOOKUP_FOLLOW | LOOKUP_DIRECTORY);
  if (p === null) return -vfsErr;
  return chdirTo(t, p);
}

export function sysFchdir(t: Task): i64 {
  const f = t.fdTable.getRaw(<i32>sysArg(0));
  if (f === null) return -EBADF;
  if (!(f instanceof InodeFile)) return -ENOTDIR;
  return chdirTo(t, (<InodeFile>f).path);
}
