// Dentries, mounts and paths (Linux's struct dentry, struct mount, struct path, fs_struct).
// The dentry tree caches lookups: a child found once stays until it is unlinked, renamed or
// replaced through the VFS, which keeps the cache in step. A mount is stacked on a dentry of
// its parent mount; a path names a dentry within one mount.
import { Inode } from "./inode";

export class Dentry {
  children: Map<string, Dentry> = new Map();
  /** The mount stacked on this dentry, if it is a mount point. */
  mounted: Mount | null = null;

  constructor(public name: string, public parent: Dentry | null, public inode: Inode) {}

  /** The cached child name, without asking the file system. */
  cached(name: string): Dentry | null {
    return this.children.has(name) ? this.children.get(name) : null;
  }

  /** The child name, from the cache or through lookup; null with vfsErr when absent. */
  child(name: string): Dentry | null {
    if (this.children.has(name)) return this.children.get(name);
    const inode = this.inode.lookup(name);
    if (inode === null) return null;
    const d = new Dentry(name, this, inode);
    this.children.set(name, d);
    return d;
  }

  /** Installs a freshly created child in the cache. */
  add(name: string, inode: Inode): Dentry {
    const d = new Dentry(name, this, inode);
    this.children.set(name, d);
    return d;
  }

  forget(name: string): void {
    this.children.delete(name);
  }
}

export const MNT_READONLY: i32 = 1;

export class Mount {
  parent: Mount | null = null;
  mountpoint: Dentry | null = null;

  constructor(public root: Dentry, public flags: i32, public fsType: string, public source: string) {}

  @inline get readonly(): bool { return (this.flags & MNT_READONLY) != 0; }
}

export class Path {
  constructor(public mnt: Mount, public dentry: Dentry) {}

  @inline get inode(): Inode { return this.dentry.inode; }

  equals(o: Path): bool { return this.mnt === o.mnt && this.dentry === o.dentry; }
}

/** The mounts of a mount namespace. */
export class MountNamespace {
  mounts: Mount[] = [];

  constructor(public root: Mount) {
    this.mounts.push(root);
  }

  /** Mounts m on the dentry at where. */
  attach(m: Mount, where: Path): void {
    m.parent = where.mnt;
    m.mountpoint = where.dentry;
    where.dentry.mounted = m;
    this.mounts.push(m);
  }
}

/** A task's root, working directory and umask (Linux's fs_struct). */
export class FsContext {
  umask: u32 = 0o022;

  constructor(public root: Path, public cwd: Path) {}

  /** A context of its own with the same root, cwd and umask (fork without CLONE_FS). */
  copy(): FsContext {
    const c = new FsContext(this.root, this.cwd);
    c.umask = this.umask;
    return c;
  }
}

/** The absolute path of p as seen from root (what getcwd(2) and /proc show). */
export function pathName(p: Path, root: Path): string {
  let mnt = p.mnt;
  let d = p.dentry;
  let s = "";
  for (;;) {
    if (mnt === root.mnt && d === root.dentry) break;
    if (d === mnt.root) {
      if (mnt.parent === null) break;
      d = mnt.mountpoint!;
      mnt = mnt.parent!;
      continue;
    }
    s = "/" + d.name + s;
    d = d.parent!;
  }
  return s.length == 0 ? "/" : s;
}
