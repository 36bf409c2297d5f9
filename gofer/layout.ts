// A little-endian record codec: a record is described once, as a list of named typed fields,
// and its encoding and decoding follow from that list. The 9P2000.L messages
// (protocol/messages.ts) and the Linux ABI structs the gofer passes to the host kernel
// (host/abi.ts: statx, statfs, flock, msghdr, ...) are both described this way, so no handler
// computes an offset by hand.
//
// Decoding never trusts the input: every read checks the bytes left and throws
// Errno(EINVAL) when a field runs past the end, so a truncated or lying message becomes an
// Rlerror, never an exception of another kind. Decoded strings and data are views of the
// buffer they came from (no copy): they stay valid only while that buffer is not reused.
import { Errno, EINVAL, EMSGSIZE } from './errno.js';

/** A cursor over buf[off, end). */
export class Reader {
  constructor(
    readonly buf: Buffer,
    public off: number,
    readonly end: number,
  ) {}

  /** Claims n bytes and returns their offset; throws EINVAL when fewer are left. */
  take(n: number, what: string): number {
    const at = this.off;
    if (n < 0 || this.end - at < n) throw new Errno(EINVAL, `truncated ${what}`);
    this.off = at + n;
    return at;
  }

  get left(): number {
    return this.end - this.off;
  }
}

/**
 * One field type. V is what decoding yields, I what encoding accepts.
 * `fixed` is the encoded size when it does not depend on the value (else -1); `align` is the
 * natural alignment the type has inside a C struct (checked by abiStruct).
 */
export interface Field<V, I = V> {
  readonly kind: string;
  readonly fixed: number;
  readonly align: number;
  size(v: I): number;
  /** Writes v at off and returns the offset after it. The caller has checked the room. */
  write(buf: Buffer, off: number, v: I): number;
  read(r: Reader): V;
}

function scalar<V>(kind: string, n: number, write: (b: Buffer, o: number, v: V) => void, read: (b: Buffer, o: number) => V): Field<V> {
  return {
    kind,
    fixed: n,
    align: n,
    size: () => n,
    write(b, o, v) {
      write(b, o, v);
      return o + n;
    },
    read: (r) => read(r.buf, r.take(n, kind)),
  };
}

// Integer writes take the value modulo 2^n, as a C conversion would (so -1 becomes ~0).
export const u8 = scalar<number>('u8', 1, (b, o, v) => { b[o] = v & 0xff; }, (b, o) => b[o]);
export const u16 = scalar<number>('u16', 2, (b, o, v) => b.writeUInt16LE(v & 0xffff, o), (b, o) => b.readUInt16LE(o));
export const i16 = scalar<number>('i16', 2, (b, o, v) => b.writeInt16LE((v << 16) >> 16, o), (b, o) => b.readInt16LE(o));
export const u32 = scalar<number>('u32', 4, (b, o, v) => b.writeUInt32LE(v >>> 0, o), (b, o) => b.readUInt32LE(o));
export const i32 = scalar<number>('i32', 4, (b, o, v) => b.writeInt32LE(v | 0, o), (b, o) => b.readInt32LE(o));
export const u64 = scalar<bigint>('u64', 8, (b, o, v) => b.writeBigUInt64LE(BigInt.asUintN(64, v), o), (b, o) => b.readBigUInt64LE(o));
export const i64 = scalar<bigint>('i64', 8, (b, o, v) => b.writeBigInt64LE(BigInt.asIntN(64, v), o), (b, o) => b.readBigInt64LE(o));

/** n bytes of padding (C struct holes, reserved words): written as zeros, skipped on read. */
export function pad(n: number): Field<undefined> {
  return {
    kind: `pad${n}`,
    fixed: n,
    align: 1,
    size: () => n,
    write(b, o) {
      b.fill(0, o, o + n);
      return o + n;
    },
    read(r) {
      r.take(n, 'padding');
      return undefined;
    },
  };
}

export type Bytes = Buffer | Uint8Array;
/** What a string field accepts: a JS string (sent as UTF-8) or raw bytes (names are bytes). */
export type StrIn = string | Bytes;

function byteLengthOf(v: StrIn): number {
  return typeof v === 'string' ? Buffer.byteLength(v) : v.length;
}

function copyIn(b: Buffer, o: number, v: StrIn): number {
  if (typeof v === 'string') return b.write(v, o, 'utf8');
  // Skip the copy when the caller produced the bytes in place (Rread/Rreaddir fill the
  // reply buffer directly).
  if (v.buffer !== b.buffer || v.byteOffset !== b.byteOffset + o) b.set(v, o);
  return v.length;
}

/** 9P string: len[2] then that many bytes (UTF-8 by convention; names are kept as bytes). */
export const str: Field<Buffer, StrIn> = {
  kind: 'str',
  fixed: -1,
  align: 1,
  size: (v) => 2 + byteLengthOf(v),
  write(b, o, v) {
    const n = byteLengthOf(v);
    if (n > 0xffff) throw new Errno(EMSGSIZE, 'string longer than 65535 bytes');
    b.writeUInt16LE(n, o);
    return o + 2 + copyIn(b, o + 2, v);
  },
  read(r) {
    const n = u16.read(r);
    const at = r.take(n, 'string');
    return r.buf.subarray(at, at + n);
  },
};

/** 9P data: count[4] then count bytes (Tread/Twrite payloads, Rreaddir entries). */
export const data: Field<Buffer, Bytes> = {
  kind: 'data',
  fixed: -1,
  align: 1,
  size: (v) => 4 + v.length,
  write(b, o, v) {
    b.writeUInt32LE(v.length, o);
    return o + 4 + copyIn(b, o + 4, v);
  },
  read(r) {
    const n = u32.read(r);
    const at = r.take(n, 'data');
    return r.buf.subarray(at, at + n);
  },
};

/** A fixed-size byte array (char name[N] in C): zero-padded on write. */
export function bytes(n: number): Field<Buffer, StrIn> {
  return {
    kind: `bytes${n}`,
    fixed: n,
    align: 1,
    size: () => n,
    write(b, o, v) {
      if (byteLengthOf(v) > n) throw new Errno(EINVAL, `more than ${n} bytes for a byte array`);
      const w = copyIn(b, o, v);
      b.fill(0, o + w, o + n);
      return o + n;
    },
    read(r) {
      const at = r.take(n, 'byte array');
      return r.buf.subarray(at, at + n);
    },
  };
}

/** A 9P array: count[2] then count elements (Twalk's names, Rwalk's qids). */
export function array<V, I>(elem: Field<V, I>, max = 0xffff): Field<V[], readonly I[]> {
  return {
    kind: `array(${elem.kind})`,
    fixed: -1,
    align: 1,
    size(v) {
      let n = 2;
      for (const e of v) n += elem.size(e);
      return n;
    },
    write(b, o, v) {
      if (v.length > max) throw new Errno(EINVAL, `array of ${v.length} elements (at most ${max})`);
      b.writeUInt16LE(v.length, o);
      o += 2;
      for (const e of v) o = elem.write(b, o, e);
      return o;
    },
    read(r) {
      const n = u16.read(r);
      if (n > max) throw new Errno(EINVAL, `array of ${n} elements (at most ${max})`);
      const out: V[] = [];
      for (let i = 0; i < n; i++) out.push(elem.read(r));
      return out;
    },
  };
}

/**
 * A trailing field that older peers leave out (Tfsync's datasync was added to Linux's client
 * later): decodes to `absent` when the message ends before it; always encoded.
 */
export function optional<V, I>(f: Field<V, I>, absent: V): Field<V, I> {
  return {
    kind: `optional(${f.kind})`,
    fixed: -1,
    align: f.align,
    size: (v) => f.size(v),
    write: (b, o, v) => f.write(b, o, v),
    read: (r) => (r.left === 0 ? absent : f.read(r)),
  };
}

export type FieldList = readonly (readonly [string, Field<any, any>])[];
type IsPad<F> = F extends Field<undefined, any> ? true : false;
/** The decoded value of a record (padding left out). */
export type Out<L extends FieldList> = {
  [E in L[number] as IsPad<E[1]> extends true ? never : E[0]]: E[1] extends Field<infer V, any> ? V : never;
};
/** What encoding a record needs (padding left out). */
export type In<L extends FieldList> = {
  [E in L[number] as IsPad<E[1]> extends true ? never : E[0]]: E[1] extends Field<any, infer I> ? I : never;
};

/** A record: fields one after the other, no implicit padding. Usable itself as a field. */
export class Struct<L extends FieldList> implements Field<Out<L>, In<L>> {
  readonly kind: string;
  readonly fixed: number;
  readonly align: number;
  private readonly offsets = new Map<string, number>();

  constructor(
    readonly name: string,
    readonly fields: L,
  ) {
    this.kind = name;
    let off = 0;
    let align = 1;
    for (const [fname, f] of fields) {
      if (off >= 0) this.offsets.set(fname, off);
      off = off >= 0 && f.fixed >= 0 ? off + f.fixed : -1;
      align = Math.max(align, f.align);
    }
    this.fixed = off;
    this.align = align;
  }

  size(v: In<L>): number {
    if (this.fixed >= 0) return this.fixed;
    const rec = v as Record<string, unknown>;
    let n = 0;
    for (const [fname, f] of this.fields) n += f.size(rec[fname]);
    return n;
  }

  write(b: Buffer, o: number, v: In<L>): number {
    const rec = v as Record<string, unknown>;
    for (const [fname, f] of this.fields) o = f.write(b, o, rec[fname]);
    return o;
  }

  read(r: Reader): Out<L> {
    const out: Record<string, unknown> = {};
    for (const [fname, f] of this.fields) {
      const v = f.read(r);
      if (!f.kind.startsWith('pad')) out[fname] = v;
    }
    return out as Out<L>;
  }

  /** Decodes a whole record from buf at off. */
  decode(buf: Buffer, off = 0, end = buf.length): Out<L> {
    return this.read(new Reader(buf, off, end));
  }

  /** Encodes into buf at off (or a new buffer) and returns the bytes written. */
  encode(v: In<L>, buf?: Buffer, off = 0): Buffer {
    const n = this.size(v);
    const b = buf ?? Buffer.alloc(n);
    if (b.length - off < n) throw new Errno(EMSGSIZE, `${this.name}: ${n} bytes do not fit`);
    this.write(b, off, v);
    return b.subarray(off, off + n);
  }

  /** Byte offset of a field; only for fields before the first variable-size one. */
  offsetOf(fname: L[number][0]): number {
    const o = this.offsets.get(fname);
    if (o === undefined) throw new Error(`${this.name}.${fname} has no fixed offset`);
    return o;
  }

  /** Reads one field of a record that starts at off (hot paths that need one value). */
  get<K extends keyof Out<L> & string>(buf: Buffer, fname: K, off = 0): Out<L>[K] {
    const f = this.fields.find((e) => e[0] === fname)![1];
    return f.read(new Reader(buf, off + this.offsetOf(fname), buf.length)) as Out<L>[K];
  }
}

export function struct<const L extends FieldList>(name: string, fields: L): Struct<L> {
  return new Struct(name, fields);
}

/**
 * A C struct of the x86-64 Linux ABI. The description must spell out every hole as pad(n);
 * this checks at load time that each field sits at its natural alignment and that the size
 * is a multiple of the struct's alignment, so a forgotten hole fails loudly, not silently.
 */
export function abiStruct<const L extends FieldList>(name: string, fields: L, expectedSize: number): Struct<L> {
  const s = new Struct(name, fields);
  let off = 0;
  for (const [fname, f] of fields) {
    if (f.fixed < 0) throw new Error(`${name}.${fname}: variable-size field in an ABI struct`);
    if (off % f.align !== 0) throw new Error(`${name}.${fname} at ${off} is not ${f.align}-aligned`);
    off += f.fixed;
  }
  if (off % s.align !== 0 || off !== expectedSize) {
    throw new Error(`${name} is ${off} bytes, expected ${expectedSize} (alignment ${s.align})`);
  }
  return s;
}
