// Extended attributes (Linux fs/xattr.c): get, set, list and remove, by path (following
// symlinks or not) or by fd. Names are checked here as Linux's xattr_permission() and
// xattr_resolve_name() do; the values live in the file system (tmpfs and the overlay's upper
// layer keep them; the Gofer's files have none).
import { E2BIG, EACCES, EBADF, EFAULT, EINVAL, ENODATA, EOPNOTSUPP, EPERM, ERANGE, EROFS } from "../abi/errno";
import { sysArg } from "../abi/regs";
import { Task } from "../kernel/task";
import { vfsErr } from "../fs/vfs/error";
import { Inode } from "../fs/vfs/inode";
import { InodeFile } from "../fs/vfs/inode_file";
import { AT_FDCWD, LOOKUP_FOLLOW, resolveAt } from "../fs/vfs/namei";
import { Path } from "../fs/vfs/mount";
import { MAY_READ, MAY_WRITE, permitted } from "../fs/vfs/permission";
import { S_ISVTX } from "../fs/vfs/stat";
import { XATTR_CREATE, XATTR_REPLACE } from "../fs/vfs/xattr";
import { O_PATH_FLAG } from "../fs/vfs/open_flags";
import { pathArg } from "./path_arg";

const XATTR_NAME_MAX: i32 = 255;
/** The largest value (XATTR_SIZE_MAX) and listing (XATTR_LIST_MAX). */
const XATTR_SIZE_MAX: u64 = 65536;

/** Why the last target() or nameArg() gave null: an errno, or NO_XATTRS for an fd that is
 *  no file system's file (noXattrs() says what the call gives then). */
let lookupErr: i32 = 0;
const NO_XATTRS: i32 = -1;

/** What a call gives for a file outside any file system that keeps xattrs (a pipe, an
 *  eventfd): such a file is neither regular nor a directory, so "user." names are refused
 *  (EPERM to change, ENODATA to read) before its lack of handlers shows (EOPNOTSUPP). */
function noXattrs(t: Task, write: bool): i64 {
  const name = nameArg(t);
  if (name === null) return -lookupErr;
  return startsWith(name, "user.") ? (write ? -EPERM : -ENODATA) : -EOPNOTSUPP;
}

/** The file the first argument names: a path, or with byFd an fd (O_PATH fds give EBADF, as
 *  Linux's fdget() for these calls does). Null with lookupErr. */
function target(t: Task, byFd: bool, follow: bool): Path | null {
  if (byFd) {
    const f = t.fdTable.get(<i32>sysArg(0));
    if (f === null || (f.flags & O_PATH_FLAG) != 0) {
      lookupErr = EBADF;
      return null;
    }
    if (!(f instanceof InodeFile)) {
      // Pipes, the host's stdio and anonymous files: no file system of theirs keeps xattrs.
      lookupErr = NO_XATTRS;
      return null;
    }
    return (<InodeFile>f).path;
  }
  const path = pathArg(t, sysArg(0));
  const p = path !== null ? resolveAt(t, AT_FDCWD, path, follow ? LOOKUP_FOLLOW : 0) : null;
  if (p === null) {
    lookupErr = vfsErr;
  }
  return p;
}

/** The name argument: 1 to 255 bytes (ERANGE otherwise, as strncpy_from_user's checks give). */
function nameArg(t: Task): string | null {
  const name = t.mm.copyInString(sysArg(1), XATTR_NAME_MAX + 1);
  if (name === null) {
    lookupErr = t.mm.accessibleLen(sysArg(1), 1, 1) == 0 ? EFAULT : ERANGE;
    return null;
  }
  if (name.length == 0 || String.UTF8.byteLength(name) > XATTR_NAME_MAX) {
    lookupErr = ERANGE;
    return null;
  }
  return name;
}

function startsWith(name: string, prefix: string): bool {
  return name.length > prefix.length && name.startsWith(prefix);
}

/** Whether t may read (or with write, change) attribute name of inode: 0 or -errno. "user."
 *  names exist only on regular files and directories and follow the file's permissions (a
 *  sticky directory only its owner's); "trusted." names are root's; "security." names anyone
 *  reads and root changes; "system." (POSIX ACLs) and other namespaces are not supported. */
function xattrPermission(t: Task, inode: Inode, name: string, write: bool): i32 {
  const cred = t.tg.cred;
  // Changing a security name takes CAP_SYS_ADMIN (cap_inode_setxattr()); reading is free.
  if (startsWith(name, "security.")) return write && cred.euid != 0 ? -EPERM : 0;
  if (startsWith(name, "trusted.")) return cred.euid == 0 ? 0 : write ? -EPERM : -ENODATA;
  if (startsWith(name, "user.")) {
    if (!inode.isReg && !inode.isDir) return write ? -EPERM : -ENODATA;
    if (write && inode.isDir && (inode.mode & S_ISVTX) != 0 && cred.euid != 0 && cred.euid != inode.uid) return -EPERM;
    return permitted(inode, write ? MAY_WRITE : MAY_READ, cred) ? 0 : -EACCES;
  }
  // A bare prefix ("user.") names nothing; unknown namespaces have no handler.
  if (name == "user." || name == "trusted." || name == "security.") return -EINVAL;
  return -EOPNOTSUPP;
}

function getxattr(t: Task, byFd: bool, follow: bool): i64 {
  const path = target(t, byFd, follow);
  if (path === null) return lookupErr == NO_XATTRS ? noXattrs(t, false) : -lookupErr;
  const inode = path.inode;
  const name = nameArg(t);
  if (name === null) return -lookupErr;
  const p = xattrPermission(t, inode, name, false);
  if (p < 0) return p;
  const v = inode.getxattr(name);
  if (v === null) return -vfsErr;
  const size = sysArg(3);
  if (size == 0) return v.length;
  if (<u64>v.length > size) return -ERANGE;
  if (t.mm.copyOut(sysArg(2), v.dataStart, <u64>v.length) < 0) return -EFAULT;
  return v.length;
}

export function sysGetxattr(t: Task): i64 { return getxattr(t, false, true); }
export function sysLgetxattr(t: Task): i64 { return getxattr(t, false, false); }
export function sysFgetxattr(t: Task): i64 { return getxattr(t, true, false); }

function setxattr(t: Task, byFd: bool, follow: bool): i64 {
  const flags = <i32>sysArg(4);
  if ((flags & ~(XATTR_CREATE | XATTR_REPLACE)) != 0) return -EINVAL;
  const path = target(t, byFd, follow);
  if (path === null) return lookupErr == NO_XATTRS ? noXattrs(t, true) : -lookupErr;
  const inode = path.inode;
  const name = nameArg(t);
  if (name === null) return -lookupErr;
  const size = sysArg(3);
  if (size > XATTR_SIZE_MAX) return -E2BIG;
  const value = new Uint8Array(<i32>size);
  if (size > 0 && t.mm.copyIn(sysArg(2), value.dataStart, size) < 0) return -EFAULT;
  if (path.mnt.readonly) return -EROFS;
  const p = xattrPermission(t, inode, name, true);
  if (p < 0) return p;
  return inode.setxattr(name, value, flags);
}

export function sysSetxattr(t: Task): i64 { return setxattr(t, false, true); }
export function sysLsetxattr(t: Task): i64 { return setxattr(t, false, false); }
export function sysFsetxattr(t: Task): i64 { return setxattr(t, true, false); }

function listxattr(t: Task, byFd: bool, follow: bool): i64 {
  const path = target(t, byFd, follow);
  if (path === null) return lookupErr == NO_XATTRS ? 0 : -lookupErr;
  const inode = path.inode;
  // The names, each NUL-terminated; trusted names only for root (listxattr(2)).
  const names = inode.listxattr();
  let out = "";
  for (let i = 0; i < names.length; i++) {
    if (startsWith(names[i], "trusted.") && t.tg.cred.euid != 0) continue;
    out += names[i] + "\0";
  }
  const bytes = String.UTF8.encode(out);
  const len = <u64>bytes.byteLength;
  let size = sysArg(2);
  if (size > XATTR_SIZE_MAX) size = XATTR_SIZE_MAX;
  if (size == 0) return <i64>len;
  if (len > size) return len > XATTR_SIZE_MAX ? -E2BIG : -ERANGE;
  if (t.mm.copyOut(sysArg(1), changetype<usize>(bytes), len) < 0) return -EFAULT;
  return <i64>len;
}

export function sysListxattr(t: Task): i64 { return listxattr(t, false, true); }
export function sysLlistxattr(t: Task): i64 { return listxattr(t, false, false); }
export function sysFlistxattr(t: Task): i64 { return listxattr(t, true, false); }

function removexattr(t: Task, byFd: bool, follow: bool): i64 {
  const path = target(t, byFd, follow);
  if (path === null) return lookupErr == NO_XATTRS ? noXattrs(t, true) : -lookupErr;
  const inode = path.inode;
  const name = nameArg(t);
  if (name === null) return -lookupErr;
  if (path.mnt.readonly) return -EROFS;
  const p = xattrPermission(t, inode, name, true);
  if (p < 0) return p;
  return inode.removexattr(name);
}

export function sysRemovexattr(t: Task): i64 { return removexattr(t, false, true); }
export function sysLremovexattr(t: Task): i64 { return removexattr(t, false, false); }
export function sysFremovexattr(t: Task): i64 { return removexattr(t, true, false); }
