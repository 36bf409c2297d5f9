// Opening files: open, openat, creat, openat2 (Linux fs/open.c do_sys_openat2(), fs/namei.c
// path_openat() and may_open()).
import { E2BIG, EACCES, EAGAIN, EEXIST, EFAULT, EINVAL, EISDIR, ELOOP, ENOENT, ENOTDIR, EOPNOTSUPP, EROFS, EXDEV } from "../abi/errno";
import { O_ACCMODE, O_CLOEXEC, O_LARGEFILE, O_RDONLY, O_RDWR, O_WRONLY, PAGE_SIZE, RLIMIT_NOFILE } from "../abi/linux";
import { sysArg } from "../abi/regs";
import { Task } from "../kernel/task";
import { FileDescription } from "../fs/file";
import { fail, vfsErr } from "../fs/vfs/error";
import { Dentry, Path } from "../fs/vfs/mount";
import {
  AT_FDCWD, followMounts, isDotName, LOOKUP_BENEATH, LOOKUP_DIRECTORY, LOOKUP_FOLLOW, LOOKUP_IN_ROOT, LOOKUP_NO_MAGICLINKS,
  LOOKUP_NO_SYMLINKS, LOOKUP_NO_XDEV, lookupRoot, lookupStart, MAXSYMLINKS, resolveAt, resolveFrom, resolveParentFrom,
} from "../fs/vfs/namei";
import { O_CREAT, O_DIRECTORY, O_EXCL, O_NOCTTY, O_NOFOLLOW, O_PATH_FLAG, O_TRUNC, __O_TMPFILE } from "../fs/vfs/open_flags";
import { MAY_READ, MAY_WRITE, MAY_EXEC, permitted } from "../fs/vfs/permission";
import { InodeFile } from "../fs/vfs/inode_file";
import { isChr, isFifo, S_IFREG } from "../fs/vfs/stat";
import { FifoEnd, fifoError, fifoOpen } from "../fs/fifo";
import { pathArg } from "./path_arg";

/** Flags that only steer the open itself and are not kept in the file description. */
const OPEN_ONLY_FLAGS: i32 = O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC;

function fdLimit(t: Task): i32 {
  const lim = t.tg.rlimits.cur[RLIMIT_NOFILE];
  return lim > 0x7fffffff ? 0x7fffffff : <i32>lim;
}

/** Finds or creates the file for an O_CREAT open, looking path up from start within root
 *  with the lookup flags `lookup` (openat2's restrictions). Returns the path, or null with
 *  vfsErr. */
function openCreate(t: Task, root: Path, start: Path, path: string, flags: i32, mode: u32, lookup: i32, depth: i32): Path | null {
  openCreated = false;
  const pp = resolveParentFrom(root, start, path, lookup);
  if (pp === null) return null;
  if (isDotName(pp.name)) return fail<Path>((flags & O_EXCL) != 0 ? EEXIST : EISDIR);
  if (pp.trailingSlash) return fail<Path>(EISDIR);
  if (pp.dir.inode.removed) return fail<Path>(ENOENT);
  const dir = pp.dir;
  const existing: Dentry | null = dir.dentry.child(pp.name);
  if (existing === null) {
    if (vfsErr != ENOENT) return null;
    if (dir.mnt.readonly) return fail<Path>(EROFS);
    if (!permitted(dir.inode, MAY_WRITE | MAY_EXEC, t.tg.cred)) return fail<Path>(EACCES);
    const inode = dir.inode.mknod(pp.name, S_IFREG | (mode & 0o7777 & ~t.fs.umask), 0, t.tg.cred);
    if (inode === null) return null;
    openCreated = true;
    return new Path(dir.mnt, dir.dentry.add(pp.name, inode));
  }
  if ((flags & O_EXCL) != 0) return fail<Path>(EEXIST);
  const p = followMounts(new Path(dir.mnt, existing));
  if ((lookup & LOOKUP_NO_XDEV) != 0 && p.mnt !== dir.mnt) return fail<Path>(EXDEV);
  if (!p.inode.isLnk) return p;
  if ((flags & O_NOFOLLOW) != 0) return fail<Path>(ELOOP);
  // An existing symlink is followed; a dangling one is created at its target, as Linux's
  // open_last_lookups() does, within the symlink limit.
  const target = resolveFrom(root, start, path, LOOKUP_FOLLOW | lookup);
  if (target !== null || vfsErr != ENOENT || depth >= MAXSYMLINKS) return target;
  const link = p.inode.readlink();
  if (link === null) return null;
  return openCreate(t, root, link.charCodeAt(0) == 0x2f ? root : dir, link, flags, mode, lookup, depth + 1);
}

/** Whether the last openCreate made a new file (it then needs no access check). */
let openCreated = false;

/** O_TMPFILE (Linux's do_tmpfile()): an unnamed regular file in the directory path names,
 *  opened for writing; without O_EXCL it may get a name later through linkat. */
function openTmpfile(t: Task, dirfd: i32, path: string, flags: i32, mode: u32, lookup: i32): i64 {
  // O_TMPFILE is __O_TMPFILE with O_DIRECTORY, never with O_CREAT, and needs write access.
  if ((flags & (__O_TMPFILE | O_DIRECTORY | O_CREAT)) != (__O_TMPFILE | O_DIRECTORY)) return -EINVAL;
  const acc = flags & O_ACCMODE;
  if (acc != O_WRONLY && acc != O_RDWR) return -EINVAL;
  const dir = resolveAt(t, dirfd, path, LOOKUP_FOLLOW | LOOKUP_DIRECTORY | lookup);
  if (dir === null) return -vfsErr;
  if (!permitted(dir.inode, MAY_WRITE | MAY_EXEC, t.tg.cred)) return -EACCES;
  if (dir.mnt.readonly) return -EROFS;
  const inode = dir.inode.tmpfile(mode & ~t.fs.umask, t.tg.cred);
  if (inode === null) return -vfsErr;
  inode.linkable = (flags & O_EXCL) == 0;
  // Its dentry is not in the cache: no lookup finds it (Linux's d_tmpfile() names it "#ino").
  const d = new Dentry("#" + inode.ino.toString(), dir.dentry, inode);
  const file = inode.open((flags & ~OPEN_ONLY_FLAGS) | O_LARGEFILE, new Path(dir.mnt, d));
  if (file === null) return -vfsErr;
  return t.fdTable.install(file, 0, fdLimit(t), (flags & O_CLOEXEC) != 0);
}

/** The common part of open, openat, creat and openat2 (lookup: its RESOLVE_* as lookup
 *  flags): returns the new fd or -errno. */
export function doOpen(t: Task, dirfd: i32, pathAddr: u64, flags: i32, mode: u32, lookup: i32 = 0): i64 {
  const cloexec = (flags & O_CLOEXEC) != 0;
  if (t.pendingOpen !== null) {
    // A FIFO open that waited runs again: it already holds its inode, whatever happened to
    // the path since (fifo_open() sleeps after the lookup).
    const end = fifoOpen(t, (<FifoEnd>t.pendingOpen).path, flags);
    return end === null ? fifoError : t.fdTable.install(end, 0, fdLimit(t), cloexec);
  }
  const path = pathArg(t, pathAddr);
  if (path === null) return -vfsErr;
  if ((flags & __O_TMPFILE) != 0) return openTmpfile(t, dirfd, path, flags, mode, lookup);
  const follow = ((flags & O_NOFOLLOW) != 0 ? 0 : LOOKUP_FOLLOW) | ((flags & O_DIRECTORY) != 0 ? LOOKUP_DIRECTORY : 0) | lookup;
  if ((flags & O_PATH_FLAG) != 0) {
    // O_PATH keeps only O_DIRECTORY, O_NOFOLLOW and O_CLOEXEC (build_open_flags()).
    const p = resolveAt(t, dirfd, path, follow);
    if (p === null) return -vfsErr;
    if ((flags & O_DIRECTORY) != 0 && !p.inode.isDir) return -ENOTDIR;
    return t.fdTable.install(new InodeFile(O_PATH_FLAG | (flags & (O_DIRECTORY | O_NOFOLLOW)), p), 0, fdLimit(t), cloexec);
  }
  const acc = flags & O_ACCMODE;
  let p: Path | null;
  let created = false;
  if ((flags & O_CREAT) != 0) {
    const root = lookupRoot(t, dirfd, lookup);
    const start = lookupStart(t, dirfd, path, lookup);
    if (root === null || start === null) return -vfsErr;
    p = openCreate(t, root, start, path, flags, mode, lookup, 0);
    if (p === null) return -vfsErr;
    created = openCreated;
  } else {
    p = resolveAt(t, dirfd, path, follow);
    if (p === null) return -vfsErr;
    if (p.inode.isLnk) return -ELOOP;
  }
  const path2 = p;
  const inode = path2.inode;
  if ((flags & O_DIRECTORY) != 0 && !inode.isDir) return -ENOTDIR;
  const wantsWrite = acc != O_RDONLY || (flags & O_TRUNC) != 0;
  if (inode.isDir && (wantsWrite || (flags & O_CREAT) != 0)) return -EISDIR;
  if (!created) {
    if (wantsWrite && path2.mnt.readonly && (inode.isReg || inode.isDir)) return -EROFS;
    let mask = 0;
    if (acc != O_WRONLY) mask |= MAY_READ;
    if (wantsWrite) mask |= MAY_WRITE;
    if (!permitted(inode, mask, t.tg.cred)) return -EACCES;
  }
  let file: FileDescription | null;
  if (isFifo(inode.mode)) {
    file = fifoOpen(t, path2, (flags & ~OPEN_ONLY_FLAGS) | O_LARGEFILE);
    if (file === null) return fifoError;
  } else {
    // A terminal's open still sees O_NOCTTY (tty_open() runs before do_dentry_open() drops
    // it from f_flags); the drivers drop it themselves.
    const keep = isChr(inode.mode) ? flags & O_NOCTTY : 0;
    file = inode.open((flags & ~OPEN_ONLY_FLAGS) | O_LARGEFILE | keep, path2);
    if (file === null) return -vfsErr;
  }
  if ((flags & O_TRUNC) != 0 && inode.isReg && !created) {
    const r = inode.truncate(0);
    if (r < 0) {
      file.put();
      return r;
    }
  }
  return t.fdTable.install(file, 0, fdLimit(t), cloexec);
}

export function sysOpen(t: Task): i64 {
  return doOpen(t, AT_FDCWD, sysArg(0), <i32>sysArg(1), <u32>sysArg(2));
}

export function sysOpenat(t: Task): i64 {
  return doOpen(t, <i32>sysArg(0), sysArg(1), <i32>sysArg(2), <u32>sysArg(3));
}

/** The flags openat2 accepts (Linux's VALID_OPEN_FLAGS): unlike open, it refuses others. */
const VALID_OPEN_FLAGS: u64 = 0x7fffc3;
const RESOLVE_NO_XDEV: u64 = 0x01;
const RESOLVE_NO_MAGICLINKS: u64 = 0x02;
const RESOLVE_NO_SYMLINKS: u64 = 0x04;
const RESOLVE_BENEATH: u64 = 0x08;
const RESOLVE_IN_ROOT: u64 = 0x10;
const RESOLVE_CACHED: u64 = 0x20;
/** sizeof(struct open_how) of the first version: flags, mode, resolve. */
const OPEN_HOW_SIZE_VER0: u64 = 24;
const HOW: usize = memory.data(64, 8);

/** openat2(2) (Linux do_sys_openat2(), build_open_flags()): struct open_how is checked
 *  strictly (unknown flags, a mode without O_CREAT or O_TMPFILE, non-zero bytes past the
 *  known struct are errors), and its RESOLVE_* flags restrict the lookup. RESOLVE_CACHED
 *  lookups are not limited to the dentry cache here (they may ask the Gofer); only its
 *  refusal of O_CREAT and O_TRUNC is kept. */
export function sysOpenat2(t: Task): i64 {
  const howAddr = sysArg(2);
  const size = sysArg(3);
  if (size < OPEN_HOW_SIZE_VER0) return -EINVAL;
  if (size > PAGE_SIZE) return -E2BIG;
  if (t.mm.copyIn(howAddr, HOW, OPEN_HOW_SIZE_VER0) < 0) return -EFAULT;
  // A newer, bigger struct is fine as long as what this kernel does not know is zero
  // (copy_struct_from_user()).
  for (let off = OPEN_HOW_SIZE_VER0; off < size; off += 40) {
    // The tail is checked 40 bytes at a time in HOW after the known 24.
    const n = size - off < 40 ? size - off : 40;
    if (t.mm.copyIn(howAddr + off, HOW + 24, n) < 0) return -EFAULT;
    for (let i: u64 = 0; i < n; i++) if (load<u8>(HOW + 24 + <usize>i) != 0) return -E2BIG;
  }
  const flags = load<u64>(HOW);
  const mode = load<u64>(HOW + 8);
  const resolve = load<u64>(HOW + 16);
  if ((flags & ~VALID_OPEN_FLAGS) != 0) return -EINVAL;
  if ((resolve & ~(RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH | RESOLVE_IN_ROOT | RESOLVE_CACHED)) != 0) return -EINVAL;
  if ((resolve & RESOLVE_BENEATH) != 0 && (resolve & RESOLVE_IN_ROOT) != 0) return -EINVAL;
  if ((flags & <u64>(O_CREAT | __O_TMPFILE)) != 0) {
    if ((mode & ~<u64>0o7777) != 0) return -EINVAL;
  } else if (mode != 0) {
    return -EINVAL;
  }
  if ((resolve & RESOLVE_CACHED) != 0 && (flags & <u64>(O_TRUNC | O_CREAT | __O_TMPFILE)) != 0) return -EAGAIN;
  let lookup = 0;
  if ((resolve & RESOLVE_NO_XDEV) != 0) lookup |= LOOKUP_NO_XDEV;
  if ((resolve & RESOLVE_NO_MAGICLINKS) != 0) lookup |= LOOKUP_NO_MAGICLINKS;
  if ((resolve & RESOLVE_NO_SYMLINKS) != 0) lookup |= LOOKUP_NO_SYMLINKS | LOOKUP_NO_MAGICLINKS;
  if ((resolve & RESOLVE_BENEATH) != 0) lookup |= LOOKUP_BENEATH;
  if ((resolve & RESOLVE_IN_ROOT) != 0) lookup |= LOOKUP_IN_ROOT;
  return doOpen(t, <i32>sysArg(0), sysArg(1), <i32>flags, <u32>mode, lookup);
}

export function sysCreat(t: Task): i64 {
  return doOpen(t, AT_FDCWD, sysArg(0), O_CREAT | O_WRONLY | O_TRUNC, <u32>sysArg(1));
}

