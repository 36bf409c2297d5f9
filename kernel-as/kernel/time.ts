// Reading host clocks. The kernel's own clock for timers and deadlines is CLOCK_MONOTONIC
// in nanoseconds.
import { clockGet } from "../host";
import { CLOCK_MONOTONIC } from "../abi/linux";
import { Task } from "./task";

/** A {i64 sec, i64 nsec} scratch buffer for clock primitives. */
export const TIMESPEC_BUF: usize = memory.data(16, 8);

/** a + b for b >= 0, at most I64.MAX_VALUE. */
export function saturatingAdd(a: i64, b: i64): i64 {
  return a > I64.MAX_VALUE - b ? I64.MAX_VALUE : a + b;
}

/** sec seconds and nsec nanoseconds (both >= 0) in ns, at most I64.MAX_VALUE: a timeout too
 *  long to count is forever (Linux's timespec64_to_ktime() saturates at KTIME_MAX). */
export function toNs(sec: i64, nsec: i64): i64 {
  return sec > (I64.MAX_VALUE - nsec) / 1000000000 ? I64.MAX_VALUE : sec * 1000000000 + nsec;
}

export function monotonicNow(): i64 {
  clockGet(CLOCK_MONOTONIC, TIMESPEC_BUF);
  return load<i64>(TIMESPEC_BUF) * 1000000000 + load<i64>(TIMESPEC_BUF + 8);
}

const LEFT_BUF: usize = memory.data(16, 8);

/** How a wait tells the time left (Task.remFormat): nanosleep's rem, a struct timespec
 *  whose fault is the call's error; the timespec of ppoll and pselect6, and select's struct
 *  timeval, whose faults are ignored (poll_select_finish()). */
export const REM_NANOSLEEP: i32 = 0;
export const REM_TIMESPEC: i32 = 1;
export const REM_TIMEVAL: i32 = 2;

/** Writes left ns (zero if negative) to t's timeout at addr in t.remFormat: whether the
 *  memory took it. */
function putTimeLeft(t: Task, addr: u64, left: i64): bool {
  if (left < 0) left = 0;
  store<i64>(LEFT_BUF, left / 1000000000);
  store<i64>(LEFT_BUF + 8, t.remFormat == REM_TIMEVAL ? (left % 1000000000) / 1000 : left % 1000000000);
  return t.mm.copyOut(addr, LEFT_BUF, 16) >= 0;
}

/** Writes the time left of t's wait to its timeout now (it stays noted): whether the memory
 *  took it. */
export function timeLeftWritable(t: Task): bool {
  return putTimeLeft(t, t.remAddr, t.restartDeadline - monotonicNow());
}

/** Writes the time left until t's wait deadline (zero once it has passed) to t.remAddr in
 *  t.remFormat and forgets the address. Returns whether a nanosleep's rem could not be
 *  written (EFAULT for the call). */
export function writeTimeLeft(t: Task): bool {
  const addr = t.remAddr;
  const stopLeft = t.stopLeft;
  t.remAddr = 0;
  t.stopLeft = -1;
  if (addr == 0 || t.remSticky || t.restartDeadline < 0) return false;
  // A wait its group's stop suspended has what it had left then (job_control.ts).
  const left = stopLeft >= 0 ? stopLeft : t.restartDeadline - monotonicNow();
  return !putTimeLeft(t, addr, left) && t.remFormat == REM_NANOSLEEP;
}
