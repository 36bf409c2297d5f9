// Futex wait queues (Linux kernel/futex/): tasks parked on a 32-bit word of an address space,
// woken by FUTEX_WAKE on the same word with an intersecting bitset. Private and shared futexes
// are keyed alike by (mm, address) until address spaces can share memory.
import { MM } from "../mm/mm";
import { Task } from "./task";
import { wakeLater } from "./sched";

export class FutexWaiter {
  constructor(public task: Task, public mm: MM, public addr: u64, public bitset: u32) {}
}

export const futexWaiters: FutexWaiter[] = [];

export function addWaiter(w: FutexWaiter): void {
  futexWaiters.push(w);
}

export function removeWaiter(t: Task): void {
  for (let i = 0; i < futexWaiters.length; i++) {
    if (futexWaiters[i].task === t) {
      futexWaiters.splice(i, 1);
      return;
    }
  }
}

/** Wakes up to n waiters on (mm, addr) whose bitset meets bitset; returns how many. */
export function wakeFutex(mm: MM, addr: u64, bitset: u32, n: i32): i32 {
  const woken = takeWaiters(mm, addr, bitset, n);
  for (let i = 0; i < woken.length; i++) {
    woken[i].futexWoken = true;
    wakeLater(woken[i]);
  }
  return woken.length;
}

/** Takes up to n waiters on (mm, addr) whose bitset meets bitset off the queue, oldest first,
 *  and returns their tasks. */
export function takeWaiters(mm: MM, addr: u64, bitset: u32, n: i32): Task[] {
  const out: Task[] = [];
  for (let i = 0; i < futexWaiters.length && out.length < n; ) {
    const w = futexWaiters[i];
    if (w.mm === mm && w.addr == addr && (w.bitset & bitset) != 0) {
      futexWaiters.splice(i, 1);
      out.push(w.task);
    } else {
      i++;
    }
  }
  return out;
}
