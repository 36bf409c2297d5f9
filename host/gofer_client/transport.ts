// The Sentry's end of the 9P connection to the Gofer: send one request, receive one reply,
// and pick up the host fd the Gofer may donate with it (SCM_RIGHTS); or post a request whose
// reply is read and dropped before the next one's (the kernel posts only to a server that
// answers in order). Posted requests are held back and go out with the next request in one
// send: the Gofer then wakes once for them all (a wake-up across CPUs is the dearest part of
// a round trip here) and can answer them together. The 9P encoding and all protocol state are
// the kernel's (kernel-as/fs/gofer/); this only moves framed bytes.
import * as libc from '../platform/ptrace/libc.js';

const MSGHDR = 0;
const IOVEC = 56;
const CONTROL = 72;
const CONTROL_LEN = 64;
const SIZE_BUF = 136;
const BLOCK = 144;
const SOL_SOCKET = 1;
const SCM_RIGHTS = 1;
const MSG_NOSIGNAL = 0x4000;
const MSG_WAITALL = 0x100;
const MSG_CMSG_CLOEXEC = 0x40000000;
const EIO = 5;
const F_DUPFD_CLOEXEC = 1030;
const F_GETFL = 3;
const F_SETFL = 4;
const O_NONBLOCK = 0o4000;
/** How many posted requests may wait for their replies to be read. */
const POST_MAX = 32;
/** Requests larger than this are sent from where they are, not copied behind held ones. */
const HOLD_MAX = 16384;

function setU64(dv: DataView, off: number, v: number): void {
  dv.setUint32(off, v % 0x100000000, true);
  dv.setUint32(off + 4, Math.floor(v / 0x100000000), true);
}

export class GoferTransport {
  private readonly block: number;
  private readonly dv: DataView;
  private donated = -1;
  /** Posted requests whose replies have not been read yet. */
  private unanswered = 0;
  private scratch: Uint8Array | undefined;
  /** Posted requests not sent yet, back to back in held[0, heldLen). */
  private held = new Uint8Array(4096);
  private heldLen = 0;

  /** A transport on a blocking close-on-exec duplicate of fd (Node's non-blocking end of the
   *  socket pair it made when it started the Gofer: host/sentry/gofer_process.ts). */
  static adopt(fd: number): GoferTransport {
    if (fd < 0) throw new Error('there is no connection to the Gofer (it could not be started)');
    const dup = libc.fcntl(fd, F_DUPFD_CLOEXEC, 0) as number;
    if (dup < 0) throw new Error(`dup of the Gofer socket: errno ${libc.errno()}`);
    const flags = libc.fcntl(dup, F_GETFL, 0) as number;
    if (flags < 0 || (libc.fcntl(dup, F_SETFL, flags & ~O_NONBLOCK) as number) < 0) {
      throw new Error(`making the Gofer socket blocking: errno ${libc.errno()}`);
    }
    return new GoferTransport(dup);
  }

  constructor(private readonly fd: number) {
    this.block = libc.malloc(BLOCK) as number;
    this.dv = new DataView(libc.koffi.view(this.block, BLOCK));
  }

  /** The fd donated with the last reply (-1 if none); the caller owns it. */
  takeFd(): number {
    const fd = this.donated;
    this.donated = -1;
    return fd;
  }

  /** Sends req and receives its reply into reply, after reading and dropping the replies of
   *  posted requests, which come first. Returns its length or -errno. */
  rpc(req: Uint8Array, reply: Uint8Array): number {
    this.dropDonation();
    // A large request (a write's data) is not copied: what is held goes out first.
    if (req.length > HOLD_MAX) {
      const flushed = this.flush();
      if (flushed < 0) return flushed;
      const sent = this.send(req);
      if (sent < 0) return sent;
    } else {
      this.hold(req);
    }
    const owed = this.drain();
    if (owed < 0) return owed;
    return this.receive(reply);
  }

  /** Posts req: it is sent with the next request, and its reply read and dropped before
   *  that one's. Returns 0 or -errno. At most POST_MAX replies are left unread: the Gofer
   *  sends them blocking, and a socket buffer full of them would stop it reading our
   *  requests (both would wait). */
  post(req: Uint8Array): number {
    this.hold(req);
    return ++this.unanswered >= POST_MAX ? this.drain() : 0;
  }

  /** Sends what is held, then reads and drops the replies still owed to posted requests
   *  (before a reply of an rpc, and at the end, so that the Gofer sees its connection end
   *  cleanly: closed with replies unread, it would be reset). Returns 0 or -errno. */
  drain(): number {
    const flushed = this.flush();
    if (flushed < 0) return flushed;
    // Posted requests are clunks and walks: their replies are a few hundred bytes at most.
    const scratch = (this.scratch ??= new Uint8Array(64 << 10));
    for (; this.unanswered > 0; this.unanswered--) {
      const n = this.receive(scratch);
      if (n < 0) return n;
      this.dropDonation();
    }
    return 0;
  }

  /** Closes the socket (after drain: the Gofer then sees its connection end cleanly). */
  close(): void {
    this.dropDonation();
    libc.close(this.fd);
  }

  /** Closes a donated fd nobody took. */
  private dropDonation(): void {
    if (this.donated >= 0) {
      libc.close(this.donated);
      this.donated = -1;
    }
  }

  /** Sends the held requests. Returns 0 or -errno. */
  private flush(): number {
    const sent = this.send(this.held.subarray(0, this.heldLen));
    this.heldLen = 0;
    return sent;
  }

  /** Appends req to the requests to send. */
  private hold(req: Uint8Array): void {
    if (this.heldLen + req.length > this.held.length) {
      const bigger = new Uint8Array(Math.max(2 * this.held.length, this.heldLen + req.length));
      bigger.set(this.held.subarray(0, this.heldLen));
      this.held = bigger;
    }
    this.held.set(req, this.heldLen);
    this.heldLen += req.length;
  }

  private send(req: Uint8Array): number {
    for (let off = 0; off < req.length; ) {
      const n = libc.sendBuf(this.fd, req.subarray(off), req.length - off, MSG_NOSIGNAL) as number;
      if (n < 0) {
        if (libc.errno() === libc.EINTR) continue;
        return -libc.errno();
      }
      off += n;
    }
    return 0;
  }

  /** Receives one reply into reply: its length or -errno. */
  private receive(reply: Uint8Array): number {
    const got = this.recvHeader();
    if (got < 0) return got;
    const size = this.dv.getUint32(SIZE_BUF, true);
    if (size < 7 || size > reply.length) return -EIO;
    reply.set(new Uint8Array(this.dv.buffer, SIZE_BUF, 4), 0);
    for (let off = 4; off < size; ) {
      const n = libc.recvBuf(this.fd, reply.subarray(off), size - off, MSG_WAITALL) as number;
      if (n <= 0) {
        if (n < 0 && libc.errno() === libc.EINTR) continue;
        return n === 0 ? -EIO : -libc.errno();
      }
      off += n;
    }
    return size;
  }

  /** Receives the 4-byte size of the next message with any SCM_RIGHTS fds sent along. */
  private recvHeader(): number {
    const dv = this.dv;
    let have = 0;
    while (have < 4) {
      setU64(dv, MSGHDR, 0);
      dv.setUint32(MSGHDR + 8, 0, true);
      setU64(dv, MSGHDR + 16, this.block + IOVEC);
      setU64(dv, MSGHDR + 24, 1);
      setU64(dv, MSGHDR + 32, this.block + CONTROL);
      setU64(dv, MSGHDR + 40, CONTROL_LEN);
      dv.setUint32(MSGHDR + 48, 0, true);
      setU64(dv, IOVEC, this.block + SIZE_BUF + have);
      setU64(dv, IOVEC + 8, 4 - have);
      const n = libc.recvmsg(this.fd, this.block + MSGHDR, MSG_CMSG_CLOEXEC) as number;
      if (n < 0) {
        if (libc.errno() === libc.EINTR) continue;
        return -libc.errno();
      }
      if (n === 0) return -EIO;
      this.takeRights();
      have += n;
    }
    return 0;
  }

  private takeRights(): void {
    const dv = this.dv;
    const controllen = dv.getUint32(MSGHDR + 40, true);
    let off = 0;
    while (off + 16 <= controllen) {
      const len = dv.getUint32(CONTROL + off, true);
      const level = dv.getInt32(CONTROL + off + 8, true);
      const type = dv.getInt32(CONTROL + off + 12, true);
      if (len < 16) break;
      if (level === SOL_SOCKET && type === SCM_RIGHTS) {
        for (let p = 16; p + 4 <= len; p += 4) {
          const fd = dv.getInt32(CONTROL + off + p, true);
          // One fd per reply is the protocol; anything more is closed, never leaked.
          if (this.donated < 0) this.donated = fd;
          else libc.close(fd);
        }
      }
      off += (len + 7) & ~7;
    }
  }
}
