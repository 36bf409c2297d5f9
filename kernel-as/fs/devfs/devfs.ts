// devfs: the /dev the sandbox sees (a tmpfs holding device nodes, as devtmpfs would): null,
// zero, full, random, urandom, tty, ptmx, the fd/stdin/stdout/stderr links into
// /proc/self/fd, and the mount points /dev/shm and /dev/pts (mounted by the caller). Device nodes open to the drivers below,
// chosen by device number as Linux's chrdev table does.
import { hostRandom } from "../../host";
import { EFAULT, ENOSPC, ENXIO } from "../../abi/errno";
import { PROT_WRITE } from "../../abi/linux";
import { Credentials } from "../../kernel/cred";
import { zeroPage } from "../../kernel/globals";
import { Task } from "../../kernel/task";
import { FileDescription } from "../file";
import { fail } from "../vfs/error";
import { Inode } from "../vfs/inode";
import { InodeFile } from "../vfs/inode_file";
import { Path } from "../vfs/mount";
import { S_IFCHR } from "../vfs/stat";
import { initInode, newTmpfs, TmpfsDir } from "../tmpfs/tmpfs";
import { openControllingTty, openPtmx } from "../tty/pty";
import { O_NOCTTY } from "../vfs/open_flags";

const ROOT = new Credentials(0, 0, 0, 0);

/** Device numbers as new_encode_dev() packs them for st_rdev. */
@inline function mkdev(major: u32, minor: u32): u64 {
  return <u64>((minor & 0xff) | (major << 8) | ((minor & ~0xff) << 12));
}

const MEM_MAJOR: u32 = 1;
const DEV_NULL: u64 = mkdev(MEM_MAJOR, 3);
const DEV_ZERO: u64 = mkdev(MEM_MAJOR, 5);
const DEV_FULL: u64 = mkdev(MEM_MAJOR, 7);
const DEV_RANDOM: u64 = mkdev(MEM_MAJOR, 8);
const DEV_URANDOM: u64 = mkdev(MEM_MAJOR, 9);
const DEV_TTY: u64 = mkdev(5, 0);
const DEV_PTMX: u64 = mkdev(5, 2);
const RANDOM_CHUNK: i32 = 4096;
const RANDOM_BUF: usize = memory.data(RANDOM_CHUNK, 8);

/** The character devices that live in memory (drivers/char/mem.c, random.c). */
export class MemDeviceFile extends InodeFile {
  constructor(flags: i32, path: Path, private rdev: u64) {
    super(flags, path);
  }

  seekable(): bool { return true; }

  readAt(t: Task, addr: u64, len: u64, pos: i64): i64 {
    if (this.rdev == DEV_NULL) return 0;
    if (len > 0x7ffff000) len = 0x7ffff000;
    const ok = t.mm.accessibleLen(addr, len, PROT_WRITE);
    if (ok == 0 && len > 0) return -EFAULT;
    let done: u64 = 0;
    while (done < ok) {
      const n = ok - done < <u64>RANDOM_CHUNK ? ok - done : <u64>RANDOM_CHUNK;
      if (this.rdev == DEV_RANDOM || this.rdev == DEV_URANDOM) {
        hostRandom(RANDOM_BUF, <i32>n);
        t.mm.copyOut(addr + done, RANDOM_BUF, n);
      } else {
        t.mm.copyMf(addr + done, zeroPage, n, true);
      }
      done += n;
    }
    return <i64>done;
  }

  writeAt(t: Task, addr: u64, len: u64, pos: i64): i64 {
    // /dev/full is always full; the others swallow everything without reading it.
    if (this.rdev == DEV_FULL) return -ENOSPC;
    return <i64>(len > 0x7ffff000 ? 0x7ffff000 : len);
  }

  lseek(off: i64, whence: i32): i64 {
    // Seeking these devices always succeeds and means nothing (memory_lseek, null_lseek).
    this.pos = 0;
    return 0;
  }
}

class MemDevice extends Inode {
  open(flags: i32, path: Path): FileDescription | null {
    // /dev/tty is the caller's controlling terminal (ENXIO without one, as for a daemon).
    if (this.rdev == DEV_TTY) return openControllingTty(flags, path);
    if (this.rdev == DEV_PTMX) return openPtmx(flags & ~O_NOCTTY, path);
    return new MemDeviceFile(flags & ~O_NOCTTY, path, this.rdev);
  }
}

function addDevice(dir: TmpfsDir, name: string, rdev: u64, perm: u32): void {
  const dev = new MemDevice(dir.sb, S_IFCHR | perm);
  dev.rdev = rdev;
  initInode(dev, ROOT);
  dir.insert(name, dev);
}

/** Builds /dev's contents. The caller mounts a separate tmpfs on the returned dir's "shm". */
export function newDevfs(): TmpfsDir {
  const dev = newTmpfs(0o755);
  addDevice(dev, "null", DEV_NULL, 0o666);
  addDevice(dev, "zero", DEV_ZERO, 0o666);
  addDevice(dev, "full", DEV_FULL, 0o666);
  addDevice(dev, "random", DEV_RANDOM, 0o666);
  addDevice(dev, "urandom", DEV_URANDOM, 0o666);
  addDevice(dev, "tty", DEV_TTY, 0o666);
  addDevice(dev, "ptmx", DEV_PTMX, 0o666);

  dev.symlink("fd", "/proc/self/fd", ROOT);
  dev.symlink("stdin", "/proc/self/fd/0", ROOT);
  dev.symlink("stdout", "/proc/self/fd/1", ROOT);
  dev.symlink("stderr", "/proc/self/fd/2", ROOT);
  dev.mkdir("shm", 0o1777, ROOT);
  dev.mkdir("pts", 0o755, ROOT);
  return dev;
}
