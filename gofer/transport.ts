// The byte streams the gofer serves: an inherited connected unix stream socket (the Sentry's
// end of a socketpair) or the connections accepted on a listening unix socket.
//
// One thread. A lone connection (the Sentry's) is served by blocking in recv; with a listener
// or several connections, one blocking poll(2) loop watches them all. When a connection is
// readable the gofer reads what is there, answers every complete frame in order, and goes
// back to waiting. The replies to the frames of one read go out together in one send, but a
// reply that donates an fd, which goes at once with its fd on its first byte: a client that
// sent several requests at once is woken once or twice, not once per reply. Replies are written with blocking sends (a client that
// stops reading stalls the others until it reads; the Sentry always reads).
//
// Framing: size[4] counts the whole frame. A size below the 7-byte header or above the
// session's msize cannot be resynchronised from, so the connection is closed (logged);
// everything inside a well-sized frame is the codec's business and ends in Rlerror at worst.
// Fds a client sends us are discarded by the kernel (the gofer reads with recv(), not
// recvmsg(), and unix sockets close fds nobody received).
import { Errno, EAGAIN, ECONNRESET, EINTR, EPIPE } from './errno.js';
import * as abi from './host/abi.js';
import {
  AF_UNIX, MSG_NOSIGNAL, NativeBuffer, POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, SCM_RIGHTS, SOCK_CLOEXEC,
  SOCK_STREAM, SOL_SOCKET, accept4, bind, close, errno, listen, poll, recv, send, sendmsg, socket, sys,
} from './host/libc.js';
import { encodeLerror } from './protocol/codec.js';
import { HEADER_SIZE } from './protocol/constants.js';
import type { Server } from './server.js';
import type { Donation, Session } from './session.js';

/** The connection is over (peer gone or a framing error); the loop closes it. */
class Hangup extends Error {}

/** Room for msghdr, one iovec and one SCM_RIGHTS cmsg with one fd. */
const CTL_SIZE = abi.msghdr.fixed + abi.iovec.fixed + abi.cmsgSpace(4);
/** Replies larger than this (file data, listings) are sent from where they were encoded
 *  rather than copied into the batch. */
const BATCH_COPY_MAX = 16384;
/** Room for the replies of one read that go out together. */
const BATCH_SIZE = 64 * 1024;

export class Connection {
  private readonly inBuf: NativeBuffer;
  private readonly outBuf: NativeBuffer;
  private readonly ctl: NativeBuffer;
  /** Replies waiting to be sent, back to back in batch[0, batchLen) (none donates). */
  private readonly batch = Buffer.alloc(BATCH_SIZE);
  private batchLen = 0;
  private start = 0;
  private end = 0;
  readonly session: Session;

  constructor(
    readonly fd: number,
    private readonly server: Server,
  ) {
    this.inBuf = new NativeBuffer(server.maxMsize);
    this.outBuf = new NativeBuffer(server.maxMsize);
    this.ctl = new NativeBuffer(CTL_SIZE);
    this.session = server.newSession(this.outBuf.buf);
  }

  /** Reads what is available and answers every complete frame. False: the connection is over. */
  onReadable(): boolean {
    try {
      const room = this.inBuf.length - this.end;
      const n = Number(recv(this.fd, this.inBuf.buf.subarray(this.end), room, 0));
      if (n < 0) {
        const e = errno();
        if (e === EINTR) return true;
        if (e === EAGAIN) {
          // A non-blocking socket with nothing to read yet.
          this.waitFor(POLLIN);
          return true;
        }
        // A peer that closes with replies unread resets the connection: that is its end, as
        // EOF is, not an error.
        if (e === ECONNRESET) return false;
        throw new Hangup(`recv: errno ${e}`);
      }
      if (n === 0) return false;
      this.end += n;
      this.answerFrames();
      return true;
    } catch (e) {
      if (e instanceof Hangup) {
        if (e.message) this.server.log(`closing connection ${this.fd}: ${e.message}`);
        return false;
      }
      throw e;
    }
  }

  private answerFrames(): void {
    const buf = this.inBuf.buf;
    while (this.end - this.start >= 4) {
      const size = buf.readUInt32LE(this.start);
      if (size < HEADER_SIZE || size > this.session.msize) {
        throw new Hangup(`frame of ${size} bytes (msize ${this.session.msize})`);
      }
      if (this.end - this.start < size) break;
      const frame = buf.subarray(this.start, this.start + size);
      this.start += size;
      const { reply, donation } = this.server.handle(this.session, frame);
      this.queueReply(reply, donation);
    }
    this.flushReplies();
    // Keep the partial frame at the front so that a whole frame (<= msize) always fits.
    if (this.start === this.end) {
      this.start = this.end = 0;
    } else if (this.start > 0) {
      buf.copyWithin(0, this.start, this.end);
      this.end -= this.start;
      this.start = 0;
    }
  }

  /** Adds a reply (in session.out, valid until the next request is handled) to the batch.
   *  A reply that donates an fd goes out at once, before the next request is handled: the
   *  fd is the fid's own open file, which a later request (a Tclunk of the fid) may close,
   *  and its number be reused by the time a batch would be sent. */
  private queueReply(reply: Buffer, donation: Donation | null): void {
    const alone = donation !== null || reply.length > BATCH_COPY_MAX;
    if (alone || this.batchLen + reply.length > this.batch.length) this.flushReplies();
    if (alone) {
      this.sendReply(reply, donation);
      return;
    }
    reply.copy(this.batch, this.batchLen);
    this.batchLen += reply.length;
  }

  private flushReplies(): void {
    if (this.batchLen === 0) return;
    const replies = this.batch.subarray(0, this.batchLen);
    this.batchLen = 0;
    this.sendAll(replies);
  }

  /** Sends one reply; with a donation, its fd goes as SCM_RIGHTS on the reply's first byte. */
  private sendReply(reply: Buffer, donation: Donation | null): void {
    let sent = 0;
    if (donation !== null) {
      const r = this.sendWithFd(reply, donation.fd);
      if (r < 0) {
        // Nothing went out: the client gets Rlerror instead, and the open is undone so that
        // the fid is as before the request.
        donation.revert();
        this.server.log(`donating fd ${donation.fd} failed: errno ${-r}`);
        // (In a buffer of its own: session.out holds the reply.)
        this.sendAll(encodeLerror(reply.readUInt16LE(5), -r));
        return;
      }
      sent = r;
    }
    this.sendAll(reply.subarray(sent));
  }

  private sendAll(bytes: Buffer): void {
    let sent = 0;
    while (sent < bytes.length) {
      const n = Number(send(this.fd, bytes.subarray(sent), bytes.length - sent, MSG_NOSIGNAL));
      if (n < 0) {
        const e = errno();
        if (e === EINTR) continue;
        if (e === EAGAIN) {
          this.waitFor(POLLOUT);
          continue;
        }
        // The peer went away before its reply (the Sentry ended): quietly the end.
        throw new Hangup(e === EPIPE || e === ECONNRESET ? '' : `send: errno ${e}`);
      }
      sent += n;
    }
  }

  /** One sendmsg carrying `fd`; returns the bytes sent, or -errno when nothing was sent. */
  private sendWithFd(reply: Buffer, fd: number): number {
    const c = this.ctl;
    const iovAt = abi.msghdr.fixed;
    const cmsgAt = iovAt + abi.iovec.fixed;
    const base = this.outBuf.addr + (reply.byteOffset - this.outBuf.buf.byteOffset);
    abi.iovec.encode({ iov_base: BigInt(base), iov_len: BigInt(reply.length) }, c.buf, iovAt);
    abi.cmsghdr.encode({ cmsg_len: BigInt(abi.cmsgLen(4)), cmsg_level: SOL_SOCKET, cmsg_type: SCM_RIGHTS }, c.buf, cmsgAt);
    c.buf.writeInt32LE(fd, cmsgAt + abi.cmsghdr.fixed);
    c.buf.fill(0, cmsgAt + abi.cmsgLen(4), CTL_SIZE);
    abi.msghdr.encode({
      msg_name: 0n, msg_namelen: 0,
      msg_iov: BigInt(c.addr + iovAt), msg_iovlen: 1n,
      msg_control: BigInt(c.addr + cmsgAt), msg_controllen: BigInt(abi.cmsgSpace(4)),
      msg_flags: 0,
    }, c.buf, 0);
    for (;;) {
      const n = Number(sendmsg(this.fd, c.addr, MSG_NOSIGNAL));
      if (n >= 0) return n;
      const e = errno();
      if (e === EINTR) continue;
      if (e === EAGAIN) {
        this.waitFor(POLLOUT);
        continue;
      }
      return -e;
    }
  }

  private waitFor(events: number): void {
    const p = abi.pollfd.encode({ fd: this.fd, events, revents: 0 });
    if (Number(poll(p, 1, -1)) < 0 && errno() !== EINTR) throw new Hangup(`poll: errno ${errno()}`);
  }

  close(): void {
    this.session.end();
    close(this.fd);
    this.inBuf.free();
    this.outBuf.free();
    this.ctl.free();
  }
}

/** A listening unix stream socket at `path` (which must not exist). */
export function listenUnix(path: string): number {
  const fd = sys(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), 'socket');
  try {
    const addr = abi.sockaddrUn.encode({ sun_family: AF_UNIX, sun_path: Buffer.from(path) });
    sys(bind(fd, addr, addr.length), `bind ${path}`);
    sys(listen(fd, 64), 'listen');
  } catch (e) {
    close(fd);
    throw e;
  }
  return fd;
}

export interface ServeOptions {
  /** Connected sockets to serve from the start (the --fd one). */
  fds?: number[];
  /** A listening socket whose connections are served; with it the loop never ends. */
  listenFd?: number;
}

/**
 * The gofer's loop: serves until no connection is left and there is no listener (with a
 * listener, until the process is killed).
 */
export function serve(server: Server, opts: ServeOptions): void {
  const conns = new Map<number, Connection>();
  for (const fd of opts.fds ?? []) conns.set(fd, new Connection(fd, server));
  const listenFd = opts.listenFd ?? -1;
  const entry = abi.pollfd.fixed;
  if (listenFd < 0 && conns.size === 1) {
    // One connection (the Sentry's): nothing else to watch, so wait in recv itself, one
    // system call per request instead of a poll and a recv.
    const [conn] = conns.values();
    while (conn.onReadable());
    conn.close();
    return;
  }

  while (listenFd >= 0 || conns.size > 0) {
    const watched = [...(listenFd >= 0 ? [listenFd] : []), ...conns.keys()];
    const fds = Buffer.alloc(watched.length * entry);
    watched.forEach((fd, i) => abi.pollfd.encode({ fd, events: POLLIN, revents: 0 }, fds, i * entry));
    if (Number(poll(fds, watched.length, -1)) < 0) {
      const e = errno();
      if (e === EINTR) continue;
      throw new Errno(e, 'poll');
    }
    watched.forEach((fd, i) => {
      const revents = abi.pollfd.get(fds, 'revents', i * entry);
      if (revents === 0) return;
      if (fd === listenFd) {
        const c = Number(accept4(listenFd, null, null, SOCK_CLOEXEC));
        if (c >= 0) conns.set(c, new Connection(c, server));
        else server.log(`accept: errno ${errno()}`);
        return;
      }
      const conn = conns.get(fd)!;
      const alive = (revents & POLLNVAL) === 0 && (revents & (POLLIN | POLLHUP | POLLERR)) !== 0 && conn.onReadable();
      if (!alive) {
        conns.delete(fd);
        conn.close();
      }
    });
  }
}
