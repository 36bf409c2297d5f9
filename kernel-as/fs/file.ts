// File descriptions (Linux's `struct file`): what an fd refers to, with its status flags and
// offset. Several fds, and after fork several fd tables, may share one description; it is
// released when the last reference goes. Each kind of file overrides the operations it has;
// the defaults are the errno Linux gives for a file without that operation.
import { EINVAL, ENXIO, ESPIPE, ENOTTY } from "../abi/errno";
import { O_ACCMODE, O_RDONLY, O_WRONLY } from "../abi/linux";
import { Task } from "../kernel/task";
import { MemObject } from "../mm/mem_object";
import { Attr, encodeStat } from "./vfs/stat";
import { SuperBlock } from "./vfs/inode";
import { fail } from "./vfs/error";

export const POLLIN: i32 = 0x1;
export const POLLPRI: i32 = 0x2;
export const POLLOUT: i32 = 0x4;
export const POLLERR: i32 = 0x8;
export const POLLHUP: i32 = 0x10;
export const POLLNVAL: i32 = 0x20;
export const POLLRDNORM: i32 = 0x40;
export const POLLWRNORM: i32 = 0x100;

/** The file system of the anonymous inode (anon_inodefs) and its one inode number. */
const anonInodeFs = new SuperBlock("anon_inodefs");
const ANON_INO: u64 = anonInodeFs.allocIno();

export class FileDescription {
  refs: i32 = 1;

  constructor(public flags: i32) {}

  @inline get readable(): bool { return (this.flags & O_ACCMODE) != O_WRONLY; }
  @inline get writable(): bool { return (this.flags & O_ACCMODE) != O_RDONLY; }

  /** Reads up to len bytes into app memory at addr: a count, -errno, or RET_BLOCK (the task
   *  was parked; the syscall is run again when it is woken). */
  read(t: Task, addr: u64, len: u64): i64 { return -EINVAL; }
  write(t: Task, addr: u64, len: u64): i64 { return -EINVAL; }
  pread(t: Task, addr: u64, len: u64, pos: i64): i64 { return -ESPIPE; }
  pwrite(t: Task, addr: u64, len: u64, pos: i64): i64 { return -ESPIPE; }
  lseek(off: i64, whence: i32): i64 { return -ESPIPE; }
  /** Fills a struct stat (144 bytes) in kernel memory. A file without an inode of its own
   *  (eventfd, epoll, ...) stats as Linux's shared anonymous inode: mode 0600 without a type,
   *  one inode number for all. */
  stat(dst: usize): i32 {
    const a = new Attr();
    a.dev = anonInodeFs.dev;
    a.ino = ANON_INO;
    a.mode = 0o600;
    a.blksize = 4096;
    encodeStat(a, dst);
    return 0;
  }

  /** A new open of the same object with flags, for an open through /proc/PID/fd/N: files
   *  without an open of their own (eventfd, epoll, ...) give ENXIO, as Linux's anonymous
   *  inodes do. */
  reopen(flags: i32): FileDescription | null { return fail<FileDescription>(ENXIO); }

  /** What /proc/<pid>/fd shows for a file without a path (Linux's anon_inode names). */
  anonName(): string { return "anon_inode:[unknown]"; }
  /** ioctl for a request the caller decoded (sys_fd.ts): buf is a kernel buffer that holds the
   *  argument it copied in and takes what it copies out; arg is the raw argument (a value for
   *  some requests). Returns the result or -errno. */
  ioctl(t: Task, req: i32, buf: usize, arg: u64): i64 { return -ENOTTY; }
  /** Reads up to len bytes at file position pos into kernel memory at dst (the ELF loader's
   *  header reads). Returns the count or -errno. */
  readToKernel(dst: usize, len: i32, pos: i64): i32 { return -EINVAL; }
  /** Reads up to len bytes at pos into the memory file at off (mapping file data). */
  readToMf(off: u64, len: i32, pos: i64): i32 { return -EINVAL; }
  /** Writes len bytes from the memory file at off to the file at pos, or at the file's own
   *  position when pos < 0 (sendfile, copy_file_range). The count, or -errno. */
  writeFromMf(t: Task, off: u64, len: i32, pos: i64): i32 { return -EINVAL; }

  /** The shared memory object that a MAP_SHARED mapping of this file maps (a tmpfs file's
   *  pages), or null when the file has none (a shared mapping is then a private copy). */
  memObject(): MemObject | null { return null; }

  /** The file's seals (fcntl F_GET_SEALS), or -EINVAL for a file that has none (only
   *  tmpfs files, memfds among them, do). */
  seals(): i32 { return -EINVAL; }
  /** fcntl F_ADD_SEALS: 0 or -errno. */
  addSeals(seals: u32): i32 { return -EINVAL; }

  /** A cache of the file's pages that read-only MAP_PRIVATE mappings may share (files that
   *  never change: the Gofer's), or null (each mapping gets a copy). */
  pageCache(): MemObject | null { return null; }

  /** The poll(2) events that are ready now among events (POLLIN, POLLOUT, ...). Files that
   *  never block are always ready (Linux's DEFAULT_POLLMASK). */
  poll(events: i32): i32 { return events & (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM); }

  /** Arranges for t to be woken when readiness may have changed; returns a host fd to park
   *  on, or -1 when the file wakes its waiters itself. */
  pollWait(t: Task): i32 { return -1; }

  /** Called once, when the last reference is dropped. */
  release(): void {}

  @inline get(): FileDescription {
    this.refs++;
    return this;
  }

  put(): void {
    this.refs--;
    if (this.refs == 0) this.release();
  }
}
