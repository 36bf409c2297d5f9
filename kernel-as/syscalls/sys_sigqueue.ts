// Waiting for and queueing signals, and process file descriptors: rt_sigtimedwait,
// rt_sigqueueinfo, rt_tgsigqueueinfo, pidfd_open, pidfd_send_signal (Linux kernel/signal.c,
// kernel/pid.c).
import { EAGAIN, EBADF, EFAULT, EINTR, EINVAL, EPERM, ESRCH } from "../abi/errno";
import { NSIG, O_NONBLOCK, O_RDWR, RLIMIT_NOFILE } from "../abi/linux";
import { sysArg } from "../abi/regs";
import { tasksByTid, threadGroups } from "../kernel/kernel";
import { park, RET_GONE } from "../kernel/sched";
import { endedByStop } from "../kernel/job_control";
import { SigInfo, sigBit, SI_TKILL, SI_USER, UNBLOCKABLE_MASK } from "../kernel/signal";
import { encodeSiginfo } from "../kernel/signal_frame";
import { nextSignal, sendSignal, sendSignalToTask, signalProcessGroup, takePending } from "../kernel/signal_send";
import { Task, ThreadGroup, TASK_DEAD } from "../kernel/task";
import { monotonicNow, saturatingAdd, toNs } from "../kernel/time";
import { FileDescription, POLLIN, POLLRDNORM } from "../fs/file";

const BUF: usize = memory.data(128, 8);
const NS: i64 = 1000000000;

export function sysRtSigtimedwait(t: Task): i64 {
  if (endedByStop(t)) return -EINTR;
  if (sysArg(3) != 8) return -EINVAL;
  if (t.mm.copyIn(sysArg(0), BUF, 8) < 0) return -EFAULT;
  const set = load<u64>(BUF) & ~UNBLOCKABLE_MASK;
  const sig = nextSignal(t, set);
  if (sig != 0) {
    t.sigwaitSet = 0;
    const info = takePending(t, sig);
    if (sysArg(1) != 0) {
      memory.fill(BUF, 0, 128);
      encodeSiginfo(info, BUF);
      if (t.mm.copyOut(sysArg(1), BUF, 128) < 0) return -EFAULT;
    }
    return sig;
  }
  if (t.restartDeadline == -1) {
    let deadline: i64 = -2;
    if (sysArg(2) != 0) {
      if (t.mm.copyIn(sysArg(2), BUF, 16) < 0) return -EFAULT;
      const s = load<i64>(BUF);
      const n = load<i64>(BUF + 8);
      if (s < 0 || n < 0 || n >= NS) return -EINVAL;
      deadline = saturatingAdd(monotonicNow(), toNs(s, n));
    }
    t.restartDeadline = deadline;
  }
  if (t.restartDeadline >= 0 && monotonicNow() >= t.restartDeadline) {
    t.sigwaitSet = 0;
    return -EAGAIN;
  }
  t.sigwaitSet = set;
  t.restartable = false;
  t.eintrOnStop = true;
  return park(t, t.restartDeadline >= 0 ? t.restartDeadline : -1, -1, 0);
}

/** rt_sigqueueinfo/rt_tgsigqueueinfo: a process may only send itself (or root anyone) a
 *  siginfo that claims to come from the kernel or from kill. thread, when not null, is the
 *  one thread of target that gets it. */
function queueInfo(t: Task, target: ThreadGroup, thread: Task | null, sig: i32, addr: u64): i64 {
  if (sig < 0 || sig > NSIG) return -EINVAL;
  if (t.mm.copyIn(addr, BUF, 128) < 0) return -EFAULT;
  const code = load<i32>(BUF + 8);
  if ((code >= 0 || code == SI_TKILL) && target !== t.tg) return -EPERM;
  if (sig == 0) return 0;
  const info = new SigInfo(sig, code, load<i32>(BUF + 16), load<u32>(BUF + 20));
  info.value = load<u64>(BUF + 24);
  if (thread !== null) sendSignalToTask(thread, sig, info);
  else sendSignal(target, sig, info);
  return t.state == TASK_DEAD ? RET_GONE : 0;
}

export function sysRtSigqueueinfo(t: Task): i64 {
  const pid = <i32>sysArg(0);
  if (!threadGroups.has(pid)) return -ESRCH;
  return queueInfo(t, threadGroups.get(pid), null, <i32>sysArg(1), sysArg(2));
}

export function sysRtTgsigqueueinfo(t: Task): i64 {
  const tgid = <i32>sysArg(0);
  const tid = <i32>sysArg(1);
  if (tgid <= 0 || tid <= 0) return -EINVAL;
  if (!tasksByTid.has(tid) || tasksByTid.get(tid).tg.tgid != tgid) return -ESRCH;
  const thread = tasksByTid.get(tid);
  return queueInfo(t, thread.tg, thread, <i32>sysArg(2), sysArg(3));
}

/** A pidfd: readable (POLLIN) once its process has exited. */
export class PidFd extends FileDescription {
  constructor(flags: i32, public tg: ThreadGroup) {
    super(flags);
  }

  anonName(): string { return "anon_inode:[pidfd]"; }

  poll(events: i32): i32 {
    return this.tg.exitStatus >= 0 ? events & (POLLIN | POLLRDNORM) : 0;
  }

  pollWait(t: Task): i32 {
    this.tg.pollers.push(t);
    return -1;
  }
}

export function sysPidfdOpen(t: Task): i64 {
  const pid = <i32>sysArg(0);
  const flags = <i32>sysArg(1);
  if ((flags & ~O_NONBLOCK) != 0 || pid <= 0) return -EINVAL;
  if (!threadGroups.has(pid)) return tasksByTid.has(pid) ? -EINVAL : -ESRCH;
  return installPidfd(t, threadGroups.get(pid), flags);
}

/** A new pidfd for tg in t's fd table (close-on-exec, as every pidfd is): the fd or -errno. */
export function installPidfd(t: Task, tg: ThreadGroup, flags: i32): i64 {
  const lim = t.tg.rlimits.cur[RLIMIT_NOFILE];
  return t.fdTable.install(new PidFd(O_RDWR | flags, tg), 0, lim > 0x7fffffff ? 0x7fffffff : <i32>lim, true);
}

const PIDFD_SIGNAL_THREAD: u64 = 1;
const PIDFD_SIGNAL_THREAD_GROUP: u64 = 2;
const PIDFD_SIGNAL_PROCESS_GROUP: u64 = 4;

/** pidfd_send_signal(2). The scope flags of Linux 6.9 are taken, at most one: the thread
 *  (the process's leader: pidfds here name processes), the thread group, or each process of
 *  its process group. */
export function sysPidfdSendSignal(t: Task): i64 {
  const f = t.fdTable.get(<i32>sysArg(0));
  if (f === null) return -EBADF;
  if (!(f instanceof PidFd)) return -EBADF;
  const sig = <i32>sysArg(1);
  const flags = sysArg(3);
  const scopes = PIDFD_SIGNAL_THREAD | PIDFD_SIGNAL_THREAD_GROUP | PIDFD_SIGNAL_PROCESS_GROUP;
  if ((flags & ~scopes) != 0 || popcnt(flags) > 1 || sig < 0 || sig > NSIG) return -EINVAL;
  const tg = (<PidFd>f).tg;
  if (tg.exitStatus >= 0) return -ESRCH;
  const thread = flags == PIDFD_SIGNAL_THREAD ? tg.leader : null;
  if (sysArg(2) != 0 && flags != PIDFD_SIGNAL_PROCESS_GROUP) return queueInfo(t, tg, thread, sig, sysArg(2));
  if (sig == 0) return 0;
  const info = new SigInfo(sig, SI_USER, t.tg.tgid, t.tg.cred.uid);
  if (flags == PIDFD_SIGNAL_PROCESS_GROUP) signalProcessGroup(tg.pgid, sig, info);
  else if (thread !== null) sendSignalToTask(thread, sig, info);
  else sendSignal(tg, sig, info);
  return t.state == TASK_DEAD ? RET_GONE : 0;
}

