// Advisory file locks (Linux fs/locks.c): POSIX record locks (fcntl F_SETLK and friends, owned
// by the process, released when it closes any fd of the file or exits), open file description
// locks (F_OFD_*, owned by the description) and flock(2) locks (whole file, owned by the
// description, a namespace of their own). A request that conflicts either fails (EAGAIN /
// EWOULDBLOCK) or parks the task until a lock on the file goes away.
import { Task } from "../../kernel/task";
import { wakeLater } from "../../kernel/sched";
import { Inode } from "./inode";

export const F_RDLCK: i16 = 0;
export const F_WRLCK: i16 = 1;
export const F_UNLCK: i16 = 2;
/** End of a lock that runs to the end of the file, whatever its size. */
export const LOCK_TO_EOF: u64 = U64.MAX_VALUE;

export class FileLock {
  constructor(
    /** Who holds it: a thread group (POSIX) or a file description (OFD, flock). */
    public owner: usize,
    public type: i16,
    public start: u64,
    /** Exclusive end, or LOCK_TO_EOF. */
    public end: u64,
    /** The holder's pid for F_GETLK (-1 for description locks). */
    public pid: i32,
  ) {}
}

/** The locks on one inode: record locks (POSIX and OFD share one space) and flock locks. */
export class InodeLocks {
  records: FileLock[] = [];
  flocks: FileLock[] = [];
  waiters: Task[] = [];
}

const lockTable = new Map<Inode, InodeLocks>();

export function locksOf(inode: Inode): InodeLocks {
  if (!lockTable.has(inode)) lockTable.set(inode, new InodeLocks());
  return lockTable.get(inode);
}

@inline function overlaps(a: FileLock, start: u64, end: u64): bool {
  return a.start < end && start < a.end;
}

/** The first lock in list that keeps owner from taking type on [start, end), or null. */
export function conflict(list: FileLock[], owner: usize, type: i16, start: u64, end: u64): FileLock | null {
  for (let i = 0; i < list.length; i++) {
    const l = list[i];
    if (l.owner == owner || !overlaps(l, start, end)) continue;
    if (type == F_WRLCK || l.type == F_WRLCK) return l;
  }
  return null;
}

/** Removes owner's locks from [start, end), splitting those that stick out. */
function carve(list: FileLock[], owner: usize, start: u64, end: u64): void {
  for (let i = 0; i < list.length; ) {
    const l = list[i];
    if (l.owner != owner || !overlaps(l, start, end)) {
      i++;
      continue;
    }
    list.splice(i, 1);
    if (l.start < start) list.push(new FileLock(owner, l.type, l.start, start, l.pid));
    if (l.end > end) list.push(new FileLock(owner, l.type, end, l.end, l.pid));
  }
}

/** Sets (or, with F_UNLCK, clears) owner's lock on [start, end). Precondition: no conflict. */
export function setLock(inode: Inode, flock: bool, owner: usize, type: i16, start: u64, end: u64, pid: i32): void {
  const st = locksOf(inode);
  const list = flock ? st.flocks : st.records;
  carve(list, owner, start, end);
  if (type != F_UNLCK) list.push(new FileLock(owner, type, start, end, pid));
  wakeWaiters(st);
}

/** Drops every lock owner holds on inode (close, exit, release of a description). */
export function releaseLocks(inode: Inode, owner: usize): void {
  if (!lockTable.has(inode)) return;
  const st = lockTable.get(inode);
  const before = st.records.length + st.flocks.length;
  carve(st.records, owner, 0, LOCK_TO_EOF);
  carve(st.flocks, owner, 0, LOCK_TO_EOF);
  if (st.records.length + st.flocks.length != before) wakeWaiters(st);
}

/** Drops every POSIX lock of a thread group on every file (exit). */
export function releaseAllLocks(owner: usize): void {
  const inodes = lockTable.keys();
  for (let i = 0; i < inodes.length; i++) releaseLocks(inodes[i], owner);
}

/** Parks t until a lock on inode changes; its syscall then runs again. */
export function waitForLock(inode: Inode, t: Task): void {
  locksOf(inode).waiters.push(t);
}

/** Forgets t as a waiter (it was woken or is dying). */
export function forgetWaiter(t: Task): void {
  const inodes = lockTable.keys();
  for (let i = 0; i < inodes.length; i++) {
    const w = lockTable.get(inodes[i]).waiters;
    const k = w.indexOf(t);
    if (k >= 0) w.splice(k, 1);
  }
}

function wakeWaiters(st: InodeLocks): void {
  const w = st.waiters;
  st.waiters = [];
  for (let i = 0; i < w.length; i++) wakeLater(w[i]);
}
