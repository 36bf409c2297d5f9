// Process timers that send signals (Linux kernel/time/itimer.c, posix-timers.c and
// posix-cpu-timers.c): the interval timers of setitimer(2) (ITIMER_REAL behind alarm(2) too),
// POSIX timers (timer_create) that deliver SIGEV_SIGNAL or SIGEV_THREAD_ID, and timerfds.
// Wall-clock timers run on CLOCK_MONOTONIC deadlines checked by the host's idle wait (sched's
// nextDeadline) and fired by expire(). Timers on a CPU-time clock (ITIMER_VIRTUAL,
// ITIMER_PROF, POSIX timers on a process's or thread's CPU clock) expire at a CPU time; the
// clock is the host's CPU time of the stub, which only the host sees advance, so such a timer
// is looked at on a monotonic deadline instead: the soonest the clock could reach its expiry
// (every host CPU running the process), at least a scheduler tick away. Linux too checks CPU
// timers on ticks only.
import { SIGALRM, SIGPROF, SIGVTALRM } from "../abi/linux";
import { config } from "./config";
import { groupCpuNs, threadCpuNs } from "./rusage";
import { SigInfo, SI_KERNEL } from "./signal";
import { sendSignal, sendSignalToTask } from "./signal_send";
import { Task, TASK_DEAD, ThreadGroup } from "./task";
import { monotonicNow, saturatingAdd } from "./time";
import { TimerFd } from "../fs/timerfd";

export const SI_TIMER: i32 = -2;

/** The clock a timer counts: wall time, or the CPU time of a process or of one thread. */
export const TIMER_WALL: i32 = 0;
export const TIMER_PROCESS_CPU: i32 = 1;
export const TIMER_THREAD_CPU: i32 = 2;
/** A scheduler tick (TICK_NSEC at Linux's HZ=250): the soonest a CPU timer is looked at
 *  again, and what an interval timer on a CPU clock runs longer (set_cpu_itimer()). */
const TICK_NS: i64 = 4000000;

/** The ids of the interval timers (ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF), which timer_*
 *  calls cannot name (timerfds are -2). */
const ITIMER_REAL_ID: i32 = -1;
function itimerId(which: i32): i32 {
  return which == 0 ? ITIMER_REAL_ID : -2 - which;
}

export class KTimer {
  /** The next expiry on the timer's clock (monotonic ns, or CPU ns), or 0 when disarmed. */
  deadline: i64 = 0;
  interval: i64 = 0;
  overrun: i32 = 0;
  /** What it counts (TIMER_*): for TIMER_THREAD_CPU the thread's CPU time, for
   *  TIMER_PROCESS_CPU the process's (not always the owner's: a timer may count another
   *  process's clock, clock_getcpuclockid(3)). */
  counts: i32 = TIMER_WALL;
  cpuThread: Task | null = null;
  cpuGroup: ThreadGroup | null = null;
  /** A CPU timer: the monotonic time it is looked at next. */
  checkAt: i64 = 0;
  /** SIGEV_THREAD_ID: the one thread that gets the signal (null: the process). */
  thread: Task | null = null;
  /** A timerfd counts the expirations instead of sending a signal. */
  fd: TimerFd | null = null;

  constructor(
    public tg: ThreadGroup,
    /** POSIX timer id, or -1 for the ITIMER_REAL timer. */
    public id: i32,
    public signo: i32,
    public value: u64,
    /** The clock the app set it on (absolute times are converted when armed). */
    public clockid: i32,
  ) {}

  /** The current time on the timer's clock. */
  now(): i64 {
    if (this.counts == TIMER_WALL) return monotonicNow();
    return this.counts == TIMER_THREAD_CPU ? threadCpuNs(this.cpuThread!) : groupCpuNs(this.cpuGroup!);
  }

  /** An interval timer on a CPU clock (ITIMER_VIRTUAL, ITIMER_PROF). */
  private get cpuItimer(): bool { return this.id < -2; }

  /** Whether the clock it counts is gone with its thread or process: it never fires. */
  clockGone(): bool {
    if (this.counts == TIMER_THREAD_CPU) return this.cpuThread!.state == TASK_DEAD;
    return this.counts == TIMER_PROCESS_CPU && this.cpuGroup!.exitStatus >= 0;
  }

  /** Arms it to expire valueNs from now (0 disarms), then every intervalNs. The interval
   *  stays when it is disarmed, and getitimer and timer_gettime tell it, except ITIMER_REAL's
   *  (do_setitimer()); an interval timer on a CPU clock runs a tick longer. */
  arm(valueNs: i64, intervalNs: i64): void {
    const now = this.now();
    const v = valueNs > 0 && this.cpuItimer ? saturatingAdd(valueNs, TICK_NS) : valueNs;
    this.deadline = v > 0 ? saturatingAdd(now, v) : 0;
    this.interval = v > 0 || this.id != ITIMER_REAL_ID ? intervalNs : 0;
    this.overrun = 0;
    if (v > 0) this.scheduleCheck(now);
  }

  /** Time left until it expires; 0 when disarmed. Due but not fired yet (a CPU timer is
   *  looked at on ticks), it tells what Linux tells then: ITIMER_REAL 1 us
   *  (itimer_get_remtime()), a CPU interval timer a tick (get_cpu_itimer()), a timerfd 0, a
   *  SIGEV_NONE timer its next period, or 0 once a one-shot passed (nobody is told: it only
   *  keeps time), another POSIX timer 1 ns. */
  left(): i64 {
    if (this.deadline <= 0) return 0;
    if (this.clockGone()) {
      this.deadline = 0;
      return 0;
    }
    const now = this.now();
    if (this.deadline > now) return this.deadline - now;
    if (this.id == ITIMER_REAL_ID) return 1000;
    if (this.cpuItimer) return TICK_NS;
    if (this.fd !== null) return 0;
    if (this.signo > 0) return 1;
    this.advance(now);
    return this.deadline > 0 ? this.deadline - now : 0;
  }

  /** It expired at now (on its clock): re-armed for the next period, missed periods counted
   *  as overruns, or disarmed. */
  private advance(now: i64): void {
    if (this.interval > 0) {
      const missed = (now - this.deadline) / this.interval;
      this.overrun = missed > I32.MAX_VALUE ? I32.MAX_VALUE : <i32>missed;
      this.deadline += (missed + 1) * this.interval;
      this.scheduleCheck(now);
    } else {
      this.deadline = 0;
    }
  }

  /** A CPU timer whose clock reads cpuNow is looked at when the clock could have reached
   *  its expiry at the earliest. */
  private scheduleCheck(cpuNow: i64): void {
    if (this.counts == TIMER_WALL) return;
    let wait = (this.deadline - cpuNow) / <i64>(config.ncpu > 0 ? config.ncpu : 1);
    if (wait < TICK_NS) wait = TICK_NS;
    this.checkAt = monotonicNow() + wait;
  }

  /** When the host must wake the kernel for it (monotonic ns), or 0 when disarmed. */
  wakeAt(): i64 {
    if (this.deadline <= 0) return 0;
    return this.counts == TIMER_WALL ? this.deadline : this.checkAt;
  }

  /** Called at or after wakeAt(): whether it expired; if so it is re-armed for its next
   *  period (or disarmed), missed periods counted as overruns. */
  due(wallNow: i64): bool {
    let now = wallNow;
    if (this.counts != TIMER_WALL) {
      // A clock stops when its thread or process is gone, and its timers with it.
      if (this.clockGone()) {
        this.deadline = 0;
        return false;
      }
      now = this.now();
      if (now < this.deadline) {
        this.scheduleCheck(now);
        return false;
      }
    }
    this.advance(now);
    return true;
  }
}

export const timers: KTimer[] = [];

/** Interval timer `which` (ITIMER_REAL, ITIMER_VIRTUAL or ITIMER_PROF) of tg, made on first
 *  use. VIRTUAL counts user time in Linux and PROF user and system time: both count the
 *  stub's CPU time here, which is not split. */
export function intervalTimer(tg: ThreadGroup, which: i32): KTimer {
  const id = itimerId(which);
  for (let i = 0; i < timers.length; i++) if (timers[i].tg === tg && timers[i].id == id) return timers[i];
  const t = new KTimer(tg, id, which == 0 ? SIGALRM : which == 1 ? SIGVTALRM : SIGPROF, 0, 1);
  if (which != 0) {
    t.counts = TIMER_PROCESS_CPU;
    t.cpuGroup = tg;
  }
  timers.push(t);
  return t;
}

export function findTimer(tg: ThreadGroup, id: i32): KTimer | null {
  // Negative ids are the ITIMER_REAL timer and timerfds, which timer_* calls cannot name.
  if (id < 0) return null;
  for (let i = 0; i < timers.length; i++) if (timers[i].tg === tg && timers[i].id == id) return timers[i];
  return null;
}

/** Removes tg's timers: at exit its interval and POSIX timers, at exec (posixOnly) its POSIX
 *  timers. A timerfd's timer stays: it belongs to the file, which other processes may hold,
 *  and goes with it (TimerFd.release). */
export function removeTimers(tg: ThreadGroup, posixOnly: bool): void {
  for (let i = 0; i < timers.length; ) {
    const k = timers[i];
    if (k.tg === tg && k.fd === null && (!posixOnly || k.id >= 0)) timers.splice(i, 1);
    else i++;
  }
}

/** The earliest time the host must wake the kernel for a timer, or -1. */
export function nextTimerDeadline(): i64 {
  let best: i64 = -1;
  for (let i = 0; i < timers.length; i++) {
    const d = timers[i].wakeAt();
    if (d > 0 && (best < 0 || d < best)) best = d;
  }
  return best;
}

/** Fires the timers due at now: their signal goes out, periodic ones are re-armed. */
export function fireTimers(now: i64): void {
  for (let i = 0; i < timers.length; i++) {
    const k = timers[i];
    const at = k.wakeAt();
    if (at <= 0 || at > now || !k.due(now)) continue;
    if (k.fd !== null) {
      k.fd!.expire(<u64>k.overrun + 1);
      continue;
    }
    const info = new SigInfo(k.signo, k.id < 0 ? SI_KERNEL : SI_TIMER, k.id < 0 ? 0 : k.id, <u32>k.overrun);
    info.value = k.value;
    if (k.signo <= 0) continue;
    if (k.thread !== null) sendSignalToTask(k.thread!, k.signo, info);
    else sendSignal(k.tg, k.signo, info);
  }
}
