// Linux errno values (x86-64, include/uapi/asm-generic/errno-base.h and errno.h) and the error
// every gofer operation throws. 9P2000.L carries a Linux errno in Rlerror, so these numbers go
// on the wire unchanged.

export const EPERM = 1;
export const ENOENT = 2;
export const EINTR = 4;
export const EIO = 5;
export const ENXIO = 6;
export const EBADF = 9;
export const EAGAIN = 11;
export const ENOMEM = 12;
export const EACCES = 13;
export const EBUSY = 16;
export const EEXIST = 17;
export const EXDEV = 18;
export const ENOTDIR = 20;
export const EISDIR = 21;
export const EINVAL = 22;
export const EMFILE = 24;
export const EFBIG = 27;
export const ENOSPC = 28;
export const EROFS = 30;
export const ERANGE = 34;
export const ENAMETOOLONG = 36;
export const EPIPE = 32;
export const ENOSYS = 38;
export const ENOTEMPTY = 39;
export const ELOOP = 40;
export const EPROTO = 71;
export const EMSGSIZE = 90;
export const EOPNOTSUPP = 95;
export const ECONNRESET = 104;
export const ECONNREFUSED = 111;
export const ESTALE = 116;

/**
 * A failure that the peer (or the file system) caused, answered with Rlerror(code). Anything
 * else thrown inside a handler is a bug of the gofer: the server logs it loudly and answers EIO.
 *
 * Not an Error: it is an expected outcome (a lookup of an absent name is one), and capturing a
 * stack trace for it cost more than the system call that failed. The message is built only
 * when someone reads it (the debug log).
 */
export class Errno {
  readonly name = 'Errno';

  constructor(
    readonly code: number,
    private readonly what = '',
  ) {}

  get message(): string {
    return this.what ? `${this.what}: errno ${this.code}` : `errno ${this.code}`;
  }

  toString(): string {
    return `Errno: ${this.message}`;
  }
}
