// Waiting for several fds: poll, ppoll, select, pselect6 (Linux fs/select.c). Readiness comes
// from each file description; a wait parks the task on its pipes (which wake it on any change)
// and on its host fds, with the timeout as deadline; every wake-up re-checks them all.
// select, pselect6 and ppoll write the time left to their timeout when they return
// (poll_select_finish()), and when a signal interrupts them.
import { EFAULT, EINTR, EINVAL } from "../abi/errno";
import { RLIMIT_NOFILE } from "../abi/linux";
import { sysArg } from "../abi/regs";
import { noteHostFd, park, RET_BLOCK } from "../kernel/sched";
import { endedByStop } from "../kernel/job_control";
import { UNBLOCKABLE_MASK } from "../kernel/signal";
import { Task } from "../kernel/task";
import { monotonicNow, REM_TIMESPEC, REM_TIMEVAL, saturatingAdd, toNs, writeTimeLeft } from "../kernel/time";
import { POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, POLLPRI, POLLRDNORM, POLLWRNORM } from "../fs/file";

const NS: i64 = 1000000000;
const NO_DEADLINE: i64 = -2;
const TS: usize = memory.data(16, 8);

/** The deadline for a wait of ns nanoseconds (negative: forever), kept across re-runs. */
function deadlineFor(t: Task, ns: i64): i64 {
  if (t.restartDeadline == -1) t.restartDeadline = ns < 0 ? NO_DEADLINE : saturatingAdd(monotonicNow(), ns);
  return t.restartDeadline;
}

/** Parks t on the files of fds (none ready) until a change or the deadline. */
function waitOn(t: Task, fds: i32[], deadline: i64): i64 {
  let hostFd = -1;
  for (let i = 0; i < fds.length; i++) {
    const f = t.fdTable.get(fds[i]);
    if (f === null) continue;
    hostFd = noteHostFd(t, hostFd, f.pollWait(t));
  }
  t.restartable = false;
  return park(t, deadline >= 0 ? deadline : -1, hostFd, POLLIN | POLLOUT);
}

/** Whether the wait is over: the deadline has passed. */
function timedOut(deadline: i64): bool {
  return deadline >= 0 && monotonicNow() >= deadline;
}

const STICKY_TIMEOUTS: u32 = 0x4000000;

/** Notes where a select, pselect6 or ppoll starting a wait of ns (-1: forever) tells the
 *  time left: its timeout at addr, a struct timeval for select. A zero timeout is not
 *  written (Linux: "no update for zero timeout"). */
function noteTimeout(t: Task, addr: u64, ns: i64, timeval: bool): void {
  t.remAddr = ns > 0 ? addr : 0;
  t.remFormat = timeval ? REM_TIMEVAL : REM_TIMESPEC;
  // STICKY_TIMEOUTS (a personality flag) keeps the timeout as the app gave it.
  t.remSticky = (t.personality & STICKY_TIMEOUTS) != 0;
  t.stopEintr = false;
}


/** Ends the call whose result is r: unless it parked, the time left goes to the timeout
 *  (poll_select_finish()). A signal that ends the wait writes it too (interrupt()). */
function finishTimeout(t: Task, r: i64): i64 {
  if (r != RET_BLOCK) writeTimeLeft(t);
  return r;
}

function doPoll(t: Task, addr: u64, nfds: u64, ns: i64): i64 {
  if (nfds > t.tg.rlimits.cur[RLIMIT_NOFILE] || nfds > 1048576) return -EINVAL;
  const n = <i32>nfds;
  const buf = new ArrayBuffer(n * 8);
  const p = changetype<usize>(buf);
  if (t.mm.copyIn(addr, p, <u64>(n * 8)) < 0) return -EFAULT;
  let ready = 0;
  const fds: i32[] = [];
  for (let i = 0; i < n; i++) {
    const q = p + <usize>(i * 8);
    const fd = load<i32>(q);
    const events = <i32>load<i16>(q + 4) | POLLERR | POLLHUP;
    let revents = 0;
    if (fd >= 0) {
      const f = t.fdTable.get(fd);
      revents = f === null ? POLLNVAL : f.poll(events) & events;
      fds.push(fd);
    }
    store<i16>(q + 6, <i16>revents);
    if (revents != 0) ready++;
  }
  const deadline = deadlineFor(t, ns);
  if (ready == 0 && ns != 0 && !timedOut(deadline)) return waitOn(t, fds, deadline);
  if (t.mm.copyOut(addr, p, <u64>(n * 8)) < 0) return -EFAULT;
  return ready;
}

export function sysPoll(t: Task): i64 {
  const ms = <i32>sysArg(2);
  return doPoll(t, sysArg(0), sysArg(1), ms < 0 ? -1 : <i64>ms * 1000000);
}

/** A timespec argument as ns (-1 for NULL: wait forever), or -errno. */
function timespecArg(t: Task, addr: u64): i64 {
  if (addr == 0) return -1;
  if (t.mm.copyIn(addr, TS, 16) < 0) return -EFAULT;
  const s = load<i64>(TS);
  const nsec = load<i64>(TS + 8);
  if (s < 0 || nsec < 0 || nsec >= NS) return -EINVAL;
  return toNs(s, nsec);
}

/** The temporary signal mask of ppoll/pselect6, restored after the call (or the handler). */
function useMask(t: Task, addr: u64, size: u64): i64 {
  if (addr == 0 || t.hasSavedMask) return 0;
  if (size != 8) return -EINVAL;
  if (t.mm.copyIn(addr, TS, 8) < 0) return -EFAULT;
  t.savedSigmask = t.sigmask;
  t.hasSavedMask = true;
  t.sigmask = load<u64>(TS) & ~UNBLOCKABLE_MASK;
  return 0;
}

export function sysPpoll(t: Task): i64 {
  if (endedByStop(t)) return -EINTR;
  let ns: i64 = -1;
  if (t.restartDeadline == -1) {
    ns = timespecArg(t, sysArg(2));
    if (ns < -1) return ns;
    if (ns == -1 && sysArg(2) != 0) return -EINVAL;
    noteTimeout(t, sysArg(2), ns, false);
  }
  const m = useMask(t, sysArg(3), sysArg(4));
  if (m < 0) return m;
  if (t.signalPending) return -EINTR;
  return finishTimeout(t, doPoll(t, sysArg(0), sysArg(1), ns));
}

const SELECT_IN: i32 = POLLIN | POLLRDNORM | POLLHUP | POLLERR;
const SELECT_OUT: i32 = POLLOUT | POLLWRNORM | POLLERR;
const SELECT_EX: i32 = POLLPRI;

function doSelect(t: Task, nfds: i32, rAddr: u64, wAddr: u64, eAddr: u64, ns: i64): i64 {
  if (nfds < 0) return -EINVAL;
  if (<u64>nfds > t.tg.rlimits.cur[RLIMIT_NOFILE]) nfds = <i32>t.tg.rlimits.cur[RLIMIT_NOFILE];
  const bytes = <u64>(((nfds + 63) / 64) * 8);
  const sets = new StaticArray<ArrayBuffer>(3);
  const addrs: u64[] = [rAddr, wAddr, eAddr];
  for (let k = 0; k < 3; k++) {
    sets[k] = new ArrayBuffer(<i32>bytes);
    if (addrs[k] != 0 && t.mm.copyIn(addrs[k], changetype<usize>(sets[k]), bytes) < 0) return -EFAULT;
  }
  const outs = new StaticArray<ArrayBuffer>(3);
  for (let k = 0; k < 3; k++) outs[k] = new ArrayBuffer(<i32>bytes);
  const masks: i32[] = [SELECT_IN, SELECT_OUT, SELECT_EX];
  let ready = 0;
  const fds: i32[] = [];
  for (let fd = 0; fd < nfds; fd++) {
    const word = <usize>((fd >> 6) * 8);
    const bit = (<u64>1) << <u64>(fd & 63);
    let wanted = false;
    for (let k = 0; k < 3; k++) if ((load<u64>(changetype<usize>(sets[k]) + word) & bit) != 0) wanted = true;
    if (!wanted) continue;
    if (t.fdTable.getRaw(fd) === null) return -9; // EBADF
    fds.push(fd);
    // An O_PATH fd is open but has no file to poll: select_poll_one() says EPOLLNVAL, which
    // every set counts as ready (Linux 6.12 on).
    const f = t.fdTable.get(fd);
    const rev = f !== null ? f.poll(SELECT_IN | SELECT_OUT | SELECT_EX) : SELECT_IN | SELECT_OUT | SELECT_EX;
    for (let k = 0; k < 3; k++) {
      const w = changetype<usize>(sets[k]) + word;
      if ((load<u64>(w) & bit) != 0 && (rev & masks[k]) != 0) {
        const o = changetype<usize>(outs[k]) + word;
        store<u64>(o, load<u64>(o) | bit);
        ready++;
      }
    }
  }
  const deadline = deadlineFor(t, ns);
  if (ready == 0 && ns != 0 && !timedOut(deadline)) return waitOn(t, fds, deadline);
  for (let k = 0; k < 3; k++) {
    if (addrs[k] != 0 && t.mm.copyOut(addrs[k], changetype<usize>(outs[k]), bytes) < 0) return -EFAULT;
  }
  return ready;
}

export function sysSelect(t: Task): i64 {
  if (endedByStop(t)) return -EINTR;
  let ns: i64 = -1;
  const tv = sysArg(4);
  if (t.restartDeadline == -1) {
    if (tv != 0) {
      if (t.mm.copyIn(tv, TS, 16) < 0) return -EFAULT;
      // Whole seconds in tv_usec carry over (kern_select()); negatives are EINVAL.
      const us = load<i64>(TS + 8);
      const s = load<i64>(TS) + us / 1000000;
      if (s < 0 || us < 0) return -EINVAL;
      ns = toNs(s, (us % 1000000) * 1000);
    }
    noteTimeout(t, tv, ns, true);
  }
  return finishTimeout(t, doSelect(t, <i32>sysArg(0), sysArg(1), sysArg(2), sysArg(3), ns));
}

export function sysPselect6(t: Task): i64 {
  if (endedByStop(t)) return -EINTR;
  let ns: i64 = -1;
  if (t.restartDeadline == -1) {
    ns = timespecArg(t, sysArg(4));
    if (ns < -1) return ns;
    noteTimeout(t, sysArg(4), ns, false);
  }
  const sm = sysArg(5);
  if (sm != 0) {
    // The sixth argument points at {const sigset_t *ss; size_t ss_len}.
    const pair = new ArrayBuffer(16);
    if (t.mm.copyIn(sm, changetype<usize>(pair), 16) < 0) return -EFAULT;
    const m = useMask(t, load<u64>(changetype<usize>(pair)), load<u64>(changetype<usize>(pair) + 8));
    if (m < 0) return m;
    if (t.signalPending) return -EINTR;
  }
  return finishTimeout(t, doSelect(t, <i32>sysArg(0), sysArg(1), sysArg(2), sysArg(3), ns));
}
