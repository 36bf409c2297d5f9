// Extended attributes (Linux fs/xattr.c). No file system here stores any yet: reads find no
// attribute (ENODATA), listings are empty, and setting one is not supported (EOPNOTSUPP), which
// is what programs see on a file system without xattr support. The file must still exist.
import { EBADF, ENODATA, EOPNOTSUPP, ERANGE } from "../abi/errno";
import { sysArg } from "../abi/regs";
import { Task } from "../kernel/task";
import { vfsErr } from "../fs/vfs/error";
import { AT_FDCWD, LOOKUP_FOLLOW, resolveAt } from "../fs/vfs/namei";
import { pathArg } from "./path_arg";

const XATTR_NAME_MAX: i32 = 255;

/** Checks the file named by the path argument (following symlinks or not). 0 or -errno. */
function checkPath(t: Task, follow: bool): i64 {
  const path = pathArg(t, sysArg(0));
  if (path === null) return -vfsErr;
  return resolveAt(t, AT_FDCWD, path, follow ? LOOKUP_FOLLOW : 0) === null ? -vfsErr : 0;
}

function checkName(t: Task): i64 {
  const name = t.mm.copyInString(sysArg(1), XATTR_NAME_MAX + 1);
  if (name === null) return -ERANGE;
  return 0;
}

function get(r: i64, t: Task): i64 {
  if (r < 0) return r;
  const n = checkName(t);
  return n < 0 ? n : -ENODATA;
}

export function sysGetxattr(t: Task): i64 { return get(checkPath(t, true), t); }
export function sysLgetxattr(t: Task): i64 { return get(checkPath(t, false), t); }
export function sysFgetxattr(t: Task): i64 { return get(t.fdTable.get(<i32>sysArg(0)) === null ? -EBADF : 0, t); }

export function sysListxattr(t: Task): i64 { return checkPath(t, true); }
export function sysLlistxattr(t: Task): i64 { return checkPath(t, false); }
export function sysFlistxattr(t: Task): i64 { return t.fdTable.get(<i32>sysArg(0)) === null ? -EBADF : 0; }

function set(r: i64): i64 { return r < 0 ? r : -EOPNOTSUPP; }

export function sysSetxattr(t: Task): i64 { return set(checkPath(t, true)); }
export function sysLsetxattr(t: Task): i64 { return set(checkPath(t, false)); }
export function sysFsetxattr(t: Task): i64 { return set(t.fdTable.get(<i32>sysArg(0)) === null ? -EBADF : 0); }
export function sysRemovexattr(t: Task): i64 { return get(checkPath(t, true), t); }
export function sysLremovexattr(t: Task): i64 { return get(checkPath(t, false), t); }
export function sysFremovexattr(t: Task): i64 { return get(t.fdTable.get(<i32>sysArg(0)) === null ? -EBADF : 0, t); }
