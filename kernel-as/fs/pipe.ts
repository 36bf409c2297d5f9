// Pipes (Linux fs/pipe.c): a ring buffer of 64 KiB by default in kernel memory with a read end
// and a write end (a FIFO opened O_RDWR has one end that is both, see fifo.ts). A read of an empty pipe waits for data (or returns 0 once every writer is
// gone); a write waits for room, and writes of at most PIPE_BUF bytes are never interleaved
// with other writers; writing with no reader left gives EPIPE and SIGPIPE.
import { EAGAIN, EBUSY, EFAULT, EPIPE, EPERM } from "../abi/errno";
import { FIONREAD, O_NONBLOCK, PROT_READ, PROT_WRITE, SIGPIPE } from "../abi/linux";
import { park, wakeLater } from "../kernel/sched";
import { sendSignalToTask } from "../kernel/signal_send";
import { SigInfo, SI_USER } from "../kernel/signal";
import { Task } from "../kernel/task";
import { mfRead } from "../host";
import { FileDescription, POLLERR, POLLHUP, POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM } from "./file";
import { SuperBlock } from "./vfs/inode";
import { Attr, encodeStat, S_IFIFO } from "./vfs/stat";
import { realtimeNow } from "./vfs/time";

export const PIPE_BUF: u64 = 4096;
export const DEFAULT_PIPE_SIZE: i32 = 65536;
/** /proc/sys/fs/pipe-max-size: the largest size an unprivileged F_SETPIPE_SZ may ask. */
const PIPE_MAX_SIZE: i32 = 1048576;

const pipefs = new SuperBlock("pipefs");

export class Pipe {
  buf: ArrayBuffer = new ArrayBuffer(DEFAULT_PIPE_SIZE);
  head: i32 = 0;
  len: i32 = 0;
  readers: i32 = 0;
  writers: i32 = 0;
  /** How many times a FIFO was opened for reading and for writing (Linux's r_counter and
   *  w_counter): an open that waits for the other side watches them. */
  readOpens: u32 = 0;
  writeOpens: u32 = 0;
  waiters: Task[] = [];
  /** Bytes ever read from it: the position in the stream of its first byte of data (unix
   *  sockets place passed fds by it). */
  readTotal: u64 = 0;
  ino: u64 = pipefs.allocIno();
  created: i64 = realtimeNow();

  @inline get capacity(): i32 { return this.buf.byteLength; }

  wakeAll(): void {
    const w = this.waiters;
    this.waiters = [];
    for (let i = 0; i < w.length; i++) wakeLater(w[i]);
  }

  /** Copies up to n bytes of the data, starting from byte `from` of it, to app memory at
   *  addr. Precondition: from + n <= len. Returns the count (short when addr runs into memory
   *  the app may not write), or -EFAULT when none could be copied. */
  copyOut(t: Task, addr: u64, from: i32, n: u64): i64 {
    const ok = t.mm.accessibleLen(addr, n, PROT_WRITE);
    if (ok == 0) return n == 0 ? 0 : -EFAULT;
    const base = changetype<usize>(this.buf);
    const start = (this.head + from) % this.capacity;
    // The data may wrap around the end of the ring: copy it in up to two pieces.
    const first = <u64>(this.capacity - start) < ok ? <u64>(this.capacity - start) : ok;
    t.mm.copyOut(addr, base + <usize>start, first);
    if (ok > first) t.mm.copyOut(addr + first, base, ok - first);
    return <i64>ok;
  }

  /** Drops the first n bytes of the data (they were read) and wakes the waiters. */
  consume(n: i32): void {
    this.head = (this.head + n) % this.capacity;
    this.len -= n;
    this.readTotal += <u64>n;
    this.wakeAll();
  }

  /** Appends up to n bytes from app memory at addr. Precondition: n <= the room left.
   *  Returns the count (short when addr runs into memory the app may not read), or -EFAULT
   *  when none could be copied. */
  copyIn(t: Task, addr: u64, n: u64): i64 {
    const ok = t.mm.accessibleLen(addr, n, PROT_READ);
    if (ok == 0) return n == 0 ? 0 : -EFAULT;
    const base = changetype<usize>(this.buf);
    const tail = (this.head + this.len) % this.capacity;
    const first = <u64>(this.capacity - tail) < ok ? <u64>(this.capacity - tail) : ok;
    t.mm.copyIn(addr, base + <usize>tail, first);
    if (ok > first) t.mm.copyIn(addr + first, base, ok - first);
    this.len += <i32>ok;
    this.wakeAll();
    return <i64>ok;
  }

  /** F_SETPIPE_SZ: the size rounded up to a power of two pages (Linux's round_pipe_size). */
  resize(size: i64, privileged: bool): i64 {
    // round_pipe_size(): at least one page, at most 2 GiB.
    if (size < 0 || size > 0x80000000) return -22; // EINVAL
    let n: i32 = 4096;
    while (<i64>n < size) n <<= 1;
    if (n > PIPE_MAX_SIZE && !privileged) return -EPERM;
    if (n < this.len) return -EBUSY;
    const nb = new ArrayBuffer(n);
    for (let i = 0; i < this.len; i++) {
      store<u8>(changetype<usize>(nb) + <usize>i, load<u8>(changetype<usize>(this.buf) + <usize>((this.head + i) % this.capacity)));
    }
    this.buf = nb;
    this.head = 0;
    return n;
  }
}

/** An open end of a pipe: it reads, writes or (a FIFO opened O_RDWR) both, as its access
 *  mode says. */
export class PipeEnd extends FileDescription {
  constructor(flags: i32, public pipe: Pipe) {
    super(flags);
    if (this.readable) pipe.readers++;
    if (this.writable) pipe.writers++;
  }

  read(t: Task, addr: u64, len: u64): i64 {
    const p = this.pipe;
    if (len == 0) return 0;
    if (p.len == 0) {
      if (p.writers == 0) return 0;
      if ((this.flags & O_NONBLOCK) != 0) return -EAGAIN;
      p.waiters.push(t);
      return park(t, -1, -1, 0);
    }
    const n = p.copyOut(t, addr, 0, <u64>p.len < len ? <u64>p.len : len);
    if (n > 0) p.consume(<i32>n);
    return n;
  }

  write(t: Task, addr: u64, len: u64): i64 {
    const p = this.pipe;
    if (p.readers == 0) {
      // pipe_write(): SIGPIPE in any case, and the count of what went before, if any.
      sendSignalToTask(t, SIGPIPE, new SigInfo(SIGPIPE, SI_USER, t.tg.tgid, t.tg.cred.uid));
      return t.progress > 0 ? t.progress : -EPIPE;
    }
    let done = <u64>t.progress;
    while (done < len) {
      const left = len - done;
      const room = <u64>(p.capacity - p.len);
      // A write of at most PIPE_BUF bytes goes in whole or waits.
      if (room == 0 || (len <= PIPE_BUF && room < left)) {
        if ((this.flags & O_NONBLOCK) != 0) return done > 0 ? <i64>done : -EAGAIN;
        t.progress = <i64>done;
        p.waiters.push(t);
        return park(t, -1, -1, 0);
      }
      const want = left < room ? left : room;
      const ok = p.copyIn(t, addr + done, want);
      if (ok < 0) return done > 0 ? <i64>done : ok;
      done += <u64>ok;
      // The buffer ran into unmapped memory: what was copied is the result.
      if (<u64>ok < want) break;
    }
    return <i64>done;
  }

  /** Appends up to len bytes from the memory file at off (sendfile into a pipe): as much as
   *  fits now, EAGAIN when nothing does (the caller parks for a blocking pipe). */
  writeFromMf(t: Task, off: u64, len: i32, pos: i64): i32 {
    const p = this.pipe;
    if (p.readers == 0) {
      sendSignalToTask(t, SIGPIPE, new SigInfo(SIGPIPE, SI_USER, t.tg.tgid, t.tg.cred.uid));
      return -EPIPE;
    }
    const room = p.capacity - p.len;
    if (room == 0) return -EAGAIN;
    const n = len < room ? len : room;
    const base = changetype<usize>(p.buf);
    const tail = (p.head + p.len) % p.capacity;
    const first = p.capacity - tail < n ? p.capacity - tail : n;
    mfRead(<f64>off, base + <usize>tail, first);
    if (n > first) mfRead(<f64>(off + <u64>first), base, n - first);
    p.len += n;
    p.wakeAll();
    return n;
  }

  /** Another end of the same pipe, reading or writing as flags say (Linux opens a pipe
   *  through /proc as a FIFO). */
  reopen(flags: i32): FileDescription | null {
    const e = new PipeEnd(flags, this.pipe);
    this.pipe.wakeAll();
    return e;
  }

  stat(dst: usize): i32 {
    const a = new Attr();
    a.dev = pipefs.dev;
    a.ino = this.pipe.ino;
    a.mode = S_IFIFO | 0o600;
    a.nlink = 1;
    a.blksize = 4096;
    a.atimeNs = this.pipe.created;
    a.mtimeNs = this.pipe.created;
    a.ctimeNs = this.pipe.created;
    encodeStat(a, dst);
    return 0;
  }

  poll(events: i32): i32 {
    const p = this.pipe;
    let r = 0;
    if (this.readable) {
      if (p.len > 0) r |= POLLIN | POLLRDNORM;
      if (p.writers == 0) r |= POLLHUP;
    }
    if (this.writable) {
      if (p.capacity - p.len >= <i32>PIPE_BUF) r |= POLLOUT | POLLWRNORM;
      if (p.readers == 0) r |= POLLERR;
    }
    return r & (events | POLLHUP | POLLERR);
  }

  pollWait(t: Task): i32 {
    this.pipe.waiters.push(t);
    return -1;
  }

  ioctl(t: Task, req: i32, buf: usize, arg: u64): i64 {
    if (req != FIONREAD) return -25; // ENOTTY
    store<i32>(buf, this.pipe.len);
    return 0;
  }

  release(): void {
    const p = this.pipe;
    if (this.readable) p.readers--;
    if (this.writable) p.writers--;
    // A FIFO's data goes with its last open end (Linux frees the pipe then).
    if (p.readers == 0 && p.writers == 0) {
      p.len = 0;
      p.head = 0;
    }
    p.wakeAll();
  }
}
