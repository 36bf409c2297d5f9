// Malformed input never crashes the gofer: random frames (plausible messages with random
// fields, truncated, or with bytes flipped; unknown types; pure noise) get a reply with their
// tag or end their connection, and afterwards the server still answers a valid Tversion,
// on the same connection when the framing was intact and on a new one otherwise.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { MESSAGES, type MessageName } from '../gofer/protocol/messages.js';
import { encodeRequest, type RequestInput } from '../gofer/protocol/codec.js';
import { P9Client } from './gofer/client.js';
import { startListening, tempDir } from './gofer/spawn.js';

/** A small deterministic PRNG (mulberry32), so that a failure can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const seed = Number(process.env.GOFER_FUZZ_SEED ?? Date.now() % 100000);
const rnd = prng(seed);
const int = (n: number) => Math.floor(rnd() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];

const NAMES = ['a', 'b', 'dir', 'file', '..', '.', '', 'x/y', 'link', 'fifo', 'zzz'];

/** A random value for a field of the given kind (fids small, so they often exist). */
function randomValue(kind: string): unknown {
  switch (kind) {
    case 'u8':
      return int(256);
    case 'u16':
      return int(65536);
    case 'u32':
      return pick([0, 1, 2, 3, 4, 5, int(8), 0o100644, 0o10644, 0o40755, 0xffffffff, int(2 ** 32)]);
    case 'u64':
      return pick([0n, 1n, 10n, BigInt(int(1 << 20)), 2n ** 63n, 2n ** 64n - 1n]);
    case 'str':
      return int(8) === 0 ? Buffer.from(Array.from({ length: int(40) }, () => int(256))) : pick(NAMES);
    case 'data':
      return Buffer.alloc(int(64), int(256));
    case 'array(str)':
      return Array.from({ length: int(4) }, () => pick(NAMES));
    case 'optional(u32)':
      return int(2);
    default:
      throw new Error(`no generator for ${kind}`);
  }
}

function plausible(name: MessageName, tag: number): Buffer {
  const body: Record<string, unknown> = {};
  for (const [field, type] of MESSAGES[name].t) body[field] = randomValue(type.kind);
  return Buffer.from(encodeRequest(name, tag, body as RequestInput<typeof name>));
}

/** A frame whose size field is right, but whose body may be anything. */
function randomFrame(tag: number): Buffer {
  const names = Object.keys(MESSAGES) as MessageName[];
  let f: Buffer;
  switch (int(5)) {
    case 0: // A plausible message.
      f = plausible(pick(names.filter((n) => n !== 'version')), tag);
      break;
    case 1: { // Truncated inside its body.
      const whole = plausible(pick(names), tag);
      f = Buffer.from(whole.subarray(0, 7 + int(whole.length - 7)));
      break;
    }
    case 2: { // Bytes flipped (string lengths and counts lie).
      f = plausible(pick(names.filter((n) => n !== 'version')), tag);
      for (let k = 0; k < 1 + int(4); k++) if (f.length > 7) f[7 + int(f.length - 7)] = int(256);
      break;
    }
    case 3: { // An unknown or reply type.
      f = Buffer.alloc(7 + int(32), int(256));
      f[4] = pick([0, 6, 7, 101, 107, 125, 126, 255, int(256)]);
      break;
    }
    default: // A known type with a random body.
      f = Buffer.alloc(7 + int(64));
      for (let k = 7; k < f.length; k++) f[k] = int(256);
      f[4] = MESSAGES[pick(names.filter((n) => n !== 'version'))].type;
  }
  f.writeUInt32LE(f.length, 0);
  f.writeUInt16LE(tag, 5);
  return f;
}

const root = tempDir('gofer-fuzz');
fs.mkdirSync(path.join(root, 'dir'));
fs.writeFileSync(path.join(root, 'file'), 'content');
// Never named by the fuzzer: read at the end.
fs.writeFileSync(path.join(root, 'pristine'), 'content');
fs.symlinkSync('file', path.join(root, 'link'));
const sock = path.join(root, '..', `${path.basename(root)}.sock`);
const gofer = await startListening(root, sock);

t.teardown(async () => {
  await gofer.stop();
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(sock, { force: true });
});

t.comment(`seed ${seed} (GOFER_FUZZ_SEED replays it)`);

/** A session with fid 0 the root and, when they still exist, 1 = dir and 2 = file (open). */
function freshSession(): P9Client {
  const c = P9Client.connectUnix(sock);
  c.version(8192);
  c.attach(0);
  c.request('walk', { fid: 0, newfid: 1, wnames: ['dir'] });
  if (c.request('walk', { fid: 0, newfid: 2, wnames: ['file'] }).name === 'walk') c.request('lopen', { fid: 2, flags: 2 });
  return c;
}

t.test('random frames with a valid size: every one is answered with its tag', async (t) => {
  let c = freshSession();
  let answered = 0;
  let errors = 0;
  for (let i = 0; i < 4000; i++) {
    const tag = i % 0xfffe;
    c.sendRaw(randomFrame(tag));
    const r = c.readReply();
    if (r === null) {
      t.fail(`frame ${i}: the connection was closed`);
      c.close();
      c = freshSession();
      continue;
    }
    if (r.tag !== tag) t.fail(`frame ${i}: reply tag ${r.tag}, expected ${tag}`);
    answered++;
    if (r.name === 'lerror') errors++;
    // Keep a session alive: a random Tversion may have reset it.
    if (i % 500 === 499) {
      c.close();
      c = freshSession();
    }
  }
  t.equal(answered, 4000, `all answered (${errors} with Rlerror)`);
  const v = c.rpc('version', { msize: 8192, version: '9P2000.L' });
  t.equal(v.version.toString(), '9P2000.L', 'the same connection still answers Tversion');
  c.close();
});

t.test('frames that break the framing close the connection, not the server', async (t) => {
  const cases: [string, Buffer][] = [
    ['size above msize', (() => { const b = Buffer.alloc(11); b.writeUInt32LE(8193, 0); b[4] = 100; return b; })()],
    ['size 0', Buffer.alloc(7)],
    ['size 6', Buffer.from([6, 0, 0, 0, 100, 0, 0])],
    ['size 4 GiB', Buffer.from([0xff, 0xff, 0xff, 0xff, 100, 0, 0])],
  ];
  for (const [what, frame] of cases) {
    const c = freshSession();
    c.sendRaw(frame);
    t.equal(c.readReply(), null, `${what}: connection closed`);
    c.close();
    const d = P9Client.connectUnix(sock);
    t.equal(d.version(8192).version.toString(), '9P2000.L', `${what}: a new connection is served`);
    d.close();
  }
  // Half a frame, then the client goes away.
  const c = freshSession();
  c.sendRaw(Buffer.from([100, 0, 0, 0, 116, 1]));
  c.close();
});

t.test('pure noise streams', async (t) => {
  for (let k = 0; k < 30; k++) {
    const c = P9Client.connectUnix(sock);
    const noise = Buffer.from(Array.from({ length: 1 + int(3000) }, () => int(256)));
    // Sometimes start with a valid Tversion so that the noise meets a live session.
    if (k % 2 === 0) c.version(8192);
    c.sendRaw(noise);
    c.close();
  }
  const d = P9Client.connectUnix(sock);
  t.equal(d.version(8192).version.toString(), '9P2000.L', 'the server still answers');
  d.attach(0);
  d.walk(0, 1, ['pristine']);
  d.rpc('lopen', { fid: 1, flags: 0 });
  t.equal(d.readAll(1).toString(), 'content', 'and still serves files');
  d.close();
  t.equal(gofer.proc.exitCode, null, 'the gofer process is alive');
  t.notMatch(gofer.stderr(), /BUG/, 'no internal error was logged');
});
