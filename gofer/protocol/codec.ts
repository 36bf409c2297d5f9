// Framing and the message codec derived from the table in messages.ts.
//
// A frame is size[4] type[1] tag[2] body, little endian, size counting the whole frame. The
// transport cuts the byte stream into frames (checking size against msize); this file turns
// a frame into a typed request or reply and back. Both directions are here so that the
// server and the test client share one description.
import { Errno, EINVAL, EMSGSIZE, EOPNOTSUPP } from '../errno.js';
import { Reader, type FieldList, type In, type Out } from '../layout.js';
import { HEADER_SIZE } from './constants.js';
import { MESSAGES, RLERROR, rlerror, type MessageName, type Messages } from './messages.js';

export type RequestBody<K extends MessageName> = Out<Messages[K]['t']>;
export type RequestInput<K extends MessageName> = In<Messages[K]['t']>;
export type ReplyBody<K extends MessageName> = Out<Messages[K]['r']>;
export type ReplyInput<K extends MessageName> = In<Messages[K]['r']>;

/** A decoded request: the discriminated union over every message name. */
export type Request = { [K in MessageName]: { name: K; tag: number; body: RequestBody<K> } }[MessageName];
/** A decoded reply: a message's R, or Rlerror. */
export type Reply =
  | { [K in MessageName]: { name: K; tag: number; body: ReplyBody<K> } }[MessageName]
  | { name: 'lerror'; tag: number; body: { ecode: number } };

const byTType = new Map<number, MessageName>();
const byRType = new Map<number, MessageName>();
for (const name of Object.keys(MESSAGES) as MessageName[]) {
  const t = MESSAGES[name].type;
  // Invariants of the table: T numbers even, unique, R = T + 1, nothing collides with Rlerror.
  if (t % 2 !== 0 || byTType.has(t) || t + 1 === RLERROR) throw new Error(`9P table: bad type ${t} for ${name}`);
  byTType.set(t, name);
  byRType.set(t + 1, name);
}

/** The message name of a T type number, if known. */
export function requestName(type: number): MessageName | undefined {
  return byTType.get(type);
}

/** The fields of a frame's header. The caller guarantees frame.length >= HEADER_SIZE. */
export function frameHeader(frame: Buffer): { size: number; type: number; tag: number } {
  return { size: frame.readUInt32LE(0), type: frame[4], tag: frame.readUInt16LE(5) };
}

function decodeBody<L extends FieldList>(fields: L, frame: Buffer): Out<L> {
  const r = new Reader(frame, HEADER_SIZE, frame.length);
  const out: Record<string, unknown> = {};
  for (const [name, f] of fields) out[name] = f.read(r);
  // Bytes after the last field are tolerated (a newer peer may append fields, as Linux did
  // to Tfsync); a field that runs past the end is not (Reader throws EINVAL).
  return out as Out<L>;
}

/**
 * Decodes a request frame. Throws Errno: EOPNOTSUPP for a type this server does not know
 * (including the 9P2000 and 9P2000.u messages that 9P2000.L replaced), EINVAL for a body
 * that ends inside a field. The header has been checked by the transport.
 */
export function decodeRequest(frame: Buffer): Request {
  const { type, tag } = frameHeader(frame);
  const name = byTType.get(type);
  if (name === undefined) throw new Errno(EOPNOTSUPP, `unknown message type ${type}`);
  return { name, tag, body: decodeBody(MESSAGES[name].t, frame) } as Request;
}

/** Decodes a reply frame (the client side). */
export function decodeReply(frame: Buffer): Reply {
  const { size, type, tag } = frameHeader(frame);
  if (size !== frame.length) throw new Errno(EINVAL, `frame of ${frame.length} bytes says ${size}`);
  if (type === RLERROR) return { name: 'lerror', tag, body: rlerror.decode(frame, HEADER_SIZE) };
  const name = byRType.get(type);
  if (name === undefined) throw new Errno(EINVAL, `unknown reply type ${type}`);
  return { name, tag, body: decodeBody(MESSAGES[name].r, frame) } as Reply;
}

function encodeFrame(type: number, tag: number, fields: FieldList, body: Record<string, unknown>, out: Buffer | undefined, limit: number): Buffer {
  let size = HEADER_SIZE;
  for (const [name, f] of fields) size += f.size(body[name]);
  if (size > limit) throw new Errno(EMSGSIZE, `message of ${size} bytes exceeds msize ${limit}`);
  const b = out ?? Buffer.alloc(size);
  if (b.length < size) throw new Errno(EMSGSIZE, `message of ${size} bytes exceeds the buffer`);
  b.writeUInt32LE(size, 0);
  b[4] = type;
  b.writeUInt16LE(tag, 5);
  let o = HEADER_SIZE;
  for (const [name, f] of fields) o = f.write(b, o, body[name]);
  return b.subarray(0, size);
}

/**
 * Encodes the reply to `name` into out (from offset 0) and returns the frame. Throws
 * Errno(EMSGSIZE) when it would exceed limit (the negotiated msize).
 */
export function encodeReply<K extends MessageName>(name: K, tag: number, body: ReplyInput<K>, out: Buffer, limit: number): Buffer {
  const m = MESSAGES[name];
  return encodeFrame(m.type + 1, tag, m.r, body as Record<string, unknown>, out, limit);
}

export function encodeLerror(tag: number, ecode: number, out?: Buffer): Buffer {
  return encodeFrame(RLERROR, tag, rlerror.fields, { ecode }, out, Infinity);
}

/** Encodes a request (the client side). */
export function encodeRequest<K extends MessageName>(name: K, tag: number, body: RequestInput<K>, out?: Buffer, limit = Infinity): Buffer {
  const m = MESSAGES[name];
  return encodeFrame(m.type, tag, m.t, body as Record<string, unknown>, out, limit);
}
