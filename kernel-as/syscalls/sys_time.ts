// Clocks and sleeping (Linux kernel/time/posix-timers.c, posix-cpu-timers.c, hrtimer.c).
// Wall and monotonic clocks are the host's. The CPU-time clocks of a process or thread are the
// host CPU clocks of its stub, which is where the app's instructions run. A sleep parks the task
// (kernel/sched.ts) instead of holding the Sentry.
import { clockGet, clockRes, cpuTime } from "../host";
import { EFAULT, EINVAL, EOPNOTSUPP } from "../abi/errno";
import {
  CLOCK_BOOTTIME, CLOCK_BOOTTIME_ALARM, CLOCK_MONOTONIC, CLOCK_MONOTONIC_COARSE, CLOCK_MONOTONIC_RAW,
  CLOCK_PROCESS_CPUTIME_ID, CLOCK_REALTIME, CLOCK_REALTIME_ALARM, CLOCK_REALTIME_COARSE, CLOCK_TAI,
  CLOCK_THREAD_CPUTIME_ID, TIMER_ABSTIME,
} from "../abi/linux";
import { sysArg } from "../abi/regs";
import { tasksByTid } from "../kernel/kernel";
import { park } from "../kernel/sched";
import { Task } from "../kernel/task";
import { monotonicNow, REM_NANOSLEEP, saturatingAdd, TIMESPEC_BUF, toNs } from "../kernel/time";
import { cpuClockOf } from "./sys_timer";

const NSEC_PER_SEC: i64 = 1000000000;
const OUT_BUF: usize = memory.data(16, 8);
const INVALID_CLOCK: i32 = 0x7fffffff;

/** The host clock that answers app clock id c, or INVALID_CLOCK (CPU-time clocks too). */
function hostClockFor(c: i32): i32 {
  if (c == CLOCK_REALTIME || c == CLOCK_MONOTONIC || c == CLOCK_MONOTONIC_RAW || c == CLOCK_REALTIME_COARSE ||
      c == CLOCK_MONOTONIC_COARSE || c == CLOCK_BOOTTIME || c == CLOCK_TAI) return c;
  if (c == CLOCK_REALTIME_ALARM) return CLOCK_REALTIME;
  if (c == CLOCK_BOOTTIME_ALARM) return CLOCK_BOOTTIME;
  return INVALID_CLOCK;
}

/** Reads app clock c of task t (or, with res, its resolution) into TIMESPEC_BUF. Returns 0,
 *  or -EINVAL for a clock that does not exist. CPU-time clocks are the CPU time of the
 *  task's (or the named task's) stub thread or stub process. */
function readClock(t: Task, c: i32, res: bool): i32 {
  const hc = hostClockFor(c);
  if (hc != INVALID_CLOCK) return (res ? clockRes(hc, TIMESPEC_BUF) : clockGet(hc, TIMESPEC_BUF)) < 0 ? -EINVAL : 0;
  const cpu = cpuClockOf(t, c, true);
  if (cpu === null) return -EINVAL;
  if (res) {
    // CPU clocks count nanoseconds (posix_cpu_clock_getres()).
    store<i64>(TIMESPEC_BUF, 0);
    store<i64>(TIMESPEC_BUF + 8, 1);
    return 0;
  }
  return cpuTime(cpu.perThread ? cpu.task.stub : cpu.task.tg.leader.stub, cpu.perThread, TIMESPEC_BUF) < 0 ? -EINVAL : 0;
}

function copyOutTimespec(t: Task, addr: u64): i64 {
  return t.mm.copyOut(addr, TIMESPEC_BUF, 16) < 0 ? -EFAULT : 0;
}

export function sysClockGettime(t: Task): i64 {
  const r = readClock(t, <i32>sysArg(0), false);
  return r < 0 ? r : copyOutTimespec(t, sysArg(1));
}

export function sysClockGetres(t: Task): i64 {
  const r = readClock(t, <i32>sysArg(0), true);
  return r < 0 || sysArg(1) == 0 ? r : copyOutTimespec(t, sysArg(1));
}

export function sysGettimeofday(t: Task): i64 {
  const tv = sysArg(0);
  const tz = sysArg(1);
  if (tv != 0) {
    clockGet(CLOCK_REALTIME, TIMESPEC_BUF);
    store<i64>(OUT_BUF, load<i64>(TIMESPEC_BUF));
    store<i64>(OUT_BUF + 8, load<i64>(TIMESPEC_BUF + 8) / 1000);
    if (t.mm.copyOut(tv, OUT_BUF, 16) < 0) return -EFAULT;
  }
  if (tz != 0) {
    // struct timezone: UTC, no DST (the kernel's sys_tz as most systems leave it).
    store<u64>(OUT_BUF, 0);
    if (t.mm.copyOut(tz, OUT_BUF, 8) < 0) return -EFAULT;
  }
  return 0;
}

export function sysTime(t: Task): i64 {
  clockGet(CLOCK_REALTIME, TIMESPEC_BUF);
  const sec = load<i64>(TIMESPEC_BUF);
  const tloc = sysArg(0);
  if (tloc != 0) {
    store<i64>(OUT_BUF, sec);
    if (t.mm.copyOut(tloc, OUT_BUF, 8) < 0) return -EFAULT;
  }
  return sec;
}

/** Reads a struct timespec and returns it in ns, or -errno (EFAULT, or EINVAL for a
 *  negative or unnormalized value, as timespec64_valid()). */
function timespecIn(t: Task, addr: u64): i64 {
  if (t.mm.copyIn(addr, OUT_BUF, 16) < 0) return -EFAULT;
  const sec = load<i64>(OUT_BUF);
  const nsec = load<i64>(OUT_BUF + 8);
  if (sec < 0 || nsec < 0 || nsec >= NSEC_PER_SEC) return -EINVAL;
  return toNs(sec, nsec);
}

/** Sleeps until the monotonic deadline remembered across re-runs of the syscall. A handler
 *  interrupts it with EINTR even under SA_RESTART (Linux's ERESTART_RESTARTBLOCK), writing
 *  the time left to remAddr when there is one. */
function sleepUntil(t: Task, deadline: i64, remAddr: u64 = 0): i64 {
  if (t.restartDeadline < 0) t.restartDeadline = deadline;
  if (monotonicNow() >= t.restartDeadline) {
    t.remAddr = 0;
    return 0;
  }
  t.restartable = false;
  t.remAddr = remAddr;
  t.remFormat = REM_NANOSLEEP;
  t.remSticky = false;
  return park(t, t.restartDeadline, -1, 0);
}

export function sysNanosleep(t: Task): i64 {
  // A re-run after a wake-up keeps the deadline and where rem goes.
  if (t.restartDeadline >= 0) return sleepUntil(t, t.restartDeadline, t.remAddr);
  const ns = timespecIn(t, sysArg(0));
  if (ns < 0) return ns;
  return sleepUntil(t, saturatingAdd(monotonicNow(), ns), sysArg(1));
}

export function sysClockNanosleep(t: Task): i64 {
  // A re-run after a wake-up keeps the deadline and where rem goes.
  if (t.restartDeadline >= 0) return sleepUntil(t, t.restartDeadline, t.remAddr);
  const c = <i32>sysArg(0);
  const flags = <i32>sysArg(1);
  if (c == CLOCK_THREAD_CPUTIME_ID) return -EINVAL;
  if (c == CLOCK_PROCESS_CPUTIME_ID || c < 0) return -EOPNOTSUPP;
  if (c != CLOCK_REALTIME && c != CLOCK_MONOTONIC && c != CLOCK_BOOTTIME && c != CLOCK_TAI &&
      c != CLOCK_REALTIME_ALARM && c != CLOCK_BOOTTIME_ALARM) return -EINVAL;
  const ns = timespecIn(t, sysArg(2));
  if (ns < 0) return ns;
  const now = monotonicNow();
  if ((flags & TIMER_ABSTIME) == 0) return sleepUntil(t, saturatingAdd(now, ns), sysArg(3));
  // An absolute time on clock c becomes a monotonic deadline: the distance from c's now.
  clockGet(hostClockFor(c), TIMESPEC_BUF);
  const cnow = load<i64>(TIMESPEC_BUF) * NSEC_PER_SEC + load<i64>(TIMESPEC_BUF + 8);
  return sleepUntil(t, ns <= cnow ? now : saturatingAdd(now, ns - cnow));
}

