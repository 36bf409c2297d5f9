// fcntl's record locks (F_GETLK, F_SETLK, F_SETLKW and the F_OFD_ forms) and flock(2)
// (Linux fs/locks.c fcntl_getlk(), fcntl_setlk(), flock_lock_inode()).
import { EAGAIN, EBADF, EFAULT, EINVAL } from "../abi/errno";
import { SEEK_CUR, SEEK_END, SEEK_SET } from "../abi/linux";
import { sysArg } from "../abi/regs";
import { park } from "../kernel/sched";
import { Task } from "../kernel/task";
import { FileDescription } from "../fs/file";
import { InodeFile } from "../fs/vfs/inode_file";
import { conflict, F_RDLCK, F_UNLCK, F_WRLCK, LOCK_TO_EOF, locksOf, setLock, waitForLock } from "../fs/vfs/locks";

export const F_GETLK: i32 = 5;
export const F_SETLK: i32 = 6;
export const F_SETLKW: i32 = 7;
export const F_OFD_GETLK: i32 = 36;
export const F_OFD_SETLK: i32 = 37;
export const F_OFD_SETLKW: i32 = 38;
const LOCK_SH: i32 = 1;
const LOCK_EX: i32 = 2;
const LOCK_NB: i32 = 4;
const LOCK_UN: i32 = 8;
const FLOCK_BUF: usize = memory.data(32, 8);

/** fcntl lock commands. Precondition: cmd is one of F_*LK above. */
export function fcntlLock(t: Task, f: FileDescription, cmd: i32, arg: u64): i64 {
  if (!(f instanceof InodeFile)) return -EINVAL;
  const file = <InodeFile>f;
  const ofd = cmd >= F_OFD_GETLK;
  if (t.mm.copyIn(arg, FLOCK_BUF, 32) < 0) return -EFAULT;
  const type = load<i16>(FLOCK_BUF);
  const whence = <i32>load<i16>(FLOCK_BUF + 2);
  const lstart = load<i64>(FLOCK_BUF + 8);
  const llen = load<i64>(FLOCK_BUF + 16);
  if (ofd && load<i32>(FLOCK_BUF + 24) != 0) return -EINVAL; // l_pid must be 0 for OFD locks
  if (type != F_RDLCK && type != F_WRLCK && type != F_UNLCK) return -EINVAL;
  // The range, as flock_to_posix_lock() computes it: from whence, a negative length counts back.
  let base: i64 = 0;
  if (whence == SEEK_CUR) base = file.pos;
  else if (whence == SEEK_END) base = <i64>file.path.inode.size();
  else if (whence != SEEK_SET) return -EINVAL;
  let start = base + lstart;
  let end: u64 = LOCK_TO_EOF;
  if (llen > 0) end = <u64>(start + llen);
  else if (llen < 0) {
    end = <u64>start;
    start += llen;
  }
  if (start < 0) return -EINVAL;
  const owner = ofd ? changetype<usize>(file) : changetype<usize>(t.tg);
  const inode = file.path.inode;
  const st = locksOf(inode);
  if (cmd == F_GETLK || cmd == F_OFD_GETLK) {
    if (type == F_UNLCK) return -EINVAL;
    const c = conflict(st.records, owner, type, <u64>start, end);
    if (c === null) {
      store<i16>(FLOCK_BUF, F_UNLCK);
    } else {
      store<i16>(FLOCK_BUF, c.type);
      store<i16>(FLOCK_BUF + 2, <i16>SEEK_SET);
      store<i64>(FLOCK_BUF + 8, <i64>c.start);
      store<i64>(FLOCK_BUF + 16, c.end == LOCK_TO_EOF ? 0 : <i64>(c.end - c.start));
      store<i32>(FLOCK_BUF + 24, c.pid);
    }
    return t.mm.copyOut(arg, FLOCK_BUF, 32) < 0 ? -EFAULT : 0;
  }
  // A lock needs the file open for that kind of access.
  if ((type == F_RDLCK && !f.readable) || (type == F_WRLCK && !f.writable)) return -EBADF;
  if (type != F_UNLCK && conflict(st.records, owner, type, <u64>start, end) !== null) {
    if (cmd == F_SETLK || cmd == F_OFD_SETLK) return -EAGAIN;
    waitForLock(inode, t);
    return park(t, -1, -1, 0);
  }
  setLock(inode, false, owner, type, <u64>start, end, ofd ? -1 : t.tg.tgid);
  return 0;
}

export function sysFlock(t: Task): i64 {
  const f = t.fdTable.get(<i32>sysArg(0));
  if (f === null) return -EBADF;
  const op = <i32>sysArg(1);
  const kind = op & ~LOCK_NB;
  if (kind != LOCK_SH && kind != LOCK_EX && kind != LOCK_UN) return -EINVAL;
  if (!(f instanceof InodeFile)) return 0; // host fds: nothing else in the sandbox shares them
  const inode = (<InodeFile>f).path.inode;
  const owner = changetype<usize>(f);
  const type: i16 = kind == LOCK_SH ? F_RDLCK : kind == LOCK_EX ? F_WRLCK : F_UNLCK;
  if (type != F_UNLCK && conflict(locksOf(inode).flocks, owner, type, 0, LOCK_TO_EOF) !== null) {
    if ((op & LOCK_NB) != 0) return -EAGAIN;
    waitForLock(inode, t);
    return park(t, -1, -1, 0);
  }
  setLock(inode, true, owner, type, 0, LOCK_TO_EOF, -1);
  return 0;
}
