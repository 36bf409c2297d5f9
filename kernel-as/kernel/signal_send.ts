// Sending and delivering signals (Linux kernel/signal.c send_signal(), get_signal()). A signal
// with the default action is acted on when it is sent (unless blocked); one with a handler is
// left pending for the process and delivered when a task returns from a syscall (a parked task
// is interrupted for it, a task running app code is kicked into the kernel by the host).
// Stops and continues are job_control.ts's.
import { SIGBUS, SIGCONT, SIGFPE, SIGILL, SIGKILL, SIGSEGV, SIGSTOP, SIGSYS, SIGTRAP, SIG_DFL, SIG_IGN, signalStatus } from "../abi/linux";
import { exitThreadGroup, threadGroups } from "./kernel";
import { Task, ThreadGroup, TASK_BLOCKED, TASK_DEAD, TASK_RUNNING } from "./task";
import { ACT_CONTINUE, ACT_IGNORE, ACT_STOP, defaultAction, SigInfo, sigBit, sigUnblockable, SI_KERNEL } from "./signal";

import { wakeLater } from "./sched";
import { setupFrame } from "./signal_frame";
import { continueGroup, stopGroup } from "./job_control";
import { taskKick } from "../host";
import { currentTask } from "./current";

function ignored(tg: ThreadGroup, sig: i32): bool {
  if (sigUnblockable(sig)) return false;
  const h = tg.handlers.get(sig).handler;
  return h == SIG_IGN || (h == SIG_DFL && defaultAction(sig) == ACT_IGNORE);
}

/** Sends sig to every process of group pgid, each with its own copy of info (kill_pgrp()). */
export function signalProcessGroup(pgid: i32, sig: i32, info: SigInfo): void {
  const all = threadGroups.values();
  for (let i = 0; i < all.length; i++) {
    if (all[i].pgid != pgid) continue;
    const copy = new SigInfo(info.signo, info.code, info.pid, info.uid);
    copy.value = info.value;
    sendSignal(all[i], sig, copy);
  }
}

/** Whether process group pgid is orphaned: no member has a parent in another group of the
 *  same session (will_become_orphaned_pgrp()). */
export function orphanedPgrp(pgid: i32): bool {
  const all = threadGroups.values();
  for (let i = 0; i < all.length; i++) {
    const tg = all[i];
    if (tg.pgid != pgid || tg.exitStatus >= 0) continue;
    const p = tg.parent;
    if (p !== null && p.pgid != pgid && p.sid == tg.sid) return false;
  }
  return true;
}

/** Wakes the tasks polling a signalfd or pidfd of tg: something about it changed. */
export function wakePollers(tg: ThreadGroup): void {
  const w = tg.pollers;
  if (w.length == 0) return;
  tg.pollers = [];
  for (let i = 0; i < w.length; i++) wakeLater(w[i]);
}

/** Sends sig to the process tg from inside the sandbox (kill, a timer, SIGCHLD): any of its
 *  threads that does not block it may take it. Precondition: 1 <= sig <= 64. */
export function sendSignal(tg: ThreadGroup, sig: i32, info: SigInfo | null = null): void {
  send(tg, null, sig, info);
}

/** Sends sig to the thread t alone (tkill, tgkill, SIGPIPE, SIGEV_THREAD_ID timers): it
 *  pends until t itself takes it. Precondition: 1 <= sig <= 64. */
export function sendSignalToTask(t: Task, sig: i32, info: SigInfo | null = null): void {
  if (t.state == TASK_DEAD) return;
  send(t.tg, t, sig, info);
}

/** The thread that would take a signal for tg: target, or for the process the first thread
 *  that does not block it (Linux's complete_signal() and wants_signal()); null if it is
 *  blocked everywhere. */
function taker(tg: ThreadGroup, target: Task | null, sig: i32): Task | null {
  if (target !== null) return (target.sigmask & sigBit(sig)) == 0 || sigUnblockable(sig) ? target : null;
  for (let i = 0; i < tg.tasks.length; i++) {
    const t = tg.tasks[i];
    if ((t.sigmask & sigBit(sig)) == 0 || sigUnblockable(sig)) return t;
  }
  return null;
}

/** Drops pending instances of the signals in mask from tg and every thread of it. */
export function discardPending(tg: ThreadGroup, mask: u64): void {
  tg.shared.discard(mask);
  for (let i = 0; i < tg.tasks.length; i++) tg.tasks[i].pending.discard(mask);
}

/** Linux's send_signal(): target null for a process-directed signal. */
function send(tg: ThreadGroup, target: Task | null, sig: i32, info: SigInfo | null): void {
  if (tg.exitStatus >= 0) return;
  // SIGCONT continues the group and a stop signal cancels a pending SIGCONT, whatever their
  // dispositions and masks (prepare_signal()).
  if (sig == SIGCONT) continueGroup(tg);
  else if (defaultAction(sig) == ACT_STOP) discardPending(tg, sigBit(SIGCONT));
  const taking = taker(tg, target, sig);
  const blocked = taking === null;
  if (!blocked && ignored(tg, sig)) return;
  const act = tg.handlers.get(sig);
  // The init of a pid namespace only gets the signals it has handlers for from inside its
  // namespace (SIGNAL_UNKILLABLE), not even SIGKILL; a blocked one is still queued, since a
  // handler may be installed before it is unblocked (sig_ignored()).
  if (tg.tgid == 1 && act.handler == SIG_DFL && !blocked) return;
  if (!blocked && act.handler == SIG_DFL) {
    applyDefault(tg, sig);
    return;
  }
  (target !== null ? target.pending : tg.shared).add(sig, info !== null ? info : new SigInfo(sig, SI_KERNEL, 0, 0));
  wakePollers(tg);
  // A task waiting for it in rt_sigtimedwait takes it, blocked or not.
  for (let i = 0; i < tg.tasks.length; i++) {
    const t = tg.tasks[i];
    if ((target === null || t === target) && t.state == TASK_BLOCKED && (t.sigwaitSet & sigBit(sig)) != 0) {
      wakeLater(t);
      return;
    }
  }
  if (taking === null) return;
  // A parked task is interrupted to run the handler, one in the app kicked into the kernel.
  // A process-directed signal prefers a parked thread, as the one that costs no kick.
  for (let i = 0; i < tg.tasks.length; i++) {
    const t = tg.tasks[i];
    if (target !== null && t !== target) continue;
    // A vfork parent waits without being interruptible, as in Linux.
    if (t.state == TASK_BLOCKED && (t.sigmask & sigBit(sig)) == 0 && t.vforkChild == 0) {
      t.sigInterrupt = true;
      wakeLater(t);
      return;
    }
  }
  if (target === null) kickRunning(tg, sig);
  else if (target.state == TASK_RUNNING && target !== currentTask) taskKick(target.stub);
}

/** Makes a task of tg that runs app code enter the kernel soon (the host interrupts it), so
 *  that it takes signal sig, or with sig 0 makes all of them enter (a group stop). A task
 *  in a syscall now needs no kick: it takes signals on its way out (Linux's wants_signal()
 *  prefers the current task too). */
export function kickRunning(tg: ThreadGroup, sig: i32): void {
  const cur = currentTask;
  if (sig != 0 && cur !== null && cur.tg === tg && (cur.sigmask & sigBit(sig)) == 0) return;
  for (let i = 0; i < tg.tasks.length; i++) {
    const t = tg.tasks[i];
    if (t === cur || t.state != TASK_RUNNING || (sig != 0 && (t.sigmask & sigBit(sig)) != 0)) continue;
    taskKick(t.stub);
    if (sig != 0) return;
  }
}

/** Signals the CPU raises for the instruction a thread runs: taken before any other
 *  (Linux's SYNCHRONOUS_MASK). */
const SYNCHRONOUS_MASK: u64 = sigBit(SIGSEGV) | sigBit(SIGBUS) | sigBit(SIGILL) | sigBit(SIGTRAP) | sigBit(SIGFPE) | sigBit(SIGSYS);

/** The next signal t takes from set (its own before its process's, synchronous ones first,
 *  then the lowest number: dequeue_signal()), or 0. */
export function nextSignal(t: Task, set: u64): i32 {
  let ready = t.pending.bits & set;
  if (ready == 0) ready = t.tg.shared.bits & set;
  if (ready == 0) return 0;
  if ((ready & SYNCHRONOUS_MASK) != 0) ready &= SYNCHRONOUS_MASK;
  return <i32>ctz(ready) + 1;
}

/** Takes the pending instance of sig for t (its own first, else its process's). */
export function takePending(t: Task, sig: i32): SigInfo {
  return t.pending.has(sig) ? t.pending.take(sig) : t.tg.shared.take(sig);
}

/** Delivers what is pending and unblocked for t, whose registers are in the block: default
 *  actions are applied, and the first signal with a handler gets a frame (the block is set to
 *  enter the handler). Returns false if t died. */
export function deliverSignals(t: Task): bool {
  const tg = t.tg;
  for (;;) {
    const sig = nextSignal(t, ~t.sigmask);
    if (sig == 0) return true;
    const info = takePending(t, sig);
    const act = tg.handlers.get(sig);
    if (act.handler == SIG_IGN && !sigUnblockable(sig)) continue;
    if (act.handler == SIG_DFL || sigUnblockable(sig)) {
      applyDefault(tg, sig);
      if (t.state == TASK_DEAD) return false;
      continue;
    }
    if (!setupFrame(t, sig, act, info)) {
      // No room for the frame: the process dies of SIGSEGV (force_sigsegv()).
      exitThreadGroup(tg, signalStatus(11, false));
      return false;
    }
    return true;
  }
}

function applyDefault(tg: ThreadGroup, sig: i32): void {
  const action = defaultAction(sig);
  if (action == ACT_IGNORE || action == ACT_CONTINUE) return;
  if (tg.tgid == 1 && sig != SIGKILL) return;
  if (action == ACT_STOP) {
    // The terminal stop signals do nothing to an orphaned process group, which no shell of
    // its session could continue (get_signal()'s is_current_pgrp_orphaned()).
    if (sig == SIGSTOP || !orphanedPgrp(tg.pgid)) stopGroup(tg, sig);
    return;
  }
  // No core file is written, so the wait status carries no core flag (WCOREDUMP).
  exitThreadGroup(tg, signalStatus(sig, false));
}
