// The host system calls the platform makes, bound through koffi. Pointers cross as plain
// numbers (uintptr_t) or as typed arrays that koffi passes by address for the call's duration.
import koffi from 'koffi';

const libc = koffi.load('libc.so.6');

export const ptrace = libc.func('long ptrace(long request, int pid, uintptr_t addr, uintptr_t data)');
/** ptrace with a buffer as data (GETREGS, SETREGS, GETSIGINFO). */
export const ptraceBuf = libc.func('ptrace', 'long', ['long', 'int', 'uintptr_t', 'void *']);
export const waitpid = libc.func('int waitpid(int pid, _Out_ int *status, int options)');
export const kill = libc.func('int kill(int pid, int sig)');
export const posixSpawn = libc.func('int posix_spawn(_Out_ int *pid, const char *path, void *fileActions, void *attr, const char **argv, const char **envp)');
export const spawnFileActionsInit = libc.func('int posix_spawn_file_actions_init(void *fa)');
export const spawnFileActionsDestroy = libc.func('int posix_spawn_file_actions_destroy(void *fa)');
export const spawnFileActionsAddDup2 = libc.func('int posix_spawn_file_actions_adddup2(void *fa, int fd, int newfd)');
export const spawnFileActionsAddClosefrom = libc.func('int posix_spawn_file_actions_addclosefrom_np(void *fa, int from)');
export const spawnAttrInit = libc.func('int posix_spawnattr_init(void *attr)');
export const spawnAttrDestroy = libc.func('int posix_spawnattr_destroy(void *attr)');
export const spawnAttrSetflags = libc.func('int posix_spawnattr_setflags(void *attr, short flags)');
export const memfdCreate = libc.func('int memfd_create(const char *name, unsigned int flags)');
export const ftruncate = libc.func('int ftruncate(int fd, long length)');
export const fallocate = libc.func('int fallocate(int fd, int mode, long offset, long len)');
export const mmap = libc.func('uintptr_t mmap(uintptr_t addr, size_t len, int prot, int flags, int fd, long off)');
export const mincore = libc.func('int mincore(uintptr_t addr, size_t len, _Out_ uint8_t *vec)');
export const read = libc.func('long read(int fd, uintptr_t buf, size_t count)');
export const write = libc.func('long write(int fd, uintptr_t buf, size_t count)');
export const pread = libc.func('long pread(int fd, uintptr_t buf, size_t count, long off)');
export const pwrite = libc.func('long pwrite(int fd, uintptr_t buf, size_t count, long off)');
export const preadBuf = libc.func('pread', 'long', ['int', 'void *', 'size_t', 'long']);
export const fstatBuf = libc.func('int fstat(int fd, void *buf)');
export const ioctlBuf = libc.func('int ioctl(int fd, unsigned long req, void *arg)');
export const lseek = libc.func('long lseek(int fd, long off, int whence)');
export const close = libc.func('int close(int fd)');
export const poll = libc.func('int poll(void *fds, unsigned long nfds, int timeout)');
export const ppoll = libc.func('int ppoll(void *fds, unsigned long nfds, void *timeout, void *sigmask)');
export const clockGettime = libc.func('int clock_gettime(int clockid, void *ts)');
export const clockGetres = libc.func('int clock_getres(int clockid, void *ts)');
export const fcntl = libc.func('int fcntl(int fd, int cmd, long arg)');
export const epollCreate1 = libc.func('int epoll_create1(int flags)');
export const epollCtl = libc.func('epoll_ctl', 'int', ['int', 'int', 'int', 'void *']);
export const timerfdCreate = libc.func('int timerfd_create(int clockid, int flags)');
export const timerfdSettime = libc.func('timerfd_settime', 'int', ['int', 'int', 'void *', 'void *']);
export const readBuf = libc.func('read', 'long', ['int', 'void *', 'size_t']);
export const malloc = libc.func('uintptr_t malloc(size_t size)');
export const sendBuf = libc.func('send', 'long', ['int', 'void *', 'size_t', 'int']);
export const recvBuf = libc.func('recv', 'long', ['int', 'void *', 'size_t', 'int']);
export const recvmsg = libc.func('long recvmsg(int fd, uintptr_t msg, int flags)');
export const socketpair = libc.func('socketpair', 'int', ['int', 'int', 'int', 'void *']);
/** syscall(2) with six integer arguments (glibc's variadic wrapper reads them as longs). */
export const syscall = libc.func('long syscall(long nr, long a, long b, long c, long d, long e, long f)');
/** syscall(2) whose fourth argument is a buffer (futex's timeout). */
export const syscallBuf4 = libc.func('syscall', 'long', ['long', 'long', 'long', 'long', 'void *', 'long', 'long']);
export const tgkill = libc.func('int tgkill(int tgid, int tid, int sig)');
export const errno = (): number => koffi.errno();
export { koffi };

// ptrace requests and options (include/uapi/linux/ptrace.h).
export const PTRACE_CONT = 7;
export const PTRACE_KILL = 8;
export const PTRACE_GETREGS = 12;
export const PTRACE_SETREGS = 13;
export const PTRACE_GETFPREGS = 14;
export const PTRACE_SETFPREGS = 15;
export const PTRACE_SYSEMU = 31;
export const PTRACE_SEIZE = 0x4206;
export const PTRACE_GETEVENTMSG = 0x4201;
export const PTRACE_GETREGSET = 0x4204;
export const PTRACE_SETREGSET = 0x4205;
export const PTRACE_GETSIGINFO = 0x4202;
export const PTRACE_O_TRACESYSGOOD = 1;
export const PTRACE_O_TRACECLONE = 8;
export const PTRACE_EVENT_CLONE = 3;
export const PTRACE_O_EXITKILL = 0x100000;
export const PTRACE_EVENT_STOP = 128;
export const PTRACE_INTERRUPT = 0x4207;

export const WNOHANG = 1;
export const WUNTRACED = 2;
export const __WALL = 0x40000000;
export const __WNOTHREAD = 0x20000000;
export const SIGKILL = 9;
export const SIGSTOP = 19;
export const SIGTRAP = 5;
export const POSIX_SPAWN_SETSID = 0x80;
export const EINTR = 4;
export const EAGAIN = 11;
export const ESRCH = 3;
export const EPERM = 1;
export const EFAULT = 14;
export const EINVAL = 22;
