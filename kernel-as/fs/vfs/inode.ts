// Inodes and superblocks (Linux's struct inode and struct super_block, with the operations
// folded in as methods). A file system subclasses Inode and overrides what its files can do;
// the defaults give the errno Linux gives for an inode without that operation. The VFS layer
// (fs/vfs/vfs.ts) has already checked permissions, existence and read-only mounts before it
// calls any of these, so an operation only does its own file system's part.
import { EINVAL, EISDIR, ENOTDIR, ENXIO, EOPNOTSUPP, EPERM } from "../../abi/errno";
import { Credentials } from "../../kernel/cred";
import { FileDescription } from "../file";
import { fail } from "./error";
import { Attr, isDir, isLnk, isReg, S_IFMT } from "./stat";
import { InodeFile } from "./inode_file";
import { Path } from "./mount";
import { XattrStore } from "./xattr";
import { realtimeNow } from "./time";

let nextDev: u64 = 0x100;

export class SuperBlock {
  /** Device number reported in st_dev (anonymous block devices, like Linux's get_anon_bdev). */
  dev: u64 = nextDev++;
  private nextIno: u64 = 1;

  /** Whether its inodes keep extended attributes in memory (tmpfs). */
  xattrs: bool = false;

  constructor(public fsType: string) {}

  allocIno(): u64 {
    return this.nextIno++;
  }
}

/** One entry of a directory listing. */
export class DirEntry {
  constructor(public name: string, public ino: u64, public type: u8) {}
}

// setattr mask bits (what Inode.setattr should change), as Linux's ATTR_* flags.
export const ATTR_MODE: i32 = 1;
export const ATTR_UID: i32 = 2;
export const ATTR_GID: i32 = 4;
export const ATTR_SIZE: i32 = 8;
export const ATTR_ATIME: i32 = 16;
export const ATTR_MTIME: i32 = 32;
export const ATTR_CTIME: i32 = 64;

export class Inode {
  ino: u64;
  uid: u32 = 0;
  gid: u32 = 0;
  nlink: u32 = 1;
  rdev: u64 = 0;
  atimeNs: i64 = 0;
  mtimeNs: i64 = 0;
  ctimeNs: i64 = 0;
  /** A directory that rmdir removed: nothing may be created in it, and it lists nothing
   *  (Linux's IS_DEADDIR). */
  removed: bool = false;
  /** An O_TMPFILE file opened without O_EXCL: linkat may give it a name although it has no
   *  links (Linux's I_LINKABLE), once. */
  linkable: bool = false;
  /** A socket inode made by bind(2): the listening socket it names (null once it closed). */
  boundSocket: FileDescription | null = null;

  constructor(public sb: SuperBlock, public mode: u32) {
    this.ino = sb.allocIno();
  }

  @inline get type(): u32 { return this.mode & S_IFMT; }
  @inline get isDir(): bool { return isDir(this.mode); }
  @inline get isReg(): bool { return isReg(this.mode); }
  @inline get isLnk(): bool { return isLnk(this.mode); }

  /** Bytes of data (regular files and symlinks). */
  size(): u64 { return 0; }

  getattr(a: Attr): void {
    a.dev = this.sb.dev;
    a.ino = this.ino;
    a.mode = this.mode;
    a.nlink = this.nlink;
    a.uid = this.uid;
    a.gid = this.gid;
    a.rdev = this.rdev;
    a.size = this.size();
    a.blksize = 4096;
    a.blocks = (a.size + 511) / 512;
    a.atimeNs = this.atimeNs;
    a.mtimeNs = this.mtimeNs;
    a.ctimeNs = this.ctimeNs;
  }

  /** Changes the attributes in mask (ATTR_*) to those of a. Sizes go through truncate(). */
  setattr(mask: i32, a: Attr): i32 {
    if (mask & ATTR_SIZE) {
      const r = this.truncate(a.size);
      if (r < 0) return r;
    }
    if (mask & ATTR_MODE) this.mode = (this.mode & S_IFMT) | (a.mode & ~S_IFMT);
    if (mask & ATTR_UID) this.uid = a.uid;
    if (mask & ATTR_GID) this.gid = a.gid;
    if (mask & ATTR_ATIME) this.atimeNs = a.atimeNs;
    if (mask & ATTR_MTIME) this.mtimeNs = a.mtimeNs;
    if (mask & ATTR_CTIME) this.ctimeNs = a.ctimeNs;
    return 0;
  }

  truncate(size: u64): i32 { return this.isDir ? -EISDIR : -EINVAL; }

  /** fallocate(2) on a regular file: mode 0 reserves (and extends), FALLOC_FL_KEEP_SIZE only
   *  reserves, with FALLOC_FL_PUNCH_HOLE the range reads as zeroes afterwards. */
  allocate(mode: i32, off: u64, len: u64): i32 { return -EOPNOTSUPP; }

  // ---- directories ----
  lookup(name: string): Inode | null { return fail<Inode>(ENOTDIR); }
  /** Appends the entries (without "." and "..") to out. */
  readdir(out: DirEntry[]): i32 { return -ENOTDIR; }
  isEmptyDir(): bool { return false; }
  /** Creates name with mode (type bits included: regular, fifo, device, socket). */
  mknod(name: string, mode: u32, rdev: u64, cred: Credentials): Inode | null { return fail<Inode>(ENOTDIR); }
  mkdir(name: string, mode: u32, cred: Credentials): Inode | null { return fail<Inode>(ENOTDIR); }
  /** A new regular file with no name in this directory (O_TMPFILE), or null: file systems
   *  that cannot make one say EOPNOTSUPP, as Linux's without ->tmpfile do. */
  tmpfile(mode: u32, cred: Credentials): Inode | null { return fail<Inode>(this.isDir ? EOPNOTSUPP : ENOTDIR); }
  symlink(name: string, target: string, cred: Credentials): Inode | null { return fail<Inode>(ENOTDIR); }
  link(name: string, target: Inode): i32 { return -ENOTDIR; }
  /** Removes the entry name (a non-directory, or an empty directory when dir is set). */
  unlink(name: string, child: Inode, dir: bool): i32 { return -ENOTDIR; }
  /** Moves the entry oldName of this directory to newName in newDir, replacing what is there.
   *  Preconditions: both are directories of this file system; replacement rules checked. */
  rename(oldName: string, child: Inode, newDir: Inode, newName: string, replaced: Inode | null): i32 { return -EPERM; }
  /** RENAME_EXCHANGE: oldName (child) and newName in newDir (other) swap places atomically.
   *  File systems that cannot give EINVAL, as Linux's do. */
  exchange(oldName: string, child: Inode, newDir: Inode, newName: string, other: Inode): i32 { return -EINVAL; }
  /** RENAME_WHITEOUT: a rename that leaves a whiteout (a character device 0:0 with mode 0,
   *  owned by cred) at oldName, as overlayfs asks of its upper layer. EINVAL where the file
   *  system cannot. */
  renameWhiteout(oldName: string, child: Inode, newDir: Inode, newName: string, replaced: Inode | null, cred: Credentials): i32 { return -EINVAL; }

  // ---- extended attributes ----
  // A file system that keeps them in memory (SuperBlock.xattrs) answers from the inode's own
  // store; others have none to give (EOPNOTSUPP, and empty lists, as Linux's without xattr
  // handlers). Names arrive checked.
  private xattrStore: XattrStore | null = null;

  private store(): XattrStore | null {
    if (!this.sb.xattrs) return null;
    if (this.xattrStore === null) this.xattrStore = new XattrStore();
    return this.xattrStore;
  }

  getxattr(name: string): Uint8Array | null {
    const s = this.store();
    return s !== null ? s.get(name) : fail<Uint8Array>(EOPNOTSUPP);
  }

  setxattr(name: string, value: Uint8Array, flags: i32): i32 {
    const s = this.store();
    if (s === null) return -EOPNOTSUPP;
    const r = s.set(name, value, flags);
    if (r == 0) this.ctimeNs = realtimeNow();
    return r;
  }

  removexattr(name: string): i32 {
    const s = this.store();
    if (s === null) return -EOPNOTSUPP;
    const r = s.remove(name);
    if (r == 0) this.ctimeNs = realtimeNow();
    return r;
  }

  listxattr(): string[] {
    return this.xattrStore !== null ? this.xattrStore!.names() : [];
  }

  // ---- symlinks ----
  readlink(): string | null { return fail<string>(EINVAL); }
  /** A procfs link to a process's file rather than to a path (Linux's magic links, which
   *  openat2's RESOLVE_NO_MAGICLINKS refuses). */
  isMagicLink(): bool { return false; }
  /** Where a magic link found at `at` leads when followed: the very file it names (which
   *  may have no name left: a deleted or O_TMPFILE file, a pipe), or null to resolve
   *  readlink's text instead. */
  jump(at: Path): Path | null { return null; }

  /** A new open file description for this inode opened at path, or null (vfsErr says why).
   *  Directories open for reading their entries; other kinds need their file system's
   *  support (a fifo without pipes, a device without a driver: ENXIO, as Linux's no_open). */
  open(flags: i32, path: Path): FileDescription | null {
    if (this.isDir) return new InodeFile(flags, path);
    return fail<FileDescription>(ENXIO);
  }
}
