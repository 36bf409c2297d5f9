// Job control (Linux kernel/signal.c do_signal_stop(), prepare_signal()): a stop signal with
// its default action stops the whole thread group, SIGCONT continues it, and the parent is
// told each time (SIGCHLD with CLD_STOPPED or CLD_CONTINUED unless it set SA_NOCLDSTOP, and
// once through wait with WUNTRACED or WCONTINUED). A process group that an exit orphans while
// a member is stopped is hung up and continued, since no shell could continue it any more.
//
// A stopped group's tasks are held, not resumed, when they would next run app code: a task
// returning from a syscall or queued to resume, or a task running app code that the host
// interrupts for the stop. A task parked in a syscall stays parked and is held when its
// syscall completes.
import { SA_NOCLDSTOP, SIGCHLD, SIGCONT, SIGHUP, SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU } from "../abi/linux";
import { CLD_CONTINUED, CLD_STOPPED, SigInfo, sigBit, SI_KERNEL } from "./signal";
import { makeRunnable, wakeLater } from "./sched";
import { discardPending, kickRunning, orphanedPgrp, sendSignal, signalProcessGroup } from "./signal_send";
import { threadGroups } from "./kernel";
import { REPORT_CONTINUED, REPORT_STOPPED, Task, TASK_BLOCKED, TASK_STOPPED, ThreadGroup } from "./task";
import { monotonicNow, REM_NANOSLEEP, saturatingAdd, timeLeftWritable } from "./time";

/** Stops tg for sig (a stop signal whose action is the default). A group already stopped
 *  stays so without a second report, as in Linux. */
export function stopGroup(tg: ThreadGroup, sig: i32): void {
  if (tg.stopped || tg.exitStatus >= 0) return;
  tg.stopped = true;
  tg.stopSig = sig;
  tg.jobReport = REPORT_STOPPED;
  tg.stoppedAt = monotonicNow();
  for (let i = 0; i < tg.tasks.length; i++) stopWait(tg.tasks[i], tg.stoppedAt);
  kickRunning(tg, 0);
  tellParent(tg, CLD_STOPPED, sig);
}

/** What a stop does to t's wait (Linux ends waits for a stop). An epoll_wait or
 *  sigtimedwait ends with EINTR (signal(7)). A select, pselect6 or ppoll with a timeout gets
 *  the time left written and runs again with it after SIGCONT (ERESTARTNOHAND), so it stops
 *  counting: here the wait stays, without a deadline until then (a ready fd still ends it);
 *  a timeout that does not take the time left (STICKY_TIMEOUTS, or memory it cannot write)
 *  ends the call with EINTR instead. A call ended with EINTR returns it once continued. */
function stopWait(t: Task, now: i64): void {
  if (t.state != TASK_BLOCKED) return;
  const timed = t.remAddr != 0 && t.remFormat != REM_NANOSLEEP && t.restartDeadline >= 0;
  if (!t.eintrOnStop && !timed) return;
  if (t.eintrOnStop || t.remSticky || !timeLeftWritable(t)) {
    t.stopEintr = true;
    wakeLater(t);
    return;
  }
  t.stopLeft = t.restartDeadline > now ? t.restartDeadline - now : 0;
  t.restartDeadline = I64.MAX_VALUE;
  t.wakeAt = -1;
}

/** Whether a stop ended t's wait (Task.stopEintr): its call then fails with EINTR, once. */
export function endedByStop(t: Task): bool {
  if (!t.stopEintr) return false;
  t.stopEintr = false;
  t.remAddr = 0;
  return true;
}

/** SIGCONT: the suspended wait has its time left again, from now. */
function resumeTimeout(t: Task, now: i64): void {
  if (t.stopLeft < 0) return;
  if (t.restartDeadline == I64.MAX_VALUE) {
    t.restartDeadline = saturatingAdd(now, t.stopLeft);
    if (t.state == TASK_BLOCKED) t.wakeAt = t.restartDeadline;
  }
  t.stopLeft = -1;
}

/** SIGCONT was sent to tg: pending stop signals are dropped whatever SIGCONT's disposition,
 *  and a stopped group runs again. */
export function continueGroup(tg: ThreadGroup): void {
  discardPending(tg, sigBit(SIGSTOP) | sigBit(SIGTSTP) | sigBit(SIGTTIN) | sigBit(SIGTTOU));
  if (!tg.stopped) return;
  tg.stopped = false;
  tg.jobReport = REPORT_CONTINUED;
  const now = monotonicNow();
  for (let i = 0; i < tg.tasks.length; i++) resumeTimeout(tg.tasks[i], now);
  const held = tg.stoppedTasks;
  tg.stoppedTasks = [];
  for (let i = 0; i < held.length; i++) makeRunnable(held[i]);
  tellParent(tg, CLD_CONTINUED, SIGCONT);
}

/** Holds t if its group is stopped: it will run again on SIGCONT. Precondition: t's
 *  registers are saved (it would otherwise resume now). Returns whether it was held. */
export function holdIfStopped(t: Task): bool {
  const tg = t.tg;
  if (!tg.stopped) return false;
  t.state = TASK_STOPPED;
  tg.stoppedTasks.push(t);
  return true;
}

/** Whether a process of group pgid is stopped (has_stopped_jobs()). */
function hasStoppedJobs(pgid: i32): bool {
  const all = threadGroups.values();
  for (let i = 0; i < all.length; i++) {
    if (all[i].pgid == pgid && all[i].stopped && all[i].exitStatus < 0) return true;
  }
  return false;
}

/** member's link to oldParent is gone (member exited, or oldParent exited and member was
 *  reparented): if oldParent was in another group of member's session, member's group may
 *  now be orphaned, and if a process of it is stopped the group gets SIGHUP then SIGCONT
 *  (POSIX; Linux's kill_orphaned_pgrp()). */
export function hangUpIfOrphaned(member: ThreadGroup, oldParent: ThreadGroup | null): void {
  if (oldParent === null || oldParent.pgid == member.pgid || oldParent.sid != member.sid) return;
  const pgid = member.pgid;
  if (!orphanedPgrp(pgid) || !hasStoppedJobs(pgid)) return;
  signalProcessGroup(pgid, SIGHUP, new SigInfo(SIGHUP, SI_KERNEL, 0, 0));
  signalProcessGroup(pgid, SIGCONT, new SigInfo(SIGCONT, SI_KERNEL, 0, 0));
}

function tellParent(tg: ThreadGroup, code: i32, status: i32): void {
  const parent = tg.parent;
  if (parent === null || parent.exitStatus >= 0) return;
  if ((parent.handlers.get(SIGCHLD).flags & SA_NOCLDSTOP) == 0) {
    const info = new SigInfo(SIGCHLD, code, tg.tgid, tg.cred.uid);
    info.status = status;
    sendSignal(parent, SIGCHLD, info);
  }
  const w = parent.childWaiters;
  parent.childWaiters = [];
  for (let i = 0; i < w.length; i++) wakeLater(w[i]);
}
