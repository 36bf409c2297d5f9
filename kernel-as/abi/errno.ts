// Linux errno values (include/uapi/asm-generic/errno-base.h, errno.h). Handlers return
// them negated, as the Linux syscall ABI does.
export const EPERM: i32 = 1;
export const ENOENT: i32 = 2;
export const ESRCH: i32 = 3;
export const EINTR: i32 = 4;
export const EIO: i32 = 5;
export const ENXIO: i32 = 6;
export const E2BIG: i32 = 7;
export const ENOEXEC: i32 = 8;
export const EBADF: i32 = 9;
export const ECHILD: i32 = 10;
export const EAGAIN: i32 = 11;
export const ENOMEM: i32 = 12;
export const EACCES: i32 = 13;
export const EFAULT: i32 = 14;
export const EBUSY: i32 = 16;
export const EEXIST: i32 = 17;
export const EXDEV: i32 = 18;
export const ENODEV: i32 = 19;
export const ENOTDIR: i32 = 20;
export const EISDIR: i32 = 21;
export const EINVAL: i32 = 22;
export const ENFILE: i32 = 23;
export const EMFILE: i32 = 24;
export const ENOTTY: i32 = 25;
export const ETXTBSY: i32 = 26;
export const EFBIG: i32 = 27;
export const ENOSPC: i32 = 28;
export const ESPIPE: i32 = 29;
export const EROFS: i32 = 30;
export const EMLINK: i32 = 31;
export const EPIPE: i32 = 32;
export const ERANGE: i32 = 34;
export const ENODATA: i32 = 61;
export const ENAMETOOLONG: i32 = 36;
export const ENOSYS: i32 = 38;
export const ENOTEMPTY: i32 = 39;
export const ELOOP: i32 = 40;
export const EOVERFLOW: i32 = 75;
export const ENOTSOCK: i32 = 88;
export const ENOBUFS: i32 = 105;
export const EMSGSIZE: i32 = 90;
export const EPROTOTYPE: i32 = 91;
export const ENOPROTOOPT: i32 = 92;
export const EPROTONOSUPPORT: i32 = 93;
export const EOPNOTSUPP: i32 = 95;
export const EAFNOSUPPORT: i32 = 97;
export const EADDRINUSE: i32 = 98;
export const ECONNRESET: i32 = 104;
export const EISCONN: i32 = 106;
export const ENOTCONN: i32 = 107;
export const ECONNREFUSED: i32 = 111;
export const ETIMEDOUT: i32 = 110;

// Kernel-internal codes, never seen by an app (include/linux/errno.h).
export const ERESTARTSYS: i32 = 512;
export const ERESTART_RESTARTBLOCK: i32 = 516;

/** Linux's errno names by number (asm-generic/errno-base.h and errno.h); "" where a number
 *  has no name of its own. */
const NAMES: string[] = [
  "0", "EPERM", "ENOENT", "ESRCH", "EINTR", "EIO", "ENXIO", "E2BIG", "ENOEXEC", "EBADF", "ECHILD",
  "EAGAIN", "ENOMEM", "EACCES", "EFAULT", "ENOTBLK", "EBUSY", "EEXIST", "EXDEV", "ENODEV",
  "ENOTDIR", "EISDIR", "EINVAL", "ENFILE", "EMFILE", "ENOTTY", "ETXTBSY", "EFBIG", "ENOSPC",
  "ESPIPE", "EROFS", "EMLINK", "EPIPE", "EDOM", "ERANGE", "EDEADLK", "ENAMETOOLONG", "ENOLCK",
  "ENOSYS", "ENOTEMPTY", "ELOOP", "", "ENOMSG", "EIDRM", "ECHRNG", "EL2NSYNC", "EL3HLT", "EL3RST",
  "ELNRNG", "EUNATCH", "ENOCSI", "EL2HLT", "EBADE", "EBADR", "EXFULL", "ENOANO", "EBADRQC",
  "EBADSLT", "", "EBFONT", "ENOSTR", "ENODATA", "ETIME", "ENOSR", "ENONET", "ENOPKG", "EREMOTE",
  "ENOLINK", "EADV", "ESRMNT", "ECOMM", "EPROTO", "EMULTIHOP", "EDOTDOT", "EBADMSG", "EOVERFLOW",
  "ENOTUNIQ", "EBADFD", "EREMCHG", "ELIBACC", "ELIBBAD", "ELIBSCN", "ELIBMAX", "ELIBEXEC",
  "EILSEQ", "ERESTART", "ESTRPIPE", "EUSERS", "ENOTSOCK", "EDESTADDRREQ", "EMSGSIZE", "EPROTOTYPE",
  "ENOPROTOOPT", "EPROTONOSUPPORT", "ESOCKTNOSUPPORT", "EOPNOTSUPP", "EPFNOSUPPORT",
  "EAFNOSUPPORT", "EADDRINUSE", "EADDRNOTAVAIL", "ENETDOWN", "ENETUNREACH", "ENETRESET",
  "ECONNABORTED", "ECONNRESET", "ENOBUFS", "EISCONN", "ENOTCONN", "ESHUTDOWN", "ETOOMANYREFS",
  "ETIMEDOUT", "ECONNREFUSED",
];

/** The symbolic name of an errno, for strace output. */
export function errnoName(e: i32): string {
  if (e > 0 && e < NAMES.length && NAMES[e].length > 0) return NAMES[e];
  return "E" + e.toString();
}
