// A file description backed by a host fd: the app's stdio, which the host hands over at boot.
// Reads and writes move data straight between the host fd and the memory-file pages behind
// the app's buffer (host primitives fd_read/fd_write), so no byte is copied through the kernel.
import { hostClose, hostFstat, hostIoctl, hostLseek, hostPoll, hostPread, hostPreadMf, hostPwriteMf, hostRead, hostWrite } from "../host";
import { extentLen, MM } from "../mm/mm";
import { EAGAIN, EFAULT, ENOTTY, ENXIO } from "../abi/errno";
import { FIONREAD, O_NONBLOCK, PROT_READ, PROT_WRITE, TCGETS, TIOCGWINSZ } from "../abi/linux";
import { Task } from "../kernel/task";
import { park } from "../kernel/sched";
import { FileDescription } from "./file";
import { fail } from "./vfs/error";

/** Linux caps one read or write at MAX_RW_COUNT (INT_MAX rounded down to a page). */
export const MAX_RW_COUNT: u64 = 0x7ffff000;
export const POLLIN: i32 = 0x1;
export const POLLOUT: i32 = 0x4;
const POLLERR_: i32 = 0x8;

const S_IFMT: u32 = 0o170000;
const S_IFIFO: u32 = 0o010000;
const S_IFSOCK: u32 = 0o140000;
const STAT_BUF: usize = memory.data(144, 8);

/** Moves n bytes between host fd and app memory at addr, one contiguous piece at a time, at file
 *  position pos (or the fd's own position when pos < 0), stopping at the first short transfer.
 *  Precondition: [addr, addr+n) is accessible. Returns the count; an error after some bytes
 *  moved gives the count, an error at the first byte -errno (-EAGAIN: nothing ready). */
export function hostFdIo(t: Task, fd: i32, addr: u64, n: u64, pos: i64, toHost: bool): i64 {
  const mm: MM = t.mm;
  let done: u64 = 0;
  while (done < n) {
    const off = <f64>mm.extentAt(addr + done, addr + n);
    const chunk = <i32>extentLen;
    let r: i32;
    if (toHost) r = pos >= 0 ? hostPwriteMf(fd, off, chunk, <f64>(pos + <i64>done)) : hostWrite(fd, off, chunk);
    else r = pos >= 0 ? hostPreadMf(fd, off, chunk, <f64>(pos + <i64>done)) : hostRead(fd, off, chunk);
    if (r < 0) return done > 0 ? <i64>done : r;
    done += <u64>r;
    if (r < chunk) break;
  }
  return <i64>done;
}

export class HostFile extends FileDescription {
  /** File type bits of the host fd (st_mode & S_IFMT), read on first use. */
  private hostType: u32 = 0xffffffff;

  constructor(flags: i32, public hostFd: i32, /** Close the host fd on release. */ public owned: bool) {
    super(flags);
  }

  private fileType(): u32 {
    if (this.hostType == 0xffffffff) {
      this.hostType = hostFstat(this.hostFd, STAT_BUF) < 0 ? 0 : load<u32>(STAT_BUF + 24) & S_IFMT;
    }
    return this.hostType;
  }

  /** How much of a write of len bytes, of which only the first ok are readable, Linux would
   *  take before failing: a socket copies the whole message at once (all or EFAULT), a pipe
   *  commits whole pages only (pipe_write()), other files take the readable prefix. */
  private writableLen(ok: u64, len: u64): u64 {
    if (ok == len) return ok;
    const type = this.fileType();
    if (type == S_IFSOCK) return 0;
    if (type == S_IFIFO) return ok & ~(<u64>4095);
    return ok;
  }

  read(t: Task, addr: u64, len: u64): i64 {
    return this.transfer(t, addr, len, -1, false);
  }

  write(t: Task, addr: u64, len: u64): i64 {
    return this.transfer(t, addr, len, -1, true);
  }

  pread(t: Task, addr: u64, len: u64, pos: i64): i64 {
    return this.transfer(t, addr, len, pos, false);
  }

  pwrite(t: Task, addr: u64, len: u64, pos: i64): i64 {
    return this.transfer(t, addr, len, pos, true);
  }

  private transfer(t: Task, addr: u64, len: u64, pos: i64, toHost: bool): i64 {
    if (len > MAX_RW_COUNT) len = MAX_RW_COUNT;
    if (len == 0) return 0;
    let n = t.mm.accessibleLen(addr, len, toHost ? PROT_READ : PROT_WRITE);
    if (toHost) n = this.writableLen(n, len);
    if (n == 0) return -EFAULT;
    const r = hostFdIo(t, this.hostFd, addr, n, pos, toHost);
    if (r == -EAGAIN && !toHost && (this.flags & O_NONBLOCK) == 0) return park(t, -1, this.hostFd, POLLIN);
    return r;
  }

  poll(events: i32): i32 {
    const r = hostPoll(this.hostFd, events);
    return r < 0 ? POLLERR_ : r;
  }

  pollWait(t: Task): i32 {
    return this.hostFd;
  }

  readToKernel(dst: usize, len: i32, pos: i64): i32 {
    return hostPread(this.hostFd, dst, len, <f64>pos);
  }

  readToMf(off: u64, len: i32, pos: i64): i32 {
    return hostPreadMf(this.hostFd, <f64>off, len, <f64>pos);
  }

  writeFromMf(t: Task, off: u64, len: i32, pos: i64): i32 {
    return pos < 0 ? hostWrite(this.hostFd, <f64>off, len) : hostPwriteMf(this.hostFd, <f64>off, len, <f64>pos);
  }

  lseek(off: i64, whence: i32): i64 {
    return <i64>hostLseek(this.hostFd, <f64>off, whence);
  }

  stat(dst: usize): i32 {
    return hostFstat(this.hostFd, dst);
  }

  /** The same host fd with new flags: the host's open file description (its offset too) is
   *  shared, where Linux would open the file anew. Only unowned fds (stdio, which live as
   *  long as the sandbox) are handed out so. */
  reopen(flags: i32): FileDescription | null {
    return this.owned ? fail<FileDescription>(ENXIO) : new HostFile(flags, this.hostFd, false);
  }

  /** Only the queries pass to the host fd: the sandbox may read, not change, the settings of
   *  the terminal wvisor runs in. */
  ioctl(t: Task, req: i32, buf: usize, arg: u64): i64 {
    if (req != TCGETS && req != TIOCGWINSZ && req != FIONREAD) return -ENOTTY;
    return hostIoctl(this.hostFd, req, buf);
  }

  release(): void {
    if (this.owned) hostClose(this.hostFd);
  }
}
