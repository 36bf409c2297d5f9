// Process timers that send signals (Linux kernel/time/itimer.c and posix-timers.c): the
// ITIMER_REAL timer behind alarm(2) and setitimer(2), and POSIX timers (timer_create) that
// deliver SIGEV_SIGNAL or SIGEV_THREAD_ID. All run on CLOCK_MONOTONIC deadlines checked by
// the host's idle wait (sched's nextDeadline) and fired by expire().
import { SIGALRM } from "../abi/linux";
import { SigInfo, SI_KERNEL } from "./signal";
import { sendSignal, sendSignalToTask } from "./signal_send";
import { Task, ThreadGroup } from "./task";
import { TimerFd } from "../fs/timerfd";

export const SI_TIMER: i32 = -2;

export class KTimer {
  /** Monotonic ns of the next expiry, or 0 when disarmed. */
  deadline: i64 = 0;
  interval: i64 = 0;
  overrun: i32 = 0;
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
}

export const timers: KTimer[] = [];

/** The ITIMER_REAL timer of tg, made on first use. */
export function realTimer(tg: ThreadGroup): KTimer {
  for (let i = 0; i < timers.length; i++) if (timers[i].tg === tg && timers[i].id == -1) return timers[i];
  const t = new KTimer(tg, -1, SIGALRM, 0, 1);
  timers.push(t);
  return t;
}

export function findTimer(tg: ThreadGroup, id: i32): KTimer | null {
  // Negative ids are the ITIMER_REAL timer and timerfds, which timer_* calls cannot name.
  if (id < 0) return null;
  for (let i = 0; i < timers.length; i++) if (timers[i].tg === tg && timers[i].id == id) return timers[i];
  return null;
}

export function removeTimers(tg: ThreadGroup, posixOnly: bool): void {
  for (let i = 0; i < timers.length; ) {
    if (timers[i].tg === tg && (!posixOnly || timers[i].id >= 0)) timers.splice(i, 1);
    else i++;
  }
}

/** The earliest armed deadline, or -1. */
export function nextTimerDeadline(): i64 {
  let best: i64 = -1;
  for (let i = 0; i < timers.length; i++) {
    const d = timers[i].deadline;
    if (d > 0 && (best < 0 || d < best)) best = d;
  }
  return best;
}

/** Fires the timers due at now: their signal goes out, periodic ones are re-armed (missed
 *  periods counted as overruns). */
export function fireTimers(now: i64): void {
  for (let i = 0; i < timers.length; i++) {
    const k = timers[i];
    if (k.deadline <= 0 || k.deadline > now) continue;
    if (k.interval > 0) {
      const missed = (now - k.deadline) / k.interval;
      k.overrun = <i32>missed;
      k.deadline += (missed + 1) * k.interval;
    } else {
      k.deadline = 0;
    }
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
