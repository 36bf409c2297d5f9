// read(2), write(2) and their positioned and vectored forms (Linux fs/read_write.c).
import { IoVec } from "../fs/unix_socket";
import { isSocket, socketVector } from "./sys_socket";
import { EBADF, EFAULT, EINVAL } from "../abi/errno";
import { sysArg } from "../abi/regs";
import { Task } from "../kernel/task";
import { RET_BLOCK } from "../kernel/sched";
import { FileDescription } from "../fs/file";
import { MAX_RW_COUNT } from "../fs/host_file";

const UIO_MAXIOV: u64 = 1024;
const IOV_BUF: usize = memory.data(16, 8);

function readableFile(t: Task, fd: i32): FileDescription | null {
  const f = t.fdTable.get(fd);
  return f !== null && f.readable ? f : null;
}

function writableFile(t: Task, fd: i32): FileDescription | null {
  const f = t.fdTable.get(fd);
  return f !== null && f.writable ? f : null;
}

export function sysRead(t: Task): i64 {
  const f = readableFile(t, <i32>sysArg(0));
  if (f === null) return -EBADF;
  return f.read(t, sysArg(1), sysArg(2));
}

export function sysWrite(t: Task): i64 {
  const f = writableFile(t, <i32>sysArg(0));
  if (f === null) return -EBADF;
  return f.write(t, sysArg(1), sysArg(2));
}

export function sysPread64(t: Task): i64 {
  const f = readableFile(t, <i32>sysArg(0));
  if (f === null) return -EBADF;
  const pos = <i64>sysArg(3);
  if (pos < 0) return -EINVAL;
  return f.pread(t, sysArg(1), sysArg(2), pos);
}

export function sysPwrite64(t: Task): i64 {
  const f = writableFile(t, <i32>sysArg(0));
  if (f === null) return -EBADF;
  const pos = <i64>sysArg(3);
  if (pos < 0) return -EINVAL;
  return f.pwrite(t, sysArg(1), sysArg(2), pos);
}

export function sysReadv(t: Task): i64 {
  const f = readableFile(t, <i32>sysArg(0));
  if (f === null) return -EBADF;
  return readOrWriteVector(t, f, sysArg(1), sysArg(2), false, -1);
}

export function sysWritev(t: Task): i64 {
  const f = writableFile(t, <i32>sysArg(0));
  if (f === null) return -EBADF;
  return readOrWriteVector(t, f, sysArg(1), sysArg(2), true, -1);
}

/** readv/writev and their positioned forms: the iovecs one after another, at the file position
 *  (pos < 0) or from pos, stopping at the first short transfer; an error after some bytes moved
 *  gives the count so far (Linux's do_loop_readv_writev()). */
export function readOrWriteVector(t: Task, f: FileDescription, iov: u64, cnt: u64, write: bool, pos: i64): i64 {
  if (cnt > UIO_MAXIOV) return -EINVAL;
  let total: u64 = 0;
  // Validate every iovec first, as Linux's import_iovec() does: a bad one fails the call.
  for (let i: u64 = 0; i < cnt; i++) {
    if (t.mm.copyIn(iov + i * 16, IOV_BUF, 16) < 0) return -EFAULT;
    const len = load<u64>(IOV_BUF + 8);
    if (<i64>len < 0) return -EINVAL;
    total += len;
    if (<i64>total < 0) return -EINVAL;
  }
  if (pos < 0 && isSocket(f)) {
    const v = new IoVec();
    for (let i: u64 = 0; i < cnt; i++) {
      t.mm.copyIn(iov + i * 16, IOV_BUF, 16);
      v.add(load<u64>(IOV_BUF), load<u64>(IOV_BUF + 8));
    }
    return socketVector(t, f, v, write);
  }
  let done: i64 = 0;
  for (let i: u64 = 0; i < cnt; i++) {
    t.mm.copyIn(iov + i * 16, IOV_BUF, 16);
    const base = load<u64>(IOV_BUF);
    let len = load<u64>(IOV_BUF + 8);
    if (len == 0) continue;
    if (<u64>done + len > MAX_RW_COUNT) len = MAX_RW_COUNT - <u64>done;
    let r: i64;
    if (pos < 0) r = write ? f.write(t, base, len) : f.read(t, base, len);
    else r = write ? f.pwrite(t, base, len, pos + done) : f.pread(t, base, len, pos + done);
    if (r == RET_BLOCK) {
      // Nothing moved yet (a read that would block returns what it has): wait, then redo.
      if (done == 0) return r;
      break;
    }
    if (r < 0) return done > 0 ? done : r;
    done += r;
    if (<u64>r < len || <u64>done >= MAX_RW_COUNT) break;
  }
  return done;
}
