// Parking and resuming tasks. The Sentry never waits for one task: a syscall that must wait
// parks its task here (with a deadline and/or a host fd to watch) and returns RET_BLOCK; the
// host keeps that stub stopped. When the deadline passes or the fd becomes ready, the task's
// syscall is run again (syscalls/dispatch.ts rerun) and, once it completes, the task joins the
// run queue, from which the host resumes it.
import { Task, TASK_BLOCKED, TASK_RUNNING } from "./task";

/** Handler result: the task is parked; the host must not resume it. Never seen by an app. */
export const RET_BLOCK: i64 = -0x7fff0001;
/** Handler result: the calling task no longer exists (exit, fatal signal). */
export const RET_GONE: i64 = -0x7fff0002;
/** Handler result: execve replaced the program; the register block holds its entry state. */
export const RET_EXEC: i64 = -0x7fff0004;

const runQueue: Task[] = [];
export const parked: Task[] = [];

/** Queues a task whose saved registers are ready to resume with. */
export function makeRunnable(t: Task): void {
  t.state = TASK_RUNNING;
  runQueue.push(t);
}

export function popRunnable(): Task | null {
  if (runQueue.length == 0) return null;
  return runQueue.shift();
}

/** Parks t until wakeAt (monotonic ns, -1 for none) or until host fd hostFd (-1 for none)
 *  reports events. Returns RET_BLOCK for the handler to return. */
export function park(t: Task, wakeAt: i64, hostFd: i32, events: i32): i64 {
  t.state = TASK_BLOCKED;
  t.wakeAt = wakeAt;
  t.waitHostFd = hostFd;
  t.waitEvents = events;
  parked.push(t);
  return RET_BLOCK;
}

/** Collects host fd h (>= 0) for t's coming wait: the first is returned to be park()'s host
 *  fd, the others are watched too (moreHostFds). Returns the wait's host fd so far. */
export function noteHostFd(t: Task, first: i32, h: i32): i32 {
  if (h < 0 || h == first) return first;
  if (first < 0) return h;
  if (!t.moreHostFds.includes(h)) t.moreHostFds.push(h);
  return first;
}

/** Removes t from the parked list and from the run queue (it is woken or dying). */
export function unpark(t: Task): void {
  const i = parked.indexOf(t);
  if (i >= 0) parked.splice(i, 1);
  const j = runQueue.indexOf(t);
  if (j >= 0) runQueue.splice(j, 1);
  t.wakeAt = -1;
  t.waitHostFd = -1;
  t.waitEvents = 0;
  t.moreHostFds.length = 0;
}

/** Parked tasks woken by another task's syscall: their syscalls run again once the waker's
 *  syscall is done with the register block (index.ts). */
export const pendingWakes: Task[] = [];

export function wakeLater(t: Task): void {
  pendingWakes.push(t);
}

/** The earliest deadline among parked tasks, or -1. */
export function nextDeadline(): i64 {
  let best: i64 = -1;
  for (let i = 0; i < parked.length; i++) {
    const w = unchecked(parked[i]).wakeAt;
    if (w >= 0 && (best < 0 || w < best)) best = w;
  }
  return best;
}

/** Parked tasks due at now, or waiting on hostFd with any of revents (hostFd -1: none). */
export function dueTasks(now: i64, hostFd: i32, revents: i32): Task[] {
  const due: Task[] = [];
  for (let i = 0; i < parked.length; i++) {
    const t = unchecked(parked[i]);
    const timeUp = now >= 0 && t.wakeAt >= 0 && t.wakeAt <= now;
    // Errors and hang-ups wake a waiter whatever it asked for, as poll(2) reports them.
    const watched = t.waitHostFd == hostFd || t.moreHostFds.includes(hostFd);
    const fdReady = hostFd >= 0 && watched && (revents & (t.waitEvents | 0x18)) != 0;
    if (timeUp || fdReady) due.push(t);
  }
  return due;
}
