// Path resolution (Linux fs/namei.c): absolute or relative to the cwd or a dirfd, "." and "..",
// ".." across mount points and never above the task's root, symlinks (at most 40 on one walk,
// then ELOOP), trailing slashes (the result must be a directory), ENAMETOOLONG for a path of
// PATH_MAX bytes or more or a component of more than NAME_MAX; and openat2's restrictions
// (no symlinks, no magic links, no mount crossing, staying beneath or inside the start).
import { EBADF, ELOOP, ENAMETOOLONG, ENOENT, ENOTDIR, EXDEV } from "../../abi/errno";
import { Task } from "../../kernel/task";
import { InodeFile } from "./inode_file";
import { fail } from "./error";
import { Path } from "./mount";

export const AT_FDCWD: i32 = -100;
export const PATH_MAX: i32 = 4096;
export const NAME_MAX: i32 = 255;
export const MAXSYMLINKS: i32 = 40;

/** Follow a symlink in the last component. */
export const LOOKUP_FOLLOW: i32 = 1;
/** The result must be a directory. */
export const LOOKUP_DIRECTORY: i32 = 2;
/** openat2's RESOLVE_* (Linux's LOOKUP_NO_SYMLINKS and the rest): following any symlink is
 *  ELOOP; following a magic link (/proc/PID/fd/N, exe, cwd, root) is ELOOP; crossing a mount
 *  point is EXDEV; the walk may not leave the start (absolute paths, absolute symlinks and
 *  ".." above it are EXDEV); the start is the walk's root (absolute paths and ".." stay
 *  inside it). Magic links are EXDEV in both scoped modes. */
export const LOOKUP_NO_SYMLINKS: i32 = 4;
export const LOOKUP_NO_MAGICLINKS: i32 = 8;
export const LOOKUP_NO_XDEV: i32 = 16;
export const LOOKUP_BENEATH: i32 = 32;
export const LOOKUP_IN_ROOT: i32 = 64;
const LOOKUP_SCOPED: i32 = LOOKUP_BENEATH | LOOKUP_IN_ROOT;

/** The directory that will hold a name, and the name (for creating, removing, renaming). */
export class ParentPath {
  constructor(public dir: Path, public name: string, public trailingSlash: bool) {}
}

/** Where a relative path starts: the cwd, or the directory open on dirfd. */
export function startOf(t: Task, dirfd: i32): Path | null {
  if (dirfd == AT_FDCWD) return t.fs.cwd;
  const f = t.fdTable.getRaw(dirfd);
  if (f === null) return fail<Path>(EBADF);
  if (!(f instanceof InodeFile)) return fail<Path>(ENOTDIR);
  return (<InodeFile>f).path;
}

@inline function isAbsolute(path: string): bool {
  return path.length > 0 && path.charCodeAt(0) == 0x2f;
}

/** The root a lookup may not leave: the task's, or for a scoped lookup the directory it
 *  starts from. */
export function lookupRoot(t: Task, dirfd: i32, flags: i32): Path | null {
  return (flags & LOOKUP_SCOPED) != 0 ? startOf(t, dirfd) : t.fs.root;
}

/** Where a lookup of path starts: the task's root for an absolute path (unless scoped), else
 *  the cwd or dirfd's directory. */
export function lookupStart(t: Task, dirfd: i32, path: string, flags: i32): Path | null {
  return isAbsolute(path) && (flags & LOOKUP_SCOPED) == 0 ? t.fs.root : startOf(t, dirfd);
}

function split(path: string): string[] {
  const out: string[] = [];
  const parts = path.split("/");
  for (let i = 0; i < parts.length; i++) if (parts[i].length > 0) out.push(parts[i]);
  return out;
}

/** The mount root stacked on p, if any (follow_mount()). */
export function followMounts(p: Path): Path {
  while (p.dentry.mounted !== null) {
    const m = p.dentry.mounted!;
    p = new Path(m, m.root);
  }
  return p;
}

/** The parent of p, staying at root and crossing mount points upwards (follow_dotdot()). */
function parentOf(p: Path, root: Path): Path {
  let mnt = p.mnt;
  let d = p.dentry;
  for (;;) {
    if (mnt === root.mnt && d === root.dentry) return root;
    if (d !== mnt.root) break;
    if (mnt.parent === null) return new Path(mnt, d);
    d = mnt.mountpoint!;
    mnt = mnt.parent!;
  }
  return followMounts(new Path(mnt, d.parent !== null ? d.parent! : d));
}

/** Walks path from start. With parent set, stops before the last component and returns its
 *  directory in parent (name and trailing slash too). Returns null with vfsErr on failure. */
function walk(root: Path, start: Path, path: string, flags: i32, parent: ParentPath | null): Path | null {
  if (path.length == 0) return fail<Path>(ENOENT);
  if (String.UTF8.byteLength(path) >= PATH_MAX) return fail<Path>(ENAMETOOLONG);
  if (isAbsolute(path) && (flags & LOOKUP_BENEATH) != 0) return fail<Path>(EXDEV);
  let cur = isAbsolute(path) ? root : start;
  let comps = split(path);
  const trailing = path.charCodeAt(path.length - 1) == 0x2f;
  let links = 0;
  let i = 0;
  while (i < comps.length) {
    const name = comps[i];
    const last = i == comps.length - 1;
    if (String.UTF8.byteLength(name) > NAME_MAX) return fail<Path>(ENAMETOOLONG);
    if (!cur.inode.isDir) return fail<Path>(ENOTDIR);
    if (last && parent !== null) {
      parent.dir = cur;
      parent.name = name;
      parent.trailingSlash = trailing;
      return cur;
    }
    let next: Path;
    if (name == ".") {
      next = cur;
    } else if (name == "..") {
      if ((flags & LOOKUP_BENEATH) != 0 && cur.mnt === root.mnt && cur.dentry === root.dentry) return fail<Path>(EXDEV);
      next = parentOf(cur, root);
    } else {
      const d = cur.dentry.child(name);
      if (d === null) return null;
      next = followMounts(new Path(cur.mnt, d));
    }
    if ((flags & LOOKUP_NO_XDEV) != 0 && next.mnt !== cur.mnt) return fail<Path>(EXDEV);
    if (next.inode.isLnk && (!last || (flags & LOOKUP_FOLLOW) != 0 || trailing)) {
      if ((flags & LOOKUP_NO_SYMLINKS) != 0) return fail<Path>(ELOOP);
      if (++links > MAXSYMLINKS) return fail<Path>(ELOOP);
      if (next.inode.isMagicLink()) {
        if ((flags & LOOKUP_NO_MAGICLINKS) != 0) return fail<Path>(ELOOP);
        if ((flags & LOOKUP_SCOPED) != 0) return fail<Path>(EXDEV);
        // A magic link goes to the file itself, not to its name (nd_jump_link()).
        const to = next.inode.jump(next);
        if (to !== null) {
          if ((flags & LOOKUP_NO_XDEV) != 0 && to.mnt !== cur.mnt) return fail<Path>(EXDEV);
          cur = to;
          i++;
          continue;
        }
      }
      const target = next.inode.readlink();
      if (target === null) return null;
      if (target.length == 0) return fail<Path>(ENOENT);
      const rest = comps.slice(i + 1);
      comps = split(target).concat(rest);
      if (isAbsolute(target)) {
        if ((flags & LOOKUP_BENEATH) != 0) return fail<Path>(EXDEV);
        if ((flags & LOOKUP_NO_XDEV) != 0 && root.mnt !== cur.mnt) return fail<Path>(EXDEV);
        cur = root;
      }
      i = 0;
      if (comps.length == 0) {
        // A link to "/": the walk ends at the root.
        break;
      }
      continue;
    }
    cur = next;
    i++;
  }
  if (parent !== null) {
    // No last component ("/", or a link that ends at the root): Linux's LAST_ROOT, named
    // "/" here (EEXIST for mkdir, EBUSY for rmdir and rename, EISDIR for unlink).
    parent.dir = cur;
    parent.name = "/";
    parent.trailingSlash = trailing;
    return cur;
  }
  if ((trailing || (flags & LOOKUP_DIRECTORY) != 0) && !cur.inode.isDir) return fail<Path>(ENOTDIR);
  return cur;
}

/** Resolves path from start, never above root. */
export function resolveFrom(root: Path, start: Path, path: string, flags: i32): Path | null {
  return walk(root, start, path, flags, null);
}

/** Resolves path relative to dirfd. */
export function resolveAt(t: Task, dirfd: i32, path: string, flags: i32): Path | null {
  const root = lookupRoot(t, dirfd, flags);
  const start = lookupStart(t, dirfd, path, flags);
  if (root === null || start === null) return null;
  return walk(root, start, path, flags, null);
}

/** Whether a last component names the directory itself or its parent ("/", ".", ".."),
 *  which no creation or removal may take as a name. */
export function isDotName(name: string): bool {
  return name == "." || name == ".." || name == "/";
}

/** Resolves all but the last component of path from start (lookup flags: the RESOLVE_*
 *  restrictions). */
export function resolveParentFrom(root: Path, start: Path, path: string, flags: i32 = 0): ParentPath | null {
  const pp = new ParentPath(start, "", false);
  if (walk(root, start, path, flags, pp) === null) return null;
  return pp;
}

/** Resolves all but the last component of path relative to dirfd. */
export function resolveParentAt(t: Task, dirfd: i32, path: string): ParentPath | null {
  const start = lookupStart(t, dirfd, path, 0);
  if (start === null) return null;
  return resolveParentFrom(t.fs.root, start, path);
}
