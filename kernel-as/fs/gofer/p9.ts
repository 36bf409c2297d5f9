// The 9P2000.L wire format (Linux Documentation/filesystems/9p.rst, diod's protocol.md),
// described once per message as a field list from which both encoding and decoding follow.
// Field kinds: 1 2 4 8 = little-endian integers of that many bytes, s = string (u16 length
// + bytes), Q = qid (type[1] version[4] path[8]), W = walk names (u16 count + strings),
// R = qid list (u16 count + qids), D = data (u32 count + bytes), rest of the message.
// Every message starts with size[4] type[1] tag[2].

export const Tlerror: u8 = 6;
export const Rlerror: u8 = 7;
export const Tstatfs: u8 = 8;
export const Tlopen: u8 = 12;
export const Tlcreate: u8 = 14;
export const Tsymlink: u8 = 16;
export const Tmknod: u8 = 18;
export const Treadlink: u8 = 22;
export const Tgetattr: u8 = 24;
export const Tsetattr: u8 = 26;
export const Treaddir: u8 = 40;
export const Tfsync: u8 = 50;
export const Tlink: u8 = 70;
export const Tmkdir: u8 = 72;
export const Trenameat: u8 = 74;
export const Tunlinkat: u8 = 76;
export const Tversion: u8 = 100;
export const Tattach: u8 = 104;
export const Twalk: u8 = 110;
export const Tread: u8 = 116;
export const Twrite: u8 = 118;
export const Tclunk: u8 = 120;
/** The wvisor extension (gofer/README.md): attributes of a name in a directory, and a
 *  symlink's target, in one round trip. */
export const Tgetattrat: u8 = 150;
/** The wvisor extension: Treaddir whose entries carry their attributes. */
export const Treaddirplus: u8 = 152;

export const NOTAG: u16 = 0xffff;
export const NOFID: u32 = 0xffffffff;
export const HEADER_SIZE: i32 = 7;

/** Request and reply layouts (after the header), by T-message type; the reply is type + 1. */
export function requestSpec(type: u8): string {
  switch (type) {
    case Tversion: return "4s";
    case Tattach: return "44ss4";
    case Twalk: return "44W";
    case Tgetattr: return "48";
    case Tsetattr: return "444488888";
    case Tlopen: return "44";
    case Tlcreate: return "4s444";
    case Tread: return "484";
    case Twrite: return "48D";
    case Treaddir: return "484";
    case Treadlink: return "4";
    case Tclunk: return "4";
    case Tstatfs: return "4";
    case Tmkdir: return "4s44";
    case Tsymlink: return "4ss4";
    case Tmknod: return "4s4444";
    case Tlink: return "44s";
    case Trenameat: return "4s4s";
    case Tunlinkat: return "4s4";
    case Tfsync: return "44";
    case Tgetattrat: return "48s";
    case Treaddirplus: return "484";
  }
  return "";
}

export function replySpec(type: u8): string {
  switch (type) {
    case Tversion: return "4s";
    case Tattach: return "Q";
    case Twalk: return "R";
    case Tgetattr: return "8Q444888888888888888";
    case Tgetattrat: return "8Q444888888888888888s";
    case Treaddirplus: return "D";
    case Tlopen: return "Q4";
    case Tlcreate: return "Q4";
    case Tread: return "D";
    case Twrite: return "4";
    case Treaddir: return "D";
    case Treadlink: return "s";
    case Tstatfs: return "44888888" + "84";
    case Tmkdir: return "Q";
    case Tsymlink: return "Q";
    case Tmknod: return "Q";
  }
  return ""; // Rclunk, Rsetattr, Rlink, Rrenameat, Runlinkat, Rfsync carry nothing
}

export class Qid {
  type: u8 = 0;
  version: u32 = 0;
  path: u64 = 0;
}

/** The values of one message, in field order: integers in nums, strings in strs, qids in qids,
 *  and data as a range of the buffer it was decoded from (or the bytes to send). */
export class Fields {
  nums: u64[] = [];
  strs: string[] = [];
  qids: Qid[] = [];
  dataPtr: usize = 0;
  dataLen: u32 = 0;

  num(v: u64): Fields {
    this.nums.push(v);
    return this;
  }

  str(s: string): Fields {
    this.strs.push(s);
    return this;
  }

  data(ptr: usize, len: u32): Fields {
    this.dataPtr = ptr;
    this.dataLen = len;
    return this;
  }
}

/** Encodes a T-message into buf (of cap bytes). Returns its size, or -1 if it does not fit. */
export function encode(type: u8, tag: u16, f: Fields, buf: usize, cap: i32): i32 {
  const spec = requestSpec(type);
  let p: i32 = HEADER_SIZE;
  let ni = 0;
  let si = 0;
  for (let k = 0; k < spec.length; k++) {
    const c = spec.charCodeAt(k);
    if (c == 0x31 || c == 0x32 || c == 0x34 || c == 0x38) {
      const n = c - 0x30;
      if (p + n > cap) return -1;
      const v = f.nums[ni++];
      if (n == 1) store<u8>(buf + p, <u8>v);
      else if (n == 2) store<u16>(buf + p, <u16>v);
      else if (n == 4) store<u32>(buf + p, <u32>v);
      else store<u64>(buf + p, v);
      p += n;
    } else if (c == 0x73 /* s */) {
      p = putString(f.strs[si++], buf, p, cap);
      if (p < 0) return -1;
    } else if (c == 0x57 /* W */) {
      if (p + 2 > cap) return -1;
      const count = f.strs.length - si;
      store<u16>(buf + p, <u16>count);
      p += 2;
      for (let i = 0; i < count; i++) {
        p = putString(f.strs[si++], buf, p, cap);
        if (p < 0) return -1;
      }
    } else if (c == 0x44 /* D */) {
      if (p + 4 + <i32>f.dataLen > cap) return -1;
      store<u32>(buf + p, f.dataLen);
      memory.copy(buf + p + 4, f.dataPtr, f.dataLen);
      p += 4 + <i32>f.dataLen;
    }
  }
  store<u32>(buf, <u32>p);
  store<u8>(buf + 4, type);
  store<u16>(buf + 5, tag);
  return p;
}

function putString(s: string, buf: usize, p: i32, cap: i32): i32 {
  const b = String.UTF8.encode(s);
  if (b.byteLength > 0xffff || p + 2 + b.byteLength > cap) return -1;
  store<u16>(buf + p, <u16>b.byteLength);
  memory.copy(buf + p + 2, changetype<usize>(b), b.byteLength);
  return p + 2 + b.byteLength;
}

/** Decodes the body of a reply to a `type` request from buf[0..len). Returns null when the
 *  message is malformed (a Gofer bug or a hostile peer: the caller answers EIO). */
export function decode(type: u8, buf: usize, len: i32): Fields | null {
  const spec = replySpec(type);
  const f = new Fields();
  let p: i32 = HEADER_SIZE;
  for (let k = 0; k < spec.length; k++) {
    const c = spec.charCodeAt(k);
    if (c == 0x31 || c == 0x32 || c == 0x34 || c == 0x38) {
      const n = c - 0x30;
      if (p + n > len) return null;
      if (n == 1) f.nums.push(<u64>load<u8>(buf + p));
      else if (n == 2) f.nums.push(<u64>load<u16>(buf + p));
      else if (n == 4) f.nums.push(<u64>load<u32>(buf + p));
      else f.nums.push(load<u64>(buf + p));
      p += n;
    } else if (c == 0x73 /* s */) {
      if (p + 2 > len) return null;
      const n = <i32>load<u16>(buf + p);
      if (p + 2 + n > len) return null;
      f.strs.push(String.UTF8.decodeUnsafe(buf + p + 2, n));
      p += 2 + n;
    } else if (c == 0x51 /* Q */) {
      if (p + 13 > len) return null;
      f.qids.push(readQid(buf + p));
      p += 13;
    } else if (c == 0x52 /* R */) {
      if (p + 2 > len) return null;
      const n = <i32>load<u16>(buf + p);
      p += 2;
      if (p + 13 * n > len) return null;
      for (let i = 0; i < n; i++) {
        f.qids.push(readQid(buf + p));
        p += 13;
      }
    } else if (c == 0x44 /* D */) {
      if (p + 4 > len) return null;
      const n = load<u32>(buf + p);
      if (<u64>p + 4 + <u64>n > <u64>len) return null;
      f.dataPtr = buf + p + 4;
      f.dataLen = n;
      p += 4 + <i32>n;
    }
  }
  return f;
}

export function readQid(p: usize): Qid {
  const q = new Qid();
  q.type = load<u8>(p);
  q.version = load<u32>(p + 1);
  q.path = load<u64>(p + 5);
  return q;
}
