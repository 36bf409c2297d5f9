// alarm, getitimer, setitimer and POSIX timers: timer_create, timer_settime, timer_gettime,
// timer_getoverrun, timer_delete, and timerfds (Linux kernel/time/itimer.c, posix-timers.c,
// posix-cpu-timers.c, fs/timerfd.c). Timers on CPU-time clocks (ITIMER_VIRTUAL, ITIMER_PROF,
// POSIX timers on a process's or thread's CPU clock) count the stub's CPU time (timers.ts).
import { clockGet } from "../host";
import { EBADF, EFAULT, EINVAL, ESRCH } from "../abi/errno";
import { CLOCK_BOOTTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID, CLOCK_REALTIME, CLOCK_TAI, CLOCK_THREAD_CPUTIME_ID, NSIG, O_RDWR, RLIMIT_NOFILE, SIGALRM, TIMER_ABSTIME } from "../abi/linux";
import { sysArg } from "../abi/regs";
import { tasksByTid } from "../kernel/kernel";
import { Task } from "../kernel/task";
import { TIMESPEC_BUF, toNs } from "../kernel/time";
import { findTimer, intervalTimer, KTimer, TIMER_PROCESS_CPU, TIMER_THREAD_CPU, TIMER_WALL, timers } from "../kernel/timers";
import { TimerFd } from "../fs/timerfd";

const NS: i64 = 1000000000;
const BUF: usize = memory.data(64, 8);
const ITIMER_REAL: i32 = 0;
const ITIMER_PROF: i32 = 2;
const SIGEV_SIGNAL: i32 = 0;
const SIGEV_NONE: i32 = 1;
const SIGEV_THREAD: i32 = 2;
const SIGEV_THREAD_ID: i32 = 4;

export function sysAlarm(t: Task): i64 {
  const k = intervalTimer(t.tg, ITIMER_REAL);
  const left = k.left();
  k.arm(<i64>(<u32>sysArg(0)) * NS, 0);
  // Seconds left, rounded to nearest, at least 1 if any time was left (alarm_setitimer()).
  if (left == 0) return 0;
  const secs = (left + NS / 2) / NS;
  return secs == 0 ? 1 : secs;
}

/** struct itimerval {timeval interval; timeval value} at p from k. */
function putItimerval(k: KTimer, p: usize): void {
  const iv = k.interval;
  const v = k.left();
  store<i64>(p, iv / NS);
  store<i64>(p + 8, (iv % NS) / 1000);
  store<i64>(p + 16, v / NS);
  store<i64>(p + 24, (v % NS) / 1000);
}

export function sysGetitimer(t: Task): i64 {
  const which = <i32>sysArg(0);
  if (which < ITIMER_REAL || which > ITIMER_PROF) return -EINVAL;
  putItimerval(intervalTimer(t.tg, which), BUF);
  return t.mm.copyOut(sysArg(1), BUF, 32) < 0 ? -EFAULT : 0;
}

/** setitimer(2): the new value is read and checked first (a missing one disarms, a misfeature
 *  Linux keeps), then set, then the old one written. */
export function sysSetitimer(t: Task): i64 {
  const which = <i32>sysArg(0);
  const nv = sysArg(1);
  const ov = sysArg(2);
  let value: i64 = 0;
  let interval: i64 = 0;
  if (nv != 0) {
    if (t.mm.copyIn(nv, BUF, 32) < 0) return -EFAULT;
    const isec = load<i64>(BUF);
    const iusec = load<i64>(BUF + 8);
    const vsec = load<i64>(BUF + 16);
    const vusec = load<i64>(BUF + 24);
    if (isec < 0 || vsec < 0 || iusec < 0 || iusec >= 1000000 || vusec < 0 || vusec >= 1000000) return -EINVAL;
    interval = toNs(isec, iusec * 1000);
    value = toNs(vsec, vusec * 1000);
  }
  if (which < ITIMER_REAL || which > ITIMER_PROF) return -EINVAL;
  const k = intervalTimer(t.tg, which);
  putItimerval(k, BUF + 32);
  k.arm(value, interval);
  return ov != 0 && t.mm.copyOut(ov, BUF + 32, 32) < 0 ? -EFAULT : 0;
}

/** A CPU-time clock: a thread's, or (perThread unset) the process of task's. */
export class CpuClock {
  constructor(public task: Task, public perThread: bool) {}
}

/** The CPU-time clock app clock id c names for t (pid_for_clock()): CLOCK_PROCESS_CPUTIME_ID,
 *  CLOCK_THREAD_CPUTIME_ID, or a dynamic clock (clock_getcpuclockid(3),
 *  pthread_getcpuclockid(3): ~id << 3, bit 2 per thread) naming a process of the sandbox or a
 *  thread of t's own process, id 0 being t's; to read it (gettime), a process clock may name
 *  t by its tid. Null for any other clock, and for one that names no such process or
 *  thread. */
export function cpuClockOf(t: Task, c: i32, gettime: bool): CpuClock | null {
  if (c == CLOCK_PROCESS_CPUTIME_ID) return new CpuClock(t, false);
  if (c == CLOCK_THREAD_CPUTIME_ID) return new CpuClock(t, true);
  if (c >= 0 || (c & 3) == 3) return null; // fd clocks (CLOCKFD) are not supported
  const id = ~(c >> 3);
  const perThread = (c & 4) != 0;
  if (id == 0) return new CpuClock(t, perThread);
  if (!tasksByTid.has(id)) return null;
  const target = tasksByTid.get(id);
  if (perThread) return target.tg === t.tg ? new CpuClock(target, true) : null;
  if (gettime && target === t) return new CpuClock(t, false);
  return target.tg.tgid == target.tid ? new CpuClock(target, false) : null;
}

let nextTimerId: i32 = 0;

export function sysTimerCreate(t: Task): i64 {
  const clockid = <i32>sysArg(0);
  const sevp = sysArg(1);
  const idAddr = sysArg(2);
  const cpu = cpuClockOf(t, clockid, false);
  if (cpu === null && clockid != CLOCK_REALTIME && clockid != CLOCK_MONOTONIC && clockid != CLOCK_BOOTTIME && clockid != CLOCK_TAI) return -EINVAL;
  let signo = SIGALRM;
  let notify = SIGEV_SIGNAL;
  const id = nextTimerId++;
  let value: u64 = <u64>id;
  let thread: Task | null = null;
  if (sevp != 0) {
    // struct sigevent: sigev_value[8], sigev_signo[4], sigev_notify[4], sigev_notify_thread_id[4].
    if (t.mm.copyIn(sevp, BUF, 64) < 0) return -EFAULT;
    value = load<u64>(BUF);
    signo = load<i32>(BUF + 8);
    notify = load<i32>(BUF + 12);
    if (notify == SIGEV_THREAD_ID) {
      const tid = load<i32>(BUF + 16);
      if (!tasksByTid.has(tid) || tasksByTid.get(tid).tg !== t.tg) return -EINVAL;
      thread = tasksByTid.get(tid);
    } else if (notify != SIGEV_SIGNAL && notify != SIGEV_NONE && notify != SIGEV_THREAD) {
      return -EINVAL;
    }
    if (notify != SIGEV_NONE && (signo < 1 || signo > NSIG)) return -EINVAL;
  }
  // SIGEV_NONE never signals: a timer with signal 0 only keeps time.
  const k = new KTimer(t.tg, id, notify == SIGEV_NONE ? 0 : signo, value, clockid);
  k.thread = thread;
  if (cpu !== null) {
    k.counts = cpu.perThread ? TIMER_THREAD_CPU : TIMER_PROCESS_CPU;
    k.cpuThread = cpu.task;
    k.cpuGroup = cpu.task.tg;
  }
  store<i32>(BUF, id);
  if (t.mm.copyOut(idAddr, BUF, 4) < 0) return -EFAULT;
  timers.push(k);
  return 0;
}

function putItimerspec(k: KTimer, p: usize): void {
  const v = k.left();
  store<i64>(p, k.interval / NS);
  store<i64>(p + 8, k.interval % NS);
  store<i64>(p + 16, v / NS);
  store<i64>(p + 24, v % NS);
}

/** Now on the clock k was set on, as an absolute time given for it counts: the app's clock
 *  id for a wall-clock timer, the CPU clock itself for a CPU timer. */
function clockNow(k: KTimer): i64 {
  if (k.counts != TIMER_WALL) return k.now();
  clockGet(k.clockid, TIMESPEC_BUF);
  return load<i64>(TIMESPEC_BUF) * NS + load<i64>(TIMESPEC_BUF + 8);
}

/** timer_settime(2) (do_timer_settime()): the new value is read and checked, then the
 *  timer looked up; a timer whose CPU clock is gone is ESRCH (posix_cpu_timer_set()). */
export function sysTimerSettime(t: Task): i64 {
  const flags = <i32>sysArg(1);
  const nv = sysArg(2);
  const ov = sysArg(3);
  if (t.mm.copyIn(nv, BUF, 32) < 0) return -EFAULT;
  const isec = load<i64>(BUF);
  const insec = load<i64>(BUF + 8);
  const vsec = load<i64>(BUF + 16);
  const vnsec = load<i64>(BUF + 24);
  if (isec < 0 || vsec < 0 || insec < 0 || insec >= NS || vnsec < 0 || vnsec >= NS) return -EINVAL;
  const k = findTimer(t.tg, <i32>sysArg(0));
  if (k === null) return -EINVAL;
  if (k.clockGone()) return -ESRCH;
  if (ov != 0) {
    putItimerspec(k, BUF + 32);
    if (t.mm.copyOut(ov, BUF + 32, 32) < 0) return -EFAULT;
  }
  let value = toNs(vsec, vnsec);
  if ((flags & TIMER_ABSTIME) != 0 && value > 0) {
    const now = clockNow(k);
    value = value > now ? value - now : 1;
  }
  k.arm(value, toNs(isec, insec));
  return 0;
}

export function sysTimerGettime(t: Task): i64 {
  const k = findTimer(t.tg, <i32>sysArg(0));
  if (k === null) return -EINVAL;
  putItimerspec(k, BUF);
  return t.mm.copyOut(sysArg(1), BUF, 32) < 0 ? -EFAULT : 0;
}

export function sysTimerGetoverrun(t: Task): i64 {
  const k = findTimer(t.tg, <i32>sysArg(0));
  return k === null ? -EINVAL : k.overrun;
}

export function sysTimerDelete(t: Task): i64 {
  const k = findTimer(t.tg, <i32>sysArg(0));
  if (k === null) return -EINVAL;
  timers.splice(timers.indexOf(k), 1);
  return 0;
}


const TFD_NONBLOCK: i32 = 0x800;
const TFD_CLOEXEC: i32 = 0x80000;
const TFD_TIMER_ABSTIME: i32 = 1;
const TFD_TIMER_CANCEL_ON_SET: i32 = 2;
/** timerfds are not POSIX timers: their ids stay out of timer_* calls' way. */
const TIMERFD_ID: i32 = -2;

function timerfdOf(t: Task, fd: i32): TimerFd | null {
  const f = t.fdTable.get(fd);
  return f !== null && f instanceof TimerFd ? <TimerFd>f : null;
}

export function sysTimerfdCreate(t: Task): i64 {
  const clockid = <i32>sysArg(0);
  const flags = <i32>sysArg(1);
  if ((flags & ~(TFD_NONBLOCK | TFD_CLOEXEC)) != 0) return -EINVAL;
  if (clockid != CLOCK_REALTIME && clockid != CLOCK_MONOTONIC && clockid != CLOCK_BOOTTIME) return -EINVAL;
  const k = new KTimer(t.tg, TIMERFD_ID, 0, 0, clockid);
  const f = new TimerFd(O_RDWR | (flags & TFD_NONBLOCK), k);
  k.fd = f;
  timers.push(k);
  const lim = t.tg.rlimits.cur[RLIMIT_NOFILE];
  return t.fdTable.install(f, 0, lim > 0x7fffffff ? 0x7fffffff : <i32>lim, (flags & TFD_CLOEXEC) != 0);
}

export function sysTimerfdSettime(t: Task): i64 {
  const f = timerfdOf(t, <i32>sysArg(0));
  if (f === null) return t.fdTable.get(<i32>sysArg(0)) === null ? -EBADF : -EINVAL;
  const flags = <i32>sysArg(1);
  if ((flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET)) != 0) return -EINVAL;
  const k = f.timer;
  if (t.mm.copyIn(sysArg(2), BUF, 32) < 0) return -EFAULT;
  const isec = load<i64>(BUF);
  const insec = load<i64>(BUF + 8);
  const vsec = load<i64>(BUF + 16);
  const vnsec = load<i64>(BUF + 24);
  if (isec < 0 || vsec < 0 || insec < 0 || insec >= NS || vnsec < 0 || vnsec >= NS) return -EINVAL;
  if (sysArg(3) != 0) {
    putItimerspec(k, BUF + 32);
    if (t.mm.copyOut(sysArg(3), BUF + 32, 32) < 0) return -EFAULT;
  }
  let value = toNs(vsec, vnsec);
  if ((flags & TFD_TIMER_ABSTIME) != 0 && value > 0) {
    const now = clockNow(k);
    value = value > now ? value - now : 1;
  }
  f.expirations = 0;
  k.arm(value, toNs(isec, insec));
  return 0;
}

export function sysTimerfdGettime(t: Task): i64 {
  const f = timerfdOf(t, <i32>sysArg(0));
  if (f === null) return t.fdTable.get(<i32>sysArg(0)) === null ? -EBADF : -EINVAL;
  putItimerspec(f.timer, BUF);
  return t.mm.copyOut(sysArg(1), BUF, 32) < 0 ? -EFAULT : 0;
}
