// Linux x86-64 ABI constants used across the kernel (include/uapi/...). One place, so that a
// handler never spells a magic number.

export const PAGE_SIZE: u64 = 4096;
export const PAGE_MASK: u64 = ~(PAGE_SIZE - 1);

@inline export function pageDown(v: u64): u64 { return v & PAGE_MASK; }
@inline export function pageUp(v: u64): u64 { return (v + PAGE_SIZE - 1) & PAGE_MASK; }
@inline export function pageAligned(v: u64): bool { return (v & (PAGE_SIZE - 1)) == 0; }

// mm: include/uapi/asm-generic/mman-common.h, mman.h
export const PROT_NONE: i32 = 0;
export const PROT_READ: i32 = 1;
export const PROT_WRITE: i32 = 2;
export const PROT_EXEC: i32 = 4;
export const PROT_GROWSDOWN: i32 = 0x01000000;
export const PROT_GROWSUP: i32 = 0x02000000;

export const MAP_SHARED: i32 = 0x01;
export const MAP_PRIVATE: i32 = 0x02;
export const MAP_SHARED_VALIDATE: i32 = 0x03;
export const MAP_TYPE: i32 = 0x0f;
export const MAP_FIXED: i32 = 0x10;
export const MAP_ANONYMOUS: i32 = 0x20;
export const MAP_32BIT: i32 = 0x40;
export const MAP_GROWSDOWN: i32 = 0x0100;
export const MAP_DENYWRITE: i32 = 0x0800;
export const MAP_EXECUTABLE: i32 = 0x1000;
export const MAP_LOCKED: i32 = 0x2000;
export const MAP_NORESERVE: i32 = 0x4000;
export const MAP_POPULATE: i32 = 0x8000;
export const MAP_NONBLOCK: i32 = 0x10000;
export const MAP_STACK: i32 = 0x20000;
export const MAP_HUGETLB: i32 = 0x40000;
export const MAP_SYNC: i32 = 0x80000;
export const MAP_FIXED_NOREPLACE: i32 = 0x100000;

export const MREMAP_MAYMOVE: i32 = 1;
export const MREMAP_FIXED: i32 = 2;
export const MREMAP_DONTUNMAP: i32 = 4;

export const MADV_NORMAL: i32 = 0;
export const MADV_RANDOM: i32 = 1;
export const MADV_SEQUENTIAL: i32 = 2;
export const MADV_WILLNEED: i32 = 3;
export const MADV_DONTNEED: i32 = 4;
export const MADV_FREE: i32 = 8;
export const MADV_REMOVE: i32 = 9;
export const MADV_DONTFORK: i32 = 10;
export const MADV_DOFORK: i32 = 11;
export const MADV_MERGEABLE: i32 = 12;
export const MADV_UNMERGEABLE: i32 = 13;
export const MADV_HUGEPAGE: i32 = 14;
export const MADV_NOHUGEPAGE: i32 = 15;
export const MADV_DONTDUMP: i32 = 16;
export const MADV_DODUMP: i32 = 17;
export const MADV_WIPEONFORK: i32 = 18;
export const MADV_KEEPONFORK: i32 = 19;
export const MADV_COLD: i32 = 20;
export const MADV_PAGEOUT: i32 = 21;
export const MADV_POPULATE_READ: i32 = 22;
export const MADV_POPULATE_WRITE: i32 = 23;
export const MADV_DONTNEED_LOCKED: i32 = 24;
export const MADV_COLLAPSE: i32 = 25;

// Signals: arch/x86/include/uapi/asm/signal.h
export const SIGHUP: i32 = 1;
export const SIGINT: i32 = 2;
export const SIGQUIT: i32 = 3;
export const SIGILL: i32 = 4;
export const SIGTRAP: i32 = 5;
export const SIGABRT: i32 = 6;
export const SIGBUS: i32 = 7;
/** si_code of a fault (Linux include/uapi/asm-generic/siginfo.h). */
export const SEGV_MAPERR: i32 = 1;
export const SEGV_ACCERR: i32 = 2;
export const BUS_ADRERR: i32 = 2;
export const SIGFPE: i32 = 8;
export const SIGKILL: i32 = 9;
export const SIGUSR1: i32 = 10;
export const SIGSEGV: i32 = 11;
export const SIGUSR2: i32 = 12;
export const SIGPIPE: i32 = 13;
export const SIGALRM: i32 = 14;
export const SIGTERM: i32 = 15;
export const SIGSTKFLT: i32 = 16;
export const SIGCHLD: i32 = 17;
export const SIGCONT: i32 = 18;
export const SIGSTOP: i32 = 19;
export const SIGTSTP: i32 = 20;
export const SIGTTIN: i32 = 21;
export const SIGTTOU: i32 = 22;
export const SIGURG: i32 = 23;
export const SIGXCPU: i32 = 24;
export const SIGXFSZ: i32 = 25;
export const SIGVTALRM: i32 = 26;
export const SIGPROF: i32 = 27;
export const SIGWINCH: i32 = 28;
export const SIGIO: i32 = 29;
export const SIGPWR: i32 = 30;
export const SIGSYS: i32 = 31;
export const NSIG: i32 = 64;

export const SIG_DFL: u64 = 0;
export const SIG_IGN: u64 = 1;

export const SIG_BLOCK: i32 = 0;
export const SIG_UNBLOCK: i32 = 1;
export const SIG_SETMASK: i32 = 2;

export const SA_NOCLDSTOP: u64 = 0x00000001;
export const SA_NOCLDWAIT: u64 = 0x00000002;
export const SA_SIGINFO: u64 = 0x00000004;
export const SA_UNSUPPORTED: u64 = 0x00000400;
export const SA_EXPOSE_TAGBITS: u64 = 0x00000800;
export const SA_RESTORER: u64 = 0x04000000;
export const SA_ONSTACK: u64 = 0x08000000;
export const SA_RESTART: u64 = 0x10000000;
export const SA_NODEFER: u64 = 0x40000000;
export const SA_RESETHAND: u64 = 0x80000000;

// Clocks: include/uapi/linux/time.h
export const CLOCK_REALTIME: i32 = 0;
export const CLOCK_MONOTONIC: i32 = 1;
export const CLOCK_PROCESS_CPUTIME_ID: i32 = 2;
export const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
export const CLOCK_MONOTONIC_RAW: i32 = 4;
export const CLOCK_REALTIME_COARSE: i32 = 5;
export const CLOCK_MONOTONIC_COARSE: i32 = 6;
export const CLOCK_BOOTTIME: i32 = 7;
export const CLOCK_REALTIME_ALARM: i32 = 8;
export const CLOCK_BOOTTIME_ALARM: i32 = 9;
export const CLOCK_TAI: i32 = 11;
export const TIMER_ABSTIME: i32 = 1;

// Resource limits: include/uapi/asm-generic/resource.h
export const RLIMIT_CPU: i32 = 0;
export const RLIMIT_FSIZE: i32 = 1;
export const RLIMIT_DATA: i32 = 2;
export const RLIMIT_STACK: i32 = 3;
export const RLIMIT_CORE: i32 = 4;
export const RLIMIT_RSS: i32 = 5;
export const RLIMIT_NPROC: i32 = 6;
export const RLIMIT_NOFILE: i32 = 7;
export const RLIMIT_MEMLOCK: i32 = 8;
export const RLIMIT_AS: i32 = 9;
export const RLIMIT_LOCKS: i32 = 10;
export const RLIMIT_SIGPENDING: i32 = 11;
export const RLIMIT_MSGQUEUE: i32 = 12;
export const RLIMIT_NICE: i32 = 13;
export const RLIMIT_RTPRIO: i32 = 14;
export const RLIMIT_RTTIME: i32 = 15;
export const RLIM_NLIMITS: i32 = 16;
export const RLIM_INFINITY: u64 = 0xffffffffffffffff;

// fcntl: include/uapi/asm-generic/fcntl.h
export const F_DUPFD: i32 = 0;
export const F_GETFD: i32 = 1;
export const F_SETFD: i32 = 2;
export const F_GETFL: i32 = 3;
export const F_SETFL: i32 = 4;
export const F_DUPFD_CLOEXEC: i32 = 1030;
export const FD_CLOEXEC: i32 = 1;

export const O_ACCMODE: i32 = 3;
export const O_RDONLY: i32 = 0;
export const O_WRONLY: i32 = 1;
export const O_RDWR: i32 = 2;
export const O_APPEND: i32 = 0x400;
export const O_NONBLOCK: i32 = 0x800;
export const O_DSYNC: i32 = 0x1000;
export const FASYNC: i32 = 0x2000;
export const O_DIRECT: i32 = 0x4000;
export const O_LARGEFILE: i32 = 0x8000;
export const O_NOATIME: i32 = 0x40000;
export const O_CLOEXEC: i32 = 0x80000;
// The status flags F_SETFL may change (fs/fcntl.c SETFL_MASK).
export const SETFL_MASK: i32 = O_APPEND | O_NONBLOCK | FASYNC | O_DIRECT | O_NOATIME;

export const SEEK_SET: i32 = 0;
export const SEEK_CUR: i32 = 1;
export const SEEK_END: i32 = 2;
export const SEEK_DATA: i32 = 3;
export const SEEK_HOLE: i32 = 4;

// ioctl requests on terminals and files: include/uapi/asm-generic/ioctls.h
export const TCGETS: i32 = 0x5401;
export const TCSETS: i32 = 0x5402;
export const TCSETSW: i32 = 0x5403;
export const TCSETSF: i32 = 0x5404;
export const TCSBRK: i32 = 0x5409;
export const TCXONC: i32 = 0x540a;
export const TCFLSH: i32 = 0x540b;
export const TIOCSCTTY: i32 = 0x540e;
export const TIOCGPGRP: i32 = 0x540f;
export const TIOCSPGRP: i32 = 0x5410;
export const TIOCOUTQ: i32 = 0x5411;
export const TIOCGWINSZ: i32 = 0x5413;
export const TIOCSWINSZ: i32 = 0x5414;
export const FIONREAD: i32 = 0x541b;
export const FIONBIO: i32 = 0x5421;
export const TIOCNOTTY: i32 = 0x5422;
export const TIOCGSID: i32 = 0x5429;
export const TCGETS2: i32 = <i32>0x802c542a;
export const TCSETS2: i32 = 0x402c542b;
export const TCSETSW2: i32 = 0x402c542c;
export const TCSETSF2: i32 = 0x402c542d;
export const TIOCGPTN: i32 = <i32>0x80045430;
export const TIOCSPTLCK: i32 = 0x40045431;
export const TIOCGPTPEER: i32 = 0x5441;
export const FIONCLEX: i32 = 0x5450;
export const FIOCLEX: i32 = 0x5451;

// arch_prctl: arch/x86/include/uapi/asm/prctl.h
export const ARCH_SET_GS: i32 = 0x1001;
export const ARCH_SET_FS: i32 = 0x1002;
export const ARCH_GET_FS: i32 = 0x1003;
export const ARCH_GET_GS: i32 = 0x1004;
export const ARCH_GET_CPUID: i32 = 0x1011;
export const ARCH_SET_CPUID: i32 = 0x1012;

// getrandom: include/uapi/linux/random.h
export const GRND_NONBLOCK: i32 = 1;
export const GRND_RANDOM: i32 = 2;
export const GRND_INSECURE: i32 = 4;

// Wait status encoding (include/linux/wait.h conventions, as in do_exit()).
@inline export function exitStatus(code: i32): i32 { return (code & 0xff) << 8; }
@inline export function signalStatus(sig: i32, core: bool): i32 { return sig | (core ? 0x80 : 0); }

// personality(2) flags (include/uapi/linux/personality.h) that the kernel acts on.
export const ADDR_NO_RANDOMIZE: u32 = 0x0040000;
export const READ_IMPLIES_EXEC: u32 = 0x0400000;
