// One connection's protocol state: the negotiated version and msize, the fid table, and the
// buffers replies are built in. Handlers (ops/) receive the session; they reach the served
// tree and the server's options through it.
import type { DentryTree, Dentry } from './dentry.js';
import { Errno, EACCES, EINVAL, ELOOP, EPERM, EROFS } from './errno.js';
import { FidTable } from './fid_table.js';
import { O_ACCMODE, O_CLOEXEC, O_NOCTTY, O_RDONLY, O_TRUNC, S_IFREG, openat, sys } from './host/libc.js';
import { IO_HEADER_SIZE, VERSION_9P2000_L } from './protocol/constants.js';

/** What every session shares: the served tree and the server's options. */
export interface ServerState {
  readonly tree: DentryTree;
  /** /proc/self/fd, opened at start: re-opening an O_PATH fd through it never walks a path. */
  readonly procSelfFd: number;
  readonly readOnly: boolean;
  /** The largest msize this server accepts (and the size of each connection's buffers). */
  readonly maxMsize: number;
  /** Owner of created files is the attaching user only when the gofer may chown (root). */
  readonly canChown: boolean;
  log(line: string): void;
}

/** Key under which an lopen/lcreate reply carries the fd to donate (VERSION_WVISOR sessions; gofer/README.md). */
export const DONATE = Symbol('donate');
export interface Donation {
  fd: number;
  /** Undoes the open when the fd could not be sent (the client then gets Rlerror). */
  revert(): void;
}
export type MaybeDonation = { [DONATE]?: Donation };

export class Session {
  /** Negotiated by Tversion; until then, the server's maximum (for framing only). */
  msize: number;
  /** Tversion succeeded: other requests are accepted. */
  versioned = false;
  /** The client asked for 9P2000.L.wvisor: regular files opened are donated. */
  donate = false;
  version = VERSION_9P2000_L;
  readonly fids: FidTable;
  private dirBuf: Buffer | null = null;

  constructor(
    readonly server: ServerState,
    /** The buffer replies are encoded into (the transport's send buffer). */
    readonly out: Buffer,
  ) {
    this.msize = server.maxMsize;
    this.fids = new FidTable(server.tree);
  }

  get tree(): DentryTree {
    return this.server.tree;
  }

  /** EROFS in read-only mode; called by every handler that would change the tree. */
  mutating(): void {
    if (this.server.readOnly) throw new Errno(EROFS, 'read-only');
  }

  /**
   * Where an Rread/Rreaddir payload of up to `count` bytes goes: the reply buffer right after
   * its header, so the data is read from the host straight into the message.
   */
  ioArea(count: number): Buffer {
    const n = Math.max(0, Math.min(count, this.msize - IO_HEADER_SIZE));
    return this.out.subarray(IO_HEADER_SIZE, IO_HEADER_SIZE + n);
  }

  /** A scratch buffer of msize bytes for getdents64 (one per session, made on first use). */
  direntBuffer(): Buffer {
    if (this.dirBuf === null) this.dirBuf = Buffer.alloc(this.server.maxMsize);
    return this.dirBuf;
  }

  /**
   * Opens the file a dentry holds with `flags`, through /proc/self/fd/N: the magic link leads
   * to the very inode of the O_PATH fd, with no path walk that a rename could redirect (as
   * gVisor's gofer re-opens). Only regular files and directories: a symlink would be ELOOP
   * (Linux's answer to open(O_NOFOLLOW) of a symlink), and devices, fifos and sockets are
   * not opened by the gofer at all (EPERM), so that no open can block it or touch hardware.
   */
  reopen(d: Dentry, flags: number): number {
    if (d.isSymlink) throw new Errno(ELOOP, 'open of a symlink');
    if (d.fileType !== S_IFREG && !d.isDir) throw new Errno(EPERM, 'open of a special file');
    return this.reopenFd(d.fd, d.dev, flags);
  }

  /**
   * The open itself, of an O_PATH fd known to hold a regular file or a directory on device
   * index `dev`: EACCES for write access on a kernel-interface file system (DentryTree.isKernelFs).
   */
  reopenFd(pathFd: number, dev: number, flags: number): number {
    const writes = (flags & O_ACCMODE) !== O_RDONLY || (flags & O_TRUNC) !== 0;
    if (writes && this.tree.isKernelFs(dev, pathFd)) throw new Errno(EACCES, 'write access to a kernel file system');
    return sys(openat(this.server.procSelfFd, Buffer.from(`${pathFd}\0`), flags | O_CLOEXEC | O_NOCTTY, 0), 'reopen');
  }

  /** Checks Tversion's msize against the server's limits and records the session's. */
  negotiate(clientMsize: number, version: string, donate: boolean): number {
    const msize = Math.min(clientMsize, this.server.maxMsize);
    if (msize < MIN_MSIZE) throw new Errno(EINVAL, `msize ${clientMsize} below ${MIN_MSIZE}`);
    this.fids.clear();
    this.msize = msize;
    this.version = version;
    this.donate = donate;
    this.versioned = true;
    return msize;
  }

  /** The end of the connection: every fid is clunked. */
  end(): void {
    this.fids.clear();
  }
}

/**
 * The smallest msize accepted: every fixed-size reply (Rwalk of 16 qids is the largest, 219
 * bytes) then fits, so no request can change state and fail to be answered. Linux's client
 * refuses less than 4096 too.
 */
export const MIN_MSIZE = 4096;
