// Operations on fds and file descriptions that are not reads or writes: close, dup*, fcntl,
// ioctl, lseek (Linux fs/open.c, fs/file.c, fs/fcntl.c, fs/ioctl.c, fs/stat.c).
import { EBADF, EFAULT, EINVAL, ENOTTY } from "../abi/errno";
import {
  F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_GETFL, F_SETFD, F_SETFL, FD_CLOEXEC, FIOCLEX, FIONBIO, FIONCLEX, FIONREAD,
  O_CLOEXEC, O_NONBLOCK, RLIMIT_NOFILE, SEEK_HOLE, SETFL_MASK, TCFLSH, TCGETS, TCGETS2, TCSBRK, TCSETS,
  TCSETS2, TCSETSF, TCSETSF2, TCSETSW, TCSETSW2, TCXONC, TIOCGPGRP, TIOCGPTN, TIOCGPTPEER, TIOCGSID,
  TIOCGWINSZ, TIOCNOTTY, TIOCOUTQ, TIOCSCTTY, TIOCSPGRP, TIOCSPTLCK, TIOCSWINSZ,
} from "../abi/linux";
import { sysArg } from "../abi/regs";
import { Task } from "../kernel/task";
import { PipeEnd } from "../fs/pipe";

const F_SETPIPE_SZ: i32 = 1031;
const F_GETPIPE_SZ: i32 = 1032;
const F_ADD_SEALS: i32 = 1033;
const F_GET_SEALS: i32 = 1034;
import { InodeFile } from "../fs/vfs/inode_file";
import { O_PATH_FLAG } from "../fs/vfs/open_flags";
import { releaseLocks } from "../fs/vfs/locks";
import { F_GETLK, F_OFD_GETLK, F_OFD_SETLK, F_OFD_SETLKW, F_SETLK, F_SETLKW, fcntlLock } from "./sys_lock";
import { TERMIOS2_SIZE, TERMIOS_SIZE } from "../fs/tty/n_tty";

const IOCTL_BUF: usize = memory.data(64, 8);

function fdLimit(t: Task): i32 {
  const lim = t.tg.rlimits.cur[RLIMIT_NOFILE];
  return lim > 0x7fffffff ? 0x7fffffff : <i32>lim;
}

/** close(2). Closing any fd of a file drops the process's POSIX locks on it (POSIX's rule,
 *  Linux's locks_remove_posix()). */
export function sysClose(t: Task): i64 {
  const f = t.fdTable.getRaw(<i32>sysArg(0));
  if (f !== null && f instanceof InodeFile) releaseLocks((<InodeFile>f).path.inode, changetype<usize>(t.tg));
  return t.fdTable.close(<i32>sysArg(0));
}

export function sysDup(t: Task): i64 {
  const f = t.fdTable.getRaw(<i32>sysArg(0));
  if (f === null) return -EBADF;
  return t.fdTable.install(f.get(), 0, fdLimit(t), false);
}

/** dup2/dup3 (fs/file.c ksys_dup3()). */
function dupTo(t: Task, oldfd: i32, newfd: i32, flags: i32, isDup3: bool): i64 {
  const f = t.fdTable.getRaw(oldfd);
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
  const f = t.fdTable.getRaw(fd);
  if (f === null) return -EBADF;
  // An O_PATH fd only takes the commands on the fd itself (check_fcntl_cmd()).
  if ((f.flags & O_PATH_FLAG) != 0 && cmd != F_DUPFD && cmd != F_DUPFD_CLOEXEC && cmd != F_GETFD && cmd != F_SETFD && cmd != F_GETFL) return -EBADF;
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
  if (cmd == F_GETLK || cmd == F_SETLK || cmd == F_SETLKW || cmd == F_OFD_GETLK || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW) {
    return fcntlLock(t, f, cmd, arg);
  }
  if (cmd == F_GETPIPE_SZ || cmd == F_SETPIPE_SZ) {
    if (!(f instanceof PipeEnd)) return -EBADF;
    const p = (<PipeEnd>f).pipe;
    return cmd == F_GETPIPE_SZ ? p.capacity : p.resize(<i64>arg, t.tg.cred.euid == 0);
  }
  if (cmd == F_ADD_SEALS) return f.addSeals(<u32>arg);
  if (cmd == F_GET_SEALS) return f.seals();
  if (cmd == F_GETFL) return f.flags;
  if (cmd == F_SETFL) {
    f.flags = (f.flags & ~SETFL_MASK) | (<i32>arg & SETFL_MASK);
    return 0;
  }
  return -EINVAL;
}

/** How many bytes an ioctl request reads from its argument before, and writes to it after
 *  (inLen << 16 | outLen); -1 for a request this kernel does not know. The old terminal
 *  requests predate the _IOC encoding, so each is listed; a request whose argument is a
 *  value (TIOCSCTTY, TCFLSH, ...) copies nothing. */
function ioctlLayout(req: i32): i32 {
  if (req == TCGETS) return TERMIOS_SIZE;
  if (req == TCSETS || req == TCSETSW || req == TCSETSF) return TERMIOS_SIZE << 16;
  if (req == TCGETS2) return TERMIOS2_SIZE;
  if (req == TCSETS2 || req == TCSETSW2 || req == TCSETSF2) return TERMIOS2_SIZE << 16;
  if (req == TIOCGWINSZ) return 8; // struct winsize
  if (req == TIOCSWINSZ) return 8 << 16;
  if (req == FIONREAD || req == TIOCOUTQ || req == TIOCGPTN || req == TIOCGPGRP || req == TIOCGSID) return 4;
  if (req == TIOCSPTLCK || req == TIOCSPGRP || req == FIONBIO) return 4 << 16;
  if (req == TIOCSCTTY || req == TIOCNOTTY || req == TCFLSH || req == TCSBRK || req == TCXONC || req == TIOCGPTPEER) return 0;
  if (req == FIOCLEX || req == FIONCLEX) return 0;
  return -1;
}

export function sysIoctl(t: Task): i64 {
  const fd = <i32>sysArg(0);
  const f = t.fdTable.get(fd);
  if (f === null) return -EBADF;
  const req = <i32>sysArg(1);
  const arg = sysArg(2);
  const layout = ioctlLayout(req);
  if (layout < 0) return -ENOTTY;
  const inLen = layout >> 16;
  const outLen = layout & 0xffff;
  if (inLen > 0 && t.mm.copyIn(arg, IOCTL_BUF, <u64>inLen) < 0) return -EFAULT;
  // Requests on the file description or the fd itself, whatever the file (do_vfs_ioctl()).
  if (req == FIOCLEX || req == FIONCLEX) {
    t.fdTable.setCloexec(fd, req == FIOCLEX);
    return 0;
  }
  if (req == FIONBIO) {
    f.flags = load<i32>(IOCTL_BUF) != 0 ? f.flags | O_NONBLOCK : f.flags & ~O_NONBLOCK;
    return 0;
  }
  const r = f.ioctl(t, req, IOCTL_BUF, arg);
  if (r < 0) return r;
  if (outLen > 0 && t.mm.copyOut(arg, IOCTL_BUF, <u64>outLen) < 0) return -EFAULT;
  return r;
}

export function sysLseek(t: Task): i64 {
  const f = t.fdTable.get(<i32>sysArg(0));
  if (f === null) return -EBADF;
  const whence = <i32>sysArg(2);
  if (whence < 0 || whence > SEEK_HOLE) return -EINVAL;
  return f.lseek(<i64>sysArg(1), whence);
}
