// Sending and delivering signals (Linux kernel/signal.c send_signal(), get_signal()). A signal
// with the default action is acted on when it is sent (unless blocked); one with a handler is
// left pending for the process and delivered when a task returns from a syscall (a parked task
// is interrupted for it, a task running app code is kicked into the kernel by the host).
// Stops and continues are job_control.ts's.
import { SIGCONT, SIGKILL, SIGSTOP, SIG_DFL, SIG_IGN, signalStatus } from "../abi/linux";
import { exitThreadGroup, threadGroups } from "./kernel";
import { Task, ThreadGroup, TASK_BLOCKED, TASK_DEAD, TASK_RUNNING } from "./task";
import { ACT_CONTINUE, ACT_IGNORE, ACT_STOP, defaultAction, SigInfo, sigBit, sigUnblockable, SI_KERNEL } from "./signal";

/** The first real-time signal number of the kernel (glibc reserves two above it). */
const SIGRTMIN: i32 = 32;
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

/** Sends sig to tg from inside the sandbox. Precondition: 1 <= sig <= 64. */
export function sendSignal(tg: ThreadGroup, sig: i32, info: SigInfo | null = null): void {
  if (tg.exitStatus >= 0) return;
  // SIGCONT continues the group and a stop signal cancels a pending SIGCONT, whatever their
  // dispositions and masks (prepare_signal()).
  if (sig == SIGCONT) continueGroup(tg);
  else if (defaultAction(sig) == ACT_STOP && (tg.pending & sigBit(SIGCONT)) != 0) {
    tg.pending &= ~sigBit(SIGCONT);
    tg.infos[SIGCONT] = null;
  }
  const blocked = (tg.leader.sigmask & sigBit(sig)) != 0 && !sigUnblockable(sig);
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
  const si = info !== null ? info : new SigInfo(sig, SI_KERNEL, 0, 0);
  if (sig >= SIGRTMIN && (tg.pending & sigBit(sig)) != 0) {
    // Real-time signals queue: every instance is delivered (standard ones merge).
    tg.rtQueue.push(si);
  } else {
    tg.pending |= sigBit(sig);
    tg.infos[sig] = si;
  }
  wakePollers(tg);
  // A task waiting for it in rt_sigtimedwait takes it, blocked or not.
  for (let i = 0; i < tg.tasks.length; i++) {
    const t = tg.tasks[i];
    if (t.state == TASK_BLOCKED && (t.sigwaitSet & sigBit(sig)) != 0) {
      wakeLater(t);
      return;
    }
  }
  if (blocked) return;
  // A parked task of the group is interrupted to run the handler.
  for (let i = 0; i < tg.tasks.length; i++) {
    const t = tg.tasks[i];
    // A vfork parent waits without being interruptible, as in Linux.
    if (t.state == TASK_BLOCKED && (t.sigmask & sigBit(sig)) == 0 && t.vforkChild == 0) {
      t.sigInterrupt = true;
      wakeLater(t);
      return;
    }
  }
  kickRunning(tg, sig);
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

/** Delivers what is pending and unblocked for t, whose registers are in the block: default
 *  actions are applied, and the first signal with a handler gets a frame (the block is set to
 *  enter the handler). Returns false if t died. */
export function deliverSignals(t: Task): bool {
  const tg = t.tg;
  for (;;) {
    const ready = tg.pending & ~t.sigmask;
    if (ready == 0) return true;
    let sig = 1;
    while ((ready & sigBit(sig)) == 0) sig++;
    const info = tg.infos[sig];
    dequeue(tg, sig);
    const act = tg.handlers.get(sig);
    if (act.handler == SIG_IGN && !sigUnblockable(sig)) continue;
    if (act.handler == SIG_DFL || sigUnblockable(sig)) {
      applyDefault(tg, sig);
      if (t.state == TASK_DEAD) return false;
      continue;
    }
    if (!setupFrame(t, sig, act, info !== null ? info : new SigInfo(sig, SI_KERNEL, 0, 0))) {
      // No room for the frame: the process dies of SIGSEGV (force_sigsegv()).
      exitThreadGroup(tg, signalStatus(11, false));
      return false;
    }
    return true;
  }
}

/** Takes the pending instance of sig (and what it carries) off the pending set. */
export function takePending(tg: ThreadGroup, sig: i32): SigInfo {
  const info = tg.infos[sig];
  dequeue(tg, sig);
  return info !== null ? info : new SigInfo(sig, SI_KERNEL, 0, 0);
}

/** Takes the delivered instance of sig off the pending set; a queued real-time instance
 *  becomes the pending one. */
function dequeue(tg: ThreadGroup, sig: i32): void {
  for (let i = 0; i < tg.rtQueue.length; i++) {
    if (tg.rtQueue[i].signo == sig) {
      tg.infos[sig] = tg.rtQueue[i];
      tg.rtQueue.splice(i, 1);
      return;
    }
  }
  tg.pending &= ~sigBit(sig);
  tg.infos[sig] = null;
}

/** Acts on pending signals that are no longer blocked and have the default disposition. */
export function deliverUnblocked(tg: ThreadGroup): void {
  const ready = tg.pending & ~tg.leader.sigmask;
  if (ready == 0) return;
  for (let sig = 1; sig <= 64; sig++) {
    if ((ready & sigBit(sig)) == 0) continue;
    if (tg.handlers.get(sig).handler != SIG_DFL) continue;
    dequeue(tg, sig);
    applyDefault(tg, sig);
    if (tg.exitStatus >= 0) return;
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
