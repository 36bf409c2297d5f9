// Signal syscalls (Linux kernel/signal.c): dispositions and masks are kept exactly; sending
// applies default actions; running handlers arrives with the signals work.
import { EFAULT, EINTR, EINVAL, ESRCH } from "../abi/errno";
import { NSIG, SIG_BLOCK, SIG_IGN, SIG_SETMASK, SIG_UNBLOCK } from "../abi/linux";
import { sysArg } from "../abi/regs";
import { tasksByTid, threadGroups } from "../kernel/kernel";
import { RET_GONE } from "../kernel/sched";
import { SigInfo, sigBit, sigUnblockable, SI_TKILL, SI_USER, UNBLOCKABLE_MASK } from "../kernel/signal";
import { discardPending, sendSignal, sendSignalToTask } from "../kernel/signal_send";
import { Task, ThreadGroup, TASK_DEAD } from "../kernel/task";

const SIGSET_SIZE: u64 = 8;
const ACT_BUF: usize = memory.data(32, 8);
const SET_BUF: usize = memory.data(8, 8);

/** What a handler returns after something it did may have ended the caller. */
@inline function resultFor(t: Task, r: i64): i64 {
  return t.state == TASK_DEAD ? RET_GONE : r;
}

export function sysRtSigaction(t: Task): i64 {
  const sig = <i32>sysArg(0);
  const act = sysArg(1);
  const oact = sysArg(2);
  if (sysArg(3) != SIGSET_SIZE) return -EINVAL;
  if (sig < 1 || sig > NSIG) return -EINVAL;
  if (act != 0 && sigUnblockable(sig)) return -EINVAL;
  const a = t.tg.handlers.get(sig);
  if (act != 0 && t.mm.copyIn(act, ACT_BUF, 32) < 0) return -EFAULT;
  if (oact != 0) {
    // struct sigaction of the kernel ABI: handler, flags, restorer, mask.
    const out = new StaticArray<u64>(4);
    out[0] = a.handler;
    out[1] = a.flags;
    out[2] = a.restorer;
    out[3] = a.mask;
    if (t.mm.copyOut(oact, changetype<usize>(out), 32) < 0) return -EFAULT;
  }
  if (act != 0) {
    a.handler = load<u64>(ACT_BUF);
    a.flags = load<u64>(ACT_BUF + 8);
    a.restorer = load<u64>(ACT_BUF + 16);
    a.mask = load<u64>(ACT_BUF + 24) & ~UNBLOCKABLE_MASK;
    // Setting SIG_IGN discards a pending instance (POSIX, Linux's sig_handler_ignored()).
    if (a.handler == SIG_IGN) discardPending(t.tg, sigBit(sig));
  }
  return 0;
}

export function sysRtSigprocmask(t: Task): i64 {
  const how = <i32>sysArg(0);
  const set = sysArg(1);
  const oset = sysArg(2);
  if (sysArg(3) != SIGSET_SIZE) return -EINVAL;
  const old = t.sigmask;
  let next = old;
  if (set != 0) {
    if (t.mm.copyIn(set, SET_BUF, 8) < 0) return -EFAULT;
    const s = load<u64>(SET_BUF);
    if (how == SIG_BLOCK) next = old | s;
    else if (how == SIG_UNBLOCK) next = old & ~s;
    else if (how == SIG_SETMASK) next = s;
    else return -EINVAL;
  }
  if (oset != 0) {
    store<u64>(SET_BUF, old);
    if (t.mm.copyOut(oset, SET_BUF, 8) < 0) return -EFAULT;
  }
  t.sigmask = next & ~UNBLOCKABLE_MASK;
  return resultFor(t, 0);
}

/** kill(2): pid > 0 one process, 0 the caller's process group, -1 every process the caller
 *  may signal but init and itself, < -1 the process group -pid. */
export function sysKill(t: Task): i64 {
  const pid = <i32>sysArg(0);
  const sig = <i32>sysArg(1);
  if (sig < 0 || sig > NSIG) return -EINVAL;
  const targets: ThreadGroup[] = [];
  if (pid > 0) {
    if (!threadGroups.has(pid)) return -ESRCH;
    targets.push(threadGroups.get(pid));
  } else {
    const pgid = pid == 0 ? t.tg.pgid : -pid;
    const all = threadGroups.values();
    for (let i = 0; i < all.length; i++) {
      const tg = all[i];
      if (pid == -1 ? (tg.tgid != 1 && tg !== t.tg) : tg.pgid == pgid) targets.push(tg);
    }
    if (targets.length == 0) return -ESRCH;
  }
  if (sig == 0) return 0;
  for (let i = 0; i < targets.length; i++) sendSignal(targets[i], sig, new SigInfo(sig, SI_USER, t.tg.tgid, t.tg.cred.uid));
  return resultFor(t, 0);
}

function signalThread(t: Task, tgid: i32, tid: i32, sig: i32): i64 {
  if (tid <= 0 || sig < 0 || sig > NSIG) return -EINVAL;
  if (!tasksByTid.has(tid)) return -ESRCH;
  const target = tasksByTid.get(tid);
  if (tgid > 0 && target.tg.tgid != tgid) return -ESRCH;
  if (sig == 0) return 0;
  sendSignalToTask(target, sig, new SigInfo(sig, SI_TKILL, t.tg.tgid, t.tg.cred.uid));
  return resultFor(t, 0);
}

export function sysTkill(t: Task): i64 {
  return signalThread(t, -1, <i32>sysArg(0), <i32>sysArg(1));
}

export function sysTgkill(t: Task): i64 {
  const tgid = <i32>sysArg(0);
  if (tgid <= 0) return -EINVAL;
  return signalThread(t, tgid, <i32>sysArg(1), <i32>sysArg(2));
}

/** restart_syscall(2): an interrupted call that is to go on is run again by the kernel
 *  itself (its deadline kept), never through this call, so an app calling it has nothing to
 *  continue: EINTR, as Linux's do_no_restart_syscall(). */
export function sysRestartSyscall(t: Task): i64 {
  return -EINTR;
}
