// The syscall table: every amd64 syscall number (arch/x86/entry/syscalls/syscall_64.tbl) with
// its name, handler, support level and a note saying what is missing. This is the one place
// that interprets a syscall number; strace decoding and `wvisor help syscalls` come from it.
//
// Argument formats for strace, one character per argument:
//   i int   l long   u unsigned   x hex   o octal   p pointer   s C string
//   b buffer the app passes in, its length in the next argument
// Result formats: d decimal, x hex, o octal. A failed call always prints as -1 ERRNO.
import { Task } from "../kernel/task";
import { sysRead, sysWrite, sysPread64, sysPwrite64, sysReadv, sysWritev } from "./sys_read_write";
import { sysClose, sysDup, sysDup2, sysDup3, sysFcntl, sysIoctl, sysLseek } from "./sys_fd";
import { sysCreat, sysOpen, sysOpenat, sysOpenat2 } from "./sys_open";
import {
  sysAccess, sysFaccessat, sysFaccessat2, sysFstat, sysFstatfs, sysLstat, sysNewfstatat, sysReadlink, sysReadlinkat,
  sysStat, sysStatfs, sysStatx,
} from "./sys_stat";
import { sysChdir, sysFchdir, sysGetcwd, sysGetdents64, sysMkdir, sysMkdirat, sysMknod, sysMknodat } from "./sys_dir";
import {
  sysLink, sysLinkat, sysRename, sysRenameat, sysRenameat2, sysRmdir, sysSymlink, sysSymlinkat, sysUnlink, sysUnlinkat,
} from "./sys_link";
import {
  sysChmod, sysChown, sysFchmod, sysFchmodat, sysFchmodat2, sysFchown, sysFchownat, sysFsync, sysFtruncate, sysLchown, sysSync,
  sysTruncate, sysUmask, sysUtimensat,
} from "./sys_attr";
import { sysBrk, sysMadvise, sysMlock, sysMlock2, sysMincore, sysMlockall, sysMmap, sysMprotect, sysMremap, sysMunlock, sysMunlockall, sysMunmap } from "./sys_mm";
import {
  sysArchPrctl, sysExit, sysExitGroup, sysGetcpu, sysGetpid, sysGettid, sysSchedGetaffinity, sysSchedSetaffinity, sysSchedYield,
  sysGetRobustList, sysSetRobustList, sysSetTidAddress,
} from "./sys_thread";
import {
  sysCapget, sysCapset, sysGetegid, sysGeteuid, sysGetgid, sysGetgroups, sysGetresgid, sysGetresuid, sysGetuid,
  sysSetfsgid, sysSetfsuid, sysSetgid, sysSetgroups, sysSetregid, sysSetresgid, sysSetresuid, sysSetreuid, sysSetuid,
} from "./sys_identity";
import { sysClockGetres, sysClockGettime, sysClockNanosleep, sysGettimeofday, sysNanosleep, sysTime } from "./sys_time";
import { sysKill, sysRestartSyscall, sysRtSigaction, sysRtSigprocmask, sysTgkill, sysTkill } from "./sys_signal";
import { sysGetrandom, sysGetrlimit, sysPrlimit64, sysSetrlimit, sysUname } from "./sys_info";
import { sysFutex } from "./sys_futex";
import {
  sysGetpriority, sysGetrusage, sysPersonality, sysPrctl, sysSchedGetparam, sysSchedGetPriorityMax, sysSchedGetPriorityMin,
  sysSchedGetscheduler, sysSchedRrGetInterval, sysSchedSetparam, sysSchedSetscheduler, sysSetpriority, sysTimes,
} from "./sys_sched";
import { sysFlock } from "./sys_lock";
import {
  sysClone, sysClone3, sysUnshare, sysExecve, sysExecveat, sysFork, sysGetpgid, sysGetpgrp, sysGetppid, sysGetsid, sysSetpgid, sysSetsid,
  sysVfork, sysWait4, sysWaitid,
} from "./sys_process";
import { sysPipe, sysPipe2 } from "./sys_pipe";
import { sysPoll, sysPpoll, sysPselect6, sysSelect } from "./sys_poll";
import { sysCopyFileRange, sysSendfile } from "./sys_splice";
import { sysPidfdOpen, sysPidfdSendSignal, sysRtSigqueueinfo, sysRtSigtimedwait, sysRtTgsigqueueinfo } from "./sys_sigqueue";
import { sysEpollCreate, sysEpollCreate1, sysEpollCtl, sysEpollPwait, sysEpollPwait2, sysEpollWait, sysEventfd, sysEventfd2 } from "./sys_epoll";
import {
  sysAlarm, sysGetitimer, sysSetitimer, sysTimerCreate, sysTimerDelete, sysTimerfdCreate, sysTimerfdGettime,
  sysTimerfdSettime, sysTimerGetoverrun, sysTimerGettime, sysTimerSettime,
} from "./sys_timer";
import {
  sysPause, sysRtSigpending, sysRtSigreturn, sysRtSigsuspend, sysSigaltstack, sysSignalfd, sysSignalfd4,
} from "./sys_sigwait";
import {
  sysChroot, sysCloseRange, sysFadvise64, sysFallocate, sysReadahead, sysSyncFileRange, sysFutimesat, sysMemfdCreate, sysMsync, sysPreadv, sysPreadv2,
  sysPwritev, sysPwritev2, sysSysinfo, sysUtime, sysUtimes,
} from "./sys_misc_fs";
import {
  sysFgetxattr, sysFlistxattr, sysFremovexattr, sysFsetxattr, sysGetxattr, sysLgetxattr, sysListxattr, sysLlistxattr,
  sysLremovexattr, sysLsetxattr, sysRemovexattr, sysSetxattr,
} from "./sys_xattr";
import {
  sysAccept, sysAccept4, sysBind, sysConnect, sysGetpeername, sysGetsockname, sysGetsockopt, sysListen, sysRecvfrom, sysRecvmsg, sysSendmmsg, sysSendmsg, sysRecvmmsg,
  sysSendto, sysSetsockopt, sysShutdown, sysSocket, sysSocketpair,
} from "./sys_socket";

export const FULL: i32 = 0;
export const PARTIAL: i32 = 1;
export const UNSUPPORTED: i32 = 2;

export type Handler = (t: Task) => i64;

export class SyscallEntry {
  /** Whether the debug log already said this syscall is unsupported. */
  reported: bool = false;

  constructor(
    public nr: i32,
    public name: string,
    public handler: Handler | null,
    public level: i32,
    public args: string,
    public ret: string,
    public note: string,
  ) {}
}

export const SYSCALL_COUNT: i32 = 463;
export const syscallTable = new StaticArray<SyscallEntry | null>(SYSCALL_COUNT);

function def(nr: i32, name: string, handler: Handler, level: i32, args: string, ret: string, note: string): void {
  syscallTable[nr] = new SyscallEntry(nr, name, handler, level, args, ret, note);
}

/** A syscall without a handler: it fails with ENOSYS, as on a kernel built without it. */
function none(nr: i32, name: string, note: string): void {
  syscallTable[nr] = new SyscallEntry(nr, name, null, UNSUPPORTED, "", "d", note);
}

export function lookupSyscall(nr: u64): SyscallEntry | null {
  return nr < <u64>SYSCALL_COUNT ? unchecked(syscallTable[<i32>nr]) : null;
}

def(0, "read", sysRead, FULL, "ibu", "d", "");
def(1, "write", sysWrite, PARTIAL, "ibu", "d", "a write to a full host pipe holds the Sentry");
def(2, "open", sysOpen, FULL, "sxo", "d", "");
def(3, "close", sysClose, FULL, "i", "d", "");
def(4, "stat", sysStat, FULL, "sp", "d", "");
def(5, "fstat", sysFstat, FULL, "ip", "d", "");
def(6, "lstat", sysLstat, FULL, "sp", "d", "");
def(7, "poll", sysPoll, PARTIAL, "pui", "d", "one host fd at a time can wake a wait");
def(8, "lseek", sysLseek, FULL, "ili", "d", "");
def(9, "mmap", sysMmap, PARTIAL, "pxxxil", "x", "anonymous and file mappings; MAP_SHARED of tmpfs files and anonymous memory share pages; a writable MAP_SHARED of a Gofer file gives ENODEV (read-only ones are copies); MAP_32BIT and MAP_HUGETLB are ignored");
def(10, "mprotect", sysMprotect, FULL, "pxx", "d", "");
def(11, "munmap", sysMunmap, FULL, "px", "d", "");
def(12, "brk", sysBrk, FULL, "p", "x", "");
def(13, "rt_sigaction", sysRtSigaction, FULL, "ippu", "d", "");
def(14, "rt_sigprocmask", sysRtSigprocmask, FULL, "ippu", "d", "");
def(15, "rt_sigreturn", sysRtSigreturn, FULL, "", "d", "");
def(16, "ioctl", sysIoctl, PARTIAL, "ixp", "d", "TCGETS and TIOCGWINSZ only; others ENOTTY");
def(17, "pread64", sysPread64, FULL, "ipul", "d", "");
def(18, "pwrite64", sysPwrite64, PARTIAL, "ipul", "d", "ESPIPE on host stdio fds even when they are regular files");
def(19, "readv", sysReadv, FULL, "ipu", "d", "");
def(20, "writev", sysWritev, FULL, "ipu", "d", "");
def(21, "access", sysAccess, FULL, "so", "d", "");
def(22, "pipe", sysPipe, FULL, "p", "d", "");
def(23, "select", sysSelect, FULL, "ipppp", "d", "");
def(24, "sched_yield", sysSchedYield, FULL, "", "d", "");
def(25, "mremap", sysMremap, PARTIAL, "pxxxp", "x", "MREMAP_DONTUNMAP is not supported (EINVAL)");
def(26, "msync", sysMsync, FULL, "pxx", "d", "shared mappings are the file's own pages (tmpfs): nothing to write back");
def(27, "mincore", sysMincore, FULL, "pxp", "d", "");
const MLOCK_NOTE = "nothing is locked (the host pages the memory file); flags, mapped ranges and RLIMIT_MEMLOCK (per call) are checked";
def(28, "madvise", sysMadvise, PARTIAL, "pxi", "d", "DONTNEED/FREE/REMOVE drop pages; other advice is accepted and ignored");
none(29, "shmget", "");
none(30, "shmat", "");
none(31, "shmctl", "");
def(32, "dup", sysDup, FULL, "i", "d", "");
def(33, "dup2", sysDup2, FULL, "ii", "d", "");
def(34, "pause", sysPause, FULL, "", "d", "");
def(35, "nanosleep", sysNanosleep, FULL, "pp", "d", "");
def(36, "getitimer", sysGetitimer, PARTIAL, "ip", "d", "ITIMER_VIRTUAL counts system time too (the stub's CPU time is not split)");
def(37, "alarm", sysAlarm, FULL, "u", "d", "");
def(38, "setitimer", sysSetitimer, PARTIAL, "ipp", "d", "ITIMER_VIRTUAL counts system time too (the stub's CPU time is not split)");
def(39, "getpid", sysGetpid, FULL, "", "d", "");
def(40, "sendfile", sysSendfile, FULL, "iipu", "d", "");
def(41, "socket", sysSocket, PARTIAL, "iii", "d", "AF_UNIX stream, seqpacket and datagram sockets; other families EAFNOSUPPORT (no network)");
def(42, "connect", sysConnect, PARTIAL, "ipi", "d", "AF_UNIX sockets (paths and abstract names); the backlog is never full");
def(43, "accept", sysAccept, FULL, "ipp", "d", "");
def(44, "sendto", sysSendto, PARTIAL, "ipuxpi", "d", "AF_UNIX sockets; MSG_OOB gives EOPNOTSUPP (as before Linux 5.15)");
def(45, "recvfrom", sysRecvfrom, PARTIAL, "ipuxpp", "d", "AF_UNIX sockets");
def(46, "sendmsg", sysSendmsg, PARTIAL, "ipx", "d", "AF_UNIX sockets; SCM_RIGHTS passes files, SCM_CREDENTIALS is checked but not delivered");
def(47, "recvmsg", sysRecvmsg, PARTIAL, "ipx", "d", "AF_UNIX sockets; SCM_RIGHTS only (no credentials)");
def(48, "shutdown", sysShutdown, FULL, "ii", "d", "");
def(49, "bind", sysBind, PARTIAL, "ipi", "d", "AF_UNIX only: paths, abstract names, autobind");
def(50, "listen", sysListen, PARTIAL, "ii", "d", "AF_UNIX stream and seqpacket sockets; the backlog is not limited");
def(51, "getsockname", sysGetsockname, FULL, "ipp", "d", "");
def(52, "getpeername", sysGetpeername, FULL, "ipp", "d", "");
def(53, "socketpair", sysSocketpair, FULL, "iiip", "d", "");
def(54, "setsockopt", sysSetsockopt, PARTIAL, "iiipi", "d", "SOL_SOCKET REUSEADDR, REUSEPORT, KEEPALIVE, buffer sizes, PASSCRED and a few more are accepted without effect; timeouts, SO_LINGER and others ENOPROTOOPT");
def(55, "getsockopt", sysGetsockopt, PARTIAL, "iiipp", "d", "SOL_SOCKET: TYPE, DOMAIN, PROTOCOL, ERROR, ACCEPTCONN, PASSCRED, SNDBUF, RCVBUF, PEERCRED; others ENOPROTOOPT");
def(56, "clone", sysClone, PARTIAL, "xpppp", "d", "threads (CLONE_THREAD) and processes, which may share memory, dispositions, files and cwd (CLONE_VM, CLONE_SIGHAND, CLONE_FILES, CLONE_FS); new namespaces (CLONE_NEW*) give EPERM");
def(57, "fork", sysFork, FULL, "", "d", "private memory is shared copy-on-write, a whole VMA copied at its first write");
def(58, "vfork", sysVfork, FULL, "", "d", "");
def(59, "execve", sysExecve, FULL, "spp", "d", "");
def(60, "exit", sysExit, FULL, "i", "d", "");
def(61, "wait4", sysWait4, PARTIAL, "ipxp", "d", "exits, stops (WUNTRACED) and continues (WCONTINUED); rusage holds CPU time only, as user time");
def(62, "kill", sysKill, FULL, "ii", "d", "");
def(63, "uname", sysUname, FULL, "p", "d", "");
none(64, "semget", "");
none(65, "semop", "");
none(66, "semctl", "");
none(67, "shmdt", "");
none(68, "msgget", "");
none(69, "msgsnd", "");
none(70, "msgrcv", "");
none(71, "msgctl", "");
def(72, "fcntl", sysFcntl, PARTIAL, "iix", "d", "F_DUPFD(_CLOEXEC), F_GETFD, F_SETFD, F_GETFL, F_SETFL, F_GETPIPE_SZ, F_SETPIPE_SZ, seals of tmpfs files (F_ADD_SEALS, F_GET_SEALS; no F_SEAL_EXEC), record locks (F_GETLK, F_SETLK, F_SETLKW, F_OFD_*; no deadlock detection); others EINVAL");
def(73, "flock", sysFlock, FULL, "ix", "d", "");
def(74, "fsync", sysFsync, FULL, "i", "d", "");
def(75, "fdatasync", sysFsync, FULL, "i", "d", "");
def(76, "truncate", sysTruncate, FULL, "sl", "d", "");
def(77, "ftruncate", sysFtruncate, FULL, "il", "d", "");
none(78, "getdents", "");
def(79, "getcwd", sysGetcwd, FULL, "pu", "d", "");
def(80, "chdir", sysChdir, FULL, "s", "d", "");
def(81, "fchdir", sysFchdir, FULL, "i", "d", "");
def(82, "rename", sysRename, FULL, "ss", "d", "");
def(83, "mkdir", sysMkdir, FULL, "so", "d", "");
def(84, "rmdir", sysRmdir, FULL, "s", "d", "");
def(85, "creat", sysCreat, FULL, "so", "d", "");
def(86, "link", sysLink, FULL, "ss", "d", "");
def(87, "unlink", sysUnlink, FULL, "s", "d", "");
def(88, "symlink", sysSymlink, FULL, "ss", "d", "");
def(89, "readlink", sysReadlink, FULL, "spu", "d", "");
def(90, "chmod", sysChmod, FULL, "so", "d", "");
def(91, "fchmod", sysFchmod, FULL, "io", "d", "");
def(92, "chown", sysChown, FULL, "sii", "d", "");
def(93, "fchown", sysFchown, FULL, "iii", "d", "");
def(94, "lchown", sysLchown, FULL, "sii", "d", "");
def(95, "umask", sysUmask, FULL, "o", "o", "");
def(96, "gettimeofday", sysGettimeofday, FULL, "pp", "d", "");
def(97, "getrlimit", sysGetrlimit, FULL, "ip", "d", "");
def(98, "getrusage", sysGetrusage, PARTIAL, "ip", "d", "CPU time only, all as user time; children reaped by a wait are accounted");
def(99, "sysinfo", sysSysinfo, FULL, "p", "d", "");
def(100, "times", sysTimes, PARTIAL, "p", "d", "CPU time only, all as user time; children reaped by a wait are accounted");
none(101, "ptrace", "");
def(102, "getuid", sysGetuid, FULL, "", "d", "");
none(103, "syslog", "");
def(104, "getgid", sysGetgid, FULL, "", "d", "");
def(105, "setuid", sysSetuid, FULL, "i", "d", "");
def(106, "setgid", sysSetgid, FULL, "i", "d", "");
def(107, "geteuid", sysGeteuid, FULL, "", "d", "");
def(108, "getegid", sysGetegid, FULL, "", "d", "");
def(109, "setpgid", sysSetpgid, FULL, "ii", "d", "");
def(110, "getppid", sysGetppid, FULL, "", "d", "");
def(111, "getpgrp", sysGetpgrp, FULL, "", "d", "");
def(112, "setsid", sysSetsid, FULL, "", "d", "");
def(113, "setreuid", sysSetreuid, FULL, "ii", "d", "");
def(114, "setregid", sysSetregid, FULL, "ii", "d", "");
def(115, "getgroups", sysGetgroups, FULL, "ip", "d", "");
def(116, "setgroups", sysSetgroups, FULL, "up", "d", "");
def(117, "setresuid", sysSetresuid, FULL, "iii", "d", "");
def(118, "getresuid", sysGetresuid, FULL, "ppp", "d", "");
def(119, "setresgid", sysSetresgid, FULL, "iii", "d", "");
def(120, "getresgid", sysGetresgid, FULL, "ppp", "d", "");
def(121, "getpgid", sysGetpgid, FULL, "i", "d", "");
def(122, "setfsuid", sysSetfsuid, FULL, "i", "d", "");
def(123, "setfsgid", sysSetfsgid, FULL, "i", "d", "");
def(124, "getsid", sysGetsid, FULL, "i", "d", "");
def(125, "capget", sysCapget, PARTIAL, "pp", "d", "root holds every capability, others none");
def(126, "capset", sysCapset, PARTIAL, "pp", "d", "only the set the ids imply can be set");
def(127, "rt_sigpending", sysRtSigpending, FULL, "pu", "d", "");
def(128, "rt_sigtimedwait", sysRtSigtimedwait, FULL, "pppu", "d", "");
def(129, "rt_sigqueueinfo", sysRtSigqueueinfo, FULL, "iip", "d", "");
def(130, "rt_sigsuspend", sysRtSigsuspend, FULL, "pu", "d", "");
def(131, "sigaltstack", sysSigaltstack, FULL, "pp", "d", "");
def(132, "utime", sysUtime, FULL, "sp", "d", "");
def(133, "mknod", sysMknod, PARTIAL, "sox", "d", "regular files, fifos and sockets; devices give EPERM");
none(134, "uselib", "");
def(135, "personality", sysPersonality, PARTIAL, "x", "x", "ADDR_NO_RANDOMIZE is honoured at exec; other flags are kept and not acted on");
none(136, "ustat", "");
def(137, "statfs", sysStatfs, PARTIAL, "sp", "d", "sizes are nominal");
def(138, "fstatfs", sysFstatfs, PARTIAL, "ip", "d", "sizes are nominal");
none(139, "sysfs", "");
def(140, "getpriority", sysGetpriority, PARTIAL, "ii", "d", "the nice value is recorded, not used to schedule");
def(141, "setpriority", sysSetpriority, PARTIAL, "iii", "d", "the nice value is recorded, not used to schedule");
def(142, "sched_setparam", sysSchedSetparam, PARTIAL, "ip", "d", "real-time priorities give EPERM");
def(143, "sched_getparam", sysSchedGetparam, FULL, "ip", "d", "");
def(144, "sched_setscheduler", sysSchedSetscheduler, PARTIAL, "iip", "d", "real-time policies give EPERM");
def(145, "sched_getscheduler", sysSchedGetscheduler, FULL, "i", "d", "");
def(146, "sched_get_priority_max", sysSchedGetPriorityMax, FULL, "i", "d", "");
def(147, "sched_get_priority_min", sysSchedGetPriorityMin, FULL, "i", "d", "");
def(148, "sched_rr_get_interval", sysSchedRrGetInterval, FULL, "ip", "d", "");
def(149, "mlock", sysMlock, PARTIAL, "px", "d", MLOCK_NOTE);
def(150, "munlock", sysMunlock, PARTIAL, "px", "d", MLOCK_NOTE);
def(151, "mlockall", sysMlockall, PARTIAL, "x", "d", MLOCK_NOTE);
def(152, "munlockall", sysMunlockall, PARTIAL, "", "d", MLOCK_NOTE);
none(153, "vhangup", "");
none(154, "modify_ldt", "");
none(155, "pivot_root", "");
none(156, "_sysctl", "");
def(157, "prctl", sysPrctl, PARTIAL, "ixxxx", "d", "NAME, PDEATHSIG, DUMPABLE, KEEPCAPS, SECCOMP, CAPBSET_READ, CHILD_SUBREAPER, NO_NEW_PRIVS, TIMERSLACK; others EINVAL");
def(158, "arch_prctl", sysArchPrctl, PARTIAL, "xp", "d", "ARCH_SET_CPUID gives ENODEV");
none(159, "adjtimex", "");
def(160, "setrlimit", sysSetrlimit, PARTIAL, "ip", "d", "limits are recorded; only RLIMIT_NOFILE and RLIMIT_STACK are enforced");
def(161, "chroot", sysChroot, FULL, "s", "d", "");
def(162, "sync", sysSync, FULL, "", "d", "");
none(163, "acct", "");
none(164, "settimeofday", "");
none(165, "mount", "");
none(166, "umount2", "");
none(167, "swapon", "");
none(168, "swapoff", "");
none(169, "reboot", "");
none(170, "sethostname", "");
none(171, "setdomainname", "");
none(172, "iopl", "");
none(173, "ioperm", "");
none(174, "create_module", "");
none(175, "init_module", "");
none(176, "delete_module", "");
none(177, "get_kernel_syms", "");
none(178, "query_module", "");
none(179, "quotactl", "");
none(180, "nfsservctl", "");
none(181, "getpmsg", "");
none(182, "putpmsg", "");
none(183, "afs_syscall", "");
none(184, "tuxcall", "");
none(185, "security", "");
def(186, "gettid", sysGettid, FULL, "", "d", "");
def(187, "readahead", sysReadahead, FULL, "ixu", "d", "");
def(188, "setxattr", sysSetxattr, PARTIAL, "sspux", "d", "kept on tmpfs and the overlay (copied up); the Gofer's files have none (EOPNOTSUPP); no system.* (POSIX ACL) names");
def(189, "lsetxattr", sysLsetxattr, PARTIAL, "sspux", "d", "kept on tmpfs and the overlay (copied up); the Gofer's files have none (EOPNOTSUPP); no system.* (POSIX ACL) names");
def(190, "fsetxattr", sysFsetxattr, PARTIAL, "ispux", "d", "kept on tmpfs and the overlay (copied up); the Gofer's files have none (EOPNOTSUPP); no system.* (POSIX ACL) names");
def(191, "getxattr", sysGetxattr, PARTIAL, "sspu", "d", "kept on tmpfs and the overlay; the Gofer's files have none; no system.* (POSIX ACL) names");
def(192, "lgetxattr", sysLgetxattr, PARTIAL, "sspu", "d", "kept on tmpfs and the overlay; the Gofer's files have none; no system.* (POSIX ACL) names");
def(193, "fgetxattr", sysFgetxattr, PARTIAL, "ispu", "d", "kept on tmpfs and the overlay; the Gofer's files have none; no system.* (POSIX ACL) names");
def(194, "listxattr", sysListxattr, PARTIAL, "spu", "d", "kept on tmpfs and the overlay; the Gofer's files have none; no system.* (POSIX ACL) names");
def(195, "llistxattr", sysLlistxattr, PARTIAL, "spu", "d", "kept on tmpfs and the overlay; the Gofer's files have none; no system.* (POSIX ACL) names");
def(196, "flistxattr", sysFlistxattr, PARTIAL, "ipu", "d", "kept on tmpfs and the overlay; the Gofer's files have none; no system.* (POSIX ACL) names");
def(197, "removexattr", sysRemovexattr, PARTIAL, "ss", "d", "kept on tmpfs and the overlay; the Gofer's files have none; no system.* (POSIX ACL) names");
def(198, "lremovexattr", sysLremovexattr, PARTIAL, "ss", "d", "kept on tmpfs and the overlay; the Gofer's files have none; no system.* (POSIX ACL) names");
def(199, "fremovexattr", sysFremovexattr, PARTIAL, "is", "d", "kept on tmpfs and the overlay; the Gofer's files have none; no system.* (POSIX ACL) names");
def(200, "tkill", sysTkill, FULL, "ii", "d", "");
def(201, "time", sysTime, FULL, "p", "d", "");
def(202, "futex", sysFutex, PARTIAL, "piuppx", "d", "WAIT, WAKE, the BITSET forms, REQUEUE, CMP_REQUEUE, WAKE_OP, private and shared; PI futexes give ENOSYS");
def(203, "sched_setaffinity", sysSchedSetaffinity, PARTIAL, "iup", "d", "the mask is recorded and reported; the host does not pin threads");
def(204, "sched_getaffinity", sysSchedGetaffinity, FULL, "iup", "d", "");
none(205, "set_thread_area", "");
none(206, "io_setup", "");
none(207, "io_destroy", "");
none(208, "io_getevents", "");
none(209, "io_submit", "");
none(210, "io_cancel", "");
none(211, "get_thread_area", "");
none(212, "lookup_dcookie", "");
def(213, "epoll_create", sysEpollCreate, FULL, "i", "d", "");
none(214, "epoll_ctl_old", "");
none(215, "epoll_wait_old", "");
none(216, "remap_file_pages", "");
def(217, "getdents64", sysGetdents64, FULL, "ipu", "d", "");
def(218, "set_tid_address", sysSetTidAddress, FULL, "p", "d", "");
def(219, "restart_syscall", sysRestartSyscall, FULL, "", "d", "");
none(220, "semtimedop", "");
def(221, "fadvise64", sysFadvise64, FULL, "illi", "d", "");
def(222, "timer_create", sysTimerCreate, FULL, "ipp", "d", "");
def(223, "timer_settime", sysTimerSettime, FULL, "ixpp", "d", "");
def(224, "timer_gettime", sysTimerGettime, FULL, "ip", "d", "");
def(225, "timer_getoverrun", sysTimerGetoverrun, FULL, "i", "d", "");
def(226, "timer_delete", sysTimerDelete, FULL, "i", "d", "");
none(227, "clock_settime", "");
def(228, "clock_gettime", sysClockGettime, FULL, "ip", "d", "");
def(229, "clock_getres", sysClockGetres, FULL, "ip", "d", "");
def(230, "clock_nanosleep", sysClockNanosleep, PARTIAL, "iipp", "d", "CPU-time clocks give EOPNOTSUPP");
def(231, "exit_group", sysExitGroup, FULL, "i", "d", "");
def(232, "epoll_wait", sysEpollWait, PARTIAL, "ipii", "d", "one host fd at a time can wake a wait");
def(233, "epoll_ctl", sysEpollCtl, PARTIAL, "iiip", "d", "EPOLLET reports a readiness when it appears, not on every new arrival while it lasts; EPOLLEXCLUSIVE wakes every waiter");
def(234, "tgkill", sysTgkill, FULL, "iii", "d", "");
def(235, "utimes", sysUtimes, FULL, "sp", "d", "");
none(236, "vserver", "");
none(237, "mbind", "");
none(238, "set_mempolicy", "");
none(239, "get_mempolicy", "");
none(240, "mq_open", "");
none(241, "mq_unlink", "");
none(242, "mq_timedsend", "");
none(243, "mq_timedreceive", "");
none(244, "mq_notify", "");
none(245, "mq_getsetattr", "");
none(246, "kexec_load", "");
def(247, "waitid", sysWaitid, PARTIAL, "iipxp", "d", "exits, stops and continues; rusage holds CPU time only, as user time");
none(248, "add_key", "");
none(249, "request_key", "");
none(250, "keyctl", "");
none(251, "ioprio_set", "");
none(252, "ioprio_get", "");
none(253, "inotify_init", "");
none(254, "inotify_add_watch", "");
none(255, "inotify_rm_watch", "");
none(256, "migrate_pages", "");
def(257, "openat", sysOpenat, FULL, "isxo", "d", "");
def(258, "mkdirat", sysMkdirat, FULL, "iso", "d", "");
def(259, "mknodat", sysMknodat, PARTIAL, "isox", "d", "regular files, fifos and sockets; devices give EPERM");
def(260, "fchownat", sysFchownat, FULL, "isiix", "d", "");
def(261, "futimesat", sysFutimesat, FULL, "isp", "d", "");
def(262, "newfstatat", sysNewfstatat, FULL, "ispx", "d", "");
def(263, "unlinkat", sysUnlinkat, FULL, "isx", "d", "");
def(264, "renameat", sysRenameat, FULL, "isis", "d", "");
def(265, "linkat", sysLinkat, FULL, "isisx", "d", "");
def(266, "symlinkat", sysSymlinkat, FULL, "sis", "d", "");
def(267, "readlinkat", sysReadlinkat, FULL, "ispu", "d", "");
def(268, "fchmodat", sysFchmodat, FULL, "iso", "d", "");
def(269, "faccessat", sysFaccessat, FULL, "iso", "d", "");
def(270, "pselect6", sysPselect6, PARTIAL, "ipppp", "d", "one host fd at a time can wake a wait");
def(271, "ppoll", sysPpoll, PARTIAL, "puppu", "d", "one host fd at a time can wake a wait");
def(272, "unshare", sysUnshare, PARTIAL, "x", "d", "new namespaces (CLONE_NEW*) give EPERM");
def(273, "set_robust_list", sysSetRobustList, FULL, "pu", "d", "the list is walked when the task exits or execs");
def(274, "get_robust_list", sysGetRobustList, FULL, "ipp", "d", "");
none(275, "splice", "");
none(276, "tee", "");
def(277, "sync_file_range", sysSyncFileRange, FULL, "ixxu", "d", "");
none(278, "vmsplice", "");
none(279, "move_pages", "");
def(280, "utimensat", sysUtimensat, FULL, "ispx", "d", "");
def(281, "epoll_pwait", sysEpollPwait, PARTIAL, "ipiipu", "d", "one host fd at a time can wake a wait");
def(282, "signalfd", sysSignalfd, FULL, "ipu", "d", "");
def(283, "timerfd_create", sysTimerfdCreate, PARTIAL, "ix", "d", "TFD_TIMER_CANCEL_ON_SET is accepted and never cancels");
def(284, "eventfd", sysEventfd, FULL, "u", "d", "");
def(285, "fallocate", sysFallocate, PARTIAL, "ixll", "d", "mode 0, KEEP_SIZE and PUNCH_HOLE on tmpfs and the overlay; other modes EOPNOTSUPP");
def(286, "timerfd_settime", sysTimerfdSettime, FULL, "ixpp", "d", "");
def(287, "timerfd_gettime", sysTimerfdGettime, FULL, "ip", "d", "");
def(288, "accept4", sysAccept4, FULL, "ippx", "d", "");
def(289, "signalfd4", sysSignalfd4, FULL, "ipux", "d", "");
def(290, "eventfd2", sysEventfd2, FULL, "ux", "d", "");
def(291, "epoll_create1", sysEpollCreate1, FULL, "x", "d", "");
def(292, "dup3", sysDup3, FULL, "iix", "d", "");
def(293, "pipe2", sysPipe2, FULL, "px", "d", "");
none(294, "inotify_init1", "");
def(295, "preadv", sysPreadv, FULL, "ipul", "d", "");
def(296, "pwritev", sysPwritev, FULL, "ipul", "d", "");
def(297, "rt_tgsigqueueinfo", sysRtTgsigqueueinfo, FULL, "iiip", "d", "");
none(298, "perf_event_open", "");
def(299, "recvmmsg", sysRecvmmsg, PARTIAL, "ipuip", "d", "only the first message may wait (as with MSG_WAITFORONE); the timeout is checked after each");
none(300, "fanotify_init", "");
none(301, "fanotify_mark", "");
def(302, "prlimit64", sysPrlimit64, PARTIAL, "iipp", "d", "limits are recorded; only RLIMIT_NOFILE and RLIMIT_STACK are enforced");
none(303, "name_to_handle_at", "");
none(304, "open_by_handle_at", "");
none(305, "clock_adjtime", "");
def(306, "syncfs", sysFsync, FULL, "i", "d", "");
def(307, "sendmmsg", sysSendmmsg, PARTIAL, "ipui", "d", "only the first message may wait for room; the rest go as far as they can now");
none(308, "setns", "");
def(309, "getcpu", sysGetcpu, PARTIAL, "ppp", "d", "the first CPU of the thread's affinity mask (the vDSO's getcpu tells the host CPU)");
none(310, "process_vm_readv", "");
none(311, "process_vm_writev", "");
none(312, "kcmp", "");
none(313, "finit_module", "");
none(314, "sched_setattr", "");
none(315, "sched_getattr", "");
def(316, "renameat2", sysRenameat2, PARTIAL, "isisx", "d", "RENAME_EXCHANGE on tmpfs and the overlay (EINVAL on Gofer mounts); RENAME_WHITEOUT on tmpfs only (EINVAL elsewhere)");
none(317, "seccomp", "");
def(318, "getrandom", sysGetrandom, FULL, "pux", "d", "");
def(319, "memfd_create", sysMemfdCreate, PARTIAL, "sx", "d", "MFD_CLOEXEC, MFD_ALLOW_SEALING; MFD_HUGETLB, MFD_NOEXEC_SEAL and MFD_EXEC give EINVAL");
none(320, "kexec_file_load", "");
none(321, "bpf", "");
def(322, "execveat", sysExecveat, FULL, "isppx", "d", "");
none(323, "userfaultfd", "");
none(324, "membarrier", "");
def(325, "mlock2", sysMlock2, PARTIAL, "pxx", "d", MLOCK_NOTE);
def(326, "copy_file_range", sysCopyFileRange, FULL, "ipipux", "d", "");
def(327, "preadv2", sysPreadv2, PARTIAL, "ipulx", "d", "RWF_HIPRI/DSYNC/SYNC are hints, RWF_NOWAIT as O_NONBLOCK for the call; RWF_NOAPPEND, RWF_ATOMIC give EOPNOTSUPP");
def(328, "pwritev2", sysPwritev2, PARTIAL, "ipulx", "d", "RWF_APPEND appends; RWF_HIPRI/DSYNC/SYNC are hints (host files are not synced), RWF_NOWAIT as O_NONBLOCK for the call; RWF_NOAPPEND, RWF_ATOMIC give EOPNOTSUPP");
none(329, "pkey_mprotect", "");
none(330, "pkey_alloc", "");
none(331, "pkey_free", "");
def(332, "statx", sysStatx, PARTIAL, "isxxp", "d", "basic stats; no birth time on most file systems");
none(333, "io_pgetevents", "");
none(334, "rseq", "glibc runs without restartable sequences");
def(424, "pidfd_send_signal", sysPidfdSendSignal, FULL, "iipx", "d", "");
none(425, "io_uring_setup", "");
none(426, "io_uring_enter", "");
none(427, "io_uring_register", "");
none(428, "open_tree", "");
none(429, "move_mount", "");
none(430, "fsopen", "");
none(431, "fsconfig", "");
none(432, "fsmount", "");
none(433, "fspick", "");
def(434, "pidfd_open", sysPidfdOpen, FULL, "ix", "d", "");
def(435, "clone3", sysClone3, PARTIAL, "px", "d", "as clone; set_tid and CLONE_INTO_CGROUP give EINVAL, CLONE_NEW* EPERM");
def(436, "close_range", sysCloseRange, FULL, "uux", "d", "");
def(437, "openat2", sysOpenat2, PARTIAL, "ispi", "d", "RESOLVE_CACHED lookups are not limited to the dentry cache");
none(438, "pidfd_getfd", "");
def(439, "faccessat2", sysFaccessat2, FULL, "isox", "d", "");
none(440, "process_madvise", "");
def(441, "epoll_pwait2", sysEpollPwait2, PARTIAL, "ipippu", "d", "one host fd at a time can wake a wait");
none(442, "mount_setattr", "");
none(443, "quotactl_fd", "");
none(444, "landlock_create_ruleset", "");
none(445, "landlock_add_rule", "");
none(446, "landlock_restrict_self", "");
none(447, "memfd_secret", "");
none(448, "process_mrelease", "");
none(449, "futex_waitv", "");
none(450, "set_mempolicy_home_node", "");
none(451, "cachestat", "");
def(452, "fchmodat2", sysFchmodat2, FULL, "isoi", "d", "");
none(453, "map_shadow_stack", "");
none(454, "futex_wake", "");
none(455, "futex_wait", "");
none(456, "futex_requeue", "");
none(457, "statmount", "");
none(458, "listmount", "");
none(459, "lsm_get_self_attr", "");
none(460, "lsm_set_self_attr", "");
none(461, "lsm_list_modules", "");
none(462, "mseal", "");
