// The host system calls the gofer makes, bound through koffi (Node's fs has no openat, no
// O_PATH, no *at family with a directory fd, no SCM_RIGHTS).
//
// Conventions: paths are NUL-terminated byte buffers (cstr), never JS strings, because Linux
// names are bytes and need not be UTF-8; buffers cross as `void *` (koffi passes a Buffer's
// memory by address for the call's duration); msghdr and friends, which hold pointers inside,
// are built in native memory (NativeBuffer) whose addresses are stable. `sys()` turns the C
// convention (-1 and errno) into a thrown Errno.
import koffi from 'koffi';
import { Errno, EINVAL, ENAMETOOLONG } from '../errno.js';
import type { Bytes } from '../layout.js';

const libc = koffi.load('libc.so.6');

// Files.
export const openat = libc.func('int openat(int dirfd, void *path, int flags, uint32_t mode)');
export const close = libc.func('int close(int fd)');
export const statx = libc.func('int statx(int dirfd, void *path, int flags, uint32_t mask, void *buf)');
export const fstatfs = libc.func('int fstatfs(int fd, void *buf)');
export const pread = libc.func('int64_t pread64(int fd, void *buf, size_t count, int64_t offset)');
export const pwrite = libc.func('int64_t pwrite64(int fd, void *buf, size_t count, int64_t offset)');
export const getdents64 = libc.func('int64_t getdents64(int fd, void *buf, size_t count)');
export const lseek = libc.func('int64_t lseek64(int fd, int64_t offset, int whence)');
export const mkdirat = libc.func('int mkdirat(int dirfd, void *path, uint32_t mode)');
export const mknodat = libc.func('int mknodat(int dirfd, void *path, uint32_t mode, uint64_t dev)');
export const symlinkat = libc.func('int symlinkat(void *target, int dirfd, void *path)');
export const linkat = libc.func('int linkat(int olddirfd, void *oldpath, int newdirfd, void *newpath, int flags)');
export const renameat = libc.func('int renameat(int olddirfd, void *oldpath, int newdirfd, void *newpath)');
export const unlinkat = libc.func('int unlinkat(int dirfd, void *path, int flags)');
export const readlinkat = libc.func('int64_t readlinkat(int dirfd, void *path, void *buf, size_t size)');
export const fchownat = libc.func('int fchownat(int dirfd, void *path, uint32_t uid, uint32_t gid, int flags)');
export const fchmodat = libc.func('int fchmodat(int dirfd, void *path, uint32_t mode, int flags)');
export const fchown = libc.func('int fchown(int fd, uint32_t uid, uint32_t gid)');
export const utimensat = libc.func('int utimensat(int dirfd, void *path, void *times, int flags)');
export const ftruncate = libc.func('int ftruncate64(int fd, int64_t length)');
export const fsync = libc.func('int fsync(int fd)');
export const fdatasync = libc.func('int fdatasync(int fd)');
/** fcntl with a pointer argument (F_OFD_SETLK, F_OFD_GETLK). */
export const fcntlPtr = libc.func('fcntl', 'int', ['int', 'int', 'void *']);
/** fcntl with an integer argument (F_GETFL, F_SETFL). */
export const fcntlInt = libc.func('fcntl', 'int', ['int', 'int', 'long']);

// Sockets.
export const socket = libc.func('int socket(int domain, int type, int protocol)');
export const socketpair = libc.func('int socketpair(int domain, int type, int protocol, void *sv)');
export const bind = libc.func('int bind(int fd, void *addr, uint32_t len)');
export const listen = libc.func('int listen(int fd, int backlog)');
export const accept4 = libc.func('int accept4(int fd, void *addr, void *len, int flags)');
export const connect = libc.func('int connect(int fd, void *addr, uint32_t len)');
export const send = libc.func('int64_t send(int fd, void *buf, size_t len, int flags)');
export const recv = libc.func('int64_t recv(int fd, void *buf, size_t len, int flags)');
export const sendmsg = libc.func('int64_t sendmsg(int fd, uintptr_t msg, int flags)');
export const recvmsg = libc.func('int64_t recvmsg(int fd, uintptr_t msg, int flags)');
export const setsockopt = libc.func('int setsockopt(int fd, int level, int name, void *val, uint32_t len)');
export const poll = libc.func('int poll(void *fds, uint64_t nfds, int timeout)');

// Signals: signal(sig, 0) restores SIG_DFL.
export const signal = libc.func('uintptr_t signal(int sig, uintptr_t handler)');
export const SIG_DFL = 0;
export const SIGHUP = 1;
export const SIGINT = 2;
export const SIGTERM = 15;

// Memory.
export const mmap = libc.func('intptr_t mmap(uintptr_t addr, size_t len, int prot, int flags, int fd, int64_t off)');
export const munmap = libc.func('int munmap(uintptr_t addr, size_t len)');

/** errno of the last call on this thread; read it right after the failing call. */
export const errno = (): number => koffi.errno();

/** The C convention to an exception: a negative result throws Errno(errno). */
export function sys(ret: number | bigint, what: string): number {
  const n = Number(ret);
  if (n < 0) throw new Errno(koffi.errno(), what);
  return n;
}

/** PATH_MAX: no path or symlink target the gofer passes is longer (with its NUL). */
export const PATH_MAX = 4096;

/**
 * A NUL-terminated copy of a name or path for the kernel. Rejects an embedded NUL (the kernel
 * would silently cut the name there) and anything longer than PATH_MAX.
 */
export function cstr(v: Bytes | string): Buffer {
  const b = typeof v === 'string' ? Buffer.from(v) : v;
  if (b.length >= PATH_MAX) throw new Errno(ENAMETOOLONG, 'path too long');
  if (b.indexOf(0) >= 0) throw new Errno(EINVAL, 'NUL byte in a name');
  const out = Buffer.allocUnsafe(b.length + 1);
  out.set(b, 0);
  out[b.length] = 0;
  return out;
}

/** The empty path, for the *at calls given AT_EMPTY_PATH on an O_PATH fd. */
export const EMPTY_PATH = Buffer.from([0]);

/**
 * Memory outside V8's heap (an anonymous mapping), for structs that hold pointers (msghdr,
 * iovec) and the buffers they point at. `buf` views the same bytes from JS.
 */
export class NativeBuffer {
  readonly addr: number;
  readonly buf: Buffer;

  constructor(readonly length: number) {
    const addr = Number(mmap(0, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    if (addr === -1) throw new Errno(errno(), `mmap of ${length} bytes`);
    this.addr = addr;
    this.buf = Buffer.from(koffi.view(addr, length));
  }

  free(): void {
    munmap(this.addr, this.length);
  }
}

// open(2) flags (x86-64).
export const O_RDONLY = 0o0;
export const O_WRONLY = 0o1;
export const O_RDWR = 0o2;
export const O_ACCMODE = 0o3;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_NOCTTY = 0o400;
export const O_TRUNC = 0o1000;
export const O_APPEND = 0o2000;
export const O_NONBLOCK = 0o4000;
export const O_DSYNC = 0o10000;
export const O_DIRECT = 0o40000;
export const O_LARGEFILE = 0o100000;
export const O_DIRECTORY = 0o200000;
export const O_NOFOLLOW = 0o400000;
export const O_NOATIME = 0o1000000;
export const O_CLOEXEC = 0o2000000;
export const O_SYNC = 0o4010000;
export const O_PATH = 0o10000000;

// *at flags.
export const AT_FDCWD = -100;
export const AT_SYMLINK_NOFOLLOW = 0x100;
export const AT_REMOVEDIR = 0x200;
export const AT_SYMLINK_FOLLOW = 0x400;
export const AT_EMPTY_PATH = 0x1000;

// statx mask.
export const STATX_BASIC_STATS = 0x7ff;
export const STATX_BTIME = 0x800;

// st_mode.
export const S_IFMT = 0o170000;
export const S_IFSOCK = 0o140000;
export const S_IFLNK = 0o120000;
export const S_IFREG = 0o100000;
export const S_IFBLK = 0o60000;
export const S_IFDIR = 0o40000;
export const S_IFCHR = 0o20000;
export const S_IFIFO = 0o10000;

// fcntl.
export const F_GETFL = 3;
export const F_SETFL = 4;
export const F_OFD_GETLK = 36;
export const F_OFD_SETLK = 37;
export const F_RDLCK = 0;
export const F_WRLCK = 1;
export const F_UNLCK = 2;
export const SEEK_SET = 0;

// utimensat.
export const UTIME_NOW = (1 << 30) - 1;
export const UTIME_OMIT = (1 << 30) - 2;

// Directory entry types (d_type).
export const DT_DIR = 4;
export const DT_LNK = 10;

// Sockets.
export const AF_UNIX = 1;
export const SOCK_STREAM = 1;
export const SOCK_CLOEXEC = 0o2000000;
export const SOL_SOCKET = 1;
export const SCM_RIGHTS = 1;
export const SO_RCVTIMEO = 20;
export const SO_SNDTIMEO = 21;
export const MSG_CTRUNC = 0x8;
export const MSG_DONTWAIT = 0x40;
export const MSG_NOSIGNAL = 0x4000;
export const MSG_CMSG_CLOEXEC = 0x40000000;
export const POLLIN = 0x1;
export const POLLOUT = 0x4;
export const POLLERR = 0x8;
export const POLLHUP = 0x10;
export const POLLNVAL = 0x20;

// mmap.
export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const MAP_PRIVATE = 2;
export const MAP_ANONYMOUS = 0x20;

export { koffi };
