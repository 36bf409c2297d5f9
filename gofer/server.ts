// The server: what all connections share (the served tree, /proc/self/fd, the options), and
// the dispatch of one request frame to its handler and back to a reply frame.
//
// Every failure a peer or a file can cause is an Errno and becomes Rlerror; anything else
// thrown by a handler is a gofer bug, logged with the request it came from and answered EIO
// (the gofer keeps serving: one bad request must not take the container's files away).
import { DentryTree } from './dentry.js';
import { Errno, EIO, EPROTO, EROFS } from './errno.js';
import { O_CLOEXEC, O_DIRECTORY, O_PATH, cstr, openat, close, sys } from './host/libc.js';
import { decodeRequest, encodeLerror, encodeReply, frameHeader, requestName, type ReplyInput, type RequestBody } from './protocol/codec.js';
import type { MessageName } from './protocol/messages.js';
import { DONATE, Session, type Donation, type MaybeDonation, type ServerState } from './session.js';
import * as attachOps from './ops/attach.js';
import * as attrOps from './ops/attr.js';
import * as dirOps from './ops/dir.js';
import * as ioOps from './ops/io.js';
import * as linkOps from './ops/link.js';
import * as lockOps from './ops/lock.js';
import * as statfsOps from './ops/statfs.js';
import * as walkOps from './ops/walk.js';
import * as xattrOps from './ops/xattr.js';

/** A message's handler: the decoded request in, the reply's fields out (or a thrown Errno). */
export type Handler<K extends MessageName> = (s: Session, req: RequestBody<K>) => ReplyInput<K> & MaybeDonation;

/** One handler per message of the table; the type makes a missing one a compile error. */
const HANDLERS: { [K in MessageName]: Handler<K> } = {
  version: attachOps.version,
  auth: attachOps.auth,
  attach: attachOps.attach,
  flush: attachOps.flush,
  clunk: attachOps.clunk,
  walk: walkOps.walk,
  getattr: attrOps.getattr,
  getattrat: attrOps.getattrat,
  setattr: attrOps.setattr,
  statfs: statfsOps.statfs,
  lopen: ioOps.lopen,
  lcreate: ioOps.lcreate,
  read: ioOps.read,
  write: ioOps.write,
  fsync: ioOps.fsyncOp,
  readdir: dirOps.readdir,
  readdirplus: dirOps.readdirplus,
  mkdir: dirOps.mkdir,
  symlink: dirOps.symlink,
  mknod: dirOps.mknod,
  link: linkOps.link,
  readlink: linkOps.readlink,
  rename: linkOps.rename,
  renameat: linkOps.renameatOp,
  unlinkat: linkOps.unlinkatOp,
  remove: linkOps.remove,
  lock: lockOps.lock,
  getlock: lockOps.getlock,
  xattrwalk: xattrOps.xattrwalk,
  xattrcreate: xattrOps.xattrcreate,
};

/**
 * Messages that change the served tree: EROFS in read-only mode, before anything else is
 * looked at. Tlopen is refused by its handler when its flags write; Tremove checks by itself
 * because it must clunk the fid even then.
 */
export const MODIFYING: ReadonlySet<MessageName> = new Set<MessageName>([
  'lcreate', 'write', 'mkdir', 'symlink', 'mknod', 'link', 'rename', 'renameat', 'unlinkat', 'setattr', 'xattrcreate',
]);

export interface ServerOptions {
  /** The directory served. */
  root: string;
  readOnly: boolean;
  /** The largest msize accepted (default 1 MiB + the I/O header). */
  maxMsize?: number;
  /** Log every request and its outcome to stderr. */
  debug?: boolean;
}

export const DEFAULT_MSIZE = (1 << 20) + 24;

/** The outcome of one request: the reply frame, and a fd to send with it. */
export interface Outcome {
  reply: Buffer;
  donation: Donation | null;
}

export class Server implements ServerState {
  readonly tree: DentryTree;
  readonly procSelfFd: number;
  readonly readOnly: boolean;
  readonly maxMsize: number;
  readonly canChown: boolean;
  private readonly debug: boolean;

  constructor(opts: ServerOptions) {
    this.readOnly = opts.readOnly;
    this.maxMsize = opts.maxMsize ?? DEFAULT_MSIZE;
    this.debug = opts.debug ?? false;
    this.canChown = process.geteuid?.() === 0;
    this.procSelfFd = sys(openat(-100, cstr('/proc/self/fd'), O_PATH | O_DIRECTORY | O_CLOEXEC, 0), 'open /proc/self/fd');
    this.tree = new DentryTree(opts.root);
  }

  log(line: string): void {
    process.stderr.write(`gofer[${process.pid}]: ${line}\n`);
  }

  /** A session for a new connection, replying into `out` (at least maxMsize bytes). */
  newSession(out: Buffer): Session {
    if (out.length < this.maxMsize) throw new Error(`reply buffer of ${out.length} bytes < msize ${this.maxMsize}`);
    return new Session(this, out);
  }

  /** Answers one request frame (its size already checked against the session's msize). */
  handle(s: Session, frame: Buffer): Outcome {
    const { type, tag } = frameHeader(frame);
    const name = requestName(type);
    try {
      const req = decodeRequest(frame);
      if (!s.versioned && req.name !== 'version') throw new Errno(EPROTO, 'no Tversion yet');
      if (this.readOnly && MODIFYING.has(req.name)) throw new Errno(EROFS, 'read-only');
      const handler = HANDLERS[req.name] as Handler<MessageName>;
      const rep = handler(s, req.body as never);
      const donation = rep[DONATE] ?? null;
      let reply: Buffer;
      try {
        reply = encodeReply(req.name, tag, rep as never, s.out, s.msize);
      } catch (e) {
        donation?.revert();
        throw e;
      }
      if (this.debug) this.log(`${req.name} tag ${tag}: ok${donation ? ` +fd ${donation.fd}` : ''}`);
      return { reply, donation };
    } catch (e) {
      if (e instanceof Errno) {
        if (this.debug) this.log(`${name ?? `type ${type}`} tag ${tag}: ${e.message}`);
        return { reply: encodeLerror(tag, e.code, s.out), donation: null };
      }
      this.log(`BUG: ${name ?? `type ${type}`} tag ${tag} failed: ${(e as Error)?.stack ?? e}`);
      return { reply: encodeLerror(tag, EIO, s.out), donation: null };
    }
  }

  close(): void {
    this.tree.close();
    close(this.procSelfFd);
  }
}
