// futex(2): WAIT, WAKE, their _BITSET forms, REQUEUE, CMP_REQUEUE and WAKE_OP, private or
// shared, with timeouts (Linux kernel/futex/syscalls.c, waitwake.c, requeue.c). A waiter
// parks its task; a waker marks the waiters woken and queues them to run their syscall
// again, which then returns 0. Priority-inheritance futexes are ENOSYS (glibc falls back
// for PTHREAD_PRIO_INHERIT mutexes only; nothing else needs them).
import { EAGAIN, EFAULT, EINVAL, ENOSYS, ETIMEDOUT } from "../abi/errno";
import { CLOCK_REALTIME, PROT_WRITE } from "../abi/linux";
import { sysArg } from "../abi/regs";
import { clockGet } from "../host";
import { addWaiter, futexKey, FutexWaiter, removeWaiter, requeueFutex, wakeFutex } from "../kernel/futex";
import { park } from "../kernel/sched";
import { Task } from "../kernel/task";
import { monotonicNow, saturatingAdd, TIMESPEC_BUF, toNs } from "../kernel/time";

const FUTEX_WAIT: i32 = 0;
const FUTEX_WAKE: i32 = 1;
const FUTEX_REQUEUE: i32 = 3;
const FUTEX_CMP_REQUEUE: i32 = 4;
const FUTEX_WAKE_OP: i32 = 5;
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
  const shared = (op & FUTEX_PRIVATE_FLAG) == 0;
  if ((op & FUTEX_CLOCK_REALTIME) != 0 && cmd != FUTEX_WAIT_BITSET && cmd != FUTEX_WAIT) return -ENOSYS;
  if (cmd == FUTEX_WAIT || cmd == FUTEX_WAIT_BITSET) {
    const bitset = cmd == FUTEX_WAIT ? FUTEX_BITSET_MATCH_ANY : <u32>sysArg(5);
    return wait(t, uaddr, val, bitset, cmd == FUTEX_WAIT_BITSET, (op & FUTEX_CLOCK_REALTIME) != 0, shared);
  }
  if (cmd == FUTEX_WAKE || cmd == FUTEX_WAKE_BITSET) {
    const bitset = cmd == FUTEX_WAKE ? FUTEX_BITSET_MATCH_ANY : <u32>sysArg(5);
    if (bitset == 0) return -EINVAL;
    if ((uaddr & 3) != 0) return -EINVAL;
    const key = futexKey(t.mm, uaddr, shared);
    return key === null ? -EFAULT : wakeFutex(key, bitset, count(val));
  }
  if (cmd == FUTEX_REQUEUE || cmd == FUTEX_CMP_REQUEUE) {
    const uaddr2 = sysArg(4);
    // nr_wake and nr_requeue are ints; negative ones are refused.
    if (<i32>val < 0 || <i32>sysArg(3) < 0) return -EINVAL;
    if ((uaddr & 3) != 0 || (uaddr2 & 3) != 0) return -EINVAL;
    if (cmd == FUTEX_CMP_REQUEUE) {
      if (t.mm.copyIn(uaddr, WORD, 4) < 0) return -EFAULT;
      if (load<u32>(WORD) != <u32>sysArg(5)) return -EAGAIN;
    }
    const from = futexKey(t.mm, uaddr, shared);
    const to = futexKey(t.mm, uaddr2, shared);
    if (from === null || to === null) return -EFAULT;
    return requeueFutex(from, to, <i32>val, <i32>sysArg(3));
  }
  if (cmd == FUTEX_WAKE_OP) return wakeOp(t, uaddr, val, shared);
  return -ENOSYS;
}

/** A wake count: Linux takes it as an int, so a huge one means "all". */
@inline function count(val: u32): i32 {
  return <i32>(val > 0x7fffffff ? 0x7fffffff : val);
}

/** FUTEX_WAKE_OP: *uaddr2 = op(*uaddr2, oparg); wake val waiters on uaddr, and nr_wake2 on
 *  uaddr2 too if the old value compares true (futex_wake_op()). The update is atomic against
 *  app threads running at the same moment (a compare-and-exchange loop, as
 *  arch_futex_atomic_op_inuser() does for the ops x86 has no single instruction for). As in
 *  Linux, the update is made before an unknown comparison is refused (ENOSYS). */
function wakeOp(t: Task, uaddr: u64, val: u32, shared: bool): i64 {
  const uaddr2 = sysArg(4);
  const enc = <u32>sysArg(5);
  const op = (enc >> 28) & 7;
  const cmp = (enc >> 24) & 15;
  let oparg = (<i32>(enc << 8)) >> 20;
  const cmparg = (<i32>(enc << 20)) >> 20;
  if ((enc & 0x80000000) != 0) oparg = 1 << (oparg & 31);
  // The keys first (EINVAL, EFAULT), then the op (futex_atomic_op_inuser(): ENOSYS).
  if ((uaddr & 3) != 0 || (uaddr2 & 3) != 0) return -EINVAL;
  const key = futexKey(t.mm, uaddr, shared);
  const key2 = futexKey(t.mm, uaddr2, shared);
  if (key === null || key2 === null) return -EFAULT;
  if (op > 4) return -ENOSYS;
  if (t.mm.copyIn(uaddr2, WORD, 4) < 0) return -EFAULT;
  let old = load<i32>(WORD);
  for (;;) {
    let nv = oparg;
    if (op == 1) nv = old + oparg;
    else if (op == 2) nv = old | oparg;
    else if (op == 3) nv = old & ~oparg;
    else if (op == 4) nv = old ^ oparg;
    const seen = t.mm.cmpxchg32(uaddr2, <u32>old, <u32>nv);
    if (seen < 0) return seen;
    if (<i32>seen == old) break;
    old = <i32>seen;
  }
  if (cmp > 5) return -ENOSYS;
  let woken = wakeFutex(key, FUTEX_BITSET_MATCH_ANY, count(val));
  const hit = cmp == 0 ? old == cmparg : cmp == 1 ? old != cmparg : cmp == 2 ? old < cmparg :
    cmp == 3 ? old <= cmparg : cmp == 4 ? old > cmparg : old >= cmparg;
  if (hit) woken += wakeFutex(key2, FUTEX_BITSET_MATCH_ANY, count(<u32>sysArg(3)));
  return woken;
}

function wait(t: Task, uaddr: u64, val: u32, bitset: u32, absolute: bool, realtime: bool, shared: bool): i64 {
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
    const ns = toNs(sec, nsec);
    const now = monotonicNow();
    if (!absolute) deadline = saturatingAdd(now, ns);
    else if (!realtime) deadline = ns;
    else {
      clockGet(CLOCK_REALTIME, TIMESPEC_BUF);
      const real = load<i64>(TIMESPEC_BUF) * NS + load<i64>(TIMESPEC_BUF + 8);
      deadline = now + (ns - real);
    }
  }
  addWaiter(new FutexWaiter(t, futexKey(t.mm, uaddr, shared)!, bitset));
  t.restartDeadline = deadline;
  return park(t, deadline >= 0 ? deadline : -1, -1, 0);
}
