// Scheduling and accounting queries, answered as Linux answers them for a normal (SCHED_OTHER)
// task: sched_getparam, sched_setparam, sched_getscheduler, sched_setscheduler,
// sched_get_priority_max/min, sched_rr_get_interval, getpriority, setpriority, getrusage,
// times, prctl and personality (Linux kernel/sched/core.c, kernel/sys.c, kernel/exec_domain.c).
import { EFAULT, EINVAL, EPERM, ESRCH } from "../abi/errno";
import { sysArg } from "../abi/regs";
import { threadGroups, tasksByTid } from "../kernel/kernel";
import { Task, ThreadGroup } from "../kernel/task";
import { groupCpuNs, RUSAGE_SIZE, threadCpuNs, writeRusage } from "../kernel/rusage";
import { monotonicNow } from "../kernel/time";

const SCHED_OTHER: i32 = 0;
const SCHED_FIFO: i32 = 1;
const SCHED_RR: i32 = 2;
const SCHED_BATCH: i32 = 3;
const SCHED_IDLE: i32 = 5;
const SCHED_RESET_ON_FORK: i32 = 0x40000000;
const BUF: usize = memory.data(160, 8);

function target(t: Task, pid: i32): Task | null {
  if (pid < 0) return null;
  if (pid == 0) return t;
  return tasksByTid.has(pid) ? tasksByTid.get(pid) : null;
}

export function sysSchedGetscheduler(t: Task): i64 {
  const pid = <i32>sysArg(0);
  if (pid < 0) return -EINVAL;
  return target(t, pid) === null ? -ESRCH : SCHED_OTHER;
}

export function sysSchedGetparam(t: Task): i64 {
  const pid = <i32>sysArg(0);
  if (pid < 0 || sysArg(1) == 0) return -EINVAL;
  if (target(t, pid) === null) return -ESRCH;
  store<i32>(BUF, 0);
  return t.mm.copyOut(sysArg(1), BUF, 4) < 0 ? -EFAULT : 0;
}

/** Only SCHED_OTHER, SCHED_BATCH and SCHED_IDLE with priority 0 are accepted; real-time
 *  policies need CAP_SYS_NICE and a real-time scheduler the sandbox does not offer (EPERM). */
function setScheduler(t: Task, pid: i32, policy: i32, paramAddr: u64): i64 {
  if (pid < 0 || paramAddr == 0) return -EINVAL;
  if (target(t, pid) === null) return -ESRCH;
  if (t.mm.copyIn(paramAddr, BUF, 4) < 0) return -EFAULT;
  const prio = load<i32>(BUF);
  const p = policy & ~SCHED_RESET_ON_FORK;
  if (p == SCHED_FIFO || p == SCHED_RR) return prio < 1 || prio > 99 ? -EINVAL : -EPERM;
  if (p != SCHED_OTHER && p != SCHED_BATCH && p != SCHED_IDLE && policy != -1) return -EINVAL;
  return prio != 0 ? -EINVAL : 0;
}

export function sysSchedSetscheduler(t: Task): i64 {
  return setScheduler(t, <i32>sysArg(0), <i32>sysArg(1), sysArg(2));
}

export function sysSchedSetparam(t: Task): i64 {
  return setScheduler(t, <i32>sysArg(0), -1, sysArg(1));
}

export function sysSchedGetPriorityMax(t: Task): i64 {
  const p = <i32>sysArg(0);
  if (p == SCHED_FIFO || p == SCHED_RR) return 99;
  return p == SCHED_OTHER || p == SCHED_BATCH || p == SCHED_IDLE ? 0 : -EINVAL;
}

export function sysSchedGetPriorityMin(t: Task): i64 {
  const p = <i32>sysArg(0);
  if (p == SCHED_FIFO || p == SCHED_RR) return 1;
  return p == SCHED_OTHER || p == SCHED_BATCH || p == SCHED_IDLE ? 0 : -EINVAL;
}

export function sysSchedRrGetInterval(t: Task): i64 {
  if (<i32>sysArg(0) < 0) return -EINVAL;
  if (target(t, <i32>sysArg(0)) === null) return -ESRCH;
  store<i64>(BUF, 0);
  store<i64>(BUF + 8, 100000000);
  return t.mm.copyOut(sysArg(1), BUF, 16) < 0 ? -EFAULT : 0;
}

const PRIO_PROCESS: i32 = 0;
const PRIO_PGRP: i32 = 1;
const PRIO_USER: i32 = 2;

/** The thread groups a getpriority/setpriority (which, who) names. */
function prioTargets(t: Task, which: i32, who: i32): ThreadGroup[] {
  const out: ThreadGroup[] = [];
  const all = threadGroups.values();
  for (let i = 0; i < all.length; i++) {
    const g = all[i];
    if (g.exitStatus >= 0) continue;
    if (which == PRIO_PROCESS && g.tgid == (who == 0 ? t.tg.tgid : who)) out.push(g);
    else if (which == PRIO_PGRP && g.pgid == (who == 0 ? t.tg.pgid : who)) out.push(g);
    else if (which == PRIO_USER && g.cred.uid == <u32>(who == 0 ? <i32>t.tg.cred.uid : who)) out.push(g);
  }
  return out;
}

/** getpriority returns 20 - nice (so that it is never negative), as the raw syscall does. */
export function sysGetpriority(t: Task): i64 {
  const which = <i32>sysArg(0);
  if (which < PRIO_PROCESS || which > PRIO_USER) return -EINVAL;
  const tgs = prioTargets(t, which, <i32>sysArg(1));
  if (tgs.length == 0) return -ESRCH;
  let best: i32 = 19;
  for (let i = 0; i < tgs.length; i++) if (tgs[i].nice < best) best = tgs[i].nice;
  return 20 - best;
}

export function sysSetpriority(t: Task): i64 {
  const which = <i32>sysArg(0);
  if (which < PRIO_PROCESS || which > PRIO_USER) return -EINVAL;
  let nice = <i32>sysArg(2);
  if (nice < -20) nice = -20;
  if (nice > 19) nice = 19;
  const tgs = prioTargets(t, which, <i32>sysArg(1));
  if (tgs.length == 0) return -ESRCH;
  for (let i = 0; i < tgs.length; i++) {
    // Lowering nice needs CAP_SYS_NICE (root's).
    if (nice < tgs[i].nice && t.tg.cred.euid != 0) return -EPERM;
    tgs[i].nice = nice;
  }
  return 0;
}

const RUSAGE_SELF: i32 = 0;
const RUSAGE_CHILDREN: i32 = -1;
const RUSAGE_THREAD: i32 = 1;

export function sysGetrusage(t: Task): i64 {
  const who = <i32>sysArg(0);
  let ns: i64;
  if (who == RUSAGE_SELF) ns = groupCpuNs(t.tg);
  else if (who == RUSAGE_CHILDREN) ns = t.tg.childrenCpuNs;
  else if (who == RUSAGE_THREAD) ns = threadCpuNs(t);
  else return -EINVAL;
  writeRusage(BUF, ns);
  return t.mm.copyOut(sysArg(1), BUF, RUSAGE_SIZE) < 0 ? -EFAULT : 0;
}

/** times(2): clock ticks (USER_HZ = 100) of the group's CPU time and of its reaped
 *  children's (all as user time), and ticks since boot as the result. */
export function sysTimes(t: Task): i64 {
  const addr = sysArg(0);
  if (addr != 0) {
    memory.fill(BUF, 0, 32);
    store<i64>(BUF, groupCpuNs(t.tg) / 10000000);
    store<i64>(BUF + 16, t.tg.childrenCpuNs / 10000000);
    if (t.mm.copyOut(addr, BUF, 32) < 0) return -EFAULT;
  }
  return monotonicNow() / 10000000;
}

const PR_SET_PDEATHSIG: i32 = 1;
const PR_GET_PDEATHSIG: i32 = 2;
const PR_GET_DUMPABLE: i32 = 3;
const PR_SET_DUMPABLE: i32 = 4;
const PR_GET_KEEPCAPS: i32 = 7;
const PR_SET_KEEPCAPS: i32 = 8;
const PR_SET_NAME: i32 = 15;
const PR_GET_NAME: i32 = 16;
const PR_GET_SECCOMP: i32 = 21;
const PR_CAPBSET_READ: i32 = 23;
const PR_SET_CHILD_SUBREAPER: i32 = 36;
const PR_GET_CHILD_SUBREAPER: i32 = 37;
const PR_SET_NO_NEW_PRIVS: i32 = 38;
const PR_GET_NO_NEW_PRIVS: i32 = 39;
const PR_GET_TIMERSLACK: i32 = 30;
const PR_SET_TIMERSLACK: i32 = 29;

/** prctl(2) for the options programs commonly use; others give EINVAL as an unknown option
 *  does. The parent-death signal and child subreapers act in exitThreadGroup (kernel.ts). */
export function sysPrctl(t: Task): i64 {
  const op = <i32>sysArg(0);
  const arg = sysArg(1);
  const tg = t.tg;
  if (op == PR_SET_NAME) {
    const name = t.mm.copyInString(arg, 16);
    // The name is cut to 15 bytes; a longer string without NUL in 16 bytes is cut as well.
    const s = name !== null ? name : "";
    tg.comm = s.length > 15 ? s.substring(0, 15) : s;
    return 0;
  }
  if (op == PR_GET_NAME) {
    const b = String.UTF8.encode(tg.comm, true);
    memory.fill(BUF, 0, 16);
    const n: i32 = b.byteLength < 16 ? b.byteLength : 16;
    memory.copy(BUF, changetype<usize>(b), <usize>n);
    return t.mm.copyOut(arg, BUF, 16) < 0 ? -EFAULT : 0;
  }
  if (op == PR_SET_PDEATHSIG) {
    if (<i64>arg < 0 || arg > 64) return -EINVAL;
    t.pdeathSig = <i32>arg;
    return 0;
  }
  if (op == PR_GET_PDEATHSIG) {
    store<i32>(BUF, t.pdeathSig);
    return t.mm.copyOut(arg, BUF, 4) < 0 ? -EFAULT : 0;
  }
  if (op == PR_GET_DUMPABLE) return tg.dumpable;
  if (op == PR_SET_DUMPABLE) {
    if (arg > 1) return -EINVAL;
    tg.dumpable = <i32>arg;
    return 0;
  }
  if (op == PR_GET_KEEPCAPS) return 0;
  if (op == PR_SET_KEEPCAPS) return arg > 1 ? -EINVAL : 0;
  if (op == PR_GET_SECCOMP) return 0;
  if (op == PR_CAPBSET_READ) return arg > 40 ? -EINVAL : 1;
  if (op == PR_SET_CHILD_SUBREAPER) {
    tg.subreaper = arg != 0;
    return 0;
  }
  if (op == PR_GET_CHILD_SUBREAPER) {
    store<i32>(BUF, tg.subreaper ? 1 : 0);
    return t.mm.copyOut(arg, BUF, 4) < 0 ? -EFAULT : 0;
  }
  if (op == PR_SET_NO_NEW_PRIVS) {
    if (arg != 1 || sysArg(2) != 0 || sysArg(3) != 0 || sysArg(4) != 0) return -EINVAL;
    tg.noNewPrivs = true;
    return 0;
  }
  if (op == PR_GET_NO_NEW_PRIVS) return tg.noNewPrivs ? 1 : 0;
  if (op == PR_GET_TIMERSLACK) return 50000;
  if (op == PR_SET_TIMERSLACK) return 0;
  return -EINVAL;
}

/** personality(2): sets the calling task's persona unless it is 0xffffffff (a query) and
 *  returns the old one. Any value is taken, as Linux takes it; of the flags only
 *  ADDR_NO_RANDOMIZE changes anything (the layout of the next exec). */
export function sysPersonality(t: Task): i64 {
  const old = t.personality;
  const persona = <u32>sysArg(0);
  if (persona != 0xffffffff) t.personality = persona;
  return <i64>old;
}
