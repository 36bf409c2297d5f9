// Names that come and go: unlink, unlinkat, rmdir, rename, renameat, renameat2, link, linkat,
// symlink, symlinkat (Linux fs/namei.c do_unlinkat(), do_rmdir(), do_renameat2(), do_linkat(),
// do_symlinkat()). The dentry cache follows every change made here.
import { EACCES, EBUSY, EEXIST, EINVAL, EISDIR, ENOENT, ENOTDIR, ENOTEMPTY, EPERM, EROFS, EXDEV } from "../abi/errno";
import { sysArg } from "../abi/regs";
import { Task } from "../kernel/task";
import { fail, vfsErr } from "../fs/vfs/error";
import { Dentry, Path } from "../fs/vfs/mount";
import { AT_FDCWD, isDotName, ParentPath, resolveParentAt } from "../fs/vfs/namei";
import { MAY_EXEC, MAY_WRITE, permitted } from "../fs/vfs/permission";
import { S_ISVTX } from "../fs/vfs/stat";
import { createTarget, created } from "./sys_dir";
import { lookupAt, AT_EMPTY_PATH, AT_REMOVEDIR, AT_SYMLINK_FOLLOW } from "./sys_stat";
import { pathArg } from "./path_arg";

const RENAME_NOREPLACE: u32 = 1;
const RENAME_EXCHANGE: u32 = 2;
const RENAME_WHITEOUT: u32 = 4;

/** The parent and the existing child for removing or renaming path. */
class Victim {
  constructor(public pp: ParentPath, public child: Dentry) {}
}

/** Whether the sticky bit of dir forbids t to remove child (Linux's may_delete()). */
function stickyDenies(t: Task, dir: Path, child: Dentry): bool {
  const uid = t.tg.cred.euid;
  return (dir.inode.mode & S_ISVTX) != 0 && uid != 0 && uid != child.inode.uid && uid != dir.inode.uid;
}

/** What removing or renaming "/", "." or ".." gives: EBUSY for rename and for the root,
 *  EINVAL for rmdir("."), ENOTEMPTY for rmdir(".."), EISDIR for unlink (do_rmdir(),
 *  do_unlinkat(), do_renameat2()). */
const FOR_UNLINK: i32 = 0;
const FOR_RMDIR: i32 = 1;
const FOR_RENAME: i32 = 2;

function dotError(name: string, op: i32): i32 {
  if (op == FOR_RENAME || name == "/") return op == FOR_UNLINK ? EISDIR : EBUSY;
  if (op == FOR_UNLINK) return EISDIR;
  return name == "." ? EINVAL : ENOTEMPTY;
}

function victim(t: Task, dirfd: i32, pathAddr: u64, op: i32): Victim | null {
  const path = pathArg(t, pathAddr);
  if (path === null) return null;
  const pp = resolveParentAt(t, dirfd, path);
  if (pp === null) return null;
  if (isDotName(pp.name)) return fail<Victim>(dotError(pp.name, op));
  const child = pp.dir.dentry.child(pp.name);
  if (child === null) return null;
  if (child.mounted !== null) return fail<Victim>(EBUSY);
  if (pp.dir.mnt.readonly) return fail<Victim>(EROFS);
  if (!permitted(pp.dir.inode, MAY_WRITE | MAY_EXEC, t.tg.cred)) return fail<Victim>(EACCES);
  if (stickyDenies(t, pp.dir, child)) return fail<Victim>(EPERM);
  return new Victim(pp, child);
}

function unlink(t: Task, dirfd: i32, pathAddr: u64): i64 {
  const v = victim(t, dirfd, pathAddr, FOR_UNLINK);
  if (v === null) return -vfsErr;
  if (v.child.inode.isDir) return -EISDIR;
  if (v.pp.trailingSlash) return -ENOTDIR;
  const r = v.pp.dir.inode.unlink(v.pp.name, v.child.inode, false);
  if (r < 0) return r;
  v.pp.dir.dentry.forget(v.pp.name);
  return 0;
}

function rmdir(t: Task, dirfd: i32, pathAddr: u64): i64 {
  const v = victim(t, dirfd, pathAddr, FOR_RMDIR);
  if (v === null) return -vfsErr;
  const inode = v.child.inode;
  if (!inode.isDir) return -ENOTDIR;
  if (v.child === t.fs.root.dentry || v.child === v.pp.dir.mnt.root) return -EBUSY;
  if (!inode.isEmptyDir()) return -ENOTEMPTY;
  const r = v.pp.dir.inode.unlink(v.pp.name, inode, true);
  if (r < 0) return r;
  inode.removed = true;
  v.pp.dir.dentry.forget(v.pp.name);
  return 0;
}

export function sysUnlink(t: Task): i64 {
  return unlink(t, AT_FDCWD, sysArg(0));
}

export function sysRmdir(t: Task): i64 {
  return rmdir(t, AT_FDCWD, sysArg(0));
}

export function sysUnlinkat(t: Task): i64 {
  const flags = <i32>sysArg(2);
  if ((flags & ~AT_REMOVEDIR) != 0) return -EINVAL;
  return (flags & AT_REMOVEDIR) != 0 ? rmdir(t, <i32>sysArg(0), sysArg(1)) : unlink(t, <i32>sysArg(0), sysArg(1));
}

/** Whether dentry a is d or one of its ancestors (within one file system). */
function isAncestor(a: Dentry, d: Dentry): bool {
  let x: Dentry | null = d;
  while (x !== null) {
    if (x === a) return true;
    x = x.parent;
  }
  return false;
}

function rename(t: Task, olddirfd: i32, oldAddr: u64, newdirfd: i32, newAddr: u64, flags: u32): i64 {
  if ((flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT)) != 0) return -EINVAL;
  if ((flags & RENAME_EXCHANGE) != 0 && (flags & (RENAME_NOREPLACE | RENAME_WHITEOUT)) != 0) return -EINVAL;
  // A whiteout is a device node: making one takes CAP_MKNOD.
  if ((flags & RENAME_WHITEOUT) != 0 && t.tg.cred.euid != 0) return -EPERM;
  const exchange = (flags & RENAME_EXCHANGE) != 0;
  const src = victim(t, olddirfd, oldAddr, FOR_RENAME);
  if (src === null) return -vfsErr;
  const newPath = pathArg(t, newAddr);
  if (newPath === null) return -vfsErr;
  const dst = resolveParentAt(t, newdirfd, newPath);
  if (dst === null) return -vfsErr;
  if (isDotName(dst.name)) return -EBUSY;
  if (src.pp.dir.mnt !== dst.dir.mnt) return -EXDEV;
  if (dst.dir.mnt.readonly) return -EROFS;
  if (!permitted(dst.dir.inode, MAY_WRITE | MAY_EXEC, t.tg.cred)) return -EACCES;
  const moving = src.child.inode;
  if (!moving.isDir && (src.pp.trailingSlash || (dst.trailingSlash && !exchange))) return -ENOTDIR;
  const existing = dst.dir.dentry.child(dst.name);
  if (existing === null && vfsErr != ENOENT) return -vfsErr;
  if (exchange) return renameExchange(t, src, dst, existing);
  if (existing !== null && (flags & RENAME_NOREPLACE) != 0) return -EEXIST;
  // A directory cannot move below itself.
  if (moving.isDir && isAncestor(src.child, dst.dir.dentry)) return -EINVAL;
  if (existing !== null) {
    if (existing === src.child) return 0;
    if (existing.mounted !== null) return -EBUSY;
    const target = existing.inode;
    if (target === moving) return 0; // two links to one inode: nothing to do, as POSIX says
    if (moving.isDir && !target.isDir) return -ENOTDIR;
    if (!moving.isDir && target.isDir) return -EISDIR;
    if (target.isDir && !target.isEmptyDir()) return -ENOTEMPTY;
    if (stickyDenies(t, dst.dir, existing)) return -EPERM;
  }
  const replaced = existing !== null ? existing.inode : null;
  const r = (flags & RENAME_WHITEOUT) != 0
    ? src.pp.dir.inode.renameWhiteout(src.pp.name, moving, dst.dir.inode, dst.name, replaced, t.tg.cred)
    : src.pp.dir.inode.rename(src.pp.name, moving, dst.dir.inode, dst.name, replaced);
  if (r < 0) return r;
  src.pp.dir.dentry.forget(src.pp.name);
  dst.dir.dentry.forget(dst.name);
  moveDentry(src.child, dst.dir.dentry, dst.name);
  return 0;
}

/** Keeps a moved dentry (its children stay cached) under its new parent and name. */
function moveDentry(d: Dentry, parent: Dentry, name: string): void {
  d.parent = parent;
  d.name = name;
  parent.children.set(name, d);
}

/** renameat2(RENAME_EXCHANGE): both names must exist; either may be a directory, and neither
 *  may end up below itself (Linux's do_renameat2() traps: EINVAL both ways). */
function renameExchange(t: Task, src: Victim, dst: ParentPath, existing: Dentry | null): i64 {
  if (existing === null) return -ENOENT;
  if (src.child.inode.isDir && isAncestor(src.child, dst.dir.dentry)) return -EINVAL;
  if (existing === src.child || existing.inode === src.child.inode) return 0;
  if (existing.mounted !== null || src.child.mounted !== null) return -EBUSY;
  const other = existing.inode;
  if (!other.isDir && dst.trailingSlash) return -ENOTDIR;
  if (other.isDir && isAncestor(existing, src.pp.dir.dentry)) return -EINVAL;
  if (stickyDenies(t, dst.dir, existing)) return -EPERM;
  const r = src.pp.dir.inode.exchange(src.pp.name, src.child.inode, dst.dir.inode, dst.name, other);
  if (r < 0) return r;
  const oldName = src.pp.name;
  moveDentry(src.child, dst.dir.dentry, dst.name);
  moveDentry(existing, src.pp.dir.dentry, oldName);
  return 0;
}

export function sysRename(t: Task): i64 {
  return rename(t, AT_FDCWD, sysArg(0), AT_FDCWD, sysArg(1), 0);
}

export function sysRenameat(t: Task): i64 {
  return rename(t, <i32>sysArg(0), sysArg(1), <i32>sysArg(2), sysArg(3), 0);
}

export function sysRenameat2(t: Task): i64 {
  return rename(t, <i32>sysArg(0), sysArg(1), <i32>sysArg(2), sysArg(3), <u32>sysArg(4));
}

function link(t: Task, olddirfd: i32, oldAddr: u64, newdirfd: i32, newAddr: u64, flags: i32): i64 {
  if ((flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) != 0) return -EINVAL;
  const old = lookupAt(t, olddirfd, oldAddr, flags, (flags & AT_SYMLINK_FOLLOW) != 0);
  if (old === null) return -vfsErr;
  if (old.inode.isDir) return -EPERM;
  // A file whose last name is gone cannot get a new one (vfs_link's i_nlink check), unless
  // it is an O_TMPFILE file made linkable.
  if (old.inode.nlink == 0 && !old.inode.linkable) return -ENOENT;
  const pp = createTarget(t, newdirfd, newAddr, false);
  if (pp === null) return -vfsErr;
  if (pp.dir.mnt !== old.mnt) return -EXDEV;
  const r = pp.dir.inode.link(pp.name, old.inode);
  if (r < 0) return r;
  old.inode.linkable = false;
  pp.dir.dentry.add(pp.name, old.inode);
  return 0;
}

export function sysLink(t: Task): i64 {
  return link(t, AT_FDCWD, sysArg(0), AT_FDCWD, sysArg(1), 0);
}

export function sysLinkat(t: Task): i64 {
  return link(t, <i32>sysArg(0), sysArg(1), <i32>sysArg(2), sysArg(3), <i32>sysArg(4));
}

function symlink(t: Task, targetAddr: u64, dirfd: i32, pathAddr: u64): i64 {
  const target = pathArg(t, targetAddr);
  if (target === null) return -vfsErr;
  if (target.length == 0) return -ENOENT;
  const pp = createTarget(t, dirfd, pathAddr, false);
  if (pp === null) return -vfsErr;
  return created(pp, pp.dir.inode.symlink(pp.name, target, t.tg.cred));
}

export function sysSymlink(t: Task): i64 {
  return symlink(t, sysArg(0), AT_FDCWD, sysArg(1));
}

export function sysSymlinkat(t: Task): i64 {
  return symlink(t, sysArg(0), <i32>sysArg(1), sysArg(2));
}

