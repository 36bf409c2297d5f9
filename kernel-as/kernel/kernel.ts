// The registry of live tasks and thread groups, pid allocation, and the end of a thread
// group (Linux kernel/exit.c). The sandbox has its own pid namespace: the first program is
// pid 1; an exited process stays a zombie until its parent reaps it; orphans go to pid 1; and
// when pid 1 exits every other process is killed and the sandbox ends with pid 1's status,
// as a container does.
import { asDestroy } from "../host";
import { SA_NOCLDWAIT, SIG_IGN, SIGKILL, signalStatus } from "../abi/linux";
import { Task, ThreadGroup, TASK_DEAD } from "./task";
import { unpark, wakeLater } from "./sched";
import { exitRobustList, removeWaiter } from "./futex";
import { noteExitCpu } from "./rusage";
import { dropPendingOpen } from "../fs/fifo";
import { forgetWaiter, releaseAllLocks } from "../fs/vfs/locks";
import { sendSignal, wakePollers } from "./signal_send";
import { removeTimers } from "./timers";
import { hangUpIfOrphaned } from "./job_control";
import { CLD_DUMPED, CLD_EXITED, CLD_KILLED, SigInfo, SI_USER } from "./signal";

export const tasksByStub = new Map<i32, Task>();
export const tasksByTid = new Map<i32, Task>();
/** Every thread group that has a pid, zombies included. */
export const threadGroups = new Map<i32, ThreadGroup>();

let nextPid: i32 = 1;
/** Wait status of the sandbox's init once it has exited, else -1. */
export let sandboxStatus: i32 = -1;

export function allocPid(): i32 {
  return nextPid++;
}

export function registerTask(t: Task): void {
  tasksByStub.set(t.stub, t);
  tasksByTid.set(t.tid, t);
  if (!threadGroups.has(t.tg.tgid)) threadGroups.set(t.tg.tgid, t.tg);
  t.tg.tasks.push(t);
}

/** Forgets a zombie for good (wait reaped it, or nobody will). */
export function reap(tg: ThreadGroup): void {
  threadGroups.delete(tg.tgid);
  const parent = tg.parent;
  if (parent !== null) {
    const i = parent.children.indexOf(tg);
    if (i >= 0) parent.children.splice(i, 1);
  }
}

/** Whether a parent does not want zombies (SIGCHLD ignored or SA_NOCLDWAIT). */
function autoReaps(parent: ThreadGroup): bool {
  const a = parent.handlers.get(17);
  return a.handler == SIG_IGN || (a.flags & SA_NOCLDWAIT) != 0;
}

/** Ends every task of tg with wait status `status` (Linux's do_group_exit()): releases its
 *  memory, fds and stub, hands its children to init, and leaves a zombie for its parent. */
export function exitThreadGroup(tg: ThreadGroup, status: i32): void {
  if (tg.exitStatus >= 0) return;
  tg.exitStatus = status;
  for (let i = 0; i < tg.tasks.length; i++) {
    const t = unchecked(tg.tasks[i]);
    exitRobustList(t);
    t.state = TASK_DEAD;
    unpark(t);
    removeWaiter(t);
    dropPendingOpen(t);
    forgetWaiter(t);
    tasksByStub.delete(t.stub);
    tasksByTid.delete(t.tid);
    t.fdTable.release();
  }
  tg.stoppedTasks.length = 0;
  wakePollers(tg);
  releaseAllLocks(changetype<usize>(tg));
  removeTimers(tg, false);
  tg.leaveMm();
  noteExitCpu(tg);
  asDestroy(tg.stub);
  tg.handlers.users--;
  if (tg.vforkParent !== null) {
    tg.vforkParent!.vforkDone = true;
    wakeLater(tg.vforkParent!);
    tg.vforkParent = null;
  }
  if (tg.tgid == 1) {
    // Init is gone: the pid namespace goes with it (zap_pid_ns_processes()).
    sandboxStatus = status;
    const all = threadGroups.values();
    for (let i = 0; i < all.length; i++) {
      if (all[i] !== tg) exitThreadGroup(all[i], signalStatus(SIGKILL, false));
    }
    threadGroups.clear();
    return;
  }
  // Orphans go to the nearest living subreaper above, else to init, which reap them (zombies
  // among them at once become the reaper's).
  const reaper = newReaper(tg);
  if (reaper !== null) {
    for (let i = 0; i < tg.children.length; i++) {
      const c = tg.children[i];
      c.parent = reaper;
      reaper!.children.push(c);
      if (c.exitStatus >= 0) {
        notifyParent(c);
        continue;
      }
      sendParentDeathSignals(c, tg);
      hangUpIfOrphaned(c, tg);
    }
  }
  tg.children.length = 0;
  hangUpIfOrphaned(tg, tg.parent);
  notifyParent(tg);
}

/** The threads of c that asked for a signal when their parent dies (PR_SET_PDEATHSIG) get it,
 *  as a signal to c sent by the dead parent: when the parent process exits, or when the
 *  thread that forked c does (thread.ts). */
export function sendParentDeathSignals(c: ThreadGroup, parent: ThreadGroup): void {
  c.forker = null;
  for (let i = 0; i < c.tasks.length; i++) {
    const sig = c.tasks[i].pdeathSig;
    if (sig != 0) sendSignal(c, sig, new SigInfo(sig, SI_USER, parent.tgid, parent.cred.uid));
  }
}

/** Who takes the children of exiting tg: the nearest ancestor that is a child subreaper
 *  (PR_SET_CHILD_SUBREAPER) and still alive, else init (Linux's find_new_reaper()). */
function newReaper(tg: ThreadGroup): ThreadGroup | null {
  for (let p = tg.parent; p !== null; p = p!.parent) {
    if (p!.subreaper && p!.exitStatus < 0) return p;
  }
  return threadGroups.has(1) ? threadGroups.get(1) : null;
}

/** Tells tg's parent that tg exited: its waiters run their wait again, or, when the parent
 *  does not want zombies, tg is reaped at once. */
function notifyParent(tg: ThreadGroup): void {
  const parent = tg.parent;
  if (parent === null || parent.exitStatus >= 0) {
    reap(tg);
    return;
  }
  if (tg.exitSignal > 0) {
    const st = tg.exitStatus;
    const info = new SigInfo(tg.exitSignal, (st & 0x7f) == 0 ? CLD_EXITED : (st & 0x80) != 0 ? CLD_DUMPED : CLD_KILLED, tg.tgid, tg.cred.uid);
    info.status = (st & 0x7f) == 0 ? (st >> 8) & 0xff : st & 0x7f;
    sendSignal(parent, tg.exitSignal, info);
  }
  if (autoReaps(parent)) {
    reap(tg);
  }
  const w = parent.childWaiters;
  parent.childWaiters = [];
  for (let i = 0; i < w.length; i++) wakeLater(w[i]);
}
