// Processes: fork, vfork, clone, execve, execveat, wait4, waitid, and process groups and
// sessions (Linux kernel/fork.c, fs/exec.c, kernel/exit.c, kernel/sys.c). New threads
// (CLONE_THREAD) are thread.ts's, new processes fork.ts's.
import { E2BIG, EACCES, EAGAIN, EBADF, EFAULT, EINVAL, ECHILD, ELOOP, ENOENT, EPERM, ESRCH } from "../abi/errno";
import { NSIG, O_NONBLOCK, PAGE_SIZE, SIGCHLD, SIGCONT } from "../abi/linux";
import { sysArg } from "../abi/regs";
import { CLONE_FILES, CLONE_FS, CLONE_PARENT, CLONE_PARENT_SETTID, CLONE_CHILD_CLEARTID, CLONE_CHILD_SETTID, CLONE_SETTLS, CLONE_SIGHAND, CLONE_THREAD, CLONE_VFORK, CLONE_VM, CSIGNAL, CLONE_DETACHED, CLONE_UNTRACED, CLONE_PTRACE, CLONE_SYSVSEM, CLONE_PIDFD, CLONE_CLEAR_SIGHAND, forkProcess } from "../kernel/fork";
import { reap, threadGroups } from "../kernel/kernel";
import { collectReaped, RUSAGE_SIZE, waitCpuNs, writeRusage } from "../kernel/rusage";
import { park, RET_EXEC, RET_GONE } from "../kernel/sched";
import { REPORT_CONTINUED, REPORT_NONE, REPORT_STOPPED, Task, ThreadGroup } from "../kernel/task";
import { CLD_CONTINUED, CLD_DUMPED, CLD_EXITED, CLD_KILLED, CLD_STOPPED } from "../kernel/signal";
import { vfsErr } from "../fs/vfs/error";
import { AT_FDCWD, LOOKUP_FOLLOW, resolveAt } from "../fs/vfs/namei";
import { InodeFile } from "../fs/vfs/inode_file";
import { Path } from "../fs/vfs/mount";
import { EXEC_FATAL, execve } from "../loader/exec";
import { pathArg } from "./path_arg";
import { createThread } from "../kernel/thread";
import { installPidfd, PidFd } from "./sys_sigqueue";

/** Flags this kernel handles for a new process; anything else gives ENOSYS or EINVAL. */
const PROCESS_CLONE_FLAGS: u64 = CSIGNAL | CLONE_VFORK | CLONE_PARENT | CLONE_SETTLS | CLONE_PARENT_SETTID |
  CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID | CLONE_DETACHED | CLONE_UNTRACED | CLONE_PTRACE | CLONE_SYSVSEM;

/** CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID,
 *  CLONE_NEWNET. */
const CLONE_NEW_NAMESPACES: u64 = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000;
/** unshare's CLONE_NEWTIME (clone3's would collide with clone's exit signal byte). */
const CLONE_NEWTIME: u64 = 0x80;

/** The common part of clone, clone3, fork and vfork. pidfdAddr is where CLONE_PIDFD puts the
 *  child's pidfd (clone's parent_tid argument, clone3's own field). */
function clone(t: Task, flags: u64, stack: u64, ptid: u64, ctid: u64, tls: u64, pidfdAddr: u64): i64 {
  if (t.vforkChild > 0) {
    // The parent of a vfork runs this again when the child has exec'd or exited.
    if (!t.vforkDone) return park(t, -1, -1, 0);
    const pid = t.vforkChild;
    t.vforkChild = 0;
    t.vforkDone = false;
    return pid;
  }
  if ((flags & CLONE_THREAD) != 0 && (flags & CLONE_SIGHAND) == 0) return -EINVAL;
  if ((flags & CLONE_SIGHAND) != 0 && (flags & CLONE_VM) == 0) return -EINVAL;
  if ((flags & CLONE_PIDFD) != 0 && (flags & CLONE_THREAD) != 0) return -EINVAL;
  if ((flags & CLONE_CLEAR_SIGHAND) != 0 && (flags & CLONE_SIGHAND) != 0) return -EINVAL;
  // New namespaces are refused as a container without CAP_SYS_ADMIN refuses them (Docker's
  // default seccomp profile gives EPERM): the sandbox has one of each.
  if ((flags & CLONE_NEW_NAMESPACES) != 0) return -EPERM;
  if ((flags & CLONE_THREAD) != 0) return createThread(t, flags, stack, ptid, ctid, tls);
  const pid = forkProcess(t, flags & (PROCESS_CLONE_FLAGS | CLONE_VM | CLONE_SIGHAND | CLONE_FS | CLONE_FILES), stack, ptid, ctid, tls);
  if (pid < 0) return pid;
  const child = threadGroups.get(<i32>pid);
  if ((flags & CLONE_CLEAR_SIGHAND) != 0) child.handlers.resetCaught();
  if ((flags & CLONE_PIDFD) != 0) {
    // The pidfd is made in the parent as the child is (pidfd_prepare() in copy_process()).
    const fd = installPidfd(t, child, 0);
    if (fd < 0) return fd;
    store<i32>(PTR_BUF, <i32>fd);
    if (t.mm.copyOut(pidfdAddr, PTR_BUF, 4) < 0) return -EFAULT;
  }
  if ((flags & CLONE_VFORK) == 0) return pid;
  threadGroups.get(<i32>pid).vforkParent = t;
  t.vforkChild = <i32>pid;
  t.vforkDone = false;
  return park(t, -1, -1, 0);
}

/** unshare(2) (Linux ksys_unshare()): the caller stops sharing its fd table (CLONE_FILES)
 *  or root, cwd and umask (CLONE_FS). Memory, dispositions and thread group can only be
 *  "unshared" when not shared (check_unshare_flags()); new namespaces give EPERM, as for
 *  clone. */
export function sysUnshare(t: Task): i64 {
  let flags = sysArg(0);
  const namespaces = CLONE_NEW_NAMESPACES | CLONE_NEWTIME;
  const known = CLONE_FILES | CLONE_FS | CLONE_SYSVSEM | CLONE_THREAD | CLONE_SIGHAND | CLONE_VM | namespaces;
  if ((flags & ~known) != 0) return -EINVAL;
  // What each flag implies (unshare(2)): CLONE_VM needs CLONE_SIGHAND, which needs CLONE_THREAD.
  if ((flags & CLONE_VM) != 0) flags |= CLONE_SIGHAND;
  if ((flags & CLONE_SIGHAND) != 0) flags |= CLONE_THREAD;
  const tg = t.tg;
  if ((flags & CLONE_THREAD) != 0 && tg.tasks.length > 1) return -EINVAL;
  if ((flags & (CLONE_SIGHAND | CLONE_VM)) != 0 && tg.handlers.users > 1) return -EINVAL;
  if ((flags & CLONE_VM) != 0 && tg.mm.stubs.length > 1) return -EINVAL;
  if ((flags & namespaces) != 0) return -EPERM;
  if ((flags & CLONE_FS) != 0) t.fs = t.fs.copy();
  if ((flags & CLONE_FILES) != 0) t.unshareFiles();
  return 0;
}

export function sysFork(t: Task): i64 {
  return clone(t, <u64>SIGCHLD, 0, 0, 0, 0, 0);
}

export function sysVfork(t: Task): i64 {
  return clone(t, CLONE_VM | CLONE_VFORK | <u64>SIGCHLD, 0, 0, 0, 0, 0);
}

/** clone(flags, stack, parent_tid, child_tid, tls): the x86-64 argument order. CLONE_PIDFD
 *  puts the pidfd at parent_tid, so it cannot go with CLONE_PARENT_SETTID. */
export function sysClone(t: Task): i64 {
  const flags = sysArg(0);
  if ((flags & (CLONE_PIDFD | CLONE_PARENT_SETTID)) == (CLONE_PIDFD | CLONE_PARENT_SETTID)) return -EINVAL;
  // clone() has no room for clone3's flags above 32 bits.
  return clone(t, flags & 0xffffffff & ~CLONE_CLEAR_SIGHAND, sysArg(1), sysArg(2), sysArg(3), sysArg(4), sysArg(2));
}

/** struct clone_args sizes (VER0, and the VER2 this kernel knows) and its fields. */
const CLONE_ARGS_SIZE_VER0: u64 = 64;
const CLONE_ARGS_SIZE_KNOWN: u64 = 88;
const CLONE_ARGS: usize = memory.data(88, 8);
/** MAX_PID_NS_LEVEL: the longest set_tid array. */
const MAX_PID_NS_LEVEL: u64 = 32;

/** clone3(2) (Linux copy_clone_args_from_user(), clone3_args_valid()): clone with its
 *  arguments in a struct. set_tid (choosing the child's pid) and CLONE_INTO_CGROUP are not
 *  supported (EINVAL). */
export function sysClone3(t: Task): i64 {
  const addr = sysArg(0);
  const size = sysArg(1);
  if (size > PAGE_SIZE) return -E2BIG;
  if (size < CLONE_ARGS_SIZE_VER0) return -EINVAL;
  memory.fill(CLONE_ARGS, 0, 88);
  const known = size < CLONE_ARGS_SIZE_KNOWN ? size : CLONE_ARGS_SIZE_KNOWN;
  if (t.mm.copyIn(addr, CLONE_ARGS, known) < 0) return -EFAULT;
  // A newer struct may be passed only if what this kernel does not know is zero.
  for (let off = CLONE_ARGS_SIZE_KNOWN; off < size; off += 8) {
    const n = size - off < 8 ? size - off : 8;
    store<u64>(PTR_BUF, 0);
    if (t.mm.copyIn(addr + off, PTR_BUF, n) < 0) return -EFAULT;
    if (load<u64>(PTR_BUF) != 0) return -E2BIG;
  }
  const flags = load<u64>(CLONE_ARGS);
  const exitSignal = load<u64>(CLONE_ARGS + 32);
  const stack = load<u64>(CLONE_ARGS + 40);
  const stackSize = load<u64>(CLONE_ARGS + 48);
  const setTid = load<u64>(CLONE_ARGS + 64);
  const setTidSize = load<u64>(CLONE_ARGS + 72);
  if (exitSignal > <u64>NSIG) return -EINVAL;
  if (setTidSize > MAX_PID_NS_LEVEL || (setTid == 0) != (setTidSize == 0) || setTidSize != 0) return -EINVAL;
  if ((flags & ~(0xffffffff | CLONE_CLEAR_SIGHAND)) != 0 || (flags & CSIGNAL) != 0) return -EINVAL;
  if ((flags & (CLONE_THREAD | CLONE_PARENT)) != 0 && exitSignal != 0) return -EINVAL;
  if ((flags & CLONE_CLEAR_SIGHAND) != 0 && (flags & CLONE_SIGHAND) != 0) return -EINVAL;
  if ((stack == 0) != (stackSize == 0)) return -EINVAL;
  // clone3's stack is the lowest address of the area; the child starts at its top.
  const sp = stack != 0 ? stack + stackSize : 0;
  return clone(t, flags | exitSignal, sp, load<u64>(CLONE_ARGS + 24), load<u64>(CLONE_ARGS + 16),
    load<u64>(CLONE_ARGS + 56), load<u64>(CLONE_ARGS + 8));
}

const MAX_ARG_STRLEN: i32 = 32 * 4096;
const MAX_ARGS: i32 = 0x7fffffff;
const PTR_BUF: usize = memory.data(8, 8);

/** Reads a NULL-terminated array of string pointers (argv, envp). Null with vfsErr on a bad
 *  pointer (EFAULT) or a string longer than MAX_ARG_STRLEN (E2BIG). */
function stringArray(t: Task, addr: u64, out: string[]): i32 {
  if (addr == 0) return 0;
  for (let i = 0; i < MAX_ARGS; i++) {
    if (t.mm.copyIn(addr + <u64>i * 8, PTR_BUF, 8) < 0) return -EFAULT;
    const p = load<u64>(PTR_BUF);
    if (p == 0) return 0;
    const s = t.mm.copyInString(p, MAX_ARG_STRLEN);
    if (s === null) return -(vfsErrOfString(t, p));
    out.push(s);
  }
  return -E2BIG;
}

function vfsErrOfString(t: Task, p: u64): i32 {
  // A string that does not end within MAX_ARG_STRLEN is E2BIG; one that faults, EFAULT.
  return t.mm.accessibleLen(p, 1, 1) == 0 ? EFAULT : E2BIG;
}

const AT_EMPTY_PATH: i32 = 0x1000;
const AT_SYMLINK_NOFOLLOW: i32 = 0x100;

function exec(t: Task, dirfd: i32, pathAddr: u64, argvAddr: u64, envpAddr: u64, flags: i32): i64 {
  if ((flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW)) != 0) return -EINVAL;
  const path = pathArg(t, pathAddr);
  if (path === null) return -vfsErr;
  const argv: string[] = [];
  const envp: string[] = [];
  let r = stringArray(t, argvAddr, argv);
  if (r < 0) return r;
  r = stringArray(t, envpAddr, envp);
  if (r < 0) return r;
  // execveat looks the program up from dirfd (or takes dirfd itself with AT_EMPTY_PATH); a
  // #! interpreter then gets it as /dev/fd/N/path, as Linux's bprm->filename (do_execveat).
  let first: Path | null = null;
  let name = path;
  if ((flags & AT_EMPTY_PATH) != 0 && path.length == 0) {
    const f = t.fdTable.getRaw(dirfd);
    if (f === null) return -EBADF;
    if (!(f instanceof InodeFile)) return -EACCES;
    first = (<InodeFile>f).path;
    name = "/dev/fd/" + dirfd.toString();
  } else if (path.length == 0) {
    return -ENOENT;
  } else if (dirfd != AT_FDCWD || (flags & AT_SYMLINK_NOFOLLOW) != 0) {
    first = resolveAt(t, dirfd, path, (flags & AT_SYMLINK_NOFOLLOW) != 0 ? 0 : LOOKUP_FOLLOW);
    if (first === null) return -vfsErr;
    if (first.inode.isLnk) return -ELOOP;
    if (dirfd != AT_FDCWD && path.charCodeAt(0) != 0x2f) name = "/dev/fd/" + dirfd.toString() + "/" + path;
  }
  r = execve(t, name, argv, envp, first);
  if (r == EXEC_FATAL) return RET_GONE;
  if (r < 0) return r;
  return RET_EXEC;
}

export function sysExecve(t: Task): i64 {
  return exec(t, AT_FDCWD, sysArg(0), sysArg(1), sysArg(2), 0);
}

export function sysExecveat(t: Task): i64 {
  return exec(t, <i32>sysArg(0), sysArg(1), sysArg(2), sysArg(3), <i32>sysArg(4));
}

const WNOHANG: i32 = 1;
const WUNTRACED: i32 = 2;
const WEXITED: i32 = 4;
const WCONTINUED: i32 = 8;
const WNOWAIT: i32 = 0x01000000;
const __WNOTHREAD: i32 = 0x20000000;
const __WALL: i32 = 0x40000000;
const __WCLONE: i32 = 0x80000000;
const P_ALL: i32 = 0;
const P_PID: i32 = 1;
const P_PGID: i32 = 2;
const P_PIDFD: i32 = 3;
const WAIT_BUF: usize = memory.data(128, 8);

/** Whether child c matches a wait for (idtype, id) (Linux's eligible_pid()). */
function matches(c: ThreadGroup, idtype: i32, id: i32): bool {
  if (idtype == P_PID) return c.tgid == id;
  if (idtype == P_PGID) return c.pgid == id;
  return true;
}

/** What a wait found to report about a child (wait_consider_task()). */
const FOUND_EXITED: i32 = 1;
const FOUND_STOPPED: i32 = 2;
const FOUND_CONTINUED: i32 = 3;
let found: i32 = 0;

/** The first matching child with something the options ask for, its kind in `found`: an
 *  exit (WEXITED), a stop not yet reported (WUNTRACED), a continue not yet reported
 *  (WCONTINUED). Null when there is nothing to report now. */
function findWaitable(t: Task, idtype: i32, id: i32, options: i32): ThreadGroup | null {
  const children = t.tg.children;
  for (let i = 0; i < children.length; i++) {
    const c = children[i];
    if (!matches(c, idtype, id)) continue;
    found = c.exitStatus >= 0 && (options & WEXITED) != 0 ? FOUND_EXITED
      : c.exitStatus < 0 && c.stopped && c.jobReport == REPORT_STOPPED && (options & WUNTRACED) != 0 ? FOUND_STOPPED
      : c.exitStatus < 0 && c.jobReport == REPORT_CONTINUED && (options & WCONTINUED) != 0 ? FOUND_CONTINUED : 0;
    if (found != 0) return c;
  }
  return null;
}

/** The wait status of what findWaitable found: the exit status, 0x7f with the stop signal,
 *  or 0xffff for a continue. */
function foundStatus(c: ThreadGroup): i32 {
  return found == FOUND_EXITED ? c.exitStatus : found == FOUND_STOPPED ? (c.stopSig << 8) | 0x7f : 0xffff;
}

function hasMatching(t: Task, idtype: i32, id: i32): bool {
  const children = t.tg.children;
  for (let i = 0; i < children.length; i++) if (matches(children[i], idtype, id)) return true;
  return false;
}

export function sysWait4(t: Task): i64 {
  const pid = <i32>sysArg(0);
  const statusAddr = sysArg(1);
  const options = <i32>sysArg(2);
  const rusage = sysArg(3);
  if ((options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WALL | __WCLONE)) != 0) return -EINVAL;
  let idtype = P_ALL;
  let id = 0;
  if (pid > 0) {
    idtype = P_PID;
    id = pid;
  } else if (pid == 0) {
    idtype = P_PGID;
    id = t.tg.pgid;
  } else if (pid < -1) {
    idtype = P_PGID;
    id = -pid;
  }
  if (!hasMatching(t, idtype, id)) return -ECHILD;
  const c = findWaitable(t, idtype, id, options | WEXITED);
  if (c === null) {
    if ((options & WNOHANG) != 0) return 0;
    t.tg.childWaiters.push(t);
    return park(t, -1, -1, 0);
  }
  if (statusAddr != 0) {
    store<i32>(WAIT_BUF, foundStatus(c));
    if (t.mm.copyOut(statusAddr, WAIT_BUF, 4) < 0) return -EFAULT;
  }
  if (rusage != 0 && copyOutRusage(t, rusage, c) < 0) return -EFAULT;
  const who = c.tgid;
  consume(t, c);
  return who;
}

/** wait's rusage of child c (exited, stopped or continued): its CPU time, the rest zero. */
function copyOutRusage(t: Task, addr: u64, c: ThreadGroup): i32 {
  writeRusage(WAIT_BUF, waitCpuNs(c));
  return t.mm.copyOut(addr, WAIT_BUF, RUSAGE_SIZE);
}

/** The wait took what it found: a zombie is reaped (its CPU time becomes the waiter's
 *  children's), a stop or continue is reported once. */
function consume(t: Task, c: ThreadGroup): void {
  if (found == FOUND_EXITED) {
    collectReaped(t.tg, c);
    reap(c);
  } else {
    c.jobReport = REPORT_NONE;
  }
}

/** waitid(2): exits, stops (WSTOPPED) and continues (WCONTINUED), by pid, process group or
 *  pidfd. */
export function sysWaitid(t: Task): i64 {
  const idtype = <i32>sysArg(0);
  const id = <i32>sysArg(1);
  const infop = sysArg(2);
  const options = <i32>sysArg(3);
  const rusage = sysArg(4);
  if ((options & ~(WNOHANG | WUNTRACED | WEXITED | WCONTINUED | WNOWAIT | __WNOTHREAD | __WALL | __WCLONE)) != 0) return -EINVAL;
  if ((options & (WEXITED | WUNTRACED | WCONTINUED)) == 0) return -EINVAL;
  let kind = idtype;
  let wid = idtype == P_PGID && id == 0 ? t.tg.pgid : id;
  let nonblockingPidfd = false;
  if (idtype == P_PIDFD) {
    // The pidfd names the process; a non-blocking one makes the wait WNOHANG, with EAGAIN
    // instead of 0 when nothing is there (kernel_waitid()).
    const f = t.fdTable.get(id);
    if (f === null || !(f instanceof PidFd)) return -EBADF;
    kind = P_PID;
    wid = (<PidFd>f).tg.tgid;
    nonblockingPidfd = (f.flags & O_NONBLOCK) != 0;
  } else if (idtype != P_ALL && idtype != P_PID && idtype != P_PGID) {
    return -EINVAL;
  } else if (idtype != P_ALL && id <= 0 && !(idtype == P_PGID && id == 0)) {
    return -EINVAL;
  }
  if (!hasMatching(t, kind, wid)) return -ECHILD;
  const c = findWaitable(t, kind, wid, options);
  if (c === null) {
    if (nonblockingPidfd && (options & WNOHANG) == 0) return -EAGAIN;
    if ((options & WNOHANG) != 0) {
      if (infop != 0) {
        memory.fill(WAIT_BUF, 0, 128);
        if (t.mm.copyOut(infop, WAIT_BUF, 128) < 0) return -EFAULT;
      }
      return 0;
    }
    t.tg.childWaiters.push(t);
    return park(t, -1, -1, 0);
  }
  if (infop != 0) {
    // siginfo_t for SIGCHLD: si_signo, si_errno, si_code, then si_pid, si_uid, si_status.
    memory.fill(WAIT_BUF, 0, 128);
    const st = c.exitStatus;
    const sig = st & 0x7f;
    store<i32>(WAIT_BUF, SIGCHLD);
    let code = sig == 0 ? CLD_EXITED : (st & 0x80) != 0 ? CLD_DUMPED : CLD_KILLED;
    let status = sig == 0 ? (st >> 8) & 0xff : sig;
    if (found == FOUND_STOPPED) {
      code = CLD_STOPPED;
      status = c.stopSig;
    } else if (found == FOUND_CONTINUED) {
      code = CLD_CONTINUED;
      status = SIGCONT;
    }
    store<i32>(WAIT_BUF + 8, code);
    store<i32>(WAIT_BUF + 16, c.tgid);
    store<u32>(WAIT_BUF + 20, c.cred.uid);
    store<i32>(WAIT_BUF + 24, status);
    if (t.mm.copyOut(infop, WAIT_BUF, 128) < 0) return -EFAULT;
  }
  if (rusage != 0 && copyOutRusage(t, rusage, c) < 0) return -EFAULT;
  if ((options & WNOWAIT) == 0) consume(t, c);
  return 0;
}

export function sysGetppid(t: Task): i64 {
  // The sandbox's init has no parent inside the sandbox: 0, as for pid 1 of a pid namespace.
  const p = t.tg.parent;
  return p === null ? 0 : p.tgid;
}

function groupOf(t: Task, pid: i32): ThreadGroup | null {
  if (pid == 0) return t.tg;
  return threadGroups.has(pid) ? threadGroups.get(pid) : null;
}

export function sysGetpgid(t: Task): i64 {
  const tg = groupOf(t, <i32>sysArg(0));
  return tg === null ? -ESRCH : tg.pgid;
}

export function sysGetpgrp(t: Task): i64 {
  return t.tg.pgid;
}

export function sysGetsid(t: Task): i64 {
  const tg = groupOf(t, <i32>sysArg(0));
  return tg === null ? -ESRCH : tg.sid;
}

/** setpgid(2) with Linux's rules: the caller or a child of it that has not exec'd, within
 *  the caller's session, not a session leader. */
export function sysSetpgid(t: Task): i64 {
  const pid = <i32>sysArg(0);
  let pgid = <i32>sysArg(1);
  if (pgid < 0) return -EINVAL;
  const tg = groupOf(t, pid);
  if (tg === null) return -ESRCH;
  if (tg !== t.tg && tg.parent !== t.tg) return -ESRCH;
  if (tg !== t.tg && tg.didExec) return -EACCES;
  if (tg.sid != t.tg.sid) return -EPERM;
  if (tg.sid == tg.tgid) return -EPERM;
  if (pgid == 0) pgid = tg.tgid;
  if (pgid != tg.tgid) {
    // Joining a group needs a member of it in the same session.
    let found = false;
    const all = threadGroups.values();
    for (let i = 0; i < all.length; i++) {
      if (all[i].pgid == pgid && all[i].sid == t.tg.sid) found = true;
    }
    if (!found) return -EPERM;
  }
  tg.pgid = pgid;
  return 0;
}

export function sysSetsid(t: Task): i64 {
  const tg = t.tg;
  // A process group leader cannot start a session (its group would straddle two).
  const all = threadGroups.values();
  for (let i = 0; i < all.length; i++) {
    if (all[i].pgid == tg.tgid && all[i] !== tg) return -EPERM;
  }
  if (tg.pgid == tg.tgid) return -EPERM;
  tg.sid = tg.tgid;
  tg.pgid = tg.tgid;
  tg.ctty = null; // a new session starts without a controlling terminal
  return tg.sid;
}
