// The file system the Gofer serves (DESIGN.md §4): inodes that stand for files of the host
// tree. A directory holds a walked fid once it needs one (a lookup in it that its last
// listing cannot answer); any other file gives its fid back once its attributes are read.
// Opens, listings and links walk again from the nearest directory that holds a fid, so that
// a walk of a big tree does not hold a Gofer fd per file, and a directory met in a listing
// and only stat'ed (ls -l) costs no round trip. Metadata
// comes over 9P and is cached from the first lookup
// (the host tree is not expected to change under a running sandbox: runsc's default too);
// file data goes through the host fd the Gofer donates when a regular file is opened, or
// through Tread when the peer does not donate. The mount over it is read-only for now:
// changes go to tmpfs mounts (and, with the overlay, to its upper layer).
//
// Since every open is for reading, one opened fid (and its donated fd) per inode serves all
// the file descriptions of that inode, as gVisor's dentry handles do: an open after the
// first costs no 9P round trip. A handle nobody uses stays open for the next open, up to
// IDLE_HANDLES inodes; beyond that the least recently used is closed.
import { hostClose, hostPread, hostPreadMf, mfWrite } from "../../host";
import { EFAULT, EIO, ENOENT, ENXIO, EROFS } from "../../abi/errno";
import { O_ACCMODE, O_RDONLY, PROT_WRITE } from "../../abi/linux";
import { Task } from "../../kernel/task";
import { FileDescription } from "../file";
import { hostFdIo, MAX_RW_COUNT } from "../host_file";
import { fail, setVfsErr } from "../vfs/error";
import { DirEntry, Inode, SuperBlock } from "../vfs/inode";
import { InodeFile } from "../vfs/inode_file";
import { Path } from "../vfs/mount";
import { Attr, S_IFDIR, S_IFLNK, S_IFMT } from "../vfs/stat";
import { Dirent, P9Attr, P9Client, parseDirent } from "./client";
import { NOFID } from "./p9";
import { MemObject } from "../../mm/mem_object";

/** The most a Treaddir asks for; never more than msize less the Rreaddir header (P9_IOHDRSZ
 *  is 24 bytes: diod refuses larger counts). */
const READDIR_COUNT: u32 = 64 * 1024;
const P9_IOHDRSZ: u32 = 24;
/** How many entries of one directory a listing keeps for the lookups that follow it. */
const PREFETCH_MAX: i32 = 16384;
/** How many unused read handles (fid + host fd) are kept for the next open. */
const IDLE_HANDLES: i32 = 256;
/** The most names one Twalk carries (walk(5): MAXWELEM). */
const MAXWELEM: i32 = 16;
/** Inodes whose read handle nobody uses, least recently released first. */
const idle: GoferInode[] = [];

export class GoferSuper extends SuperBlock {
  constructor(public client: P9Client) {
    super("9p");
  }
}

export class GoferInode extends Inode {
  /** Names lookup found absent. */
  private absent: Set<string> | null = null;
  /** A directory's entries from its last Treaddirplus that no lookup has taken yet. */
  private prefetched: Map<string, Dirent> | null = null;
  private target: string | null = null;
  bytes: u64 = 0;
  blocks: u64 = 0;
  /** The pages read-only private mappings of the file share (sysMmap and exec fill them);
   *  they stay when nothing maps them, until memory runs short (MemObject.pageCache). */
  cache: MemObject | null = null;
  /** The opened fid of the read handle and its donated host fd (-1: read over 9P), and how
   *  many file descriptions use it; readFid is NOFID without a handle. */
  readFid: u32 = NOFID;
  readFd: i32 = -1;
  private users: i32 = 0;

  /** The walked fid of a directory, NOFID until it needs one (dirFid); always NOFID for
   *  other files (see walkStart). */
  fid: u32;

  constructor(public gsb: GoferSuper, fid: u32, a: P9Attr, private dir: GoferInode | null, private name: string) {
    super(gsb, a.mode);
    this.fid = fid;
    // The host's inode number is the qid path; st_dev is the mount's own.
    this.ino = a.qid.path;
    this.uid = a.uid;
    this.gid = a.gid;
    this.nlink = <u32>a.nlink;
    this.rdev = a.rdev;
    this.bytes = a.size;
    this.blocks = a.blocks;
    this.atimeNs = a.atimeNs;
    this.mtimeNs = a.mtimeNs;
    this.ctimeNs = a.ctimeNs;
  }

  @inline get client(): P9Client { return this.gsb.client; }

  size(): u64 { return this.bytes; }

  getattr(a: Attr): void {
    super.getattr(a);
    a.blocks = this.blocks;
  }

  lookup(name: string): Inode | null {
    // A name found missing stays missing: the mount is read-only and the host tree is taken
    // not to change (the positive side is cached in the dentries). The dynamic loader's
    // search through library directories asks for the same absent names at every exec.
    if (this.absent !== null && this.absent!.has(name)) return fail<Inode>(ENOENT);
    const c = this.client;
    if (c.donates) return this.lookupAt(name);
    const dfid = this.dirFid();
    if (dfid < 0) return fail<Inode>(<i32>-dfid);
    const nfid = c.walk(<u32>dfid, [name]);
    if (nfid < 0) return this.missing(name, nfid);
    const attr = new P9Attr();
    const r = c.getattr(<u32>nfid, attr);
    if (r < 0) {
      c.clunk(<u32>nfid);
      return fail<Inode>(-r);
    }
    const child = new GoferInode(this.gsb, <u32>nfid, attr, this, name);
    if (!child.isDir) {
      c.clunk(<u32>nfid);
      child.fid = NOFID;
    }
    return child;
  }

  /** Keeps what a Treaddirplus said of an entry for its lookup (programs that list a
   *  directory look at its files next: ls -l, tar, find), up to PREFETCH_MAX entries. */
  private prefetch(e: Dirent): void {
    if (this.prefetched === null) this.prefetched = new Map<string, Dirent>();
    if (this.prefetched!.size < PREFETCH_MAX) this.prefetched!.set(e.name, e);
  }

  /** lookup through the wvisor extension: what the last listing said, or one Tgetattrat
   *  (which brings a symlink's target too). No fid is walked for the child, not even for a
   *  directory (see dirFid). */
  private lookupAt(name: string): Inode | null {
    const c = this.client;
    let attr = new P9Attr();
    let target = "";
    const known = this.prefetched;
    if (known !== null && known.has(name)) {
      const e = known.get(name);
      known.delete(name);
      attr = e.attr!;
      target = e.target;
    } else {
      const dfid = this.dirFid();
      if (dfid < 0) return fail<Inode>(<i32>-dfid);
      const r = c.getattrAt(<u32>dfid, name, attr);
      if (r < 0) return this.missing(name, r);
      target = c.lastTarget;
    }
    const child = new GoferInode(this.gsb, NOFID, attr, this, name);
    if ((attr.mode & S_IFMT) == S_IFLNK) child.target = target;
    return child;
  }

  /** This directory's fid, walked the first time a lookup in it needs one. The fid or
   *  -errno. */
  private dirFid(): i64 {
    if (this.fid != NOFID) return this.fid;
    const names: string[] = [];
    const base = this.walkStart(names);
    if (base < 0) return base;
    const f = this.client.walk(<u32>base, names);
    if (f >= 0) this.fid = <u32>f;
    return f;
  }

  /** Where a walk to this file starts: the fid of the nearest directory that holds one
   *  (this one's own: names stays empty, the walk clones it), with the names from there
   *  put in names. Deeper than a walk's MAXWELEM names, that directory walks for its own
   *  fid first. The fid or -errno. */
  private walkStart(names: string[]): i64 {
    let n: GoferInode = this;
    while (n.fid == NOFID) {
      if (names.length == MAXWELEM) return n.dirFid();
      names.unshift(n.name);
      n = n.dir!;
    }
    return n.fid;
  }

  /** A lookup failed with -err: ENOENT is remembered (see lookup). Returns null. */
  private missing(name: string, err: i64): Inode | null {
    if (err == -ENOENT) {
      if (this.absent === null) this.absent = new Set<string>();
      this.absent!.add(name);
    }
    return fail<Inode>(<i32>-err);
  }

  readdir(out: DirEntry[]): i32 {
    const c = this.client;
    const names: string[] = [];
    const base = this.walkStart(names);
    if (base < 0) return <i32>base;
    const dfid = c.walkOpen(<u32>base, names, 0);
    if (dfid < 0) return <i32>dfid;
    const fid = <u32>dfid;
    if (c.lastFd >= 0) hostClose(c.lastFd);
    let r: i64 = 0;
    // A new listing replaces what the last one said (names gone since are forgotten).
    this.prefetched = null;
    let off: u64 = 0;
    let done = false;
    while (r >= 0 && !done) {
      const f = c.readdir(fid, off, min<u32>(READDIR_COUNT, <u32>c.msize - P9_IOHDRSZ));
      if (f === null) {
        r = -c.err;
        break;
      }
      if (f.dataLen == 0) break;
      let p = f.dataPtr;
      const end = f.dataPtr + f.dataLen;
      while (p < end) {
        const e = parseDirent(p, end, c.donates);
        if (e.size == 0) break;
        // Rreaddirplus's end record (an empty name): the listing is complete.
        done = e.name.length == 0;
        if (done) break;
        off = e.offset;
        p += e.size;
        if (e.name == "." || e.name == "..") continue;
        out.push(new DirEntry(e.name, e.ino, e.type));
        if (e.attr !== null) this.prefetch(e);
      }
    }
    c.clunk(fid);
    return r < 0 ? <i32>r : 0;
  }

  readlink(): string | null {
    if (this.target === null) {
      const fid = this.walkFid();
      if (fid < 0) return fail<string>(<i32>-fid);
      const t = this.client.readlink(<u32>fid);
      this.client.clunk(<u32>fid);
      if (t === null) return fail<string>(this.client.err);
      this.target = t;
    }
    return this.target;
  }

  isEmptyDir(): bool {
    const l: DirEntry[] = [];
    return this.readdir(l) == 0 && l.length == 0;
  }

  open(flags: i32, path: Path): FileDescription | null {
    if (this.isDir) return new InodeFile(flags, path);
    if ((this.mode & S_IFMT) != 0o100000) return fail<FileDescription>(ENXIO); // no device drivers over 9P
    // The mount is read-only: the open checks refused anything but reading before here.
    if ((flags & O_ACCMODE) != O_RDONLY) return fail<FileDescription>(EROFS);
    if (this.readFid == NOFID) {
      const names: string[] = [];
      const base = this.walkStart(names);
      if (base < 0) return fail<FileDescription>(<i32>-base);
      const c = this.client;
      const ofid = c.walkOpen(<u32>base, names, O_RDONLY);
      if (ofid < 0) return fail<FileDescription>(<i32>-ofid);
      this.readFid = <u32>ofid;
      this.readFd = c.lastFd;
    } else if (this.users == 0) {
      idle.splice(idle.indexOf(this), 1);
    }
    this.users++;
    return new GoferFile(flags, path, this);
  }

  /** A new fid for this file (see walkStart). The fid or -errno. */
  private walkFid(): i64 {
    const names: string[] = [];
    const base = this.walkStart(names);
    return base < 0 ? base : this.client.walk(<u32>base, names);
  }

  /** A file description is done with the read handle; the last one puts it on the idle
   *  list, which closes its oldest handle when it is full. */
  releaseHandle(): void {
    if (--this.users > 0) return;
    idle.push(this);
    if (idle.length > IDLE_HANDLES) idle.shift().closeHandle();
  }

  private closeHandle(): void {
    if (this.readFd >= 0) hostClose(this.readFd);
    this.client.clunk(this.readFid);
    this.readFd = -1;
    this.readFid = NOFID;
  }
}

/** An open regular file of the Gofer's tree (the path may name it through an overlay). */
export class GoferFile extends InodeFile {
  constructor(flags: i32, path: Path, private inode: GoferInode) {
    super(flags, path);
  }

  @inline private get hostFd(): i32 { return this.inode.readFd; }

  pageCache(): MemObject | null {
    const inode = this.inode;
    if (inode.cache === null) inode.cache = MemObject.pageCache(inode.bytes);
    return inode.cache;
  }
  @inline private get fid(): u32 { return this.inode.readFid; }

  readAt(t: Task, addr: u64, len: u64, pos: i64): i64 {
    if (len > MAX_RW_COUNT) len = MAX_RW_COUNT;
    if (len == 0) return 0;
    const n = t.mm.accessibleLen(addr, len, PROT_WRITE);
    if (n == 0) return -EFAULT;
    if (this.hostFd >= 0) return hostFdIo(t, this.hostFd, addr, n, pos, false);
    return this.readOver9P(t, addr, n, pos);
  }

  /** Reads through Tread when the Gofer did not donate an fd (a plain 9P2000.L server). */
  private readOver9P(t: Task, addr: u64, n: u64, pos: i64): i64 {
    const c = this.inode.client;
    const max = <u64>(c.msize - 64);
    let done: u64 = 0;
    while (done < n) {
      const want = n - done < max ? n - done : max;
      const f = c.read(this.fid, <u64>pos + done, <u32>want);
      if (f === null) return done > 0 ? <i64>done : -c.err;
      if (f.dataLen == 0) break;
      if (<u64>f.dataLen > want) return done > 0 ? <i64>done : -EIO;
      t.mm.copyOut(addr + done, f.dataPtr, <u64>f.dataLen);
      done += <u64>f.dataLen;
      if (<u64>f.dataLen < want) break;
    }
    return <i64>done;
  }

  readToKernel(dst: usize, len: i32, pos: i64): i32 {
    if (this.hostFd >= 0) return hostPread(this.hostFd, dst, len, <f64>pos);
    const c = this.inode.client;
    let done: i32 = 0;
    while (done < len) {
      const want = len - done < c.msize - 64 ? len - done : c.msize - 64;
      const f = c.read(this.fid, <u64>(pos + done), <u32>want);
      if (f === null) return done > 0 ? done : -c.err;
      if (f.dataLen == 0 || <i32>f.dataLen > want) break;
      memory.copy(dst + <usize>done, f.dataPtr, f.dataLen);
      done += <i32>f.dataLen;
    }
    return done;
  }

  readToMf(off: u64, len: i32, pos: i64): i32 {
    if (this.hostFd >= 0) return hostPreadMf(this.hostFd, <f64>off, len, <f64>pos);
    const chunk = new ArrayBuffer(65536);
    let done: i32 = 0;
    while (done < len) {
      const want = len - done < 65536 ? len - done : 65536;
      const n = this.readToKernel(changetype<usize>(chunk), want, pos + done);
      if (n <= 0) return done > 0 ? done : n;
      mfWrite(<f64>(off + <u64>done), changetype<usize>(chunk), n);
      done += n;
      if (n < want) break;
    }
    return done;
  }

  release(): void {
    super.release();
    this.inode.releaseHandle();
  }
}

/** Connects to the Gofer and returns the root inode of the tree it serves, or null. */
export function mountGofer(client: P9Client): GoferInode | null {
  let r = client.connect();
  if (r < 0) return fail<GoferInode>(-r);
  const fid = client.attach("/");
  if (fid < 0) return fail<GoferInode>(<i32>-fid);
  const attr = new P9Attr();
  r = client.getattr(<u32>fid, attr);
  if (r < 0) return fail<GoferInode>(-r);
  setVfsErr(0);
  return new GoferInode(new GoferSuper(client), <u32>fid, attr, null, "/");
}

