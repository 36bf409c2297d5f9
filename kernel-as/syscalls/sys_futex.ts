// futex(2): FUTEX_WAIT, FUTEX_WAKE and their _BITSET forms, private or shared, with timeouts
// (Linux kernel/futex/syscalls.c, waitwake.c). A waiter parks its task; a waker marks the
// waiters woken and queues them to run their syscall again, which then returns 0.
import { EAGAIN, EFAULT, EINVAL, ENOSYS, ETIMEDOUT } from "../abi/errno";
import { CLOCK_REALTIME } from "../abi/linux";
import { sysArg } from "../abi/regs";
import { clockGet } from "../host";
import { addWaiter, FutexWaiter, removeWaiter, wakeFutex } from "../kernel/futex";
import { park } from "../kernel/sched";
import { Task } from "../kernel/task";
import { monotonicNow, TIMESPEC_BUF } from "../kernel/time";

const FUTEX_WAIT: i32 = 0;
const FUTEX_WAKE: i32 = 1;
const FUTEX_WAIT_BITSET: i32 = 9;
const FUTEX_WAKE_BITSET: i32 = 10;
const FUTEX_PRIVATE_FLAG: i32 = 128;
const FUTEX_CLOCK_REALTIME: i32 = 256;
const FUTEX_BITSET_MATCH_ANY: u32 = 0xffffffff;
const WORD: usize = memory.data(16, 8);
const NS: i64 = 1000000000;

export function sysFutex(t: Task): i64 {
  const uaddr = sysArg(0);
  const op = <i32>sysArg(1);
  const val = <u32>sysArg(2);
  const cmd = op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
  if ((op & FUTEX_CLOCK_REALTIME) != 0 && cmd != FUTEX_WAIT_BITSET && cmd != FUTEX_WAIT) return -ENOSYS;
  if (cmd == FUTEX_WAIT || cmd == FUTEX_WAIT_BITSET) {
    const bitset = cmd == FUTEX_WAIT ? FUTEX_BITSET_MATCH_ANY : <u32>sysArg(5);
    return wait(t, uaddr, val, bitset, cmd == FUTEX_WAIT_BITSET, (op & FUTEX_CLOCK_REALTIME) != 0);
  }
  if (cmd == FUTEX_WAKE || cmd == FUTEX_WAKE_BITSET) {
    const bitset = cmd == FUTEX_WAKE ? FUTEX_BITSET_MATCH_ANY : <u32>sysArg(5);
    if (bitset == 0) return -EINVAL;
    if ((uaddr & 3) != 0) return -EINVAL;
    const n = <i32>(val > 0x7fffffff ? 0x7fffffff : val);
    return wakeFutex(t.mm, uaddr, bitset, n);
  }
  // Requeueing, WAKE_OP and priority-inheritance futexes arrive with threads.
  return -ENOSYS;
}

function wait(t: Task, uaddr: u64, val: u32, bitset: u32, absolute: bool, realtime: bool): i64 {
  if (t.restartDeadline != -1 || t.futexWoken) {
    // Run again after a wake-up or a timeout.
    if (t.futexWoken) {
      t.futexWoken = false;
      return 0;
    }
    if (t.restartDeadline >= 0 && monotonicNow() >= t.restartDeadline) {
      removeWaiter(t);
      return -ETIMEDOUT;
    }
    return park(t, t.restartDeadline, -1, 0);
  }
  if ((uaddr & 3) != 0 || bitset == 0) return -EINVAL;
  if (t.mm.copyIn(uaddr, WORD, 4) < 0) return -EFAULT;
  if (load<u32>(WORD) != val) return -EAGAIN;
  let deadline: i64 = -2; // no timeout (kept distinct from -1, "not parked yet")
  const ts = sysArg(3);
  if (ts != 0) {
    if (t.mm.copyIn(ts, WORD, 16) < 0) return -EFAULT;
    const sec = load<i64>(WORD);
    const nsec = load<i64>(WORD + 8);
    if (sec < 0 || nsec < 0 || nsec >= NS) return -EINVAL;
    const ns = sec * NS + nsec;
    const now = monotonicNow();
    if (!absolute) deadline = now + ns;
    else if (!realtime) deadline = ns;
    else {
      clockGet(CLOCK_REALTIME, TIMESPEC_BUF);
      const real = load<i64>(TIMESPEC_BUF) * NS + load<i64>(TIMESPEC_BUF + 8);
      deadline = now + (ns - real);
    }
  }
  addWaiter(new FutexWaiter(t, t.mm, uaddr, bitset));
  t.restartDeadline = deadline;
  return park(t, deadline >= 0 ? deadline : -1, -1, 0);
}
