// The overlay (Linux fs/overlayfs/, simplified): a writable upper layer (tmpfs) over a read-only
// lower layer (the Gofer's tree), the default root of `wvisor do`, so that writes inside the
// sandbox never reach the host. A name is looked up in the upper directory first; a whiteout
// there (a character device 0:0, as overlayfs makes) hides the lower entry, and an opaque upper
// directory hides the whole lower directory. Changing a lower file or directory first copies it
// up (its parents too): directories and symlinks are recreated, regular files copied. Renaming
// a directory that has a lower part gives EXDEV, as overlayfs without redirect_dir does (mv
// falls back to copying).
import { EEXIST, ENODATA, ENOENT, EXDEV } from "../../abi/errno";
import { O_RDONLY } from "../../abi/linux";
import { Credentials } from "../../kernel/cred";
import { FileDescription } from "../file";
import { fail, vfsErr } from "../vfs/error";
import { ATTR_ATIME, ATTR_CTIME, ATTR_GID, ATTR_MODE, ATTR_MTIME, ATTR_UID, DirEntry, Inode, SuperBlock } from "../vfs/inode";
import { InodeFile } from "../vfs/inode_file";
import { Dentry, MNT_READONLY, Mount, Path } from "../vfs/mount";
import { Attr, S_IFCHR, S_IFMT, S_IFREG } from "../vfs/stat";
import { TmpfsFile } from "../tmpfs/tmpfs";

const ROOT_CRED = new Credentials(0, 0, 0, 0);

export class OverlaySuper extends SuperBlock {
  /** Upper directories that hide their lower counterpart entirely. */
  opaque: Set<Inode> = new Set();

  constructor() {
    super("overlay");
  }
}

function isWhiteout(i: Inode): bool {
  return (i.mode & S_IFMT) == S_IFCHR && i.rdev == 0;
}

export class OverlayInode extends Inode {
  constructor(
    public osb: OverlaySuper,
    public upper: Inode | null,
    public lower: Inode | null,
    /** The directory that holds this one, and its name there (for copy-up). */
    public parent: OverlayInode | null,
    public name: string,
  ) {
    super(osb, (upper !== null ? upper : lower)!.mode);
    // Keep the lower inode number while there is one, so it stays put across copy-up.
    this.ino = lower !== null ? lower.ino : upper!.ino;
    this.nlink = this.top.nlink;
  }

  /** The layer that answers for this file now. */
  @inline get top(): Inode { return this.upper !== null ? this.upper! : this.lower!; }

  size(): u64 { return this.top.size(); }

  getattr(a: Attr): void {
    this.top.getattr(a);
    a.dev = this.sb.dev;
    a.ino = this.ino;
  }

  setattr(mask: i32, a: Attr): i32 {
    const r = this.copyUp();
    if (r < 0) return r;
    const res = this.upper!.setattr(mask, a);
    this.mode = this.upper!.mode;
    return res;
  }

  truncate(size: u64): i32 {
    const r = this.copyUp();
    return r < 0 ? r : this.upper!.truncate(size);
  }

  allocate(mode: i32, off: u64, len: u64): i32 {
    const r = this.copyUp();
    return r < 0 ? r : this.upper!.allocate(mode, off, len);
  }

  private isOpaque(): bool { return this.upper !== null && this.osb.opaque.has(this.upper!); }

  lookup(name: string): Inode | null {
    let up: Inode | null = null;
    if (this.upper !== null) {
      up = this.upper!.lookup(name);
      if (up !== null && isWhiteout(up)) return fail<Inode>(ENOENT);
      if (up !== null && !up.isDir) return new OverlayInode(this.osb, up, null, this, name);
    }
    let low: Inode | null = null;
    if (this.lower !== null && !this.isOpaque()) {
      low = this.lower!.lookup(name);
      if (low !== null && up !== null && !low.isDir) low = null; // an upper dir hides a lower file
    }
    if (up === null && low === null) return fail<Inode>(ENOENT);
    return new OverlayInode(this.osb, up, low, this, name);
  }

  readdir(out: DirEntry[]): i32 {
    const seen = new Set<string>();
    if (this.upper !== null) {
      const ups: DirEntry[] = [];
      const r = this.upper!.readdir(ups);
      if (r < 0) return r;
      for (let i = 0; i < ups.length; i++) {
        seen.add(ups[i].name);
        const c = this.upper!.lookup(ups[i].name);
        if (c !== null && isWhiteout(c)) continue;
        out.push(ups[i]);
      }
    }
    if (this.lower !== null && !this.isOpaque()) {
      const lows: DirEntry[] = [];
      const r = this.lower!.readdir(lows);
      if (r < 0) return r;
      for (let i = 0; i < lows.length; i++) if (!seen.has(lows[i].name)) out.push(lows[i]);
    }
    return 0;
  }

  isEmptyDir(): bool {
    const l: DirEntry[] = [];
    return this.readdir(l) == 0 && l.length == 0;
  }

  readlink(): string | null { return this.top.readlink(); }

  /** Makes sure the file exists in the upper layer (copying it and its parents up). */
  copyUp(): i32 {
    if (this.upper !== null) return 0;
    const parent = this.parent!;
    const r = parent.copyUp();
    if (r < 0) return r;
    const low = this.lower!;
    const dir = parent.upper!;
    let up: Inode | null;
    if (low.isDir) up = dir.mkdir(this.name, low.mode & 0o7777, ROOT_CRED);
    else if (low.isLnk) {
      const target = low.readlink();
      if (target === null) return -vfsErr;
      up = dir.symlink(this.name, target, ROOT_CRED);
    } else if (low.isReg) {
      up = dir.mknod(this.name, S_IFREG | (low.mode & 0o7777), 0, ROOT_CRED);
      if (up !== null) {
        // A private path to the lower file, only for reading it here.
        const d = new Dentry(this.name, null, low);
        const src = low.open(O_RDONLY, new Path(new Mount(d, MNT_READONLY, "overlay-lower", ""), d));
        if (src === null) return -vfsErr;
        const fr = (<TmpfsFile>up).fillFrom(src, low.size());
        src.put();
        if (fr < 0) return fr;
      }
    } else up = dir.mknod(this.name, low.mode, low.rdev, ROOT_CRED);
    if (up === null) return -vfsErr;
    // Owner, mode and times come along (ovl_copy_up_inode's attribute copy).
    const a = new Attr();
    low.getattr(a);
    up.setattr(ATTR_UID | ATTR_GID | ATTR_MODE | ATTR_ATIME | ATTR_MTIME | ATTR_CTIME, a);
    this.upper = up;
    return 0;
  }

  /** Prepares to create name in this directory: the directory copied up and a whiteout for
   *  the name removed. Returns whether a whiteout was there (a new directory must then be
   *  opaque), or -errno. */
  private prepareCreate(name: string): i32 {
    const r = this.copyUp();
    if (r < 0) return r;
    const existing = this.upper!.lookup(name);
    if (existing === null) return 0;
    if (!isWhiteout(existing)) return -EEXIST;
    this.upper!.unlink(name, existing, false);
    return 1;
  }

  private created(name: string, up: Inode | null): Inode | null {
    if (up === null) return null;
    return new OverlayInode(this.osb, up, null, this, name);
  }

  mknod(name: string, mode: u32, rdev: u64, cred: Credentials): Inode | null {
    const r = this.prepareCreate(name);
    if (r < 0) return fail<Inode>(-r);
    return this.created(name, this.upper!.mknod(name, mode, rdev, cred));
  }

  /** Extended attributes live in the upper layer: reading a file not copied up finds none
   *  (the Gofer's lower layer keeps none), changing one copies the file up first. */
  getxattr(name: string): Uint8Array | null {
    return this.upper !== null ? this.upper!.getxattr(name) : fail<Uint8Array>(ENODATA);
  }

  setxattr(name: string, value: Uint8Array, flags: i32): i32 {
    const r = this.copyUp();
    return r < 0 ? r : this.upper!.setxattr(name, value, flags);
  }

  removexattr(name: string): i32 {
    if (this.upper === null) return -ENODATA;
    return this.upper!.removexattr(name);
  }

  listxattr(): string[] {
    return this.upper !== null ? this.upper!.listxattr() : [];
  }

  /** O_TMPFILE: made in the upper directory (overlayfs's ovl_tmpfile()); it has no name
   *  until linkat gives it one, which link() does in the upper layer as for any file. */
  tmpfile(mode: u32, cred: Credentials): Inode | null {
    const r = this.copyUp();
    if (r < 0) return fail<Inode>(-r);
    return this.created("", this.upper!.tmpfile(mode, cred));
  }

  mkdir(name: string, mode: u32, cred: Credentials): Inode | null {
    const r = this.prepareCreate(name);
    if (r < 0) return fail<Inode>(-r);
    const up = this.upper!.mkdir(name, mode, cred);
    if (up !== null && r == 1) this.osb.opaque.add(up);
    return this.created(name, up);
  }

  symlink(name: string, target: string, cred: Credentials): Inode | null {
    const r = this.prepareCreate(name);
    if (r < 0) return fail<Inode>(-r);
    return this.created(name, this.upper!.symlink(name, target, cred));
  }

  link(name: string, target: Inode): i32 {
    const t = <OverlayInode>target;
    let r = t.copyUp();
    if (r < 0) return r;
    r = this.prepareCreate(name);
    if (r < 0) return r;
    r = this.upper!.link(name, t.upper!);
    t.nlink = t.upper!.nlink;
    return r;
  }

  /** Leaves a whiteout for name in the upper directory (the name exists below). */
  private whiteout(name: string): i32 {
    return this.upper!.mknod(name, S_IFCHR, 0, ROOT_CRED) === null ? -vfsErr : 0;
  }

  unlink(name: string, child: Inode, dir: bool): i32 {
    const c = <OverlayInode>child;
    const r = this.copyUp();
    if (r < 0) return r;
    if (c.upper !== null) {
      if (dir && c.lower !== null) this.clearWhiteouts(c);
      const u = this.upper!.unlink(name, c.upper!, dir);
      if (u < 0) return u;
    }
    // The VFS reads nlink to tell a file that lost its last name (linkat, /proc's "(deleted)").
    c.nlink = c.lower !== null || c.upper === null ? 0 : c.upper!.nlink;
    return this.lowerHas(name) ? this.whiteout(name) : 0;
  }

  /** Whether the lower layer has name in this directory (so removing or moving the upper
   *  entry must leave a whiteout). Asked of the lower directory itself: after a rename or an
   *  exchange, the file under a name is not always the one the lower layer has there. */
  private lowerHas(name: string): bool {
    if (this.lower === null || (this.upper !== null && this.osb.opaque.has(this.upper!))) return false;
    return this.lower!.lookup(name) !== null;
  }

  /** Empties an upper directory of the whiteouts it holds, so that it can be removed. */
  private clearWhiteouts(c: OverlayInode): void {
    const names: DirEntry[] = [];
    c.upper!.readdir(names);
    for (let i = 0; i < names.length; i++) {
      const w = c.upper!.lookup(names[i].name);
      if (w !== null && isWhiteout(w)) c.upper!.unlink(names[i].name, w, false);
    }
  }

  rename(oldName: string, child: Inode, newDir: Inode, newName: string, replaced: Inode | null): i32 {
    const c = <OverlayInode>child;
    const dst = <OverlayInode>newDir;
    if (c.isDir && c.lower !== null) return -EXDEV;
    let r = c.copyUp();
    if (r < 0) return r;
    r = dst.copyUp();
    if (r < 0) return r;
    let up: Inode | null = null;
    if (replaced !== null) {
      const rep = <OverlayInode>replaced;
      if (rep.upper === null) {
        r = rep.copyUp();
        if (r < 0) return r;
      }
      if (rep.isDir && rep.lower !== null) this.clearWhiteouts(rep);
      up = rep.upper;
    } else {
      const w = dst.upper!.lookup(newName);
      if (w !== null && isWhiteout(w)) dst.upper!.unlink(newName, w, false);
    }
    r = this.upper!.rename(oldName, c.upper!, dst.upper!, newName, up);
    if (r < 0) return r;
    c.parent = dst;
    c.name = newName;
    return this.lowerHas(oldName) ? this.whiteout(oldName) : 0;
  }

  /** RENAME_EXCHANGE (ovl_rename() with the flag): both copied up and swapped in the upper
   *  layer; their names hide whatever the lower layer has there, so no whiteout is needed.
   *  Directories with a lower part cannot move (EXDEV), as for rename. */
  exchange(oldName: string, child: Inode, newDir: Inode, newName: string, other: Inode): i32 {
    const a = <OverlayInode>child;
    const b = <OverlayInode>other;
    const dst = <OverlayInode>newDir;
    if ((a.isDir && a.lower !== null) || (b.isDir && b.lower !== null)) return -EXDEV;
    let r = a.copyUp();
    if (r >= 0) r = b.copyUp();
    if (r >= 0) r = dst.copyUp();
    if (r < 0) return r;
    r = this.upper!.exchange(oldName, a.upper!, dst.upper!, newName, b.upper!);
    if (r < 0) return r;
    b.parent = this;
    b.name = oldName;
    a.parent = dst;
    a.name = newName;
    return 0;
  }

  open(flags: i32, path: Path): FileDescription | null {
    if (this.isDir) return new InodeFile(flags, path);
    const writing = (flags & 3) != O_RDONLY;
    if (writing) {
      const r = this.copyUp();
      if (r < 0) return fail<FileDescription>(-r);
    }
    return this.top.open(flags, path);
  }
}

/** The root of an overlay of a fresh upper directory over lower. */
export function newOverlay(upper: Inode, lower: Inode): OverlayInode {
  return new OverlayInode(new OverlaySuper(), upper, lower, null, "/");
}
