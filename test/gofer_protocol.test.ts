// The 9P2000.L codec and the ABI layouts, without a server: known wire bytes, round trips
// of every message in the table, and malformed input turned into Errno (never another
// exception).
import t from 'tap';
import { Errno, EINVAL, EOPNOTSUPP } from '../gofer/errno.js';
import * as abi from '../gofer/host/abi.js';
import { abiStruct, pad, u32, u64, u8 } from '../gofer/layout.js';
import { decodeReply, decodeRequest, encodeLerror, encodeReply, encodeRequest } from '../gofer/protocol/codec.js';
import { NOTAG } from '../gofer/protocol/constants.js';
import { MESSAGES, type MessageName } from '../gofer/protocol/messages.js';

/** A sample value per field kind, distinct enough that a swapped field would show. */
function sample(kind: string, i: number): unknown {
  switch (kind) {
    case 'u8':
      return 0x11 + i;
    case 'u16':
      return 0x2233 + i;
    case 'u32':
      return 0x44556677 + i;
    case 'u64':
      return 0x8899aabbccddeeffn + BigInt(i);
    case 'str':
      return `name-${i}`;
    case 'data':
      return Buffer.from(`payload ${i}`);
    case 'array(str)':
      return ['a', 'bc', `d${i}`];
    case 'array(qid)':
      return [{ type: 0x80, version: 1, path: 2n }, { type: 0, version: 3, path: BigInt(i) }];
    case 'qid':
      return { type: 0x02, version: 7, path: 0x0102030405060708n + BigInt(i) };
    case 'optional(u32)':
      return 1;
    default:
      throw new Error(`no sample for ${kind}`);
  }
}

/** Decoded values in comparable form (strings as strings). */
function plain(v: unknown): unknown {
  if (Buffer.isBuffer(v)) return v.toString();
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

function body(fields: readonly (readonly [string, { kind: string }])[]): Record<string, unknown> {
  return Object.fromEntries(fields.map(([name, f], i) => [name, sample(f.kind, i)]));
}

const names = Object.keys(MESSAGES) as MessageName[];

t.test('known wire bytes', async (t) => {
  const v = encodeRequest('version', NOTAG, { msize: 8192, version: '9P2000.L' });
  t.same([...v], [21, 0, 0, 0, 100, 0xff, 0xff, 0x00, 0x20, 0, 0, 8, 0, ...Buffer.from('9P2000.L')], 'Tversion');
  t.same([...encodeLerror(3, 2)], [11, 0, 0, 0, 7, 3, 0, 2, 0, 0, 0], 'Rlerror ENOENT');
  const ga = encodeReply('getattr', 1, body(MESSAGES.getattr.r) as never, Buffer.alloc(4096), 4096);
  t.equal(ga.length, 160, 'Rgetattr is 160 bytes, as Linux\'s client expects');
  const w = encodeRequest('walk', 5, { fid: 1, newfid: 2, wnames: ['ab', 'c'] });
  t.same([...w.subarray(7)], [1, 0, 0, 0, 2, 0, 0, 0, 2, 0, 2, 0, 0x61, 0x62, 1, 0, 0x63], 'Twalk body');
});

t.test('every message round-trips', async (t) => {
  for (const name of names) {
    const m = MESSAGES[name];
    const req = body(m.t);
    const frame = encodeRequest(name, 42, req as never);
    t.equal(frame.readUInt32LE(0), frame.length, `T${name}: size field`);
    t.equal(frame[4], m.type, `T${name}: type ${m.type}`);
    const d = decodeRequest(frame);
    t.same([d.name, d.tag, plain(d.body)], [name, 42, plain(req)], `T${name} decodes to what was encoded`);
    const rep = body(m.r);
    const rframe = encodeReply(name, 43, rep as never, Buffer.alloc(8192), 8192);
    t.equal(rframe[4], m.type + 1, `R${name}: type ${m.type + 1}`);
    const r = decodeReply(Buffer.from(rframe));
    t.same([r.name, r.tag, plain(r.body)], [name, 43, plain(rep)], `R${name} decodes to what was encoded`);
  }
});

t.test('truncated and lying requests are EINVAL', async (t) => {
  for (const name of names) {
    const frame = encodeRequest(name, 1, body(MESSAGES[name].t) as never);
    let bad = 0;
    for (let cut = 7; cut < frame.length; cut++) {
      const f = Buffer.from(frame.subarray(0, cut));
      f.writeUInt32LE(cut, 0);
      try {
        decodeRequest(f);
      } catch (e) {
        if (!(e instanceof Errno) || e.code !== EINVAL) throw e;
        bad++;
      }
    }
    // Tfsync may end before its datasync field; every other cut is an error.
    const tolerated = name === 'fsync' ? 1 : 0;
    t.equal(bad, frame.length - 7 - tolerated, `T${name}: every truncation refused`);
  }
  const lying = encodeRequest('walk', 1, { fid: 0, newfid: 1, wnames: ['abc'] });
  lying.writeUInt16LE(200, 17);
  t.throws(() => decodeRequest(lying), { code: EINVAL }, 'a string longer than the message');
  const many = encodeRequest('walk', 1, { fid: 0, newfid: 1, wnames: [] });
  many.writeUInt16LE(17, 15);
  t.throws(() => decodeRequest(many), { code: EINVAL }, 'more than 16 walk names');
  t.throws(() => encodeRequest('walk', 1, { fid: 0, newfid: 1, wnames: Array(17).fill('a') }), { code: EINVAL });
  const hugeData = encodeRequest('write', 1, { fid: 0, offset: 0n, data: Buffer.from('xy') });
  hugeData.writeUInt32LE(0xffffffff, 19);
  t.throws(() => decodeRequest(hugeData), { code: EINVAL }, 'a data count beyond the message');
  t.throws(() => decodeRequest(Buffer.from([7, 0, 0, 0, 124, 0, 0])), { code: EOPNOTSUPP }, 'Tstat (9P2000) is unknown');
  t.throws(() => decodeRequest(Buffer.from([7, 0, 0, 0, 101, 0, 0])), { code: EOPNOTSUPP }, 'an R type as a request');
  const extra = Buffer.concat([encodeRequest('clunk', 1, { fid: 9 }), Buffer.from([1, 2, 3])]);
  extra.writeUInt32LE(extra.length, 0);
  t.same(decodeRequest(extra).body, { fid: 9 }, 'trailing bytes are tolerated');
  t.throws(() => encodeReply('read', 1, { data: Buffer.alloc(5000) }, Buffer.alloc(8192), 4096), { code: 90 }, 'a reply above msize is EMSGSIZE');
});

t.test('ABI layouts', async (t) => {
  t.equal(abi.statx.fixed, 256);
  t.equal(abi.statx.offsetOf('stx_mode'), 28);
  t.equal(abi.statx.offsetOf('stx_ino'), 32);
  t.equal(abi.statx.offsetOf('stx_mtime'), 112);
  t.equal(abi.statx.offsetOf('stx_rdev_major'), 128);
  t.equal(abi.statfs.fixed, 120);
  t.equal(abi.statfs.offsetOf('f_namelen'), 64);
  t.equal(abi.flock.offsetOf('l_start'), 8);
  t.equal(abi.flock.offsetOf('l_pid'), 24);
  t.equal(abi.msghdr.fixed, 56);
  t.equal(abi.msghdr.offsetOf('msg_control'), 32);
  t.equal(abi.cmsgLen(4), 20);
  t.equal(abi.cmsgSpace(4), 24);
  t.equal(abi.sockaddrUn.fixed, 110);
  t.throws(() => abiStruct('bad', [['a', u8], ['b', u32]] as const, 8), /not 4-aligned/, 'a forgotten hole fails at load');
  t.throws(() => abiStruct('short', [['a', u64], ['b', u8]] as const, 9), /expected/, 'a missing tail pad fails');
  t.doesNotThrow(() => abiStruct('ok', [['a', u64], ['b', u8], ['p', pad(7)]] as const, 16));
});
