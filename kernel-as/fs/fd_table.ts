// The fd table (Linux's `struct files_struct`): fd numbers to file descriptions, with the
// close-on-exec flag per fd. Lowest free fd first, as POSIX requires.
import { EBADF, EMFILE } from "../abi/errno";
import { FileDescription } from "./file";
import { O_PATH_FLAG } from "./vfs/open_flags";

export class FdTable {
  private files: Array<FileDescription | null> = [];
  private cloexec: Array<bool> = [];
  /** Tasks sharing this table (CLONE_FILES); released when the last one goes. */
  users: i32 = 1;

  /** One past the highest fd slot (open or not). */
  size(): i32 { return this.files.length; }

  /** The description open on fd for I/O and the calls on an open file: an O_PATH fd only
   *  names a file, and is null here as if closed (Linux's fdget(): EBADF). */
  get(fd: i32): FileDescription | null {
    const f = this.getRaw(fd);
    return f !== null && (f.flags & O_PATH_FLAG) != 0 ? null : f;
  }

  /** The description open on fd, O_PATH ones too (fdget_raw()): for the calls that take
   *  a file's name from an fd (close, dup, some fcntl commands, fstat, fstatfs, fchdir, a
   *  dirfd, AT_EMPTY_PATH, execveat) and for procfs. */
  getRaw(fd: i32): FileDescription | null {
    if (fd < 0 || fd >= this.files.length) return null;
    return unchecked(this.files[fd]);
  }

  isCloexec(fd: i32): bool { return unchecked(this.cloexec[fd]); }

  setCloexec(fd: i32, on: bool): void { unchecked(this.cloexec[fd] = on); }

  /** Whether an fd below limit is free (what install would find). */
  hasFree(limit: i32): bool {
    let fd = 0;
    while (fd < this.files.length && unchecked(this.files[fd]) !== null) fd++;
    return fd < limit;
  }

  /** Installs f at the lowest free fd >= minFd below limit (RLIMIT_NOFILE). Takes over the
   *  caller's reference. Returns the fd or -EMFILE. */
  install(f: FileDescription, minFd: i32, limit: i32, cloexec: bool): i32 {
    let fd = minFd;
    while (fd < this.files.length && unchecked(this.files[fd]) !== null) fd++;
    if (fd >= limit) {
      f.put();
      return -EMFILE;
    }
    this.installAt(fd, f, cloexec);
    return fd;
  }

  /** Puts f at fd, closing what was there (dup2 semantics). Takes over the reference. */
  installAt(fd: i32, f: FileDescription, cloexec: bool): void {
    while (this.files.length <= fd) {
      this.files.push(null);
      this.cloexec.push(false);
    }
    const old = unchecked(this.files[fd]);
    unchecked(this.files[fd] = f);
    unchecked(this.cloexec[fd] = cloexec);
    if (old !== null) old.put();
  }

  close(fd: i32): i32 {
    const f = this.getRaw(fd);
    if (f === null) return -EBADF;
    unchecked(this.files[fd] = null);
    f.put();
    return 0;
  }

  /** close_range(2): closes (or, with cloexecOnly, marks close-on-exec) fds first..last. */
  closeRange(first: u32, last: u32, cloexecOnly: bool): void {
    const end = <u32>this.files.length - 1 < last ? <u32>this.files.length - 1 : last;
    for (let fd = first; fd <= end && fd < <u32>this.files.length; fd++) {
      if (unchecked(this.files[fd]) === null) continue;
      if (cloexecOnly) unchecked(this.cloexec[fd] = true);
      else this.close(<i32>fd);
    }
  }

  /** Closes every close-on-exec fd (execve). */
  closeOnExec(): void {
    for (let fd = 0; fd < this.files.length; fd++) {
      if (unchecked(this.files[fd]) !== null && unchecked(this.cloexec[fd])) this.close(fd);
    }
  }

  /** A copy for a forked process: the same file descriptions, each referenced once more. */
  copy(): FdTable {
    const c = new FdTable();
    for (let fd = 0; fd < this.files.length; fd++) {
      const f = unchecked(this.files[fd]);
      c.files.push(f !== null ? f.get() : null);
      c.cloexec.push(unchecked(this.cloexec[fd]));
    }
    return c;
  }

  /** Drops one user; the last one closes every fd. */
  release(): void {
    this.users--;
    if (this.users > 0) return;
    for (let fd = 0; fd < this.files.length; fd++) {
      const f = unchecked(this.files[fd]);
      if (f !== null) {
        unchecked(this.files[fd] = null);
        f.put();
      }
    }
  }
}
