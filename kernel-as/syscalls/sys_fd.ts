// Operations on fds and file descriptions that are not reads or writes: close, dup*, fcntl,
// ioctl, lseek, fstat (Linux fs/open.c, fs/file.c, fs/fcntl.c, fs/ioctl.c, fs/stat.c).
import { EBADF, EFAULT, EINVAL, ENOENT, ENOTTY } from "../abi/errno";
import {
  F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_GETFL, F_SETFD, F_SETFL, FD_CLOEXEC, O_CLOEXEC, RLIMIT_NOFILE,
  SEEK_HOLE, SETFL_MASK, TCGETS, TIOCGWINSZ,
} from "../abi/linux";
import { sysArg } from "../abi/regs";
import { Task } from "../kernel/task";
import { FileDescription } from "../fs/file";
import { lastStringError } from "../mm/mm";

const AT_FDCWD: i32 = -100;
const AT_EMPTY_PATH: i32 = 0x1000;
const AT_SYMLINK_NOFOLLOW: i32 = 0x100;
const AT_NO_AUTOMOUNT: i32 = 0x800;
const STAT_SIZE: i32 = 144;
const STAT_BUF: usize = memory.data(STAT_SIZE, 8);
const IOCTL_BUF: usize = memory.data(64, 8);

function fdLimit(t: Task): i32 {
  const lim = t.tg.rlimits.cur[RLIMIT_NOFILE];
  return lim > 0x7fffffff ? 0x7fffffff : <i32>lim;
}

export function sysClose(t: Task): i64 {
  return t.fdTable.close(<i32>sysArg(0));
}

export function sysDup(t: Task): i64 {
  const f = t.fdTable.get(<i32>sysArg(0));
  if (f === null) return -EBADF;
  return t.fdTable.install(f.get(), 0, fdLimit(t), false);
}

/** dup2/dup3 (fs/file.c ksys_dup3()). */
function dupTo(t: Task, oldfd: i32, newfd: i32, flags: i32, isDup3: bool): i64 {
  const f = t.fdTable.get(oldfd);
  if (f === null) return -EBADF;
  if (oldfd == newfd) return isDup3 ? -EINVAL : newfd;
  if (newfd < 0 || newfd >= fdLimit(t)) return -EBADF;
  t.fdTable.installAt(newfd, f.get(), (flags & O_CLOEXEC) != 0);
  return newfd;
}

export function sysDup2(t: Task): i64 {
  return dupTo(t, <i32>sysArg(0), <i32>sysArg(1), 0, false);
}

export function sysDup3(t: Task): i64 {
  const flags = <i32>sysArg(2);
  if ((flags & ~O_CLOEXEC) != 0) return -EINVAL;
  return dupTo(t, <i32>sysArg(0), <i32>sysArg(1), flags, true);
}

export function sysFcntl(t: Task): i64 {
  const fd = <i32>sysArg(0);
  const cmd = <i32>sysArg(1);
  const arg = sysArg(2);
  const f = t.fdTable.get(fd);
  if (f === null) return -EBADF;
  if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC) {
    const min = <i64>arg;
    if (min < 0 || min >= <i64>fdLimit(t)) return -EINVAL;
    return t.fdTable.install(f.get(), <i32>min, fdLimit(t), cmd == F_DUPFD_CLOEXEC);
  }
  if (cmd == F_GETFD) return t.fdTable.isCloexec(fd) ? FD_CLOEXEC : 0;
  if (cmd == F_SETFD) {
    t.fdTable.setCloexec(fd, (<i32>arg & FD_CLOEXEC) != 0);
    return 0;
  }
  if (cmd == F_GETFL) return f.flags;
  if (cmd == F_SETFL) {
    f.flags = (f.flags & ~SETFL_MASK) | (<i32>arg & SETFL_MASK);
    return 0;
  }
  return -EINVAL;
}

export function sysIoctl(t: Task): i64 {
  const f = t.fdTable.get(<i32>sysArg(0));
  if (f === null) return -EBADF;
  const req = <i32>sysArg(1);
  const arg = sysArg(2);
  // Only requests whose argument layout the kernel knows reach the host.
  let outLen: i32 = 0;
  if (req == TCGETS) outLen = 36; // struct termios (include/uapi/asm-generic/termbits.h)
  else if (req == TIOCGWINSZ) outLen = 8; // struct winsize
  else return -ENOTTY;
  const r = f.ioctl(req, IOCTL_BUF);
  if (r < 0) return r;
  if (t.mm.copyOut(arg, IOCTL_BUF, <u64>outLen) < 0) return -EFAULT;
  return r;
}

export function sysLseek(t: Task): i64 {
  const f = t.fdTable.get(<i32>sysArg(0));
  if (f === null) return -EBADF;
  const whence = <i32>sysArg(2);
  if (whence < 0 || whence > SEEK_HOLE) return -EINVAL;
  return f.lseek(<i64>sysArg(1), whence);
}

function statInto(t: Task, f: FileDescription, addr: u64): i64 {
  const r = f.stat(STAT_BUF);
  if (r < 0) return r;
  return t.mm.copyOut(addr, STAT_BUF, STAT_SIZE);
}

export function sysFstat(t: Task): i64 {
  const f = t.fdTable.get(<i32>sysArg(0));
  if (f === null) return -EBADF;
  return statInto(t, f, sysArg(1));
}

/** newfstatat: with AT_EMPTY_PATH and "" it is fstat of the fd; a real path needs the file
 *  system, which does not exist yet, so every other lookup fails with ENOENT (partial). */
export function sysNewfstatat(t: Task): i64 {
  const dirfd = <i32>sysArg(0);
  const flags = <i32>sysArg(3);
  if ((flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT)) != 0) return -EINVAL;
  const path = t.mm.copyInString(sysArg(1), 4096);
  if (path === null) return lastStringError;
  if (path.length == 0) {
    if ((flags & AT_EMPTY_PATH) == 0) return -ENOENT;
    if (dirfd == AT_FDCWD) return -ENOENT;
    const f = t.fdTable.get(dirfd);
    if (f === null) return -EBADF;
    return statInto(t, f, sysArg(2));
  }
  return -ENOENT;
}
