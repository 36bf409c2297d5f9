// Reading host clocks. The kernel's own clock for timers and deadlines is CLOCK_MONOTONIC
// in nanoseconds.
import { clockGet } from "../host";
import { CLOCK_MONOTONIC } from "../abi/linux";

/** A {i64 sec, i64 nsec} scratch buffer for clock primitives. */
export const TIMESPEC_BUF: usize = memory.data(16, 8);

export function monotonicNow(): i64 {
  clockGet(CLOCK_MONOTONIC, TIMESPEC_BUF);
  return load<i64>(TIMESPEC_BUF) * 1000000000 + load<i64>(TIMESPEC_BUF + 8);
}
