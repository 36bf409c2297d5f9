// Reading host clocks. The kernel's own clock for timers and deadlines is CLOCK_MONOTONIC
// in nanoseconds.
import { clockGet } from "../host";
import { CLOCK_MONOTONIC } from "../abi/linux";
import { Task } from "./task";

/** A {i64 sec, i64 nsec} scratch buffer for clock primitives. */
export const TIMESPEC_BUF: usize = memory.data(16, 8);

export function monotonicNow(): i64 {
  clockGet(CLOCK_MONOTONIC, TIMESPEC_BUF);
  return load<i64>(TIMESPEC_BUF) * 1000000000 + load<i64>(TIMESPEC_BUF + 8);
}

const LEFT_BUF: usize = memory.data(16, 8);

/** Writes the time left until t's wait deadline (zero once it has passed) to t.remAddr, as
 *  a struct timeval when t.remTimeval is set, else as a struct timespec, and forgets the
 *  address. A fault is ignored: the call's own result stands (Linux's poll_select_finish()
 *  and nanosleep_copyout() give no error for it after the wait). */
export function writeTimeLeft(t: Task): void {
  const addr = t.remAddr;
  t.remAddr = 0;
  if (addr == 0 || t.restartDeadline < 0) return;
  let left = t.restartDeadline - monotonicNow();
  if (left < 0) left = 0;
  store<i64>(LEFT_BUF, left / 1000000000);
  store<i64>(LEFT_BUF + 8, t.remTimeval ? (left % 1000000000) / 1000 : left % 1000000000);
  t.mm.copyOut(addr, LEFT_BUF, 16);
}
