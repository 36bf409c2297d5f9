// Sockets (Linux net/socket.c, net/unix/af_unix.c): AF_UNIX stream, seqpacket and datagram
// sockets, as pairs (socketpair) or named (socket, bind, listen, connect, accept), and the
// calls that work on them (send/recv in all their forms, open files passed with SCM_RIGHTS,
// shutdown, socket options, names). Other families are not supported (no network).
import {
  EACCES, EADDRINUSE, EAFNOSUPPORT, EAGAIN, EBADF, ECONNREFUSED, EEXIST, EFAULT, EINVAL, EISCONN, EMFILE, EMSGSIZE, ENOBUFS, ENOPROTOOPT, ENOTCONN,
  ENOTSOCK, EOPNOTSUPP, EPERM, EPROTONOSUPPORT, EPROTOTYPE,
} from "../abi/errno";
import { O_NONBLOCK, O_RDWR, RLIMIT_NOFILE } from "../abi/linux";
import { sysArg } from "../abi/regs";
import { Task } from "../kernel/task";
import {
  abstractBound, IoVec, MSG_DONTWAIT, MsgInfo, Received, SHUT_RDWR, SOCK_DGRAM, SOCK_SEQPACKET, SOCK_STREAM,
  streamEnds, UnixEnd, UnixNamed, UnixStreamSocket,
} from "../fs/unix_socket";
import { dgramPair, MSG_TRUNC, seqpacketEnds, UNIX_SNDBUF, UnixDgramSocket } from "../fs/unix_message";
import { DEFAULT_PIPE_SIZE } from "../fs/pipe";
import { park, RET_BLOCK } from "../kernel/sched";
import { monotonicNow, saturatingAdd, toNs } from "../kernel/time";
import { vfsErr } from "../fs/vfs/error";
import { AT_FDCWD, LOOKUP_FOLLOW, resolveAt } from "../fs/vfs/namei";
import { MAY_WRITE, permitted } from "../fs/vfs/permission";
import { S_IFMT, S_IFSOCK } from "../fs/vfs/stat";
import { createTargetAt, created } from "./sys_dir";
import { FileDescription } from "../fs/file";

const AF_UNIX: i32 = 1;
const AF_INET: i32 = 2;
const AF_INET6: i32 = 10;
const SOCK_NONBLOCK: i32 = 0x800;
const SOCK_CLOEXEC: i32 = 0x80000;
const SOL_SOCKET: i32 = 1;
const SO_TYPE: i32 = 3;
const SO_ERROR: i32 = 4;
const SO_SNDBUF: i32 = 7;
const SO_RCVBUF: i32 = 8;
const SO_PASSCRED: i32 = 16;
const SO_PEERCRED: i32 = 17;
const SO_ACCEPTCONN: i32 = 30;
const SO_PROTOCOL: i32 = 38;
const SO_DOMAIN: i32 = 39;
const SCM_RIGHTS: i32 = 1;
const SCM_CREDENTIALS: i32 = 2;
/** The most fds one message may pass (SCM_MAX_FD). */
const SCM_MAX_FD: i32 = 253;
/** Out-of-band data is EOPNOTSUPP on every unix socket here (streams took it only from
 *  Linux 5.15); other flags a call does not know are ignored, as Linux ignores them. */
const MSG_OOB: i32 = 0x1;
const MSG_CTRUNC: i32 = 0x8;
const INT_MAX: u64 = 0x7fffffff;
const MSG_CMSG_CLOEXEC: i32 = 0x40000000;
/** UIO_MAXIOV. */
const IOV_MAX: u64 = 1024;

const BUF: usize = memory.data(80, 8);
/** A SCM_RIGHTS message being built: cmsghdr and up to SCM_MAX_FD fds. */
const CMSG: usize = memory.data(16 + 253 * 4, 8);

/** The socket open on fd (a connected end of a pair or accept, or a socket of socket(2)):
 *  null with sockErr EBADF or ENOTSOCK. */
let sockErr: i32 = 0;
function anySocketOf(t: Task, fd: i32): FileDescription | null {
  const f = t.fdTable.get(fd);
  if (f === null) {
    sockErr = EBADF;
    return null;
  }
  if (!(f instanceof UnixEnd) && !(f instanceof UnixNamed)) {
    sockErr = ENOTSOCK;
    return null;
  }
  return f;
}

/** The connected end of stream or seqpacket socket f (a description of anySocketOf), or null
 *  with sockErr `unconnected` (a seqpacket says ENOTCONN). Precondition: f is no datagram
 *  socket. */
function endOf(f: FileDescription, unconnected: i32): UnixEnd | null {
  if (f instanceof UnixEnd) return <UnixEnd>f;
  const s = <UnixStreamSocket>f;
  const c = s.connected();
  if (c === null) sockErr = s.type == SOCK_SEQPACKET ? ENOTCONN : unconnected;
  return c;
}

/** The pending error of socket f (a description of anySocketOf), taken: -ECONNRESET or 0. */
function takeError(f: FileDescription): i32 {
  if (f instanceof UnixDgramSocket) return (<UnixDgramSocket>f).takeError();
  const e = f instanceof UnixEnd ? <UnixEnd>f : (<UnixStreamSocket>f).conn;
  return e !== null ? e.takeError() : 0;
}

/** The socket(2) socket on fd: null with sockErr (`other` for a socketpair end). */
function namedSocketOf(t: Task, fd: i32, other: i32): UnixNamed | null {
  const f = anySocketOf(t, fd);
  if (f === null) return null;
  if (!(f instanceof UnixNamed)) {
    sockErr = other;
    return null;
  }
  return <UnixNamed>f;
}

/** The stream or seqpacket socket(2) socket on fd: null with sockErr (`other` for a
 *  socketpair end, EOPNOTSUPP for a datagram socket, which neither listens nor accepts). */
function streamSocketOf(t: Task, fd: i32, other: i32): UnixStreamSocket | null {
  const f = anySocketOf(t, fd);
  if (f === null) return null;
  if (f instanceof UnixDgramSocket) sockErr = EOPNOTSUPP;
  else if (!(f instanceof UnixStreamSocket)) sockErr = other;
  else return <UnixStreamSocket>f;
  return null;
}

const SUN: usize = memory.data(112, 8);

/** The sun_path bytes of the sockaddr_un of len bytes at addr (path names cut at their NUL,
 *  which is kept; abstract names whole), or null with sockErr (unix_mkname()'s EINVAL). */
function sockaddrArg(t: Task, addr: u64, len: u64): Uint8Array | null {
  if (len < 2 || len > 110) {
    sockErr = EINVAL;
    return null;
  }
  if (t.mm.copyIn(addr, SUN, len) < 0) {
    sockErr = EFAULT;
    return null;
  }
  if (load<u16>(SUN) != <u16>AF_UNIX) {
    sockErr = EINVAL;
    return null;
  }
  const n = <i32>len - 2;
  if (n == 0 || load<u8>(SUN + 2) == 0) {
    const b = new Uint8Array(n);
    memory.copy(b.dataStart, SUN + 2, <usize>n);
    return b;
  }
  // A path: up to its NUL, which is kept (added when the caller left it out, as
  // unix_mkname_bsd() terminates the name).
  let end = 0;
  while (end < n && load<u8>(SUN + 2 + <usize>end) != 0) end++;
  const b = new Uint8Array(end + 1);
  memory.copy(b.dataStart, SUN + 2, <usize>end);
  return b;
}

/** A path name's string (its bytes without the NUL). */
function pathOf(name: Uint8Array): string {
  let n = name.length;
  if (n > 0 && name[n - 1] == 0) n--;
  return String.UTF8.decodeUnsafe(name.dataStart, <usize>n);
}

/** Writes sockaddr_un {AF_UNIX, name} to addr for at most *lenAddr bytes and stores the full
 *  length in *lenAddr (getsockname, getpeername, accept). 0 or -errno. */
function putSockaddr(t: Task, name: Uint8Array, addr: u64, lenAddr: u64): i32 {
  if (t.mm.copyIn(lenAddr, BUF, 4) < 0) return -EFAULT;
  const room = load<i32>(BUF);
  if (room < 0) return -EINVAL;
  store<u16>(SUN, <u16>AF_UNIX);
  memory.copy(SUN + 2, name.dataStart, <usize>name.length);
  const full = 2 + name.length;
  if (room > 0 && t.mm.copyOut(addr, SUN, <u64>(room < full ? room : full)) < 0) return -EFAULT;
  store<i32>(BUF, full);
  return t.mm.copyOut(lenAddr, BUF, 4) < 0 ? -EFAULT : 0;
}

/** socket(2): AF_UNIX stream, seqpacket and datagram sockets; other families are
 *  EAFNOSUPPORT (the sandbox has no network). */
export function sysSocket(t: Task): i64 {
  const domain = <i32>sysArg(0);
  const type = <i32>sysArg(1);
  const protocol = <i32>sysArg(2);
  const kind = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (domain != AF_UNIX) return -EAFNOSUPPORT;
  if (kind != SOCK_STREAM && kind != SOCK_DGRAM && kind != SOCK_SEQPACKET) return -EINVAL;
  if (protocol != 0 && protocol != AF_UNIX) return -EPROTONOSUPPORT;
  const flags = O_RDWR | ((type & SOCK_NONBLOCK) != 0 ? O_NONBLOCK : 0);
  const c = t.tg.cred;
  const s: FileDescription = kind == SOCK_DGRAM ? new UnixDgramSocket(flags, t.tg.tgid, c.euid, c.egid) :
    new UnixStreamSocket(flags, kind, t.tg.tgid, c.euid, c.egid);
  return t.fdTable.install(s, 0, fdLimit(t), (type & SOCK_CLOEXEC) != 0);
}

function fdLimit(t: Task): i32 {
  const lim = t.tg.rlimits.cur[RLIMIT_NOFILE];
  return lim > 0x7fffffff ? 0x7fffffff : <i32>lim;
}

/** bind(2): an abstract name, or a new socket inode at a path (EADDRINUSE if the path
 *  exists); a socket is bound once (EINVAL). */
export function sysBind(t: Task): i64 {
  const s = namedSocketOf(t, <i32>sysArg(0), EINVAL);
  if (s === null) return -sockErr;
  const name = sockaddrArg(t, sysArg(1), sysArg(2));
  if (name === null) return -sockErr;
  // An autobind request (the family alone) of a bound socket keeps its name (unix_autobind()).
  if (name.length == 0 && s.name.length > 0) return 0;
  if (s.name.length > 0 || (s instanceof UnixStreamSocket && (<UnixStreamSocket>s).conn !== null)) return -EINVAL;
  if (name.length == 0 || name[0] == 0) return s.bindAbstract(name);
  const pp = createTargetAt(t, AT_FDCWD, pathOf(name), false);
  if (pp === null) return vfsErr == EEXIST ? -EADDRINUSE : -vfsErr;
  const inode = pp.dir.inode.mknod(pp.name, S_IFSOCK | (0o777 & ~t.fs.umask), 0, t.tg.cred);
  const r = created(pp, inode);
  if (r < 0) return r;
  s.bindInode(name, inode!);
  return 0;
}

export function sysListen(t: Task): i64 {
  const s = streamSocketOf(t, <i32>sysArg(0), EINVAL);
  if (s === null) return -sockErr;
  // unix_listen(): only a bound, unconnected socket listens, and its connectors' SO_PEERCRED
  // names whoever called listen (init_peercred()).
  if (s.conn !== null || s.name.length == 0) return -EINVAL;
  s.listening = true;
  s.pid = t.tg.tgid;
  s.uid = t.tg.cred.euid;
  s.gid = t.tg.cred.egid;
  return 0;
}

/** The socket bound to name (a path: a socket inode the caller may write; or an abstract
 *  name), of the given type: null with sockErr (unix_find_other(): the path's lookup error,
 *  EACCES, ECONNREFUSED when nothing is bound there, EPROTOTYPE for another type). */
function boundSocket(t: Task, name: Uint8Array, type: i32): UnixNamed | null {
  let b: FileDescription | null = null;
  if (name[0] == 0) {
    b = abstractBound(name, type);
  } else {
    const p = resolveAt(t, AT_FDCWD, pathOf(name), LOOKUP_FOLLOW);
    if (p === null) {
      sockErr = vfsErr;
      return null;
    }
    const inode = p.inode;
    if (!permitted(inode, MAY_WRITE, t.tg.cred)) {
      sockErr = EACCES;
      return null;
    }
    if ((inode.mode & S_IFMT) == S_IFSOCK) b = inode.boundSocket;
  }
  if (b === null || !(b instanceof UnixNamed)) {
    sockErr = ECONNREFUSED;
    return null;
  }
  const n = <UnixNamed>b;
  if (n.type != type) {
    sockErr = EPROTOTYPE;
    return null;
  }
  return n;
}

/** connect(2): a stream or seqpacket socket to a listening socket, a datagram socket to the
 *  socket its sends go to by default (AF_UNSPEC disconnects it), by path or abstract name. */
export function sysConnect(t: Task): i64 {
  const f = anySocketOf(t, <i32>sysArg(0));
  if (f === null) return -sockErr;
  if (f instanceof UnixDgramSocket) {
    const d = <UnixDgramSocket>f;
    // AF_UNSPEC disconnects (an address longer than a sockaddr_storage is EINVAL first).
    if (sysArg(2) >= 2 && sysArg(2) <= 128 && t.mm.copyIn(sysArg(1), BUF, 2) == 0 && load<u16>(BUF) == 0) return d.connect(null);
    const name = sockaddrArg(t, sysArg(1), sysArg(2));
    if (name === null) return -sockErr;
    if (name.length == 0) return -EINVAL;
    const other = boundSocket(t, name, SOCK_DGRAM);
    if (other === null) return -sockErr;
    return d.connect(<UnixDgramSocket>other);
  }
  if (!(f instanceof UnixStreamSocket)) return -EISCONN;
  const s = <UnixStreamSocket>f;
  const name = sockaddrArg(t, sysArg(1), sysArg(2));
  if (name === null) return -sockErr;
  // A family alone names nothing to connect to (unix_validate_addr()).
  if (name.length == 0) return -EINVAL;
  const listener = boundSocket(t, name, s.type);
  if (listener === null) return -sockErr;
  // SO_PEERCRED: the connector sees the listener's owner, the accepted end the connector.
  const l = <UnixStreamSocket>listener;
  const c = t.tg.cred;
  const ends = s.type == SOCK_SEQPACKET ?
    seqpacketEnds(O_RDWR, l.pid, l.uid, l.gid, t.tg.tgid, c.euid, c.egid) :
    streamEnds(O_RDWR, l.pid, l.uid, l.gid, t.tg.tgid, c.euid, c.egid);
  return s.connectTo(l, ends);
}

/** accept(2)/accept4(2) (Linux __sys_accept4_file()): the fd is found first (EMFILE leaves
 *  the connection queued), then a connection is taken (waiting for one), then the peer's
 *  address is written; if that fails the connection is dropped, as Linux drops it. */
function accept(t: Task, flags: i32): i64 {
  if ((flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) != 0) return -EINVAL;
  const s = streamSocketOf(t, <i32>sysArg(0), EINVAL);
  if (s === null) return -sockErr;
  if (!s.listening || s.shut) return -EINVAL;
  if (!t.fdTable.hasFree(fdLimit(t))) return -EMFILE;
  if (s.queue.length == 0) {
    if ((s.flags & O_NONBLOCK) != 0) return -EAGAIN;
    s.waiters.push(t);
    return park(t, -1, -1, 0);
  }
  const c = s.queue.shift();
  c.embryo = false;
  c.flags = O_RDWR | ((flags & SOCK_NONBLOCK) != 0 ? O_NONBLOCK : 0);
  if (sysArg(1) != 0) {
    const r = putSockaddr(t, c.peerName, sysArg(1), sysArg(2));
    if (r < 0) {
      c.put();
      return r;
    }
  }
  return t.fdTable.install(c, 0, fdLimit(t), (flags & SOCK_CLOEXEC) != 0);
}

export function sysAccept(t: Task): i64 { return accept(t, 0); }
export function sysAccept4(t: Task): i64 { return accept(t, <i32>sysArg(3)); }

export function sysSocketpair(t: Task): i64 {
  const domain = <i32>sysArg(0);
  const type = <i32>sysArg(1);
  const protocol = <i32>sysArg(2);
  const kind = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
  // Internet sockets exist but cannot be paired (sock_no_socketpair); unknown families do not.
  if (domain == AF_INET || domain == AF_INET6) return -EOPNOTSUPP;
  if (domain != AF_UNIX) return -EAFNOSUPPORT;
  if (kind != SOCK_STREAM && kind != SOCK_DGRAM && kind != SOCK_SEQPACKET) return -EINVAL;
  if (protocol != 0 && protocol != AF_UNIX) return -EPROTONOSUPPORT;
  const limit = fdLimit(t);
  const cloexec = (type & SOCK_CLOEXEC) != 0;
  const flags = O_RDWR | ((type & SOCK_NONBLOCK) != 0 ? O_NONBLOCK : 0);
  const pid = t.tg.tgid;
  const uid = t.tg.cred.euid;
  const gid = t.tg.cred.egid;
  let x: FileDescription;
  let y: FileDescription;
  if (kind == SOCK_DGRAM) {
    const d = dgramPair(flags, pid, uid, gid);
    x = d[0];
    y = d[1];
  } else {
    const e = kind == SOCK_SEQPACKET ? seqpacketEnds(flags, pid, uid, gid, pid, uid, gid) : streamEnds(flags, pid, uid, gid, pid, uid, gid);
    e[0].join(e[1], new Uint8Array(0), new Uint8Array(0));
    x = e[0];
    y = e[1];
  }
  // install() drops the reference it was given when it fails.
  const a = t.fdTable.install(x, 0, limit, cloexec);
  if (a < 0) {
    y.put();
    return a;
  }
  const b = t.fdTable.install(y, 0, limit, cloexec);
  if (b < 0) {
    t.fdTable.close(a);
    return b;
  }
  store<i32>(BUF, a);
  store<i32>(BUF + 4, b);
  if (t.mm.copyOut(sysArg(3), BUF, 8) < 0) {
    t.fdTable.close(a);
    t.fdTable.close(b);
    return -EFAULT;
  }
  return 0;
}

/** Sends iov on socket f (a description of anySocketOf) to the destination sockaddr at
 *  nameAddr (nameLen bytes; none when either is 0), passing the files of the control
 *  messages at control (controlLen bytes), in Linux's order: the control messages (scm_send()),
 *  MSG_OOB (EOPNOTSUPP; other flags are ignored), then the socket's own checks. A datagram
 *  socket sends to the socket bound at the destination, looked up last, or to its peer; a
 *  connected stream takes no destination (EISCONN), an unconnected one says EOPNOTSUPP for
 *  one (unix_stream_sendmsg()); a seqpacket ignores it once connected
 *  (unix_seqpacket_sendmsg()); an unconnected stream or seqpacket is ENOTCONN. */
function sendOn(t: Task, f: FileDescription, iov: IoVec, flags: i32, nameAddr: u64, nameLen: u64, control: u64, controlLen: u64): i64 {
  if (controlLen > INT_MAX) return -ENOBUFS;
  const files = controlLen > 0 ? controlFiles(t, control, controlLen) : null;
  if (controlLen > 0 && files === null) return -sockErr;
  const n = sendChecked(t, f, iov, flags, nameAddr != 0 && nameLen != 0 ? nameAddr : 0, nameLen,
    files !== null && files!.length > 0 ? files : null);
  // The send took its own references to what it passed; the ones taken here go back.
  if (files !== null) for (let i = 0; i < files!.length; i++) files![i].put();
  return n;
}

/** sendOn() once the control messages are read: files to pass (null: none), the
 *  destination at nameAddr (0: none). */
function sendChecked(t: Task, f: FileDescription, iov: IoVec, flags: i32, nameAddr: u64, nameLen: u64, files: FileDescription[] | null): i64 {
  if ((flags & MSG_OOB) != 0) return -EOPNOTSUPP;
  if (f instanceof UnixDgramSocket) {
    const d = <UnixDgramSocket>f;
    let name: Uint8Array | null = null;
    if (nameAddr != 0) {
      name = sockaddrArg(t, nameAddr, nameLen);
      if (name === null) return -sockErr;
      if (name.length == 0) return -EINVAL;
    }
    const r = d.checkSend(t, iov, flags, name !== null);
    if (r != 0) return r;
    let to: UnixDgramSocket | null = null;
    if (name !== null) {
      const b = boundSocket(t, name, SOCK_DGRAM);
      if (b === null) return -sockErr;
      to = <UnixDgramSocket>b;
    }
    return d.sendTo(t, iov, flags, to, files);
  }
  const end = endOf(f, ENOTCONN);
  if (nameAddr != 0 && end === null && f instanceof UnixStreamSocket && (<UnixStreamSocket>f).type == SOCK_STREAM) return -EOPNOTSUPP;
  if (end === null) return -sockErr;
  if (nameAddr != 0 && end.type == SOCK_STREAM) return -EISCONN;
  return end.send(t, iov, flags, files);
}

/** Receives into iov on socket f (a description of anySocketOf): files passed go to got,
 *  the sender and the message's truncation to info. An unconnected stream is EINVAL, an
 *  unconnected seqpacket ENOTCONN. */
function recvOn(t: Task, f: FileDescription, iov: IoVec, flags: i32, got: Received | null, info: MsgInfo): i64 {
  if ((flags & MSG_OOB) != 0) return -EOPNOTSUPP;
  if (f instanceof UnixDgramSocket) return (<UnixDgramSocket>f).recv(t, iov, flags, got, info);
  const end = endOf(f, EINVAL);
  return end !== null ? end.recv(t, iov, flags, got, info) : -sockErr;
}

/** Whether f is a socket (readv and writev then move each message whole). */
export function isSocket(f: FileDescription): bool {
  return f instanceof UnixEnd || f instanceof UnixNamed;
}

/** readv/writev of socket f: one receive or send of all the buffers, as sock_read_iter()
 *  and sock_write_iter() make it (vectors of nothing move nothing: vfs_readv() and
 *  vfs_writev() return 0 before the socket sees them). */
export function socketVector(t: Task, f: FileDescription, iov: IoVec, write: bool): i64 {
  if (iov.total == 0) return 0;
  return write ? sendOn(t, f, iov, 0, 0, 0, 0, 0) : recvOn(t, f, iov, 0, null, new MsgInfo());
}

export function sysSendto(t: Task): i64 {
  const f = anySocketOf(t, <i32>sysArg(0));
  if (f === null) return -sockErr;
  return sendOn(t, f, new IoVec().add(sysArg(1), sysArg(2)), <i32>sysArg(3), sysArg(4), sysArg(5), 0, 0);
}

/** Writes the sender's name (a datagram's; none for a stream or seqpacket: length 0) for a
 *  receive: to the sockaddr at addr, its room and then its full length at lenAddr. */
function putSender(t: Task, info: MsgInfo, addr: u64, lenAddr: u64): i32 {
  if (info.from.length > 0) return putSockaddr(t, info.from, addr, lenAddr);
  store<u32>(BUF, 0);
  return t.mm.copyOut(lenAddr, BUF, 4) < 0 ? -EFAULT : 0;
}

export function sysRecvfrom(t: Task): i64 {
  const f = anySocketOf(t, <i32>sysArg(0));
  if (f === null) return -sockErr;
  const info = new MsgInfo();
  const r = recvOn(t, f, new IoVec().add(sysArg(1), sysArg(2)), <i32>sysArg(3), null, info);
  if (r >= 0 && sysArg(4) != 0 && sysArg(5) != 0) {
    const e = putSender(t, info, sysArg(4), sysArg(5));
    if (e < 0) return e;
  }
  return r;
}

/** Reads struct msghdr at addr and its iovecs into iov. Returns 0 or -errno; the name and
 *  control fields are left in BUF (msg_name +0, msg_namelen +8, msg_control +32,
 *  msg_controllen +40). */
function readMsghdr(t: Task, addr: u64, iov: IoVec): i32 {
  if (t.mm.copyIn(addr, BUF, 56) < 0) return -EFAULT;
  const iovAddr = load<u64>(BUF + 16);
  const iovLen = load<u64>(BUF + 24);
  if (iovLen > IOV_MAX) return -EMSGSIZE;
  for (let i: u64 = 0; i < iovLen; i++) {
    if (t.mm.copyIn(iovAddr + i * 16, BUF + 56, 16) < 0) return -EFAULT;
    const len = load<u64>(BUF + 64);
    if (<i64>len < 0) return -EINVAL;
    iov.add(load<u64>(BUF + 56), len);
  }
  return 0;
}

/** Files the control messages at addr (len bytes) pass (SCM_RIGHTS); SCM_CREDENTIALS are
 *  checked and otherwise ignored (nobody asks for them here). Null with sockErr (EINVAL for a
 *  malformed or unknown message, EBADF for a bad fd, EPERM for credentials not the caller's). */
function controlFiles(t: Task, addr: u64, len: u64): FileDescription[] | null {
  const files: FileDescription[] = [];
  let off: u64 = 0;
  while (off + 16 <= len) {
    if (t.mm.copyIn(addr + off, BUF, 16) < 0) return fail(EFAULT, files);
    const clen = load<u64>(BUF);
    const level = load<i32>(BUF + 8);
    const type = load<i32>(BUF + 12);
    if (clen < 16 || clen > len - off) return fail(EINVAL, files);
    // Other levels' messages are not the socket layer's (__scm_send() skips them).
    if (level != SOL_SOCKET) {
      off += (clen + 7) & ~(<u64>7);
      continue;
    }
    if (type == SCM_RIGHTS) {
      const n = <i32>((clen - 16) / 4);
      if (files.length + n > SCM_MAX_FD) return fail(EINVAL, files);
      for (let i = 0; i < n; i++) {
        if (t.mm.copyIn(addr + off + 16 + <u64>(i * 4), BUF + 16, 4) < 0) return fail(EFAULT, files);
        // O_PATH fds pass too (scm_fp_copy() takes them with fget_raw()).
        const f = t.fdTable.getRaw(load<i32>(BUF + 16));
        if (f === null) return fail(EBADF, files);
        files.push(f.get());
      }
    } else if (type == SCM_CREDENTIALS) {
      if (clen < 28 || t.mm.copyIn(addr + off + 16, BUF + 16, 12) < 0) return fail(EINVAL, files);
      if (load<i32>(BUF + 16) != t.tg.tgid || load<u32>(BUF + 20) != t.tg.cred.uid || load<u32>(BUF + 24) != t.tg.cred.gid) {
        return fail(EPERM, files);
      }
    } else {
      return fail(EINVAL, files);
    }
    off += (clen + 7) & ~(<u64>7);
  }
  return files;
}

/** Drops the references taken so far and gives null with err in sockErr. */
function fail(err: i32, taken: FileDescription[]): FileDescription[] | null {
  for (let i = 0; i < taken.length; i++) taken[i].put();
  sockErr = err;
  return null;
}

/** sendmsg of the struct msghdr at hdr on socket f. */
function sendmsgAt(t: Task, f: FileDescription, hdr: u64, flags: i32): i64 {
  const iov = new IoVec();
  const r = readMsghdr(t, hdr, iov);
  if (r < 0) return r;
  return sendOn(t, f, iov, flags, load<u64>(BUF), <u64>load<u32>(BUF + 8), load<u64>(BUF + 32), load<u64>(BUF + 40));
}

export function sysSendmsg(t: Task): i64 {
  const f = anySocketOf(t, <i32>sysArg(0));
  return f === null ? -sockErr : sendmsgAt(t, f, sysArg(1), <i32>sysArg(2));
}

export function sysRecvmsg(t: Task): i64 {
  const f = anySocketOf(t, <i32>sysArg(0));
  return f === null ? -sockErr : recvmsgAt(t, f, sysArg(1), <i32>sysArg(2));
}

/** recvmsg into the struct msghdr at hdr on socket f. */
function recvmsgAt(t: Task, f: FileDescription, hdr: u64, flags: i32): i64 {
  if ((flags & MSG_OOB) != 0) return -EOPNOTSUPP;
  const iov = new IoVec();
  const e = readMsghdr(t, hdr, iov);
  if (e < 0) return e;
  const name = load<u64>(BUF);
  const control = load<u64>(BUF + 32);
  const controlLen = load<u64>(BUF + 40) < INT_MAX ? load<u64>(BUF + 40) : INT_MAX;
  const got = new Received();
  const info = new MsgInfo();
  const r = recvOn(t, f, iov, flags, got, info);
  if (r < 0) return r;
  // Files received go into the caller's table and a SCM_RIGHTS message, as many as the
  // control buffer holds; the rest are closed and MSG_CTRUNC says so (scm_detach_fds()).
  let used: u64 = 0;
  let msgFlags = 0;
  if (got.files.length > 0) {
    const room = controlLen >= 16 ? <i32>((controlLen - 16) / 4) : 0;
    const n = got.files.length < room ? got.files.length : room;
    if (n < got.files.length) msgFlags |= MSG_CTRUNC;
    const lim = t.tg.rlimits.cur[RLIMIT_NOFILE];
    const limit = lim > 0x7fffffff ? 0x7fffffff : <i32>lim;
    let k = 0;
    for (let i = 0; i < got.files.length; i++) {
      if (i >= n) {
        got.files[i].put();
        continue;
      }
      const fd = t.fdTable.install(got.files[i], 0, limit, (flags & MSG_CMSG_CLOEXEC) != 0);
      if (fd < 0) {
        msgFlags |= MSG_CTRUNC;
        continue;
      }
      store<i32>(CMSG + 16 + <usize>(k * 4), fd);
      k++;
    }
    if (k > 0) {
      store<u64>(CMSG, <u64>(16 + k * 4));
      store<i32>(CMSG + 8, SOL_SOCKET);
      store<i32>(CMSG + 12, SCM_RIGHTS);
      if (t.mm.copyOut(control, CMSG, <u64>(16 + k * 4)) < 0) return -EFAULT;
      const space = <u64>((16 + k * 4 + 7) & ~7);
      used = space < controlLen ? space : controlLen;
    }
  }
  // The sender's name (a datagram's or a seqpacket's) when msg_name asks for it, and
  // MSG_TRUNC for a message cut to the buffer.
  if (name != 0) {
    const ne = putSender(t, info, name, hdr + 8);
    if (ne < 0) return ne;
  }
  if (info.truncated) msgFlags |= MSG_TRUNC;
  store<u64>(BUF, used);
  if (t.mm.copyOut(hdr + 40, BUF, 8) < 0) return -EFAULT;
  store<i32>(BUF, msgFlags);
  if (t.mm.copyOut(hdr + 48, BUF, 4) < 0) return -EFAULT;
  return r;
}

/** struct mmsghdr: a msghdr, then msg_len (the count moved), padded to 64 bytes. */
const MMSGHDR_SIZE: u64 = 64;
const MSG_LEN_AT: u64 = 56;
const MSG_WAITFORONE: i32 = 0x10000;

/** sendmmsg(2) and recvmmsg(2): one sendmsg or recvmsg per entry of the vector at vec (at
 *  most UIO_MAXIOV), each count written to its msg_len; the count of messages moved, or the
 *  first error when none moved. Only the first may wait: the others go as MSG_DONTWAIT, so
 *  the call ends when nothing more can move now (partial: a blocking recvmmsg without
 *  MSG_WAITFORONE waits for all of them in Linux, a blocking sendmmsg for room). A receive
 *  stops once the timeout (recvmmsg's, checked after each message) has passed. */
function mmsg(t: Task, send: bool, deadline: i64): i64 {
  const f = anySocketOf(t, <i32>sysArg(0));
  if (f === null) return -sockErr;
  const vec = sysArg(1);
  const vlen = <u32>sysArg(2) < <u32>IOV_MAX ? <u32>sysArg(2) : <u32>IOV_MAX;
  let flags = <i32>sysArg(3);
  let done: i64 = 0;
  let err: i64 = 0;
  for (let i: u32 = 0; i < vlen; i++) {
    const hdr = vec + <u64>i * MMSGHDR_SIZE;
    const r = send ? sendmsgAt(t, f, hdr, flags) : recvmsgAt(t, f, hdr, flags);
    // Only the first message may wait: a later one goes as MSG_DONTWAIT.
    if (r == RET_BLOCK) return r;
    if (r < 0) {
      err = r;
      break;
    }
    store<u32>(BUF, <u32>r);
    if (t.mm.copyOut(hdr + MSG_LEN_AT, BUF, 4) < 0) {
      err = -EFAULT;
      break;
    }
    done++;
    flags |= MSG_DONTWAIT;
    if (deadline >= 0 && monotonicNow() >= deadline) break;
  }
  return done > 0 ? done : err;
}

export function sysSendmmsg(t: Task): i64 {
  return mmsg(t, true, -1);
}

export function sysRecvmmsg(t: Task): i64 {
  let deadline: i64 = -1;
  if (sysArg(4) != 0) {
    if (t.mm.copyIn(sysArg(4), BUF, 16) < 0) return -EFAULT;
    const sec = load<i64>(BUF);
    const nsec = load<i64>(BUF + 8);
    if (sec < 0 || nsec < 0 || nsec >= 1000000000) return -EINVAL;
    deadline = saturatingAdd(monotonicNow(), toNs(sec, nsec));
  }
  return mmsg(t, false, deadline);
}

export function sysShutdown(t: Task): i64 {
  const f = anySocketOf(t, <i32>sysArg(0));
  if (f === null) return -sockErr;
  const how = <i32>sysArg(1);
  if (how < 0 || how > SHUT_RDWR) return -EINVAL;
  if (f instanceof UnixEnd) (<UnixEnd>f).shutdown(how);
  else if (f instanceof UnixDgramSocket) (<UnixDgramSocket>f).shutdown(how);
  else (<UnixStreamSocket>f).shutdown(how);
  return 0;
}

/** getsockopt(2) at SOL_SOCKET for what a unix stream pair can say; anything else is
 *  ENOPROTOOPT. The value is an int (struct ucred for SO_PEERCRED), cut to *optlen. */
export function sysGetsockopt(t: Task): i64 {
  const f = anySocketOf(t, <i32>sysArg(0));
  if (f === null) return -sockErr;
  const dgram = f instanceof UnixDgramSocket ? <UnixDgramSocket>f : null;
  let s: UnixEnd | null = null;
  if (f instanceof UnixEnd) s = <UnixEnd>f;
  else if (f instanceof UnixStreamSocket) s = (<UnixStreamSocket>f).connected();
  const type = f instanceof UnixEnd ? (<UnixEnd>f).type : (<UnixNamed>f).type;
  const listening = f instanceof UnixStreamSocket && (<UnixStreamSocket>f).listening;
  const level = <i32>sysArg(1);
  const name = <i32>sysArg(2);
  if (t.mm.copyIn(sysArg(4), BUF, 4) < 0) return -EFAULT;
  const len = load<i32>(BUF);
  if (len < 0) return -EINVAL;
  if (level != SOL_SOCKET) return -ENOPROTOOPT;
  let size = 4;
  if (name == SO_TYPE) store<i32>(BUF + 8, type);
  else if (name == SO_DOMAIN) store<i32>(BUF + 8, AF_UNIX);
  else if (name == SO_PROTOCOL || name == SO_PASSCRED) store<i32>(BUF + 8, 0);
  else if (name == SO_ERROR) store<i32>(BUF + 8, -takeError(f)); // read and cleared (sock_error())
  else if (name == SO_ACCEPTCONN) store<i32>(BUF + 8, listening ? 1 : 0);
  else if (name == SO_SNDBUF || name == SO_RCVBUF) store<i32>(BUF + 8, type == SOCK_STREAM ? DEFAULT_PIPE_SIZE : UNIX_SNDBUF);
  else if (name == SO_PEERCRED) {
    // struct ucred of the peer as connect or socketpair recorded it; a datagram pair: its
    // creator, a listener: whoever called listen (init_peercred() of both); nobody: pid 0
    // and ids -1, as cred_to_ucred() without a cred.
    let pid = 0;
    let uid: u32 = 0xffffffff;
    let gid: u32 = 0xffffffff;
    if (s !== null) {
      pid = s.peerPid;
      uid = s.peerUid;
      gid = s.peerGid;
    } else if (dgram !== null && dgram.paired) {
      pid = dgram.pid;
      uid = dgram.uid;
      gid = dgram.gid;
    } else if (listening) {
      const l = <UnixStreamSocket>f;
      pid = l.pid;
      uid = l.uid;
      gid = l.gid;
    }
    store<i32>(BUF + 8, pid);
    store<u32>(BUF + 12, uid);
    store<u32>(BUF + 16, gid);
    size = 12;
  } else return -ENOPROTOOPT;
  const n = len < size ? len : size;
  store<i32>(BUF, n);
  if (t.mm.copyOut(sysArg(3), BUF + 8, <u64>n) < 0 || t.mm.copyOut(sysArg(4), BUF, 4) < 0) return -EFAULT;
  return 0;
}

/** SOL_SOCKET options every socket takes in Linux (sock_setsockopt()) that change nothing a
 *  unix stream socket does here: SO_REUSEADDR, SO_DONTROUTE, SO_BROADCAST, SO_SNDBUF,
 *  SO_RCVBUF, SO_KEEPALIVE, SO_OOBINLINE, SO_PRIORITY, SO_REUSEPORT, SO_PASSCRED. */
const ACCEPTED_OPTIONS: i32[] = [2, 5, 6, 7, 8, 9, 10, 12, 15, 16];

/** setsockopt(2): the options above are taken without effect (getsockopt does not read them
 *  back); others, and options with effects not built yet (timeouts, SO_LINGER), are
 *  ENOPROTOOPT. */
export function sysSetsockopt(t: Task): i64 {
  const s = anySocketOf(t, <i32>sysArg(0));
  if (s === null) return -sockErr;
  if (<i32>sysArg(1) != SOL_SOCKET) return -ENOPROTOOPT;
  const name = <i32>sysArg(2);
  if (!ACCEPTED_OPTIONS.includes(name)) return -ENOPROTOOPT;
  if (<i32>sysArg(4) < 4) return -EINVAL;
  if (t.mm.copyIn(sysArg(3), BUF, 4) < 0) return -EFAULT;
  return 0;
}

/** getsockname/getpeername: the bound name of this end or of its peer (a socketpair's ends
 *  and unbound sockets are unnamed: sun_family only, 2 bytes). */
function sockName(t: Task, peer: bool): i64 {
  const f = anySocketOf(t, <i32>sysArg(0));
  if (f === null) return -sockErr;
  let name: Uint8Array;
  if (f instanceof UnixEnd) {
    name = peer ? (<UnixEnd>f).peerName : (<UnixEnd>f).localName;
  } else if (!peer) {
    name = (<UnixNamed>f).name;
  } else if (f instanceof UnixDgramSocket) {
    const p = (<UnixDgramSocket>f).peer;
    if (p === null) return -ENOTCONN;
    name = p.name;
  } else {
    const s = <UnixStreamSocket>f;
    if (s.conn === null) return -ENOTCONN;
    name = s.conn!.peerName;
  }
  return putSockaddr(t, name, sysArg(1), sysArg(2));
}

export function sysGetsockname(t: Task): i64 { return sockName(t, false); }
export function sysGetpeername(t: Task): i64 { return sockName(t, true); }
