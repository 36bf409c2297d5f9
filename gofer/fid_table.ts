// The fid table of one connection: the client's 32-bit fid numbers to what they name.
//
// A fid holds one reference to a dentry (its O_PATH fd) and, once opened by Tlopen or
// Tlcreate, a host fd opened with the client's flags. Invariants: a fid number is in the
// table at most once; every fid's dentry reference is released exactly once (clunk, remove,
// Tversion, or the connection's end); `open` is set only for regular files and directories.
import type { Dentry, DentryTree } from './dentry.js';
import { Errno, EBADF, EMFILE } from './errno.js';
import { close } from './host/libc.js';

/** Bounds the memory a client can make the gofer hold (each fid may also hold fds). */
export const MAX_FIDS = 1 << 20;

export interface OpenFile {
  /** Host fd opened with the client's flags (O_CLOEXEC added); donated to wvisor clients. */
  readonly fd: number;
  /** The open flags given to the host (access mode in the low bits). */
  readonly flags: number;
  /**
   * For a directory: the 9P offset the fd's position stands at after the last Treaddir
   * (null when unknown), so that reading on from there needs no lseek, which some file
   * systems implement by walking the directory from its start.
   */
  dirOffset?: bigint | null;
}

export class Fid {
  open: OpenFile | null = null;

  constructor(
    public dentry: Dentry,
    /** The attaching user (Tattach's n_uname), owner of files created through this fid. */
    readonly uid: number,
  ) {}
}

export class FidTable {
  private readonly fids = new Map<number, Fid>();

  constructor(private readonly tree: DentryTree) {}

  get size(): number {
    return this.fids.size;
  }

  /** The fid numbered n; EBADF when there is none. */
  get(n: number): Fid {
    const f = this.fids.get(n);
    if (f === undefined) throw new Errno(EBADF, `no fid ${n}`);
    return f;
  }

  has(n: number): boolean {
    return this.fids.has(n);
  }

  /** Checks that n is free for a new fid (EBADF when in use, as diod answers). */
  checkFree(n: number): void {
    if (this.fids.has(n)) throw new Errno(EBADF, `fid ${n} in use`);
    if (this.fids.size >= MAX_FIDS) throw new Errno(EMFILE, 'too many fids');
  }

  /** Installs a new fid that takes over one reference to `dentry`. */
  add(n: number, dentry: Dentry, uid: number): Fid {
    const f = new Fid(dentry, uid);
    this.fids.set(n, f);
    return f;
  }

  /** Forgets fid n: closes its open file and releases its dentry. */
  clunk(n: number): void {
    const f = this.get(n);
    this.fids.delete(n);
    this.drop(f);
  }

  /** Clunks every fid (Tversion, end of connection). */
  clear(): void {
    for (const f of this.fids.values()) this.drop(f);
    this.fids.clear();
  }

  private drop(f: Fid): void {
    if (f.open !== null) close(f.open.fd);
    f.open = null;
    this.tree.release(f.dentry);
  }
}
