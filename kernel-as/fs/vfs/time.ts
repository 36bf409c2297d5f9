// File timestamps come from the realtime clock, in nanoseconds.
import { clockGet } from "../../host";
import { CLOCK_REALTIME } from "../../abi/linux";
import { TIMESPEC_BUF } from "../../kernel/time";

export function realtimeNow(): i64 {
  clockGet(CLOCK_REALTIME, TIMESPEC_BUF);
  return load<i64>(TIMESPEC_BUF) * 1000000000 + load<i64>(TIMESPEC_BUF + 8);
}
