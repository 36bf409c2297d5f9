// The dentry tree: the files the gofer holds, each as an O_PATH fd, linked to its parent.
//
// A dentry is born from a walk step, openat(parent.fd, name, O_PATH | O_NOFOLLOW), so it
// names exactly the inode found under that name at that moment; a later swap of the name
// (for a symlink, or another directory) changes nothing for fds already held. The tree, not
// the host, answers "..": the parent of a dentry is the dentry it was walked from (moved by
// our own renames), and the root has no parent, so `..` at the root is the root and no chain
// of `..` can climb above it, whatever the host file system does meanwhile. The host's own
// ".." entry is never opened.
//
// Dentries are shared: walking the same name from the same parent again reuses the dentry
// when the inode is still the same (the new fd is closed), so many fids below one directory
// hold one fd per ancestor, not one per fid and ancestor. Reference counts: one per fid and
// one per child dentry; at zero the fd is closed and the parent released. The root holds an
// extra reference for the life of the server.
import { Errno, EINVAL, ENAMETOOLONG } from './errno.js';
import * as abi from './host/abi.js';
import {
  AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW, EMPTY_PATH, O_CLOEXEC, O_DIRECTORY, O_NOFOLLOW, O_PATH,
  S_IFDIR, S_IFLNK, S_IFMT, STATX_BASIC_STATS, STATX_BTIME, close, cstr, fstatfs, openat, statx, sys,
} from './host/libc.js';
import { QTDIR, QTFILE, QTSYMLINK } from './protocol/constants.js';

export interface Qid {
  type: number;
  version: number;
  path: bigint;
}

export type Stat = ReturnType<typeof abi.statx.decode>;

/** NAME_MAX: the longest name the gofer passes to the kernel. */
export const NAME_MAX = 255;

/** The qid.type of a file mode (qid(5): directories and symlinks are marked, the rest are files). */
export function qidType(mode: number): number {
  switch (mode & S_IFMT) {
    case S_IFDIR:
      return QTDIR;
    case S_IFLNK:
      return QTSYMLINK;
    default:
      return QTFILE;
  }
}

/**
 * Checks a name a client sent for a single path component: not empty, no '/', no NUL, at
 * most NAME_MAX bytes. "." and ".." are refused where a name is created or removed
 * (allowDots false), as Linux refuses them there (EEXIST/EBUSY/EINVAL, depending on the call).
 */
export function checkName(name: Buffer, allowDots: boolean): void {
  if (name.length === 0 || name.indexOf(0x2f) >= 0 || name.indexOf(0) >= 0) throw new Errno(EINVAL, 'bad name');
  if (name.length > NAME_MAX) throw new Errno(ENAMETOOLONG, 'name too long');
  if (!allowDots && name[0] === 0x2e && (name.length === 1 || (name.length === 2 && name[1] === 0x2e))) {
    throw new Errno(EINVAL, `"." or ".." as a name`);
  }
}

const STAT_MASK = STATX_BASIC_STATS | STATX_BTIME;
const statBuf = Buffer.alloc(abi.statx.fixed);

/** Offsets of the struct statx fields read straight from a raw statx (statFdRaw, statAtRaw):
 *  hot paths (every walk step, every listed entry) read what they need without decoding
 *  the whole struct. A timestamp is tv_sec (8 bytes) then tv_nsec (STX_NSEC) at its offset. */
export const STX = {
  mask: abi.statx.offsetOf('stx_mask'),
  blksize: abi.statx.offsetOf('stx_blksize'),
  nlink: abi.statx.offsetOf('stx_nlink'),
  uid: abi.statx.offsetOf('stx_uid'),
  gid: abi.statx.offsetOf('stx_gid'),
  mode: abi.statx.offsetOf('stx_mode'),
  ino: abi.statx.offsetOf('stx_ino'),
  size: abi.statx.offsetOf('stx_size'),
  blocks: abi.statx.offsetOf('stx_blocks'),
  atime: abi.statx.offsetOf('stx_atime'),
  btime: abi.statx.offsetOf('stx_btime'),
  ctime: abi.statx.offsetOf('stx_ctime'),
  mtime: abi.statx.offsetOf('stx_mtime'),
  rdevMajor: abi.statx.offsetOf('stx_rdev_major'),
  rdevMinor: abi.statx.offsetOf('stx_rdev_minor'),
  devMajor: abi.statx.offsetOf('stx_dev_major'),
  devMinor: abi.statx.offsetOf('stx_dev_minor'),
} as const;
export const STX_NSEC = abi.statxTimestamp.offsetOf('tv_nsec');

/** statx of the file an fd holds (also an O_PATH fd of a symlink: the link itself). */
export function statFd(fd: number): Stat {
  return abi.statx.decode(statFdRaw(fd));
}

/** statFd's struct statx as the kernel wrote it, valid until the next stat. */
export function statFdRaw(fd: number): Buffer {
  sys(statx(fd, EMPTY_PATH, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STAT_MASK, statBuf), 'statx');
  return statBuf;
}

/** statx of a name in a directory, never following a symlink. */
export function statAt(dirfd: number, name: Buffer): Stat {
  return abi.statx.decode(statAtRaw(dirfd, name));
}

/** statAt's struct statx as the kernel wrote it, valid until the next stat (attributes are
 *  encoded from it without decoding: ops/attr.ts writeAttr). */
export function statAtRaw(dirfd: number, name: Buffer): Buffer {
  sys(statx(dirfd, cstr(name), AT_SYMLINK_NOFOLLOW, STAT_MASK, statBuf), 'statx');
  return statBuf;
}

export class Dentry {
  /** Children by name (the name's bytes as a latin1 string), for directories. */
  readonly children = new Map<string, Dentry>();
  refs = 0;
  /** False once the name was removed or replaced through the gofer: no longer in children. */
  attached = true;

  constructor(
    /** O_PATH | O_NOFOLLOW fd of the file: every operation on it starts here. */
    readonly fd: number,
    /** The dentry this one was walked from; null only for the root. */
    public parent: Dentry | null,
    /** The name in the parent (latin1 string of the name's bytes). */
    public name: string,
    /** S_IFMT bits: an inode's type never changes. */
    readonly fileType: number,
    readonly ino: bigint,
    /** Index of the host device (DentryTree.devIndex); 0 is the root's file system. */
    readonly dev: number,
    readonly qid: Qid,
  ) {}

  get isDir(): boolean {
    return this.fileType === S_IFDIR;
  }

  get isSymlink(): boolean {
    return this.fileType === S_IFLNK;
  }

  /** The name as bytes, for *at calls on the parent. */
  get nameBytes(): Buffer {
    return Buffer.from(this.name, 'latin1');
  }
}

/**
 * f_type of the host's kernel-interface file systems (include/uapi/linux/magic.h): proc,
 * sysfs, debugfs, tracefs, securityfs, cgroup, cgroup2, bpf, selinuxfs, efivarfs, configfs,
 * pstore, binfmt_misc. Writing there changes the host kernel, not a file (and
 * /proc/<gofer>/mem would be the gofer's own memory), so the gofer opens nothing there for
 * writing, whatever its mode.
 */
const KERNEL_FS_TYPES = new Set([
  0x9fa0, 0x62656572, 0x64626720, 0x74726163, 0x73636673, 0x27e0eb, 0x63677270, 0xcafe4a11,
  0xf97cff8c, 0xde5e81e4, 0x62656570, 0x6165676c, 0x42494e4d,
]);
const statfsBuf = Buffer.alloc(abi.statfs.fixed);

export class DentryTree {
  readonly root: Dentry;
  private readonly devices = new Map<string, number>();
  /** Per device index: is it a kernel-interface file system (KERNEL_FS_TYPES)? */
  private readonly kernelFs: boolean[] = [];

  /** Opens the served directory. `path` is the operator's, so symlinks in it are followed. */
  constructor(path: string) {
    const fd = sys(openat(-100, cstr(path), O_PATH | O_DIRECTORY | O_CLOEXEC, 0), `open root ${path}`);
    this.root = this.make(fd, null, '', statFdRaw(fd));
    this.root.refs = 1;
  }

  /** The qid.path of an inode: st_ino, with the device index in the top byte (0 for the root's). */
  qidPath(ino: bigint, dev: number): bigint {
    return dev === 0 ? ino : ino ^ (BigInt(dev) << 56n);
  }

  /** A small number per host device, so files of bind mounts below the root get distinct qids. */
  devIndex(st: Stat): number {
    return this.devIndexOf(st.stx_dev_major, st.stx_dev_minor);
  }

  /** devIndex of a raw struct statx. */
  devIndexRaw(st: Buffer): number {
    return this.devIndexOf(st.readUInt32LE(STX.devMajor), st.readUInt32LE(STX.devMinor));
  }

  private devIndexOf(major: number, minor: number): number {
    // Files of a listing are mostly on one device: the last answer first.
    if (major === this.lastDev[0] && minor === this.lastDev[1]) return this.lastDev[2];
    const i = this.devIndexByKey(major, minor);
    this.lastDev = [major, minor, i];
    return i;
  }

  private lastDev: [number, number, number] = [-1, -1, -1];

  private devIndexByKey(major: number, minor: number): number {
    const key = `${major}:${minor}`;
    let i = this.devices.get(key);
    if (i === undefined) {
      i = this.devices.size;
      this.devices.set(key, i);
    }
    return i;
  }

  /**
   * Whether the file an fd holds, on device index `dev`, lives on a kernel-interface file
   * system (one fstatfs per device, then cached).
   */
  isKernelFs(dev: number, fd: number): boolean {
    let k = this.kernelFs[dev];
    if (k === undefined) {
      sys(fstatfs(fd, statfsBuf), 'fstatfs');
      k = KERNEL_FS_TYPES.has(Number(BigInt.asUintN(32, abi.statfs.get(statfsBuf, 'f_type'))));
      this.kernelFs[dev] = k;
    }
    return k;
  }

  /** The qid of the file a raw struct statx describes. */
  qidOf(st: Buffer): Qid {
    const mode = st.readUInt16LE(STX.mode);
    return { type: qidType(mode), version: 0, path: this.qidPath(st.readBigUInt64LE(STX.ino), this.devIndexRaw(st)) };
  }

  /** A dentry for fd, whose raw struct statx is st. */
  private make(fd: number, parent: Dentry | null, name: string, st: Buffer): Dentry {
    const mode = st.readUInt16LE(STX.mode);
    return new Dentry(fd, parent, name, mode & S_IFMT, st.readBigUInt64LE(STX.ino), this.devIndexRaw(st), this.qidOf(st));
  }

  hold(d: Dentry): Dentry {
    d.refs++;
    return d;
  }

  /** Drops one reference; at zero closes the fd and releases the parent (iteratively). */
  release(d: Dentry | null): void {
    while (d !== null) {
      if (d.refs <= 0) throw new Error(`dentry "${d.name}" released more often than held`);
      if (--d.refs > 0) return;
      const parent = d.parent;
      if (d.attached && parent !== null && parent.children.get(d.name) === d) parent.children.delete(d.name);
      close(d.fd);
      d = parent;
    }
  }

  /**
   * One walk step: the child `name` of directory dentry `dir`, held once for the caller.
   * `..` is the tree's parent (the root's is the root); a symlink is returned as itself.
   */
  step(dir: Dentry, name: Buffer): Dentry {
    checkName(name, true);
    if (name.length === 1 && name[0] === 0x2e) return this.hold(dir);
    if (name.length === 2 && name[0] === 0x2e && name[1] === 0x2e) return this.hold(dir.parent ?? dir);
    const fd = sys(openat(dir.fd, cstr(name), O_PATH | O_NOFOLLOW | O_CLOEXEC, 0), 'walk');
    let st: Buffer;
    try {
      st = statFdRaw(fd);
    } catch (e) {
      close(fd);
      throw e;
    }
    const key = name.toString('latin1');
    const known = dir.children.get(key);
    if (known !== undefined && known.ino === st.readBigUInt64LE(STX.ino) && known.dev === this.devIndexRaw(st)) {
      close(fd);
      return this.hold(known);
    }
    if (known !== undefined) known.attached = false;
    const d = this.make(fd, this.hold(dir), key, st);
    dir.children.set(key, d);
    return this.hold(d);
  }

  /**
   * A dentry for a file just created (or opened) in `dir` under `name`, from an fd that
   * already names it (an O_PATH fd the caller gives away).
   */
  adopt(dir: Dentry, name: Buffer, fd: number): Dentry {
    let st: Buffer;
    try {
      st = statFdRaw(fd);
    } catch (e) {
      close(fd);
      throw e;
    }
    const key = name.toString('latin1');
    const known = dir.children.get(key);
    if (known !== undefined) known.attached = false;
    const d = this.make(fd, this.hold(dir), key, st);
    dir.children.set(key, d);
    return this.hold(d);
  }

  /** Records that `name` left `dir` (unlinkat, remove): its dentry stays valid for fids holding it. */
  removed(dir: Dentry, name: Buffer): void {
    const key = name.toString('latin1');
    const d = dir.children.get(key);
    if (d !== undefined) {
      dir.children.delete(key);
      d.attached = false;
    }
  }

  /** Records a rename done through the gofer, so that `..` of the moved dentry follows it. */
  renamed(oldDir: Dentry, oldName: Buffer, newDir: Dentry, newName: Buffer): void {
    const oldKey = oldName.toString('latin1');
    const newKey = newName.toString('latin1');
    if (oldDir === newDir && oldKey === newKey) return;
    const d = oldDir.children.get(oldKey);
    this.removed(newDir, newName);
    if (d === undefined) return;
    oldDir.children.delete(oldKey);
    d.name = newKey;
    d.parent = this.hold(newDir);
    newDir.children.set(newKey, d);
    this.release(oldDir);
  }

  /** Closes the root (server shutdown). */
  close(): void {
    this.release(this.root);
  }
}
