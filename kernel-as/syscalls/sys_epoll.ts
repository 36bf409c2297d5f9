// epoll_create, epoll_create1, epoll_ctl, epoll_wait, epoll_pwait, epoll_pwait2, eventfd,
// eventfd2 (Linux fs/eventpoll.c, fs/eventfd.c). A wait parks on every watched file (one host
// fd at a time can wake it), with the timeout as deadline.
import { EBADF, EEXIST, EFAULT, EINTR, EINVAL, ENOENT, EPERM } from "../abi/errno";
import { O_CLOEXEC, O_NONBLOCK, O_RDWR, RLIMIT_NOFILE } from "../abi/linux";
import { sysArg } from "../abi/regs";
import { monotonicNow, saturatingAdd } from "../kernel/time";
import { park } from "../kernel/sched";
import { endedByStop } from "../kernel/job_control";
import { UNBLOCKABLE_MASK } from "../kernel/signal";
import { Task } from "../kernel/task";
import { EFD_SEMAPHORE, EventFd } from "../fs/eventfd";
import { EpollEntry, EpollFile, EPOLLEXCLUSIVE, EPOLLONESHOT, EPOLLWAKEUP } from "../fs/epoll";
import { InodeFile } from "../fs/vfs/inode_file";

const EPOLL_CTL_ADD: i32 = 1;
const EPOLL_CTL_DEL: i32 = 2;
const EPOLL_CTL_MOD: i32 = 3;
const EP_MAX_EVENTS: i32 = 0x7fffffff / 12;
const EV: usize = memory.data(16, 8);
const NS: i64 = 1000000000;

function limit(t: Task): i32 {
  const l = t.tg.rlimits.cur[RLIMIT_NOFILE];
  return l > 0x7fffffff ? 0x7fffffff : <i32>l;
}

function create(t: Task, flags: i32): i64 {
  if ((flags & ~O_CLOEXEC) != 0) return -EINVAL;
  return t.fdTable.install(new EpollFile(O_RDWR), 0, limit(t), (flags & O_CLOEXEC) != 0);
}

export function sysEpollCreate(t: Task): i64 {
  return <i32>sysArg(0) <= 0 ? -EINVAL : create(t, 0);
}

export function sysEpollCreate1(t: Task): i64 {
  return create(t, <i32>sysArg(0));
}

export function sysEpollCtl(t: Task): i64 {
  const epf = t.fdTable.get(<i32>sysArg(0));
  const op = <i32>sysArg(1);
  const fd = <i32>sysArg(2);
  const f = t.fdTable.get(fd);
  if (epf === null || f === null) return -EBADF;
  if (!(epf instanceof EpollFile) || epf === f) return -EINVAL;
  // Files that are always ready (regular files, directories) cannot be watched.
  if (f instanceof InodeFile) return -EPERM;
  const ep = <EpollFile>epf;
  let events: u32 = 0;
  let data: u64 = 0;
  if (op != EPOLL_CTL_DEL) {
    if (t.mm.copyIn(sysArg(3), EV, 12) < 0) return -EFAULT;
    events = load<u32>(EV);
    data = load<u64>(EV + 4);
    if ((events & EPOLLEXCLUSIVE) != 0 && (op == EPOLL_CTL_MOD || (events & EPOLLONESHOT) != 0)) return -EINVAL;
  }
  const i = ep.find(fd, f);
  if (op == EPOLL_CTL_ADD) {
    if (i >= 0) return -EEXIST;
    ep.entries.push(new EpollEntry(fd, f, events & ~EPOLLWAKEUP, data));
    return 0;
  }
  if (i < 0) return -ENOENT;
  if (op == EPOLL_CTL_DEL) {
    ep.entries.splice(i, 1);
    return 0;
  }
  if (op == EPOLL_CTL_MOD) {
    const e = ep.entries[i];
    if ((e.events & EPOLLEXCLUSIVE) != 0) return -EINVAL;
    e.events = events & ~EPOLLWAKEUP;
    e.data = data;
    e.disarmed = false;
    e.reported = 0;
    return 0;
  }
  return -EINVAL;
}

/** The common wait: timeout in ns (< 0 forever), kept across re-runs as a deadline. */
function wait(t: Task, epfd: i32, addr: u64, max: i32, ns: i64): i64 {
  if (endedByStop(t)) return -EINTR;
  const epf = t.fdTable.get(epfd);
  if (epf === null) return -EBADF;
  if (!(epf instanceof EpollFile)) return -EINVAL;
  if (max <= 0 || max > EP_MAX_EVENTS) return -EINVAL;
  if (t.restartDeadline == -1) t.restartDeadline = ns < 0 ? -2 : saturatingAdd(monotonicNow(), ns);
  const deadline = t.restartDeadline;
  const ep = <EpollFile>epf;
  const evs: u32[] = [];
  const datas: u64[] = [];
  ep.collect(t, max, evs, datas);
  if (evs.length == 0) {
    if (ns == 0 || (deadline >= 0 && monotonicNow() >= deadline)) return 0;
    t.restartable = false;
    t.eintrOnStop = true;
    return park(t, deadline >= 0 ? deadline : -1, ep.pollWait(t), 1 | 4);
  }
  for (let i = 0; i < evs.length; i++) {
    store<u32>(EV, evs[i]);
    store<u64>(EV + 4, datas[i]);
    if (t.mm.copyOut(addr + <u64>(i * 12), EV, 12) < 0) return -EFAULT;
  }
  return evs.length;
}

export function sysEpollWait(t: Task): i64 {
  const ms = <i32>sysArg(3);
  return wait(t, <i32>sysArg(0), sysArg(1), <i32>sysArg(2), ms < 0 ? -1 : <i64>ms * 1000000);
}

/** The temporary mask of epoll_pwait/pwait2, restored after the call or the handler. */
function useMask(t: Task, addr: u64, size: u64): i64 {
  if (addr == 0 || t.hasSavedMask) return 0;
  if (size != 8) return -EINVAL;
  if (t.mm.copyIn(addr, EV, 8) < 0) return -EFAULT;
  t.savedSigmask = t.sigmask;
  t.hasSavedMask = true;
  t.sigmask = load<u64>(EV) & ~UNBLOCKABLE_MASK;
  return t.signalPending ? -EINTR : 0;
}

export function sysEpollPwait(t: Task): i64 {
  const m = useMask(t, sysArg(4), sysArg(5));
  if (m < 0) return m;
  const ms = <i32>sysArg(3);
  return wait(t, <i32>sysArg(0), sysArg(1), <i32>sysArg(2), ms < 0 ? -1 : <i64>ms * 1000000);
}

export function sysEpollPwait2(t: Task): i64 {
  let ns: i64 = -1;
  const ts = sysArg(3);
  if (ts != 0 && t.restartDeadline == -1) {
    if (t.mm.copyIn(ts, EV, 16) < 0) return -EFAULT;
    const s = load<i64>(EV);
    const n = load<i64>(EV + 8);
    if (s < 0 || n < 0 || n >= NS) return -EINVAL;
    ns = s * NS + n;
  }
  const m = useMask(t, sysArg(4), sysArg(5));
  if (m < 0) return m;
  return wait(t, <i32>sysArg(0), sysArg(1), <i32>sysArg(2), ns);
}

function eventfd(t: Task, initval: u32, flags: i32): i64 {
  if ((flags & ~(O_CLOEXEC | O_NONBLOCK | EFD_SEMAPHORE)) != 0) return -EINVAL;
  const f = new EventFd(O_RDWR | (flags & O_NONBLOCK), <u64>initval, (flags & EFD_SEMAPHORE) != 0);
  return t.fdTable.install(f, 0, limit(t), (flags & O_CLOEXEC) != 0);
}

export function sysEventfd(t: Task): i64 {
  return eventfd(t, <u32>sysArg(0), 0);
}

export function sysEventfd2(t: Task): i64 {
  return eventfd(t, <u32>sysArg(0), <i32>sysArg(1));
}

