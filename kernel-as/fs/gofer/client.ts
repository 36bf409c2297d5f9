// The 9P2000.L client: one connection to the Gofer, one request at a time (the Sentry's thread
// is the only caller), fids allocated here. With the "9P2000.L.wvisor" version the Gofer
// donates the host fd of every regular file it opens, so file data never crosses 9P.
import { p9Post, p9Rpc, p9TakeFd } from "../../host";
import { EBADF, EIO, ENOENT } from "../../abi/errno";
import { decode, encode, Fields, HEADER_SIZE, NOFID, NOTAG, Qid, Rlerror, Tattach, Tclunk, Tgetattr, Tgetattrat, Tlopen, Treaddirplus, Tread, Treaddir, Treadlink, Tstatfs, Tversion, Twalk } from "./p9";

export const VERSION_DONATING = "9P2000.L.wvisor";
export const VERSION = "9P2000.L";
const MSIZE: i32 = 256 * 1024;
/** Rgetattr fields wanted: P9_GETATTR_BASIC (mode, nlink, uid, gid, rdev, times, ino, size, blocks). */
const GETATTR_BASIC: u64 = 0x7ff;

/** Attributes from Rgetattr, in the order of its fields. */
export class P9Attr {
  qid: Qid = new Qid();
  mode: u32 = 0;
  uid: u32 = 0;
  gid: u32 = 0;
  nlink: u64 = 0;
  rdev: u64 = 0;
  size: u64 = 0;
  blksize: u64 = 0;
  blocks: u64 = 0;
  atimeNs: i64 = 0;
  mtimeNs: i64 = 0;
  ctimeNs: i64 = 0;
}

export class P9Client {
  /** errno of the last failed call (Rlerror's code, or EIO for a broken reply). */
  err: i32 = 0;
  donates: bool = false;
  msize: i32 = MSIZE;
  /** The fd donated with the last Rlopen/Rlcreate, or -1. */
  lastFd: i32 = -1;
  /** The symlink target the last getattrAt read ("" for other files). */
  lastTarget: string = "";
  private nextFid: u32 = 1;
  private postTag: u16 = 0;
  private freeFids: u32[] = [];
  private req: ArrayBuffer = new ArrayBuffer(MSIZE);
  private reply: ArrayBuffer = new ArrayBuffer(MSIZE);

  allocFid(): u32 {
    return this.freeFids.length > 0 ? this.freeFids.pop() : this.nextFid++;
  }

  /** One round trip. Returns the decoded reply or null with err set. */
  rpc(type: u8, f: Fields): Fields | null {
    const req = changetype<usize>(this.req);
    const reply = changetype<usize>(this.reply);
    const len = encode(type, type == Tversion ? NOTAG : 0, f, req, this.msize);
    if (len < 0) {
      this.err = EIO;
      return null;
    }
    const n = p9Rpc(req, len, reply, this.msize);
    this.lastFd = p9TakeFd();
    if (n < 0) {
      this.err = -n;
      return null;
    }
    if (n < HEADER_SIZE || load<u32>(reply) != <u32>n) {
      this.err = EIO;
      return null;
    }
    const rtype = load<u8>(reply + 4);
    if (rtype == Rlerror && n >= HEADER_SIZE + 4) {
      this.err = <i32>load<u32>(reply + HEADER_SIZE);
      if (this.err == 0) this.err = EIO;
      return null;
    }
    if (rtype != type + 1) {
      this.err = EIO;
      return null;
    }
    const out = decode(type, reply, n);
    if (out === null) this.err = EIO;
    return out;
  }

  /** Negotiates the version and message size. Returns 0 or -errno. */
  connect(): i32 {
    let r = this.rpc(Tversion, new Fields().num(<u64>MSIZE).str(VERSION_DONATING));
    // A server that does not know the extension may refuse it (diod answers Rlerror EIO)
    // instead of offering plain 9P2000.L: ask for that then.
    if (r === null) r = this.rpc(Tversion, new Fields().num(<u64>MSIZE).str(VERSION));
    if (r === null) return -this.err;
    const version = r.strs[0];
    if (version != VERSION_DONATING && version != VERSION) return -EIO;
    this.donates = version == VERSION_DONATING;
    const m = <i32>r.nums[0];
    if (m < 4096) return -EIO;
    if (m < this.msize) this.msize = m;
    return 0;
  }

  /** Attaches to the served tree; the fid of its root, or -errno. */
  attach(aname: string): i64 {
    const fid = this.allocFid();
    const r = this.rpc(Tattach, new Fields().num(fid).num(NOFID).str("root").str(aname).num(0));
    if (r === null) {
      this.freeFids.push(fid);
      return -this.err;
    }
    return fid;
  }

  /** Walks names from fid to a new fid (no names: a clone). The new fid, or -errno. */
  walk(fid: u32, names: string[]): i64 {
    const nfid = this.allocFid();
    const f = new Fields().num(fid).num(nfid);
    for (let i = 0; i < names.length; i++) f.str(names[i]);
    const r = this.rpc(Twalk, f);
    if (r === null || r.qids.length != names.length) {
      // A partial walk leaves newfid unused (9P: only a complete walk binds it).
      this.freeFids.push(nfid);
      if (r !== null) this.err = ENOENT;
      return -this.err;
    }
    return nfid;
  }

  getattr(fid: u32, a: P9Attr): i32 {
    const r = this.rpc(Tgetattr, new Fields().num(fid).num(GETATTR_BASIC));
    if (r === null) return -this.err;
    readAttrAt(changetype<usize>(this.reply) + <usize>HEADER_SIZE, a);
    return 0;
  }

  /** The attributes of name in directory dfid without a fid (and, for a symlink, its target
   *  in lastTarget): 0 or -errno. Only a donating (wvisor) Gofer has it; callers check
   *  `donates` first. */
  getattrAt(dfid: u32, name: string, a: P9Attr): i32 {
    const r = this.rpc(Tgetattrat, new Fields().num(dfid).num(GETATTR_BASIC).str(name));
    if (r === null) return -this.err;
    readAttrAt(changetype<usize>(this.reply) + <usize>HEADER_SIZE, a);
    this.lastTarget = r.strs[0];
    return 0;
  }

  /** Walks names from fid to a new fid and opens that with Linux open flags: the new fid, or
   *  -errno; a donated fd is in lastFd. On a wvisor Gofer the walk is posted and the open
   *  sent at once, one round trip for both (the Gofer answers in order). An open that finds
   *  no fid (EBADF) means the walk failed: it is made again, for its own error. */
  walkOpen(fid: u32, names: string[], flags: u32): i64 {
    if (this.donates) {
      const nfid = this.allocFid();
      const f = new Fields().num(fid).num(nfid);
      for (let i = 0; i < names.length; i++) f.str(names[i]);
      this.post(Twalk, f);
      if (this.lopen(nfid, flags) >= 0) return nfid;
      const err = this.err;
      // Clunked either way: if the walk did bind the fid after all, it must not stay bound.
      this.clunk(nfid);
      if (err != EBADF) return -err;
    }
    const w = this.walk(fid, names);
    if (w < 0) return w;
    if (this.lopen(<u32>w, flags) >= 0) return w;
    const err = this.err;
    this.clunk(<u32>w);
    return -err;
  }

  /** Opens fid with Linux open flags; returns the iounit, or -errno. A donated fd is in lastFd. */
  lopen(fid: u32, flags: u32): i64 {
    const r = this.rpc(Tlopen, new Fields().num(fid).num(flags));
    if (r === null) return -this.err;
    return <i64>r.nums[0];
  }

  /** Reads up to count bytes at off; the data stays in the reply buffer (dataPtr/dataLen). */
  read(fid: u32, off: u64, count: u32): Fields | null {
    return this.rpc(Tread, new Fields().num(fid).num(off).num(count));
  }

  /** Treaddir, or on a wvisor Gofer Treaddirplus (entries with attributes: see
   *  readDirentPlus). */
  readdir(fid: u32, off: u64, count: u32): Fields | null {
    return this.rpc(this.donates ? Treaddirplus : Treaddir, new Fields().num(fid).num(off).num(count));
  }

  readlink(fid: u32): string | null {
    const r = this.rpc(Treadlink, new Fields().num(fid));
    return r === null ? null : r.strs[0];
  }

  statfs(fid: u32): Fields | null {
    return this.rpc(Tstatfs, new Fields().num(fid));
  }

  /** Clunks fid. A wvisor Gofer answers requests in the order they come (gofer/README.md),
   *  so the clunk is posted: its reply is read with the next request's, and a fid reused by
   *  that request is free by the time the Gofer reads it. */
  clunk(fid: u32): void {
    const f = new Fields().num(fid);
    if (this.donates) this.post(Tclunk, f);
    else this.rpc(Tclunk, f);
    this.freeFids.push(fid);
  }

  /** Sends a request whose reply nobody waits for (see clunk). Its tag is its own among the
   *  posted requests that may be unanswered at once (9P: tags of outstanding requests
   *  differ); rpc's requests use tag 0. */
  private post(type: u8, f: Fields): void {
    const req = changetype<usize>(this.req);
    this.postTag = this.postTag % 0xfffe + 1;
    const len = encode(type, this.postTag, f, req, this.msize);
    // A failed send breaks the connection: the next rpc reports it.
    if (len >= 0) p9Post(req, len);
  }
}


/** Size of Rgetattr's fields in a Rreaddirplus entry. */
const ATTR_SIZE: usize = 153;

/** Reads Rgetattr's fields at p (a reply's body, or within a Rreaddirplus entry) into a:
 *  valid[8] qid[13] mode[4] uid[4] gid[4] nlink[8] rdev[8] size[8] blksize[8] blocks[8]
 *  atime[16] mtime[16] ctime[16] ... */
export function readAttrAt(p: usize, a: P9Attr): void {
  a.qid.type = load<u8>(p + 8);
  a.qid.version = load<u32>(p + 9);
  a.qid.path = load<u64>(p + 13);
  a.mode = load<u32>(p + 21);
  a.uid = load<u32>(p + 25);
  a.gid = load<u32>(p + 29);
  a.nlink = load<u64>(p + 33);
  a.rdev = load<u64>(p + 41);
  a.size = load<u64>(p + 49);
  a.blksize = load<u64>(p + 57);
  a.blocks = load<u64>(p + 65);
  a.atimeNs = load<i64>(p + 73) * 1000000000 + load<i64>(p + 81);
  a.mtimeNs = load<i64>(p + 89) * 1000000000 + load<i64>(p + 97);
  a.ctimeNs = load<i64>(p + 105) * 1000000000 + load<i64>(p + 113);
}

/** One entry of a Treaddir or Treaddirplus reply, as parseDirent reads it. */
export class Dirent {
  name: string = "";
  ino: u64 = 0;
  type: u8 = 0;
  /** Where the next request resumes. */
  offset: u64 = 0;
  /** With Treaddirplus: the attributes and a symlink's target. */
  attr: P9Attr | null = null;
  target: string = "";
  /** Bytes the entry took, or 0 when it runs past end (a broken reply). */
  size: usize = 0;
}

/** Reads the entry at p (before end): qid[13] offset[8] type[1] name[s], and with plus
 *  Rgetattr's fields and target[s]. */
export function parseDirent(p: usize, end: usize, plus: bool): Dirent {
  const e = new Dirent();
  if (p + 24 > end) return e;
  e.ino = load<u64>(p + 5);
  e.offset = load<u64>(p + 13);
  e.type = load<u8>(p + 21);
  const n = <usize>load<u16>(p + 22);
  let q = p + 24 + n;
  if (q > end) return e;
  e.name = String.UTF8.decodeUnsafe(p + 24, n);
  if (plus) {
    if (q + ATTR_SIZE + 2 > end) return e;
    const a = new P9Attr();
    readAttrAt(q, a);
    e.attr = a;
    q += ATTR_SIZE;
    const tn = <usize>load<u16>(q);
    if (q + 2 + tn > end) return e;
    e.target = String.UTF8.decodeUnsafe(q + 2, tn);
    q += 2 + tn;
  }
  e.size = q - p;
  return e;
}
