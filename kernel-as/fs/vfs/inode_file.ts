// The file description of a file opened through the VFS: its path, its offset, and the
// directory reading that getdents64 needs. File systems subclass it for their regular files
// (overriding readAt/writeAt) and devices; the offset logic of read/write/lseek lives here once.
import { EBADF, EFAULT, EINVAL, EISDIR, ENXIO, EOVERFLOW, ESPIPE, ENOTDIR } from "../../abi/errno";
import { O_APPEND, O_PATH_FLAG, SEEK_CUR, SEEK_DATA, SEEK_END, SEEK_HOLE, SEEK_SET } from "./open_flags";
import { Task } from "../../kernel/task";
import { FileDescription } from "../file";
import { Attr, dtypeOf, encodeStat } from "./stat";
import { DirEntry } from "./inode";
import { Path } from "./mount";
import { releaseLocks } from "./locks";

const DIRENT_BUF_SIZE: i32 = 4096;

export class InodeFile extends FileDescription {
  pos: i64 = 0;
  /** Directory listing taken when reading starts (or restarts at offset 0). */
  private listing: DirEntry[] | null = null;

  constructor(flags: i32, public path: Path) {
    super(flags);
  }

  @inline get isPathOnly(): bool { return (this.flags & O_PATH_FLAG) != 0; }

  /** Reads at file position pos into app memory; the count or -errno. */
  readAt(t: Task, addr: u64, len: u64, pos: i64): i64 { return this.path.inode.isDir ? -EISDIR : -EINVAL; }
  /** Writes at file position pos from app memory; the count or -errno. */
  writeAt(t: Task, addr: u64, len: u64, pos: i64): i64 { return -EINVAL; }
  /** Whether the file has positions (regular files, directories) rather than a stream. */
  seekable(): bool { return true; }

  read(t: Task, addr: u64, len: u64): i64 {
    if (this.isPathOnly) return -EBADF;
    const n = this.readAt(t, addr, len, this.pos);
    if (n > 0 && this.seekable()) this.pos += n;
    return n;
  }

  write(t: Task, addr: u64, len: u64): i64 {
    if (this.isPathOnly) return -EBADF;
    if ((this.flags & O_APPEND) != 0 && this.seekable()) this.pos = <i64>this.path.inode.size();
    const n = this.writeAt(t, addr, len, this.pos);
    if (n > 0 && this.seekable()) this.pos += n;
    return n;
  }

  /** writeFromMf at the file position (moved on), O_APPEND respected; for subclasses that
   *  implement writeMfAt. */
  writeFromMf(t: Task, off: u64, len: i32, pos: i64): i32 {
    if (this.isPathOnly) return -EBADF;
    const own = pos < 0;
    if ((this.flags & O_APPEND) != 0) pos = <i64>this.path.inode.size();
    else if (own) pos = this.pos;
    const n = this.writeMfAt(off, len, pos);
    if (n > 0 && own) this.pos = pos + n;
    return n;
  }

  writeMfAt(off: u64, len: i32, pos: i64): i32 { return -EINVAL; }

  pread(t: Task, addr: u64, len: u64, pos: i64): i64 {
    if (this.isPathOnly) return -EBADF;
    if (!this.seekable()) return -ESPIPE;
    return this.readAt(t, addr, len, pos);
  }

  pwrite(t: Task, addr: u64, len: u64, pos: i64): i64 {
    if (this.isPathOnly) return -EBADF;
    if (!this.seekable()) return -ESPIPE;
    // Linux appends even a pwrite on an O_APPEND file (a documented bug in pwrite(2)).
    if ((this.flags & O_APPEND) != 0) pos = <i64>this.path.inode.size();
    return this.writeAt(t, addr, len, pos);
  }

  lseek(off: i64, whence: i32): i64 {
    if (this.isPathOnly) return -EBADF;
    if (!this.seekable()) return -ESPIPE;
    const size = <i64>this.path.inode.size();
    let base: i64 = 0;
    if (whence == SEEK_SET) base = 0;
    else if (whence == SEEK_CUR) base = this.pos;
    else if (whence == SEEK_END) base = size;
    else if (whence == SEEK_DATA || whence == SEEK_HOLE) {
      // The whole file is data and its end the only hole (allowed by lseek(2)).
      if (off < 0 || off >= size) return -ENXIO;
      this.pos = whence == SEEK_DATA ? off : size;
      return this.pos;
    } else return -EINVAL;
    const n = base + off;
    if ((off > 0 && n < base) || n < 0) return off > 0 ? -EOVERFLOW : -EINVAL;
    if (this.path.inode.isDir && n == 0) this.listing = null;
    this.pos = n;
    return n;
  }

  /** The description's own locks (OFD and flock) go with it. Subclasses that override
   *  release call this too. */
  release(): void {
    releaseLocks(this.path.inode, changetype<usize>(this));
  }

  stat(dst: usize): i32 {
    const a = new Attr();
    this.path.inode.getattr(a);
    encodeStat(a, dst);
    return 0;
  }

  /** getdents64(2): entries from the current offset (an index into the listing, "." and ".."
   *  first) as struct linux_dirent64 records. Returns bytes written, 0 at the end, or -errno. */
  getdents(t: Task, addr: u64, len: u64): i64 {
    const dir = this.path.inode;
    if (!dir.isDir) return -ENOTDIR;
    if (this.listing === null || this.pos == 0) {
      const l: DirEntry[] = [];
      l.push(new DirEntry(".", dir.ino, dtypeOf(dir.mode)));
      const parent = this.path.dentry.parent;
      const pino = parent !== null ? parent.inode.ino : dir.ino;
      l.push(new DirEntry("..", pino, 4));
      const r = dir.readdir(l);
      if (r < 0) return r;
      this.listing = l;
    }
    const entries = this.listing!;
    const buf = new ArrayBuffer(DIRENT_BUF_SIZE);
    const p = changetype<usize>(buf);
    let written: u64 = 0;
    while (this.pos < entries.length) {
      const e = entries[<i32>this.pos];
      const name = String.UTF8.encode(e.name, true);
      const reclen = <u64>((19 + name.byteLength + 7) & ~7);
      if (written + reclen > len) break;
      if (reclen > <u64>DIRENT_BUF_SIZE) return -EINVAL;
      memory.fill(p, 0, <usize>reclen);
      store<u64>(p, e.ino);
      store<i64>(p + 8, this.pos + 1);
      store<u16>(p + 16, <u16>reclen);
      store<u8>(p + 18, e.type);
      memory.copy(p + 19, changetype<usize>(name), name.byteLength);
      if (t.mm.copyOut(addr + written, p, reclen) < 0) return written > 0 ? <i64>written : -EFAULT;
      written += reclen;
      this.pos++;
    }
    if (written == 0 && this.pos < entries.length) return -EINVAL;
    return <i64>written;
  }
}
