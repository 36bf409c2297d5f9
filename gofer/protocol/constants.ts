// 9P2000.L constants, as Linux's include/net/9p/9p.h defines them (the client side that
// every 9P2000.L server must satisfy) and diod's protocol.md documents.

/** Protocol versions this server speaks. */
export const VERSION_9P2000_L = '9P2000.L';
/**
 * 9P2000.L plus host-fd donation (see gofer/README.md, "The wvisor extension"): every
 * Rlopen/Rlcreate of a regular file carries the opened host fd as SCM_RIGHTS.
 */
export const VERSION_WVISOR = '9P2000.L.wvisor';
/** Rversion's answer to a version the server does not speak (version(5)). */
export const VERSION_UNKNOWN = 'unknown';

/** size[4] type[1] tag[2]: the header of every message. */
export const HEADER_SIZE = 7;
/** Header plus the count[4] of Rread/Rreaddir: where their payload starts. */
export const IO_HEADER_SIZE = HEADER_SIZE + 4;
/** Linux's P9_IOHDRSZ: the largest header of a Twrite/Rread (size type tag fid offset count). */
export const P9_IOHDRSZ = 24;

/** Tversion's tag. */
export const NOTAG = 0xffff;
/** "No fid": Tattach's afid without authentication. */
export const NOFID = 0xffffffff;
/** Tattach's n_uname when the client sends a name only. */
export const NONUNAME = 0xffffffff;
/** Twalk carries at most 16 names (MAXWELEM in Plan 9 and Linux). */
export const MAXWELEM = 16;

// qid.type bits (P9_QT*).
export const QTDIR = 0x80;
export const QTAPPEND = 0x40;
export const QTEXCL = 0x20;
export const QTMOUNT = 0x10;
export const QTAUTH = 0x08;
export const QTTMP = 0x04;
export const QTSYMLINK = 0x02;
export const QTFILE = 0x00;

// Tgetattr request_mask / Rgetattr valid (P9_GETATTR_*).
export const GETATTR_MODE = 0x1;
export const GETATTR_NLINK = 0x2;
export const GETATTR_UID = 0x4;
export const GETATTR_GID = 0x8;
export const GETATTR_RDEV = 0x10;
export const GETATTR_ATIME = 0x20;
export const GETATTR_MTIME = 0x40;
export const GETATTR_CTIME = 0x80;
export const GETATTR_INO = 0x100;
export const GETATTR_SIZE = 0x200;
export const GETATTR_BLOCKS = 0x400;
export const GETATTR_BTIME = 0x800;
export const GETATTR_GEN = 0x1000;
export const GETATTR_DATA_VERSION = 0x2000;
export const GETATTR_BASIC = 0x7ff;
export const GETATTR_ALL = 0x3fff;

// Tsetattr valid (P9_ATTR_*, the iattr bits of Linux's ATTR_*).
export const SETATTR_MODE = 0x1;
export const SETATTR_UID = 0x2;
export const SETATTR_GID = 0x4;
export const SETATTR_SIZE = 0x8;
export const SETATTR_ATIME = 0x10;
export const SETATTR_MTIME = 0x20;
export const SETATTR_CTIME = 0x40;
export const SETATTR_ATIME_SET = 0x80;
export const SETATTR_MTIME_SET = 0x100;

// Tlopen/Tlcreate flags (P9_DOTL_*): equal to Linux's x86-64 open flags.
export const DOTL_RDONLY = 0o0;
export const DOTL_WRONLY = 0o1;
export const DOTL_RDWR = 0o2;
export const DOTL_ACCMODE = 0o3;
export const DOTL_CREATE = 0o100;
export const DOTL_EXCL = 0o200;
export const DOTL_NOCTTY = 0o400;
export const DOTL_TRUNC = 0o1000;
export const DOTL_APPEND = 0o2000;
export const DOTL_NONBLOCK = 0o4000;
export const DOTL_DSYNC = 0o10000;
export const DOTL_FASYNC = 0o20000;
export const DOTL_DIRECT = 0o40000;
export const DOTL_LARGEFILE = 0o100000;
export const DOTL_DIRECTORY = 0o200000;
export const DOTL_NOFOLLOW = 0o400000;
export const DOTL_NOATIME = 0o1000000;
export const DOTL_CLOEXEC = 0o2000000;
export const DOTL_SYNC = 0o4000000;

// Tlock/Tgetlock type (P9_LOCK_TYPE_*), Tlock flags and Rlock status.
export const LOCK_TYPE_RDLCK = 0;
export const LOCK_TYPE_WRLCK = 1;
export const LOCK_TYPE_UNLCK = 2;
export const LOCK_FLAGS_BLOCK = 1;
export const LOCK_FLAGS_RECLAIM = 2;
export const LOCK_SUCCESS = 0;
export const LOCK_BLOCKED = 1;
export const LOCK_ERROR = 2;
export const LOCK_GRACE = 3;

/** Tunlinkat flags: Linux's AT_REMOVEDIR. */
export const AT_REMOVEDIR = 0x200;
