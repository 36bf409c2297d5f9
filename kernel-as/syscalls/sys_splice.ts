// Copies between two files without the app's memory: sendfile and copy_file_range (Linux
// fs/read_write.c do_sendfile(), vfs_copy_file_range()). Data goes through a scratch buffer of
// the memory file, 64 KiB at a time.
import { EAGAIN, EBADF, EFAULT, EINVAL, EISDIR } from "../abi/errno";
import { O_APPEND, O_NONBLOCK } from "../abi/linux";
import { sysArg } from "../abi/regs";
import { scratch, SCRATCH_SIZE } from "../kernel/globals";
import { park, RET_BLOCK } from "../kernel/sched";
import { Task } from "../kernel/task";
import { FileDescription } from "../fs/file";
import { InodeFile } from "../fs/vfs/inode_file";
import { PipeEnd } from "../fs/pipe";

const POS: usize = memory.data(8, 8);
const MAX_RW_COUNT: u64 = 0x7ffff000;

/** Moves up to count bytes from in (at inPos) to out (at outPos, or out's own position when
 *  negative). Returns bytes moved, or -errno when none moved. */
function transfer(t: Task, inFile: FileDescription, inPos: i64, out: FileDescription, outPos: i64, count: u64): i64 {
  let done: u64 = 0;
  if (count > MAX_RW_COUNT) count = MAX_RW_COUNT;
  while (done < count) {
    const want = count - done < <u64>SCRATCH_SIZE ? <i32>(count - done) : SCRATCH_SIZE;
    const got = inFile.readToMf(scratch, want, inPos + <i64>done);
    if (got <= 0) return done > 0 ? <i64>done : got;
    const put = out.writeFromMf(t, scratch, got, outPos < 0 ? -1 : outPos + <i64>done);
    if (put <= 0) {
      if (done > 0) return <i64>done;
      if (put == -EAGAIN && out instanceof PipeEnd && (out.flags & O_NONBLOCK) == 0) {
        (<PipeEnd>out).pollWait(t);
        return park(t, -1, -1, 0);
      }
      return put;
    }
    done += <u64>put;
    if (put < got || got < want) break;
  }
  return <i64>done;
}

export function sysSendfile(t: Task): i64 {
  const out = t.fdTable.get(<i32>sysArg(0));
  const inFile = t.fdTable.get(<i32>sysArg(1));
  if (out === null || inFile === null || !out.writable || !inFile.readable) return -EBADF;
  if ((out.flags & O_APPEND) != 0) return -EINVAL;
  // in_fd must be a file with positions (mmap-like), not a pipe or a socket.
  if (!(inFile instanceof InodeFile)) return -EINVAL;
  const input = <InodeFile>inFile;
  const offAddr = sysArg(2);
  let pos = input.pos;
  if (offAddr != 0) {
    if (t.mm.copyIn(offAddr, POS, 8) < 0) return -EFAULT;
    pos = load<i64>(POS);
    if (pos < 0) return -EINVAL;
  }
  const n = transfer(t, inFile, pos, out, -1, sysArg(3));
  if (n < 0 || n == RET_BLOCK) return n;
  if (offAddr != 0) {
    store<i64>(POS, pos + n);
    if (t.mm.copyOut(offAddr, POS, 8) < 0) return -EFAULT;
  } else {
    input.pos = pos + n;
  }
  return n;
}

/** An offset argument of copy_file_range: the value at addr, or the file position. */
function offsetArg(t: Task, f: InodeFile, addr: u64): i64 {
  if (addr == 0) return f.pos;
  if (t.mm.copyIn(addr, POS, 8) < 0) return -EFAULT;
  const v = load<i64>(POS);
  return v < 0 ? -EINVAL : v;
}

export function sysCopyFileRange(t: Task): i64 {
  const fin = t.fdTable.get(<i32>sysArg(0));
  const fout = t.fdTable.get(<i32>sysArg(2));
  if (fin === null || fout === null || !fin.readable || !fout.writable) return -EBADF;
  if (sysArg(5) != 0) return -EINVAL;
  if ((fout.flags & O_APPEND) != 0) return -EBADF;
  if (!(fin instanceof InodeFile) || !(fout instanceof InodeFile)) return -EINVAL;
  const a = <InodeFile>fin;
  const b = <InodeFile>fout;
  if (a.path.inode.isDir || b.path.inode.isDir) return -EISDIR;
  if (!a.path.inode.isReg || !b.path.inode.isReg) return -EINVAL;
  const inPos = offsetArg(t, a, sysArg(1));
  if (inPos < 0) return inPos;
  const outPos = offsetArg(t, b, sysArg(3));
  if (outPos < 0) return outPos;
  const len = sysArg(4);
  // The same file: the ranges may not overlap.
  if (a.path.inode === b.path.inode && inPos < outPos + <i64>len && outPos < inPos + <i64>len) return -EINVAL;
  const n = transfer(t, fin, inPos, fout, outPos, len);
  if (n < 0) return n;
  if (sysArg(1) != 0) {
    store<i64>(POS, inPos + n);
    t.mm.copyOut(sysArg(1), POS, 8);
  } else a.pos = inPos + n;
  if (sysArg(3) != 0) {
    store<i64>(POS, outPos + n);
    t.mm.copyOut(sysArg(3), POS, 8);
  } else b.pos = outPos + n;
  return n;
}

