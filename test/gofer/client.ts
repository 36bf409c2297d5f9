// A small synchronous 9P2000.L client for the gofer's tests, built on the gofer's own codec
// (gofer/protocol) and libc bindings. One request at a time: every fd that arrives as
// SCM_RIGHTS while a reply is read belongs to that reply (the extension's rule, see
// gofer/README.md). Blocking calls have a receive timeout, so a silent server fails the test
// instead of hanging it.
import * as abi from '../../gofer/host/abi.js';
import {
  AF_UNIX, MSG_CMSG_CLOEXEC, MSG_NOSIGNAL, NativeBuffer, SCM_RIGHTS, SOCK_CLOEXEC, SOCK_STREAM, SOL_SOCKET,
  SO_RCVTIMEO, close, connect, errno, recvmsg, send, setsockopt, socket, socketpair, sys,
} from '../../gofer/host/libc.js';
import { decodeReply, encodeRequest, type Reply, type ReplyBody, type RequestInput } from '../../gofer/protocol/codec.js';
import { NOTAG } from '../../gofer/protocol/constants.js';
import { dirent, type MessageName } from '../../gofer/protocol/messages.js';
import { Reader } from '../../gofer/layout.js';

/** An Rlerror, as an exception. */
export class P9Error extends Error {
  constructor(
    readonly ecode: number,
    readonly request: string,
  ) {
    super(`${request}: Rlerror ${ecode}`);
  }
}

const RECV_SIZE = 1 << 21;
const CTL_SIZE = abi.msghdr.fixed + abi.iovec.fixed + 256;

export class P9Client {
  private pending: Buffer = Buffer.alloc(0);
  private readonly native = new NativeBuffer(RECV_SIZE + CTL_SIZE);
  private tag = 1;
  /** fds that came with the last reply. */
  lastFds: number[] = [];
  msize = 0;
  closed = false;

  constructor(
    readonly fd: number,
    timeoutMs = 15_000,
  ) {
    const tv = Buffer.alloc(16);
    tv.writeBigInt64LE(BigInt(Math.floor(timeoutMs / 1000)), 0);
    tv.writeBigInt64LE(BigInt((timeoutMs % 1000) * 1000), 8);
    sys(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, tv, 16), 'SO_RCVTIMEO');
  }

  /** Connects to a listening gofer (one attempt; ECONNREFUSED/ENOENT throw). */
  static connectUnix(path: string): P9Client {
    const fd = sys(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), 'socket');
    const addr = abi.sockaddrUn.encode({ sun_family: AF_UNIX, sun_path: Buffer.from(path) });
    if (connect(fd, addr, addr.length) < 0) {
      const e = errno();
      close(fd);
      throw new P9Error(e, `connect ${path}`);
    }
    return new P9Client(fd);
  }

  /** Writes raw bytes (for malformed-message tests). False when the peer is gone. */
  sendRaw(bytes: Buffer): boolean {
    let sent = 0;
    while (sent < bytes.length) {
      const n = Number(send(this.fd, bytes.subarray(sent), bytes.length - sent, MSG_NOSIGNAL));
      if (n < 0) return false;
      sent += n;
    }
    return true;
  }

  /** Receives more bytes (and fds) into pending; false at EOF. Throws on timeout. */
  private receive(): boolean {
    const nb = this.native;
    const iovAt = RECV_SIZE;
    const msgAt = iovAt + abi.iovec.fixed;
    const cmsgAt = msgAt + abi.msghdr.fixed;
    const ctlLen = CTL_SIZE - abi.msghdr.fixed - abi.iovec.fixed;
    abi.iovec.encode({ iov_base: BigInt(nb.addr), iov_len: BigInt(RECV_SIZE) }, nb.buf, iovAt);
    abi.msghdr.encode({
      msg_name: 0n, msg_namelen: 0, msg_iov: BigInt(nb.addr + iovAt), msg_iovlen: 1n,
      msg_control: BigInt(nb.addr + cmsgAt), msg_controllen: BigInt(ctlLen), msg_flags: 0,
    }, nb.buf, msgAt);
    let n: number;
    for (;;) {
      n = Number(recvmsg(this.fd, nb.addr + msgAt, MSG_CMSG_CLOEXEC));
      if (n >= 0) break;
      const e = errno();
      if (e === 4) continue;
      if (e === 11) throw new Error('timed out waiting for a reply');
      throw new P9Error(e, 'recvmsg');
    }
    // Every SCM_RIGHTS fd of this read.
    const controllen = Number(abi.msghdr.get(nb.buf, 'msg_controllen', msgAt));
    let c = 0;
    while (c + abi.cmsghdr.fixed <= controllen) {
      const h = abi.cmsghdr.decode(nb.buf, cmsgAt + c);
      const len = Number(h.cmsg_len);
      if (len < abi.cmsghdr.fixed) break;
      if (h.cmsg_level === SOL_SOCKET && h.cmsg_type === SCM_RIGHTS) {
        for (let o = abi.cmsghdr.fixed; o + 4 <= len; o += 4) this.lastFds.push(nb.buf.readInt32LE(cmsgAt + c + o));
      }
      c += abi.cmsgSpace(len - abi.cmsghdr.fixed);
    }
    if (n === 0) return false;
    this.pending = Buffer.concat([this.pending, nb.buf.subarray(0, n)]);
    return true;
  }

  /** Reads one reply frame; null when the server closed the connection. */
  readReply(): Reply | null {
    for (;;) {
      if (this.pending.length >= 4) {
        const size = this.pending.readUInt32LE(0);
        if (this.pending.length >= size) {
          const frame = Buffer.from(this.pending.subarray(0, size));
          this.pending = this.pending.subarray(size);
          return decodeReply(frame);
        }
      }
      if (!this.receive()) {
        this.closed = true;
        return null;
      }
    }
  }

  /** Sends a request and returns its reply (Rlerror included), checking the tag. */
  request<K extends MessageName>(name: K, body: RequestInput<K>): Reply {
    const tag = name === 'version' ? NOTAG : this.nextTag();
    this.lastFds = [];
    if (!this.sendRaw(encodeRequest(name, tag, body))) throw new Error(`${name}: connection closed while sending`);
    const r = this.readReply();
    if (r === null) throw new Error(`${name}: connection closed`);
    if (r.tag !== tag) throw new Error(`${name}: reply tag ${r.tag}, expected ${tag}`);
    if (r.name !== 'lerror' && r.name !== name) throw new Error(`${name}: got R${r.name}`);
    return r;
  }

  /** A request whose reply must not be Rlerror (else P9Error). */
  rpc<K extends MessageName>(name: K, body: RequestInput<K>): ReplyBody<K> {
    const r = this.request(name, body);
    if (r.name === 'lerror') throw new P9Error(r.body.ecode, name);
    return r.body as ReplyBody<K>;
  }

  /** The errno of a request expected to fail (P9Error otherwise is a test failure). */
  errno<K extends MessageName>(name: K, body: RequestInput<K>): number {
    const r = this.request(name, body);
    if (r.name !== 'lerror') throw new Error(`${name}: expected Rlerror, got R${r.name}`);
    return r.body.ecode;
  }

  private nextTag(): number {
    const t = this.tag;
    this.tag = this.tag >= 0xfffe ? 1 : this.tag + 1;
    return t;
  }

  // Conveniences.

  version(msize = 65536, version = '9P2000.L'): ReplyBody<'version'> {
    const r = this.rpc('version', { msize, version });
    this.msize = r.msize;
    return r;
  }

  attach(fid = 0, uname = 'root', aname = '', nUname = 0): ReplyBody<'attach'> {
    return this.rpc('attach', { fid, afid: 0xffffffff, uname, aname, n_uname: nUname });
  }

  walk(fid: number, newfid: number, names: (string | Buffer)[]): ReplyBody<'walk'> {
    return this.rpc('walk', { fid, newfid, wnames: names });
  }

  clunk(fid: number): void {
    this.rpc('clunk', { fid });
  }

  /** Reads a whole open file through 9P. */
  readAll(fid: number, chunk = 8192): Buffer {
    const parts: Buffer[] = [];
    let off = 0n;
    for (;;) {
      const { data } = this.rpc('read', { fid, offset: off, count: chunk });
      if (data.length === 0) return Buffer.concat(parts);
      parts.push(Buffer.from(data));
      off += BigInt(data.length);
    }
  }

  /** Every entry of an open directory through Treaddir. */
  readdirAll(fid: number, count = 4096): { name: string; type: number; qidType: number; path: bigint; offset: bigint }[] {
    const out: { name: string; type: number; qidType: number; path: bigint; offset: bigint }[] = [];
    let offset = 0n;
    for (;;) {
      const { data } = this.rpc('readdir', { fid, offset, count });
      if (data.length === 0) return out;
      const r = new Reader(data, 0, data.length);
      while (r.left > 0) {
        const e = dirent.read(r);
        out.push({ name: e.name.toString(), type: e.type, qidType: e.qid.type, path: e.qid.path, offset: e.offset });
        offset = e.offset;
      }
    }
  }

  close(): void {
    if (this.fd >= 0) close(this.fd);
    this.native.free();
  }
}

/** A connected pair of unix stream sockets (CLOEXEC). */
export function socketPair(): [number, number] {
  const sv = Buffer.alloc(8);
  sys(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 'socketpair');
  return [sv.readInt32LE(0), sv.readInt32LE(4)];
}
