// AF_UNIX sockets that keep message boundaries (Linux net/unix/af_unix.c, unix_dgram_* and
// unix_seqpacket_*): datagram sockets (UnixDgramSocket), which send to a bound name or to the
// socket they are connected to, and the connected ends of seqpacket sockets (SeqpacketEnd),
// which a socketpair or a connection makes as for a stream. Each receive takes one message,
// cut to the buffer (the rest is lost; MSG_TRUNC tells); files passed with SCM_RIGHTS ride
// with their message. A message costs its sender room in its send buffer until it is received
// (sk_wmem_alloc against SO_SNDBUF), and a datagram socket that is not its receiver's peer
// also waits while the receiver holds more than max_dgram_qlen messages. Unlike a stream,
// neither kind raises SIGPIPE: a send that cannot go is EPIPE. A pending error (a reset,
// Linux's sk_err) is what the next send, receive or SO_ERROR reports first, once.
import { EAGAIN, ECONNREFUSED, ECONNRESET, EMSGSIZE, ENOTCONN, EPERM, EPIPE } from "../abi/errno";
import { O_NONBLOCK } from "../abi/linux";
import { park, wakeLater } from "../kernel/sched";
import { Task } from "../kernel/task";
import { FileDescription, POLLERR, POLLHUP, POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM } from "./file";
import {
  endPoll, IoVec, MSG_DONTWAIT, MSG_PEEK, MsgInfo, POLLRDHUP, Received, SHUT_RD, SHUT_RDWR, SHUT_WR, SIOCINQ, SIOCOUTQ,
  SOCK_DGRAM, SOCK_SEQPACKET, UnixEnd, UnixNamed,
} from "./unix_socket";

/** SO_SNDBUF of a unix socket (net.core.wmem_default). */
export const UNIX_SNDBUF: i32 = 212992;
/** net.unix.max_dgram_qlen. */
const MAX_DGRAM_QLEN: i32 = 10;
/** What a queued message costs its sender beyond its bytes (about an skb's truesize). */
const MSG_OVERHEAD: i32 = 768;
export const MSG_TRUNC: i32 = 0x20;

/** The side of a socket that sends messages: the room its queued messages take. */
class SendBuffer {
  used: i32 = 0;
  /** Senders waiting for room. */
  waiters: Task[] = [];

  /** Whether a message may be queued now (sock_alloc_send_pskb() checks the room used
   *  before the message, so one message may go past the limit). */
  hasRoom(): bool { return this.used < UNIX_SNDBUF; }

  /** unix_writable(): at most a quarter of the buffer in use. */
  writable(): bool { return this.used << 2 <= UNIX_SNDBUF; }

  free(cost: i32): void {
    this.used -= cost;
    this.wake();
  }

  /** Wakes the senders waiting for room (to find room, or that they cannot send at all). */
  wake(): void {
    wakeAll(this.waiters);
    this.waiters = [];
  }
}

class Message {
  constructor(
    public data: Uint8Array,
    /** The socket that sent it, whose name the receiver learns as it is then (unix_copy_addr()). */
    public sender: FileDescription,
    public files: FileDescription[] | null,
    public owner: SendBuffer,
  ) {
    owner.used += this.cost;
  }

  /** The sender's name now (empty: unnamed): a datagram socket's bound name, a seqpacket
   *  end's own name. */
  get from(): Uint8Array {
    const s = this.sender;
    return s instanceof UnixNamed ? (<UnixNamed>s).name : (<UnixEnd>s).localName;
  }

  get cost(): i32 { return this.data.length + MSG_OVERHEAD; }
}

/** A socket's receive queue. */
class MsgQueue {
  msgs: Message[] = [];
  /** Receivers waiting for a message, and senders waiting for the queue to shorten. */
  readers: Task[] = [];
  writers: Task[] = [];

  push(m: Message): void {
    this.msgs.push(m);
    wakeAll(this.readers);
    this.readers = [];
  }

  /** Takes the first message off; its sender gets the room back. */
  shift(): Message {
    const m = this.msgs.shift();
    m.owner.free(m.cost);
    wakeAll(this.writers);
    this.writers = [];
    return m;
  }

  /** Drops every message, closing the files they carry (the socket is released). */
  clear(): void {
    while (this.msgs.length > 0) {
      const m = this.shift();
      if (m.files !== null) for (let i = 0; i < m.files!.length; i++) m.files![i].put();
    }
    wakeAll(this.readers);
    this.readers = [];
  }
}

function wakeAll(ts: Task[]): void {
  for (let i = 0; i < ts.length; i++) wakeLater(ts[i]);
}

/** Copies iov's bytes in from the app: the message's data, or -EFAULT. */
function gather(t: Task, iov: IoVec): Uint8Array | null {
  const data = new Uint8Array(<i32>iov.total);
  let at: usize = 0;
  for (let i = 0; i < iov.addrs.length; i++) {
    if (iov.lens[i] > 0 && t.mm.copyIn(iov.addrs[i], data.dataStart + at, iov.lens[i]) < 0) return null;
    at += <usize>iov.lens[i];
  }
  return data;
}

/** Takes (or with MSG_PEEK reads) the first message of q into iov: the count, or the whole
 *  length with MSG_TRUNC; files go to got (copies when peeking; closed without got); the
 *  sender's name and the truncation to info. Precondition: q holds a message. */
function takeMessage(t: Task, q: MsgQueue, iov: IoVec, flags: i32, got: Received | null, info: MsgInfo | null): i64 {
  const m = q.msgs[0];
  const len = <u64>m.data.length;
  let done: u64 = 0;
  for (let i = 0; i < iov.addrs.length && done < len; i++) {
    const n = len - done < iov.lens[i] ? len - done : iov.lens[i];
    if (n > 0 && t.mm.copyOut(iov.addrs[i], m.data.dataStart + <usize>done, n) < 0) return -14; // EFAULT
    done += n;
  }
  if (info !== null) {
    info.from = m.from;
    info.truncated = done < len;
  }
  const peek = (flags & MSG_PEEK) != 0;
  if (m.files !== null) {
    for (let i = 0; i < m.files!.length; i++) {
      const f = m.files![i];
      if (got !== null) got.files.push(peek ? f.get() : f);
      else if (!peek) f.put();
    }
  }
  if (!peek) q.shift();
  return <i64>((flags & MSG_TRUNC) != 0 ? len : done);
}

/** Whether the caller may not wait: a non-blocking description or MSG_DONTWAIT. */
function noWait(f: FileDescription, flags: i32): bool {
  return (f.flags & O_NONBLOCK) != 0 || (flags & MSG_DONTWAIT) != 0;
}

/** Whether a message of iov is too big for any send buffer (EMSGSIZE). */
function tooBig(iov: IoVec): bool {
  return iov.total > <u64>(UNIX_SNDBUF - 32);
}

/** Room in the sender's buffer (sock_alloc_send_pskb()), after its own shutdown (EPIPE):
 *  0 to go on, EAGAIN, or the caller parks (RET_BLOCK). */
function sendRoom(t: Task, f: FileDescription, buf: SendBuffer, wrShut: bool, flags: i32): i64 {
  if (wrShut) return -EPIPE;
  if (buf.hasRoom()) return 0;
  if (noWait(f, flags)) return -EAGAIN;
  buf.waiters.push(t);
  return park(t, -1, -1, 0);
}

/** An AF_UNIX datagram socket (socket(2) or socketpair(2)). */
export class UnixDgramSocket extends UnixNamed {
  /** The socket it is connected to (connect(2), socketpair): its sends' default target
   *  and, when set, the only sender it takes messages from. */
  peer: UnixDgramSocket | null = null;
  queue: MsgQueue = new MsgQueue();
  sendBuf: SendBuffer = new SendBuffer();
  released: bool = false;
  rdShut: bool = false;
  wrShut: bool = false;
  /** Made by socketpair(2): SO_PEERCRED tells the creator (init_peercred() of both ends). */
  paired: bool = false;
  /** Its peer dropped it while it had unread messages: the next receive or send is
   *  ECONNRESET, once (sk_err). */
  resetErr: bool = false;

  /** pid, uid, gid: the creator's. */
  constructor(flags: i32, public pid: i32, public uid: u32, public gid: u32) {
    super(flags);
  }

  get type(): i32 { return SOCK_DGRAM; }

  /** The pending error (ECONNRESET), taken; 0 when there is none. */
  takeError(): i32 {
    if (!this.resetErr) return 0;
    this.resetErr = false;
    return -ECONNRESET;
  }

  /** What unix_dgram_sendmsg() checks before it looks up the destination: one or a peer
   *  (ENOTCONN), the size, a pending error, its own shutdown, room in its buffer. 0 to go
   *  on, -errno or RET_BLOCK. */
  checkSend(t: Task, iov: IoVec, flags: i32, hasDest: bool): i64 {
    if (!hasDest && this.peer === null) return -ENOTCONN;
    if (tooBig(iov)) return -EMSGSIZE;
    const e = this.takeError();
    if (e != 0) return e;
    return sendRoom(t, this, this.sendBuf, this.wrShut, flags);
  }

  /** Sends iov to `to` (the peer when null) with files to pass, once checkSend() passed. A
   *  target connected to another socket is EPERM, one that is gone ECONNREFUSED (and no
   *  longer the peer), one that stopped reading EPIPE; a full queue of a receiver whose
   *  peer is another socket makes the sender wait. */
  sendTo(t: Task, iov: IoVec, flags: i32, to: UnixDgramSocket | null, files: FileDescription[] | null): i64 {
    const other = to !== null ? to : this.peer;
    if (other === null) return -ENOTCONN;
    if (!other.takesFrom(this)) return -EPERM;
    if (other.released) {
      if (this.peer === other) this.connect(null);
      return -ECONNREFUSED;
    }
    if (other.rdShut) return -EPIPE;
    if (other !== this && other.peer !== this && other.queue.msgs.length > MAX_DGRAM_QLEN) {
      if (noWait(this, flags)) return -EAGAIN;
      other.queue.writers.push(t);
      return park(t, -1, -1, 0);
    }
    const data = gather(t, iov);
    if (data === null) return -14; // EFAULT
    if (files !== null) for (let i = 0; i < files!.length; i++) files![i].get();
    other.queue.push(new Message(data, this, files, this.sendBuf));
    return <i64>iov.total;
  }

  /** unix_dgram_recvmsg(): one message; an empty queue waits, unless the call may not wait
   *  (EAGAIN) or reading was shut down (0). */
  recv(t: Task, iov: IoVec, flags: i32, got: Received | null, info: MsgInfo | null): i64 {
    const q = this.queue;
    const e = this.takeError();
    if (e != 0) return e;
    if (q.msgs.length == 0) {
      if (noWait(this, flags)) return -EAGAIN;
      if (this.rdShut) return 0;
      q.readers.push(t);
      return park(t, -1, -1, 0);
    }
    return takeMessage(t, q, iov, flags, got, info);
  }

  /** unix_may_send(): a socket connected to another takes messages from that one only. */
  takesFrom(sender: UnixDgramSocket): bool {
    return this.peer === null || this.peer === sender;
  }

  /** connect(2): other becomes the peer (null: AF_UNSPEC disconnects); a socket connected
   *  to another is EPERM. Leaving a peer loses the messages queued here, and a peer still
   *  connected to this socket learns of it (unix_dgram_disconnected(): "Messages are
   *  lost"); whoever waited for room at the old peer looks again. */
  connect(other: UnixDgramSocket | null): i32 {
    if (other !== null && !other.takesFrom(this)) return -EPERM;
    const old = this.peer;
    this.peer = other;
    if (old === null || old === other) return 0;
    wakeAll(old.queue.writers);
    old.queue.writers = [];
    if (this.queue.msgs.length == 0) return 0;
    this.queue.clear();
    if (!old.released && old.peer === this) {
      old.resetErr = true;
      wakeAll(old.queue.readers);
      old.queue.readers = [];
    }
    return 0;
  }

  /** shutdown(2) stops this socket only: a datagram has no other side to tell. Whoever
   *  waits on it looks again (a receive ends, a send fails). */
  shutdown(how: i32): void {
    if (how == SHUT_RD || how == SHUT_RDWR) this.rdShut = true;
    if (how == SHUT_WR || how == SHUT_RDWR) this.wrShut = true;
    wakeAll(this.queue.readers);
    this.queue.readers = [];
    this.sendBuf.wake();
    const p = this.peer;
    if (p !== null) {
      wakeAll(p.queue.writers);
      p.queue.writers = [];
    }
  }

  /** read(2) of nothing reads nothing: the queue stays (sock_read_iter()). */
  read(t: Task, addr: u64, len: u64): i64 {
    return len == 0 ? 0 : this.recv(t, new IoVec().add(addr, len), 0, null, null);
  }

  /** write(2) of nothing sends an empty datagram, as send(2) does. */
  write(t: Task, addr: u64, len: u64): i64 {
    const iov = new IoVec().add(addr, len);
    const r = this.checkSend(t, iov, 0, false);
    return r != 0 ? r : this.sendTo(t, iov, 0, null, null);
  }

  /** unix_dgram_poll(). */
  poll(events: i32): i32 {
    let r = this.resetErr ? POLLERR : 0;
    if (this.rdShut) r |= POLLRDHUP | POLLIN | POLLRDNORM;
    if (this.rdShut && this.wrShut) r |= POLLHUP;
    if (this.queue.msgs.length > 0) r |= POLLIN | POLLRDNORM;
    const p = this.peer;
    const blocked = p !== null && p.peer !== this && !p.released && p.queue.msgs.length > MAX_DGRAM_QLEN;
    if (this.sendBuf.writable() && !blocked) r |= POLLOUT | POLLWRNORM;
    return r & (events | POLLHUP | POLLERR);
  }

  pollWait(t: Task): i32 {
    this.queue.readers.push(t);
    this.sendBuf.waiters.push(t);
    const p = this.peer;
    if (p !== null) p.queue.writers.push(t);
    return -1;
  }

  ioctl(t: Task, req: i32, buf: usize, arg: u64): i64 {
    if (req == SIOCINQ) store<i32>(buf, this.queue.msgs.length > 0 ? this.queue.msgs[0].data.length : 0);
    else if (req == SIOCOUTQ) store<i32>(buf, this.sendBuf.used);
    else return -25; // ENOTTY
    return 0;
  }

  release(): void {
    this.released = true;
    this.queue.clear();
    wakeAll(this.queue.writers);
    this.queue.writers = [];
    this.peer = null;
    this.unbind();
  }
}

/** Two datagram sockets connected to each other (socketpair(2)). */
export function dgramPair(flags: i32, pid: i32, uid: u32, gid: u32): UnixDgramSocket[] {
  const a = new UnixDgramSocket(flags, pid, uid, gid);
  const b = new UnixDgramSocket(flags, pid, uid, gid);
  a.peer = b;
  b.peer = a;
  a.paired = true;
  b.paired = true;
  return [a, b];
}

/** A connected end of a seqpacket socket: a stream's connection (EOF when the other side is
 *  gone or stopped writing, EPIPE when it stopped reading) carrying messages. */
export class SeqpacketEnd extends UnixEnd {
  peer: SeqpacketEnd | null = null;
  queue: MsgQueue = new MsgQueue();
  sendBuf: SendBuffer = new SendBuffer();
  rdShut: bool = false;
  wrShut: bool = false;

  get type(): i32 { return SOCK_SEQPACKET; }

  join(other: UnixEnd, mine: Uint8Array, theirs: Uint8Array): void {
    super.join(other, mine, theirs);
    const o = <SeqpacketEnd>other;
    this.peer = o;
    o.peer = this;
  }

  /** Nothing more will come: the other side is gone or shut down its writing, or this one
   *  its reading (Linux sets both sides' shutdown bits). */
  private ended(): bool {
    const p = this.peer;
    return this.rdShut || p === null || p.wrShut;
  }

  /** unix_seqpacket_sendmsg(): a pending error first, then the size, then EPIPE once
   *  either side stopped (the peer's close shuts this side down too). */
  send(t: Task, iov: IoVec, flags: i32, files: FileDescription[] | null = null): i64 {
    const e = this.takeError();
    if (e != 0) return e;
    if (tooBig(iov)) return -EMSGSIZE;
    const p = this.peer;
    const r = sendRoom(t, this, this.sendBuf, this.wrShut || p === null || p.rdShut, flags);
    if (r != 0) return r;
    const data = gather(t, iov);
    if (data === null) return -14; // EFAULT
    if (files !== null) for (let i = 0; i < files!.length; i++) files![i].get();
    // sendRoom() refused a send without a peer (EPIPE).
    p!.queue.push(new Message(data, this, files, this.sendBuf));
    return <i64>iov.total;
  }

  recv(t: Task, iov: IoVec, flags: i32, got: Received | null = null, info: MsgInfo | null = null): i64 {
    const q = this.queue;
    const e = this.takeError();
    if (e != 0) return e;
    if (q.msgs.length == 0) {
      if (this.ended()) return 0;
      if (noWait(this, flags)) return -EAGAIN;
      q.readers.push(t);
      return park(t, -1, -1, 0);
    }
    // The sender is named by its end's name: the connector's bound name, or the listener's
    // for the accepted end (unix_copy_addr()).
    return takeMessage(t, q, iov, flags, got, info);
  }

  shutdown(how: i32): void {
    if (how == SHUT_RD || how == SHUT_RDWR) this.rdShut = true;
    if (how == SHUT_WR || how == SHUT_RDWR) this.wrShut = true;
    this.wakeBoth();
  }

  /** Wakes whoever waits on either side: a change of state may end their wait. */
  private wakeBoth(): void {
    wakeAll(this.queue.readers);
    this.queue.readers = [];
    this.sendBuf.wake();
    const p = this.peer;
    if (p !== null) {
      wakeAll(p.queue.readers);
      p.queue.readers = [];
      p.sendBuf.wake();
    }
  }

  /** unix_dgram_poll() for a connected seqpacket. */
  poll(events: i32): i32 {
    const ended = this.ended();
    return endPoll(events, this.queue.msgs.length > 0, ended, ended && (this.wrShut || this.peer === null || this.peer!.rdShut),
      this.resetErr, this.sendBuf.writable());
  }

  pollWait(t: Task): i32 {
    this.queue.readers.push(t);
    this.sendBuf.waiters.push(t);
    return -1;
  }

  ioctl(t: Task, req: i32, buf: usize, arg: u64): i64 {
    let n = 0;
    if (req == SIOCINQ) for (let i = 0; i < this.queue.msgs.length; i++) n += this.queue.msgs[i].data.length;
    else if (req == SIOCOUTQ) n = this.sendBuf.used;
    else return -25; // ENOTTY
    store<i32>(buf, n);
    return 0;
  }

  release(): void {
    const p = this.peer;
    // unix_release_sock(): a peer whose messages we never read, or that we never accepted,
    // learns of the reset; its reads then end, its writes fail.
    if (p !== null && (this.queue.msgs.length > 0 || this.embryo)) p.resetErr = true;
    this.queue.clear();
    this.wakeBoth();
    if (p !== null) p.peer = null;
    this.peer = null;
  }
}

/** Two seqpacket ends, not joined yet (see streamEnds). */
export function seqpacketEnds(flags: i32, pid: i32, uid: u32, gid: u32, pid2: i32, uid2: u32, gid2: u32): UnixEnd[] {
  return [new SeqpacketEnd(flags, pid, uid, gid), new SeqpacketEnd(flags, pid2, uid2, gid2)];
}
