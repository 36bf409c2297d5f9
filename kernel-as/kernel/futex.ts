// Futex wait queues (Linux kernel/futex/): tasks parked on a 32-bit word, woken by a wake on
// the same word with an intersecting bitset, or moved to another word by a requeue.
//
// A word is named by a key (Linux's futex_key): a private futex, or a shared one in private
// memory, by (mm, address); a shared futex in a MAP_SHARED mapping by (memory object, offset
// in it), so processes that map the same pages at different addresses meet on one word.
// Robust futex lists (Linux's exit_robust_list) are walked here when a task dies or execs.
import { PAGE_SIZE, PROT_READ } from "../abi/linux";
import { MM } from "../mm/mm";
import { Task } from "./task";
import { wakeLater } from "./sched";

/** A futex word's identity: the object (an mm or a memory object) and the offset in it. */
export class FutexKey {
  constructor(public obj: usize, public off: u64) {}

  @inline equals(o: FutexKey): bool { return this.obj == o.obj && this.off == o.off; }
}

/** The key of the word at addr of mm: shared futexes in shared mappings are keyed by the
 *  object's page, everything else by the address space (get_futex_key()). A shared key
 *  needs the page: null when addr cannot be read (the caller's EFAULT). */
export function futexKey(mm: MM, addr: u64, shared: bool): FutexKey | null {
  if (shared) {
    if (mm.accessibleLen(addr, 4, PROT_READ) < 4) return null;
    const v = mm.find(addr);
    if (v !== null && v.shared) {
      return new FutexKey(changetype<usize>(v.obj), v.pageIndex(addr) * PAGE_SIZE + (addr & (PAGE_SIZE - 1)));
    }
  }
  return new FutexKey(changetype<usize>(mm), addr);
}

export class FutexWaiter {
  constructor(public task: Task, public key: FutexKey, public bitset: u32) {}
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

/** Wakes up to n waiters on key whose bitset meets bitset, oldest first; returns how many. */
export function wakeFutex(key: FutexKey, bitset: u32, n: i32): i32 {
  let woken = 0;
  for (let i = 0; i < futexWaiters.length && woken < n; ) {
    const w = futexWaiters[i];
    if (w.key.equals(key) && (w.bitset & bitset) != 0) {
      futexWaiters.splice(i, 1);
      w.task.futexWoken = true;
      wakeLater(w.task);
      woken++;
    } else {
      i++;
    }
  }
  return woken;
}

/** FUTEX_REQUEUE: wakes up to nWake waiters on from, then moves up to nRequeue of the rest
 *  to to (they wake from there). Returns woken plus moved, as Linux does. */
export function requeueFutex(from: FutexKey, to: FutexKey, nWake: i32, nRequeue: i32): i32 {
  const done = wakeFutex(from, 0xffffffff, nWake);
  let moved = 0;
  for (let i = 0; i < futexWaiters.length && moved < nRequeue; i++) {
    const w = futexWaiters[i];
    if (w.key.equals(from)) {
      w.key = to;
      moved++;
    }
  }
  return done + moved;
}

const FUTEX_WAITERS: u32 = 0x80000000;
const FUTEX_OWNER_DIED: u32 = 0x40000000;
const FUTEX_TID_MASK: u32 = 0x3fffffff;
/** Linux's ROBUST_LIST_LIMIT: a list longer than this (or circular) is not walked further. */
const ROBUST_LIST_LIMIT: i32 = 2048;
const ROBUST_BUF: usize = memory.data(24, 8);

/** The robust futexes t still holds become OWNER_DIED and one waiter of each is woken
 *  (exit_robust_list(), handle_futex_death()). Runs when t exits or execs; its mm is alive.
 *  A bad list ends the walk silently, as in Linux. */
export function exitRobustList(t: Task): void {
  const head = t.robustList;
  if (head == 0) return;
  t.robustList = 0;
  const mm = t.mm;
  if (mm.copyIn(head, ROBUST_BUF, 24) < 0) return;
  let entry = load<u64>(ROBUST_BUF);
  const offset = load<i64>(ROBUST_BUF + 8);
  const pendingRaw = load<u64>(ROBUST_BUF + 16);
  const pending = pendingRaw & ~(<u64>1);
  for (let n = 0; entry != head && n < ROBUST_LIST_LIMIT; n++) {
    // Read the next pointer first: the death handling may free the entry's memory.
    const nextOk = mm.copyIn(entry & ~(<u64>1), ROBUST_BUF, 8) >= 0;
    const next = load<u64>(ROBUST_BUF);
    const e = entry & ~(<u64>1);
    // A word that cannot be handled (misaligned, not writable) ends the walk, as does a
    // next pointer that cannot be read (after this entry).
    if (e != pending && !futexDeath(t, mm, e + <u64>offset, false, (entry & 1) != 0)) return;
    if (!nextOk) return;
    entry = next;
  }
  if (pending != 0) futexDeath(t, mm, pending + <u64>offset, true, (pendingRaw & 1) != 0);
}

/** handle_futex_death(): the word at addr, if t owns it, gets OWNER_DIED (atomically: the
 *  group's other threads may be at the lock) and one waiter is woken; the entry of an
 *  operation t had pending that left the word 0 (an unlock just done, its FUTEX_WAKE not
 *  yet) wakes one waiter too, or it would wait for good. False when the word cannot be
 *  handled (misaligned, unreadable or not writable). */
function futexDeath(t: Task, mm: MM, addr: u64, pendingOp: bool, pi: bool): bool {
  if ((addr & 3) != 0 || mm.copyIn(addr, ROBUST_BUF, 4) < 0) return false;
  let word = load<u32>(ROBUST_BUF);
  const key = futexKey(mm, addr, true);
  if (pendingOp && !pi && word == 0) {
    if (key !== null) wakeFutex(key, 0xffffffff, 1);
    return true;
  }
  for (;;) {
    if ((word & FUTEX_TID_MASK) != <u32>t.tid) return true;
    const seen = mm.cmpxchg32(addr, word, (word & FUTEX_WAITERS) | FUTEX_OWNER_DIED);
    if (seen < 0) return false;
    if (<u32>seen == word) break;
    word = <u32>seen;
  }
  if ((word & FUTEX_WAITERS) != 0 && key !== null) wakeFutex(key, 0xffffffff, 1);
  return true;
}
