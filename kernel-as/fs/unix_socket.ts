// AF_UNIX stream sockets (Linux net/unix/af_unix.c) and what all AF_UNIX sockets share. A
// connected stream is a pair of ends (UnixSocket, made by socketpair(2) or by a connection):
// each end reads what the other writes, through one pipe buffer per direction. A side that is
// closed or shut down for writing reads as end of file on the other, whose writes then fail
// with EPIPE (and SIGPIPE unless MSG_NOSIGNAL). Open files passed with SCM_RIGHTS ride with
// the first byte of their message: a receive stops before such a byte, and the one that
// starts at it takes the files. Sockets made by socket(2) (UnixStreamSocket, for streams and
// seqpackets) are bound to a path (a socket inode that connect looks up) or an abstract name,
// listen, and connect: each connection is a pair of ends, one for the connector and one
// queued for accept. Datagram sockets and seqpacket ends keep message boundaries
// (unix_message.ts).
import { EADDRINUSE, EAGAIN, ECONNREFUSED, ECONNRESET, EINVAL, EISCONN, ENOSPC, ENOTCONN, EPIPE, EPROTOTYPE } from "../abi/errno";
import { O_NONBLOCK, O_RDWR, SIGPIPE } from "../abi/linux";
import { park, wakeLater } from "../kernel/sched";
import { SigInfo, SI_USER } from "../kernel/signal";
import { sendSignalToTask } from "../kernel/signal_send";
import { Task } from "../kernel/task";
import { FileDescription, POLLERR, POLLHUP, POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM } from "./file";
import { Pipe, PIPE_BUF } from "./pipe";
import { MAX_RW_COUNT } from "./host_file";
import { Inode, SuperBlock } from "./vfs/inode";
import { Attr, encodeStat, S_IFSOCK } from "./vfs/stat";

export const MSG_PEEK: i32 = 0x2;
export const MSG_DONTWAIT: i32 = 0x40;
export const MSG_WAITALL: i32 = 0x100;
export const MSG_NOSIGNAL: i32 = 0x4000;
export const POLLRDHUP: i32 = 0x2000;
export const SHUT_RD: i32 = 0;
export const SHUT_WR: i32 = 1;
export const SHUT_RDWR: i32 = 2;
export const SIOCOUTQ: i32 = 0x5411;
export const SIOCINQ: i32 = 0x541b;
export const SOCK_STREAM: i32 = 1;
export const SOCK_DGRAM: i32 = 2;
export const SOCK_SEQPACKET: i32 = 5;

const sockfs = new SuperBlock("sockfs");

/** An app buffer list (iovecs): start addresses and lengths. */
export class IoVec {
  addrs: u64[] = [];
  lens: u64[] = [];
  total: u64 = 0;

  /** Adds a buffer; the total is capped at MAX_RW_COUNT as Linux caps one transfer (the
   *  buffers past it are cut). */
  add(addr: u64, len: u64): IoVec {
    const n = len < MAX_RW_COUNT - this.total ? len : MAX_RW_COUNT - this.total;
    this.addrs.push(addr);
    this.lens.push(n);
    this.total += n;
    return this;
  }
}

/** Open files in flight (SCM_RIGHTS), passed with the bytes [at, end) of the stream (the
 *  first piece of the message that carried them: Linux's skb). */
export class InFlight {
  constructor(public at: u64, public end: u64, public files: FileDescription[]) {}
}

/** What a receive did with files in flight: the ones it took (for the caller to install) and
 *  whether it met any (a read without a control buffer drops them). */
export class Received {
  files: FileDescription[] = [];
}

/** What a receive tells beyond its count (recvmsg's msg_name and msg_flags): who sent a
 *  datagram (empty: unnamed) and whether the message was cut to the buffer. */
export class MsgInfo {
  from: Uint8Array = new Uint8Array(0);
  truncated: bool = false;
}

/** What poll says of a connected end (unix_poll(), unix_dgram_poll()): readable with data or
 *  once nothing more can come (POLLRDHUP then), hung up when neither direction is left. */
export function endPoll(events: i32, data: bool, ended: bool, hungUp: bool, err: bool, writable: bool): i32 {
  let r = 0;
  if (data || ended) r |= POLLIN | POLLRDNORM;
  if (ended) r |= POLLRDHUP;
  if (hungUp) r |= POLLHUP;
  if (err) r |= POLLERR;
  if (writable) r |= POLLOUT | POLLWRNORM;
  return r & (events | POLLHUP | POLLERR);
}

/** A connected end of a stream or seqpacket socket: what the socket calls work through once
 *  a socket is connected. */
export class UnixEnd extends FileDescription {
  /** A connection queued for accept and not taken yet (Linux's embryo). */
  embryo: bool = false;
  /** The peer went away while data was unread or before it was accepted: the next receive
   *  with nothing left to read is ECONNRESET, once (Linux's sk_err). */
  resetErr: bool = false;
  /** The addresses getsockname and getpeername report (sun_path bytes; empty: unnamed). */
  localName: Uint8Array = new Uint8Array(0);
  peerName: Uint8Array = new Uint8Array(0);
  readonly ino: u64 = sockfs.allocIno();

  /** The creator's (or the other side's) pid and ids are what SO_PEERCRED tells. */
  constructor(flags: i32, public peerPid: i32, public peerUid: u32, public peerGid: u32) {
    super(flags);
  }

  /** SOCK_STREAM or SOCK_SEQPACKET. */
  get type(): i32 { return SOCK_STREAM; }

  /** The pending error (ECONNRESET), taken; 0 when there is none (sock_error()). */
  takeError(): i32 {
    if (!this.resetErr) return 0;
    this.resetErr = false;
    return -ECONNRESET;
  }

  /** Receives into iov (recvmsg's semantics): the count, 0 at end of file, -errno or
   *  RET_BLOCK; files passed go to got, the message's truncation to info. */
  recv(t: Task, iov: IoVec, flags: i32, got: Received | null = null, info: MsgInfo | null = null): i64 { return -EINVAL; }

  /** Sends iov, with files to pass: the count, -errno or RET_BLOCK. */
  send(t: Task, iov: IoVec, flags: i32, files: FileDescription[] | null = null): i64 { return -EINVAL; }

  /** shutdown(2) of this end (SHUT_RD, SHUT_WR or SHUT_RDWR). */
  shutdown(how: i32): void {}

  /** Makes other this end's peer and this the other's, with their names (a connection):
   *  the names here, the peers in each kind of end. */
  join(other: UnixEnd, mine: Uint8Array, theirs: Uint8Array): void {
    this.localName = mine;
    this.peerName = theirs;
    other.localName = theirs;
    other.peerName = mine;
  }

  /** read(2) of nothing reads nothing: a message stays queued (sock_read_iter()); a write
   *  of nothing is a send of nothing (an empty seqpacket message, EPIPE on a broken stream). */
  read(t: Task, addr: u64, len: u64): i64 {
    return len == 0 ? 0 : this.recv(t, new IoVec().add(addr, len), 0);
  }

  write(t: Task, addr: u64, len: u64): i64 {
    return this.send(t, new IoVec().add(addr, len), 0);
  }

  stat(dst: usize): i32 { return statSocket(this.ino, dst); }

  anonName(): string { return "socket:[" + this.ino.toString() + "]"; }
}

export class UnixSocket extends UnixEnd {
  /** Files sent to this end and not yet received, in stream order. */
  inFlight: InFlight[] = [];
  /** The other end (whose inFlight this end's sends fill); null once it is released. */
  peer: UnixSocket | null = null;
  private rdShut: bool = false;
  private wrShut: bool = false;

  /** rx: what the peer writes for this end to read; tx: the other way. */
  constructor(flags: i32, public rx: Pipe, public tx: Pipe, peerPid: i32, peerUid: u32, peerGid: u32) {
    super(flags, peerPid, peerUid, peerGid);
    rx.readers++;
    tx.writers++;
  }

  join(other: UnixEnd, mine: Uint8Array, theirs: Uint8Array): void {
    super.join(other, mine, theirs);
    const o = <UnixSocket>other;
    this.peer = o;
    o.peer = this;
  }

  /** Receives into iov (recvmsg's semantics for a stream): waits for data unless the other
   *  side is done or flags or the description say not to wait; with MSG_WAITALL waits for
   *  all of it (up to what the buffer can hold); with MSG_PEEK leaves it queued. Returns the
   *  count, 0 at end of file, -errno or RET_BLOCK. */
  recv(t: Task, iov: IoVec, flags: i32, got: Received | null = null, info: MsgInfo | null = null): i64 {
    const p = this.rx;
    if (iov.total == 0) return 0;
    if (p.len == 0 && this.resetErr) return this.takeError();
    const ended = p.writers == 0 || this.rdShut;
    const short = p.len == 0 || ((flags & MSG_WAITALL) != 0 && <u64>p.len < iov.total && iov.total <= <u64>p.capacity);
    if (short && !ended) {
      if ((this.flags & O_NONBLOCK) != 0 || (flags & MSG_DONTWAIT) != 0) {
        if (p.len == 0) return -EAGAIN;
      } else {
        p.waiters.push(t);
        return park(t, -1, -1, 0);
      }
    }
    // A receive that reaches bytes carrying files takes the files and ends with those bytes
    // (unix_stream_read_generic() stops after an skb with fds).
    let avail = p.len;
    let take: InFlight | null = null;
    for (let i = 0; i < this.inFlight.length; i++) {
      const f = this.inFlight[i];
      if (f.end <= p.readTotal) continue;
      if (f.at < p.readTotal + <u64>p.len) {
        take = f;
        if (f.end - p.readTotal < <u64>avail) avail = <i32>(f.end - p.readTotal);
      }
      break;
    }
    let done: i32 = 0;
    for (let i = 0; i < iov.addrs.length && done < avail; i++) {
      const want = <u64>(avail - done) < iov.lens[i] ? <u64>(avail - done) : iov.lens[i];
      const n = p.copyOut(t, iov.addrs[i], done, want);
      if (n < 0) {
        if (done == 0) return n;
        break;
      }
      done += <i32>n;
      if (<u64>n < want) break;
    }
    if (take !== null && p.readTotal + <u64>done > take!.at) {
      if ((flags & MSG_PEEK) != 0) {
        // A peek passes copies and leaves the files in flight (scm_fp_dup()).
        if (got !== null) for (let i = 0; i < take!.files.length; i++) got.files.push(take!.files[i].get());
      } else {
        this.inFlight.splice(this.inFlight.indexOf(take!), 1);
        for (let i = 0; i < take!.files.length; i++) {
          if (got !== null) got.files.push(take!.files[i]);
          else take!.files[i].put();
        }
      }
    }
    if ((flags & MSG_PEEK) == 0 && done > 0) p.consume(done);
    // The data comes from the other end, named as it is bound (unix_copy_addr()).
    if (info !== null && done > 0) info.from = this.peerName;
    return done;
  }

  /** Sends all of iov (a blocking stream send waits for room as often as needed; t.progress
   *  keeps what went already), or as much as fits now without waiting. */
  send(t: Task, iov: IoVec, flags: i32, files: FileDescription[] | null = null): i64 {
    const p = this.tx;
    if (this.wrShut || p.readers == 0) {
      // A send cut short keeps what went (unix_stream_sendmsg() signals only when nothing did).
      if (t.progress > 0) return t.progress;
      if ((flags & MSG_NOSIGNAL) == 0) sendSignalToTask(t, SIGPIPE, new SigInfo(SIGPIPE, SI_USER, t.tg.tgid, t.tg.cred.uid));
      return -EPIPE;
    }
    let done = <u64>t.progress;
    let skip = done;
    for (let i = 0; i < iov.addrs.length; i++) {
      if (skip >= iov.lens[i]) {
        skip -= iov.lens[i];
        continue;
      }
      let off = skip;
      skip = 0;
      while (off < iov.lens[i]) {
        const room = <u64>(p.capacity - p.len);
        if (room == 0) {
          if ((this.flags & O_NONBLOCK) != 0 || (flags & MSG_DONTWAIT) != 0) return done > 0 ? <i64>done : -EAGAIN;
          t.progress = <i64>done;
          p.waiters.push(t);
          return park(t, -1, -1, 0);
        }
        const left = iov.lens[i] - off;
        const at = p.readTotal + <u64>p.len;
        const n = p.copyIn(t, iov.addrs[i] + off, left < room ? left : room);
        if (n < 0) return done > 0 ? <i64>done : n;
        // The files ride with the message's first byte (sent once, even if the send waits).
        if (done == 0 && n > 0 && files !== null && this.peer !== null) {
          for (let k = 0; k < files!.length; k++) files![k].get();
          this.peer!.inFlight.push(new InFlight(at, at + <u64>n, files!));
        }
        off += <u64>n;
        done += <u64>n;
        if (n == 0) return <i64>done;
      }
    }
    return <i64>done;
  }

  /** shutdown(2): SHUT_RD ends reading here (and writing on the other side), SHUT_WR the
   *  other way. */
  shutdown(how: i32): void {
    if ((how == SHUT_RD || how == SHUT_RDWR) && !this.rdShut) {
      this.rdShut = true;
      this.rx.readers--;
    }
    if ((how == SHUT_WR || how == SHUT_RDWR) && !this.wrShut) {
      this.wrShut = true;
      this.tx.writers--;
    }
    this.rx.wakeAll();
    this.tx.wakeAll();
  }

  /** unix_poll(): readable with data or once the other side stopped writing (POLLRDHUP
   *  then), POLLHUP when neither direction is left, writable while there is room. */
  poll(events: i32): i32 {
    const ended = this.rx.writers == 0 || this.rdShut;
    return endPoll(events, this.rx.len > 0, ended, ended && (this.wrShut || this.tx.readers == 0), this.resetErr,
      <u64>(this.tx.capacity - this.tx.len) >= PIPE_BUF);
  }

  pollWait(t: Task): i32 {
    this.rx.waiters.push(t);
    this.tx.waiters.push(t);
    return -1;
  }

  ioctl(t: Task, req: i32, buf: usize, arg: u64): i64 {
    if (req == SIOCINQ) store<i32>(buf, this.rx.len);
    else if (req == SIOCOUTQ) store<i32>(buf, this.tx.len);
    else return -25; // ENOTTY
    return 0;
  }

  release(): void {
    // Files nobody received are closed (Linux also collects cycles of sockets in flight,
    // which this does not).
    for (let i = 0; i < this.inFlight.length; i++) {
      const fs = this.inFlight[i].files;
      for (let k = 0; k < fs.length; k++) fs[k].put();
    }
    this.inFlight = [];
    if (this.peer !== null) {
      // unix_release_sock(): a peer whose data we never read, or that we never accepted,
      // learns of the reset.
      if (this.rx.len > 0 || this.embryo) this.peer!.resetErr = true;
      this.peer!.peer = null;
    }
    if (!this.rdShut) this.rx.readers--;
    if (!this.wrShut) this.tx.writers--;
    this.rx.wakeAll();
    this.tx.wakeAll();
  }
}

/** fstat of a socket: sockfs's inode ino, S_IFSOCK with mode 0777, as Linux shows them. */
export function statSocket(ino: u64, dst: usize): i32 {
  const a = new Attr();
  a.dev = sockfs.dev;
  a.ino = ino;
  a.mode = S_IFSOCK | 0o777;
  a.blksize = 4096;
  encodeStat(a, dst);
  return 0;
}

/** Two stream ends, not joined yet: SO_PEERCRED tells a's side pid/uid/gid, b's side the
 *  other ids. */
export function streamEnds(flags: i32, pid: i32, uid: u32, gid: u32, pid2: i32, uid2: u32, gid2: u32): UnixEnd[] {
  const a = new Pipe();
  const b = new Pipe();
  return [new UnixSocket(flags, a, b, pid, uid, gid), new UnixSocket(flags, b, a, pid2, uid2, gid2)];
}

/** Abstract names (a leading NUL byte) bound now, by socket type and their bytes in hex:
 *  each type has its own names (Linux hashes the type in). */
const abstractNames = new Map<string, UnixNamed>();
let autobindNext: u32 = 0;

function hexKey(b: Uint8Array, type: i32): string {
  let s = type.toString() + ":";
  for (let i = 0; i < b.length; i++) s += (<u32>b[i] + 0x100).toString(16).substring(1);
  return s;
}

/** A socket made by socket(2), which may be bound to a name: a path (a socket inode that
 *  connect and sendto look up) or an abstract name. */
export class UnixNamed extends FileDescription {
  /** The bound name's sun_path bytes (empty: unbound), and the inode of a path name. */
  name: Uint8Array = new Uint8Array(0);
  boundInode: Inode | null = null;
  readonly ino: u64 = sockfs.allocIno();

  /** SOCK_STREAM, SOCK_SEQPACKET or SOCK_DGRAM. */
  get type(): i32 { return SOCK_STREAM; }

  /** Binds to an abstract name (name[0] == 0, or an empty name: autobind picks one). */
  bindAbstract(name: Uint8Array): i32 {
    let n = name;
    // Autobind: the next free name of five hex digits, as Linux's unix_autobind() picks.
    for (let tries = 0; n.length == 0 || (name.length == 0 && abstractNames.has(hexKey(n, this.type))); tries++) {
      if (tries > 0xfffff) return -ENOSPC;
      n = new Uint8Array(6);
      const digits = (autobindNext++ & 0xfffff).toString(16);
      for (let i = 0; i < 5; i++) n[i + 1] = <u8>(i < 5 - digits.length ? 0x30 : digits.charCodeAt(i - (5 - digits.length)));
    }
    const key = hexKey(n, this.type);
    if (abstractNames.has(key)) return -EADDRINUSE;
    abstractNames.set(key, this);
    this.name = n;
    return 0;
  }

  /** Binds to the socket inode bind made for path name. */
  bindInode(name: Uint8Array, inode: Inode): void {
    this.name = name;
    this.boundInode = inode;
    inode.boundSocket = this;
  }

  /** Gives the name back (release). */
  unbind(): void {
    if (this.boundInode !== null) this.boundInode!.boundSocket = null;
    else if (this.name.length > 0) abstractNames.delete(hexKey(this.name, this.type));
  }

  stat(dst: usize): i32 { return statSocket(this.ino, dst); }

  anonName(): string { return "socket:[" + this.ino.toString() + "]"; }
}

/** The socket of the given type bound to abstract name (null when none). */
export function abstractBound(name: Uint8Array, type: i32): UnixNamed | null {
  const key = hexKey(name, type);
  return abstractNames.has(key) ? abstractNames.get(key) : null;
}

/** An AF_UNIX stream or seqpacket socket made by socket(2) (Linux's unix_sock): unconnected;
 *  bound to a name; listening, with the connections accept has not taken yet; or connected,
 *  when it works through `conn`, its end of a pair. */
export class UnixStreamSocket extends UnixNamed {
  conn: UnixEnd | null = null;
  listening: bool = false;
  /** shutdown(2) before a connection: a listener stops accepting (EINVAL) and polls hung up. */
  shut: bool = false;
  queue: UnixEnd[] = [];
  waiters: Task[] = [];

  /** pid, uid, gid: who created it, then who called listen (SO_PEERCRED of connectors). */
  constructor(flags: i32, private kind: i32, public pid: i32, public uid: u32, public gid: u32) {
    super(flags);
  }

  get type(): i32 { return this.kind; }

  /** The connected end with this description's O_NONBLOCK, or null. */
  connected(): UnixEnd | null {
    const c = this.conn;
    if (c !== null) c.flags = (c.flags & ~O_NONBLOCK) | (this.flags & O_NONBLOCK);
    return c;
  }

  /** connect(2) to listener through the pair ends (ours first, then the one queued for its
   *  accept): a socket of another type is EPROTOTYPE. */
  connectTo(listener: UnixStreamSocket, ends: UnixEnd[]): i32 {
    if (this.conn !== null) return -EISCONN;
    if (this.listening) return -EINVAL;
    if (listener.kind != this.kind) return -EPROTOTYPE;
    if (!listener.listening) return -ECONNREFUSED;
    const mine = ends[0];
    const theirs = ends[1];
    mine.join(theirs, this.name, listener.name);
    this.conn = mine;
    theirs.embryo = true;
    listener.queue.push(theirs);
    listener.wake();
    return 0;
  }

  /** shutdown(2): a connected socket's end shuts down; an unconnected or listening one is
   *  marked, which wakes a blocked accept to fail (unix_shutdown()). */
  shutdown(how: i32): void {
    const c = this.conn;
    if (c !== null) {
      c.shutdown(how);
      return;
    }
    this.shut = true;
    this.wake();
  }

  wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (let i = 0; i < w.length; i++) wakeLater(w[i]);
  }

  /** read(2): through the connection; a read of nothing is 0 even unconnected
   *  (sock_read_iter() answers it before the socket does). */
  read(t: Task, addr: u64, len: u64): i64 {
    if (len == 0) return 0;
    const c = this.connected();
    return c !== null ? c.read(t, addr, len) : this.kind == SOCK_SEQPACKET ? -ENOTCONN : -EINVAL;
  }

  write(t: Task, addr: u64, len: u64): i64 {
    const c = this.connected();
    return c !== null ? c.write(t, addr, len) : -ENOTCONN;
  }

  poll(events: i32): i32 {
    const c = this.conn;
    if (c !== null) return c.poll(events);
    if (this.listening && this.shut) return (POLLIN | POLLRDNORM | POLLRDHUP | POLLHUP) & (events | POLLHUP);
    if (this.listening) return this.queue.length > 0 ? events & (POLLIN | POLLRDNORM) : 0;
    // Neither connected nor listening: unix_poll() says hung up (and writable).
    return (POLLOUT | POLLWRNORM | POLLHUP) & (events | POLLHUP);
  }

  pollWait(t: Task): i32 {
    const c = this.conn;
    if (c !== null) return c.pollWait(t);
    this.waiters.push(t);
    return -1;
  }

  ioctl(t: Task, req: i32, buf: usize, arg: u64): i64 {
    const c = this.conn;
    if (c !== null) return c.ioctl(t, req, buf, arg);
    // Nothing queued either way yet; a listener has no input queue to ask about.
    if (req == SIOCINQ && this.listening) return -EINVAL;
    if (req != SIOCINQ && req != SIOCOUTQ) return -25; // ENOTTY
    store<i32>(buf, 0);
    return 0;
  }

  release(): void {
    if (this.conn !== null) this.conn!.put();
    // Connections nobody accepted end: their connectors read end of file.
    for (let i = 0; i < this.queue.length; i++) this.queue[i].put();
    this.queue = [];
    this.unbind();
    this.wake();
  }
}
