// tmpfs: a file system that lives in memory (Linux mm/shmem.c). Directories hold their entries
// in a map; regular files hold their data in a shared memory object (pages of the memory file,
// allocated on first write, holes read as zeroes, freed when the last link, the last open file
// and the last mapping are gone), so tmpfs data counts against the sandbox's memory limit like
// any app memory, and MAP_SHARED mappings of the file map the same pages.
import { mfCopy, mfRead } from "../../host";
import { EBUSY, EFAULT, EFBIG, EINVAL, ENOENT, ENOSPC, EPERM } from "../../abi/errno";
import { PAGE_SIZE, PROT_READ, PROT_WRITE } from "../../abi/linux";
import { Credentials } from "../../kernel/cred";
import { zeroPage } from "../../kernel/globals";
import { Task } from "../../kernel/task";
import { MemObject } from "../../mm/mem_object";
import { extentLen } from "../../mm/mm";
import { FileDescription } from "../file";
import { fail } from "../vfs/error";
import { DirEntry, Inode, SuperBlock } from "../vfs/inode";
import { InodeFile } from "../vfs/inode_file";
import { Path } from "../vfs/mount";
import { dtypeOf, S_IFCHR, S_IFDIR, S_IFLNK, S_IFREG } from "../vfs/stat";
import { realtimeNow } from "../vfs/time";

/** The most one copyIn/copyOut moves (their counts are i32). */
const CHUNK_MAX: u64 = 0x40000000;
/** Largest tmpfs file (MAX_LFS_FILESIZE). */
const MAX_FILE_SIZE: u64 = 0x7fffffffffffffff;

/** Sets a new inode's owner and timestamps. */
export function initInode(i: Inode, cred: Credentials): void {
  i.uid = cred.euid;
  i.gid = cred.egid;
  const now = realtimeNow();
  i.atimeNs = now;
  i.mtimeNs = now;
  i.ctimeNs = now;
}

// The direction of a CopyRuns copy.
const RUN_TO_KERNEL: i32 = 0;
const RUN_TO_MF: i32 = 1;
const RUN_TO_FILE: i32 = 2;

/** A file copy made page by page, gathered into runs of file pages that follow each other
 *  in the memory file, each copied in one host call: a large copy into fresh pages is then
 *  one host pwrite instead of a page fault a page. The other side is kernel memory at dst
 *  or the memory file at off (contiguous); `at` counts bytes from their start. */
class CopyRuns {
  private dir: i32 = RUN_TO_KERNEL;
  private off: u64 = 0;
  private dst: usize = 0;
  private page: u64 = 0;
  private at: i32 = 0;
  private len: i32 = 0;

  start(dir: i32, off: u64, dst: usize): CopyRuns {
    this.dir = dir;
    this.off = off;
    this.dst = dst;
    this.len = 0;
    return this;
  }

  /** n bytes at memory-file offset page of the file, byte `at` of the other side. */
  add(page: u64, at: i32, n: i32): void {
    if (this.len > 0 && page != this.page + <u64>this.len) this.flush();
    if (this.len == 0) {
      this.page = page;
      this.at = at;
    }
    this.len += n;
  }

  flush(): void {
    if (this.len == 0) return;
    const other = this.off + <u64>this.at;
    if (this.dir == RUN_TO_FILE) mfCopy(<f64>this.page, <f64>other, <f64>this.len);
    else if (this.dir == RUN_TO_MF) mfCopy(<f64>other, <f64>this.page, <f64>this.len);
    else mfRead(<f64>this.page, this.dst + <usize>this.at, this.len);
    this.len = 0;
  }
}

const runs = new CopyRuns();

export class TmpfsDir extends Inode {
  private entries: Map<string, Inode> = new Map();

  constructor(sb: SuperBlock, perm: u32, cred: Credentials) {
    super(sb, S_IFDIR | (perm & 0o7777));
    this.nlink = 2;
    initInode(this, cred);
  }

  lookup(name: string): Inode | null {
    return this.entries.has(name) ? this.entries.get(name) : fail<Inode>(ENOENT);
  }

  readdir(out: DirEntry[]): i32 {
    const names = this.entries.keys();
    for (let i = 0; i < names.length; i++) {
      const c = this.entries.get(names[i]);
      out.push(new DirEntry(names[i], c.ino, dtypeOf(c.mode)));
    }
    return 0;
  }

  isEmptyDir(): bool { return this.entries.size == 0; }

  private touch(): void {
    const now = realtimeNow();
    this.mtimeNs = now;
    this.ctimeNs = now;
  }

  /** Adds a ready-made inode under name (devfs adds its driver-backed nodes this way). */
  insert(name: string, child: Inode): Inode {
    this.entries.set(name, child);
    this.touch();
    return child;
  }

  mknod(name: string, mode: u32, rdev: u64, cred: Credentials): Inode | null {
    let node: Inode;
    if ((mode & 0o170000) == S_IFREG) node = new TmpfsFile(this.sb, mode, cred);
    else {
      node = new Inode(this.sb, mode);
      node.rdev = rdev;
      initInode(node, cred);
    }
    return this.insert(name, node);
  }

  tmpfile(mode: u32, cred: Credentials): Inode | null {
    const f = new TmpfsFile(this.sb, S_IFREG | (mode & 0o7777), cred);
    f.nlink = 0;
    return f;
  }

  mkdir(name: string, mode: u32, cred: Credentials): Inode | null {
    this.nlink++;
    return this.insert(name, new TmpfsDir(this.sb, mode, cred));
  }

  symlink(name: string, target: string, cred: Credentials): Inode | null {
    return this.insert(name, new TmpfsSymlink(this.sb, target, cred));
  }

  link(name: string, target: Inode): i32 {
    target.nlink++;
    target.ctimeNs = realtimeNow();
    this.insert(name, target);
    return 0;
  }

  unlink(name: string, child: Inode, dir: bool): i32 {
    this.entries.delete(name);
    this.touch();
    if (dir) {
      this.nlink--;
      child.nlink = 0;
    } else {
      child.nlink--;
      child.ctimeNs = realtimeNow();
    }
    dropIfUnused(child);
    return 0;
  }

  rename(oldName: string, child: Inode, newDir: Inode, newName: string, replaced: Inode | null): i32 {
    const dst = <TmpfsDir>newDir;
    if (replaced !== null) dst.unlink(newName, replaced, replaced.isDir);
    this.entries.delete(oldName);
    this.touch();
    dst.insert(newName, child);
    if (child.isDir && dst !== this) {
      this.nlink--;
      dst.nlink++;
    }
    child.ctimeNs = realtimeNow();
    return 0;
  }

  exchange(oldName: string, child: Inode, newDir: Inode, newName: string, other: Inode): i32 {
    const dst = <TmpfsDir>newDir;
    this.entries.set(oldName, other);
    dst.entries.set(newName, child);
    this.touch();
    dst.touch();
    // A directory that changes parent moves its ".." link with it.
    if (dst !== this && child.isDir != other.isDir) {
      const d: i32 = child.isDir ? 1 : -1;
      this.nlink -= d;
      dst.nlink += d;
    }
    const now = realtimeNow();
    child.ctimeNs = now;
    other.ctimeNs = now;
    return 0;
  }

  renameWhiteout(oldName: string, child: Inode, newDir: Inode, newName: string, replaced: Inode | null, cred: Credentials): i32 {
    const r = this.rename(oldName, child, newDir, newName, replaced);
    if (r < 0) return r;
    this.mknod(oldName, S_IFCHR, 0, cred);
    return 0;
  }
}

export class TmpfsSymlink extends Inode {
  constructor(sb: SuperBlock, public target: string, cred: Credentials) {
    super(sb, S_IFLNK | 0o777);
    initInode(this, cred);
  }

  size(): u64 { return <u64>String.UTF8.byteLength(this.target); }

  readlink(): string | null { return this.target; }
}

/** Frees a regular file's pages once nothing refers to it any more. */
function dropIfUnused(i: Inode): void {
  if (i instanceof TmpfsFile) {
    const f = <TmpfsFile>i;
    if (f.nlink == 0 && f.openCount == 0) f.obj.release();
  }
}

// File seals (include/uapi/linux/fcntl.h; mm/memfd.c). F_SEAL_EXEC (Linux 6.3) is not
// taken.
export const F_SEAL_SEAL: u32 = 0x1;
export const F_SEAL_SHRINK: u32 = 0x2;
export const F_SEAL_GROW: u32 = 0x4;
export const F_SEAL_WRITE: u32 = 0x8;
export const F_SEAL_FUTURE_WRITE: u32 = 0x10;
const ALL_SEALS: u32 = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE;
/** Seals under which the file's data may not change (writes, punches, writable mappings). */
export const NO_WRITE_SEALS: u32 = F_SEAL_WRITE | F_SEAL_FUTURE_WRITE;

export class TmpfsFile extends Inode {
  /** Seals (memfd_add_seals()): a file starts sealed against sealing; a memfd made with
   *  MFD_ALLOW_SEALING starts with none. */
  seals: u32 = F_SEAL_SEAL;
  /** The file's pages and size; mappings of the file share it. */
  obj: MemObject = new MemObject();
  openCount: i32 = 0;

  constructor(sb: SuperBlock, mode: u32, cred: Credentials) {
    super(sb, mode);
    initInode(this, cred);
  }

  size(): u64 { return this.obj.size; }

  open(flags: i32, path: Path): FileDescription | null {
    return new TmpfsFileDescription(flags, path, this);
  }

  truncate(size: u64): i32 {
    if (size > MAX_FILE_SIZE) return -EFBIG;
    const obj = this.obj;
    if ((size < obj.size && (this.seals & F_SEAL_SHRINK) != 0) || (size > obj.size && (this.seals & F_SEAL_GROW) != 0)) return -EPERM;
    if (size < obj.size) {
      const keep = (size + PAGE_SIZE - 1) / PAGE_SIZE;
      obj.size = size;
      // Pages past the new end leave every mapping (touching them is SIGBUS).
      obj.freeFrom(keep);
      // The tail of the last kept page must read as zeroes if the file grows again.
      const inPage = size & (PAGE_SIZE - 1);
      const last = keep > 0 ? obj.page(keep - 1) : -1;
      if (inPage != 0 && last >= 0) {
        mfCopy(<f64>(<u64>last + inPage), <f64>(zeroPage + inPage), <f64>(PAGE_SIZE - inPage));
      }
    }
    obj.size = size;
    const now = realtimeNow();
    this.mtimeNs = now;
    this.ctimeNs = now;
    return 0;
  }

  allocate(mode: i32, off: u64, len: u64): i32 {
    if (off + len < off || off + len > MAX_FILE_SIZE) return -EFBIG;
    if ((mode & 2) != 0 && (this.seals & NO_WRITE_SEALS) != 0) return -EPERM;
    if ((mode & 2) == 0 && (this.seals & F_SEAL_GROW) != 0 && off + len > this.obj.size) return -EPERM;
    if ((mode & 2) != 0) {
      // Punch: whole pages are freed (a mapping of them faults in fresh zeroes), the partial
      // ends zeroed.
      const obj = this.obj;
      const end = off + len < obj.size ? off + len : obj.size;
      for (let p = off; p < end; ) {
        const idx = p / PAGE_SIZE;
        const inPage = p & (PAGE_SIZE - 1);
        const n = PAGE_SIZE - inPage < end - p ? PAGE_SIZE - inPage : end - p;
        const page = obj.page(idx);
        if (page >= 0) {
          if (n == PAGE_SIZE) obj.freePage(idx);
          else mfCopy(<f64>(<u64>page + inPage), <f64>(zeroPage + inPage), <f64>n);
        }
        p += n;
      }
      return 0;
    }
    // Pages are given on first write; reserving only moves the size (mode 0).
    if ((mode & 1) == 0 && off + len > this.obj.size) this.obj.size = off + len;
    return 0;
  }

  readAt(t: Task, addr: u64, len: u64, pos: i64): i64 {
    const obj = this.obj;
    if (<u64>pos >= obj.size || len == 0) return 0;
    let n = obj.size - <u64>pos;
    if (len < n) n = len;
    n = t.mm.accessibleLen(addr, n, PROT_WRITE);
    if (n == 0) return -EFAULT;
    // The app's memory is pieces of the memory file: each is filled like any copy out.
    let done: u64 = 0;
    while (done < n) {
      const off = t.mm.extentAt(addr + done, addr + n);
      const chunk = extentLen < CHUNK_MAX ? extentLen : CHUNK_MAX;
      this.copyOut(<u64>pos + done, <i32>chunk, 0, off, true);
      done += chunk;
    }
    this.atimeNs = realtimeNow();
    return <i64>done;
  }

  /** Fills this (empty) file with the first size bytes of src, page by page straight into the
   *  memory file (the overlay's copy-up). Returns 0 or -errno. */
  fillFrom(src: FileDescription, size: u64): i32 {
    const obj = this.obj;
    for (let pos: u64 = 0; pos < size; pos += PAGE_SIZE) {
      const off = obj.populate(pos / PAGE_SIZE);
      if (off < 0) {
        obj.freeFrom(0);
        return -ENOSPC;
      }
      const want = size - pos < PAGE_SIZE ? <i32>(size - pos) : <i32>PAGE_SIZE;
      const got = src.readToMf(<u64>off, want, <i64>pos);
      if (got < 0) {
        obj.freeFrom(0);
        return got;
      }
    }
    obj.size = size;
    return 0;
  }

  /** Copies up to len bytes at pos into kernel memory at dst, or into the memory file at off
   *  when toMf is set. Returns the count (0 at or past the end). */
  copyOut(pos: u64, len: i32, dst: usize, off: u64, toMf: bool): i32 {
    const obj = this.obj;
    if (pos >= obj.size) return 0;
    const n = obj.size - pos < <u64>len ? <i32>(obj.size - pos) : len;
    let done: i32 = 0;
    const copy = runs.start(toMf ? RUN_TO_MF : RUN_TO_KERNEL, off, dst);
    while (done < n) {
      const p = pos + <u64>done;
      const inPage = p & (PAGE_SIZE - 1);
      const chunk = <i32>(PAGE_SIZE - inPage) < n - done ? <i32>(PAGE_SIZE - inPage) : n - done;
      const page = obj.page(p / PAGE_SIZE);
      copy.add(page >= 0 ? <u64>page + inPage : zeroPage + inPage, done, chunk);
      done += chunk;
    }
    copy.flush();
    return n;
  }

  /** Writes len bytes from the memory file at off to the file at pos. The count or -errno. */
  copyIn(off: u64, len: i32, pos: u64): i32 {
    if (pos + <u64>len > MAX_FILE_SIZE) return -EFBIG;
    const obj = this.obj;
    if ((this.seals & NO_WRITE_SEALS) != 0) return -EPERM;
    if ((this.seals & F_SEAL_GROW) != 0 && pos + <u64>len > obj.size) return -EPERM;
    let done: i32 = 0;
    const copy = runs.start(RUN_TO_FILE, off, 0);
    while (done < len) {
      const p = pos + <u64>done;
      const inPage = p & (PAGE_SIZE - 1);
      const chunk = <i32>(PAGE_SIZE - inPage) < len - done ? <i32>(PAGE_SIZE - inPage) : len - done;
      const page = obj.populate(p / PAGE_SIZE);
      if (page < 0) break;
      copy.add(<u64>page + inPage, done, chunk);
      done += chunk;
    }
    copy.flush();
    if (done == 0 && len > 0) return -ENOSPC;
    if (pos + <u64>done > obj.size) obj.size = pos + <u64>done;
    const now = realtimeNow();
    this.mtimeNs = now;
    this.ctimeNs = now;
    return done;
  }

  writeAt(t: Task, addr: u64, len: u64, pos: i64): i64 {
    if (len == 0) return 0;
    if (<u64>pos > MAX_FILE_SIZE - len) return -EFBIG;
    const n = t.mm.accessibleLen(addr, len, PROT_READ);
    if (n == 0) return -EFAULT;
    let done: u64 = 0;
    while (done < n) {
      const off = t.mm.extentAt(addr + done, addr + n);
      const chunk = extentLen < CHUNK_MAX ? extentLen : CHUNK_MAX;
      const r = this.copyIn(off, <i32>chunk, <u64>pos + done);
      if (r < 0) return done > 0 ? <i64>done : r;
      done += <u64>r;
      if (<u64>r < chunk) break; // out of memory: a short write
    }
    return <i64>done;
  }
}

/** An open tmpfs regular file. The path may name it through another layer (an overlay), so
 *  the data inode is kept apart. */
export class TmpfsFileDescription extends InodeFile {
  constructor(flags: i32, path: Path, private file: TmpfsFile) {
    super(flags, path);
    file.openCount++;
  }

  readAt(t: Task, addr: u64, len: u64, pos: i64): i64 {
    return this.file.readAt(t, addr, len, pos);
  }

  writeAt(t: Task, addr: u64, len: u64, pos: i64): i64 {
    return this.file.writeAt(t, addr, len, pos);
  }

  readToKernel(dst: usize, len: i32, pos: i64): i32 {
    return this.file.copyOut(<u64>pos, len, dst, 0, false);
  }

  readToMf(off: u64, len: i32, pos: i64): i32 {
    return this.file.copyOut(<u64>pos, len, 0, off, true);
  }

  writeMfAt(off: u64, len: i32, pos: i64): i32 {
    return this.file.copyIn(off, len, <u64>pos);
  }

  memObject(): MemObject | null { return this.file.obj; }

  seals(): i32 { return <i32>this.file.seals; }

  /** memfd_add_seals(): the description must be open for writing; F_SEAL_WRITE waits for no
   *  shared mapping that may write (EBUSY). */
  addSeals(seals: u32): i32 {
    const f = this.file;
    if (!this.writable) return -EPERM;
    if ((seals & ~ALL_SEALS) != 0) return -EINVAL;
    if ((f.seals & F_SEAL_SEAL) != 0) return -EPERM;
    if ((seals & F_SEAL_WRITE) != 0 && (f.seals & F_SEAL_WRITE) == 0 && f.obj.writablyMapped()) return -EBUSY;
    f.seals |= seals;
    return 0;
  }

  release(): void {
    super.release();
    this.file.openCount--;
    dropIfUnused(this.file);
  }
}

/** A new tmpfs: its superblock and root directory. */
export function newTmpfs(perm: u32): TmpfsDir {
  const sb = new SuperBlock("tmpfs");
  sb.xattrs = true;
  return new TmpfsDir(sb, perm, new Credentials(0, 0, 0, 0));
}

