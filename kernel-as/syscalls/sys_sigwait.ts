// Returning from and waiting for signals: rt_sigreturn, sigaltstack, rt_sigsuspend, pause,
// rt_sigpending, signalfd/signalfd4 (Linux arch/x86/kernel/signal_64.c, kernel/signal.c,
// fs/signalfd.c).
import { EBADF, EFAULT, EINTR, EINVAL, ENOMEM, EPERM } from "../abi/errno";
import { O_RDWR, RLIMIT_NOFILE, SIGSEGV, signalStatus } from "../abi/linux";
import { getReg, RSP, sysArg } from "../abi/regs";
import { exitThreadGroup } from "../kernel/kernel";
import { park, RET_EXEC, RET_GONE } from "../kernel/sched";
import { UNBLOCKABLE_MASK } from "../kernel/signal";
import { onAltStack, sigreturn } from "../kernel/signal_frame";
import { Task } from "../kernel/task";
import { SignalFd } from "../fs/signalfd";

const BUF: usize = memory.data(24, 8);
const SS_ONSTACK: i32 = 1;
const SS_DISABLE: i32 = 2;
const SS_AUTODISARM: i32 = 1 << 31;
const MINSIGSTKSZ: u64 = 2048;

export function sysRtSigreturn(t: Task): i64 {
  if (!sigreturn(t)) {
    // A broken frame is fatal, as Linux's force_sig(SIGSEGV).
    exitThreadGroup(t.tg, signalStatus(SIGSEGV, false));
    return RET_GONE;
  }
  return RET_EXEC;
}

export function sysSigaltstack(t: Task): i64 {
  const ss = sysArg(0);
  const old = sysArg(1);
  const on = onAltStack(t, getReg(RSP));
  if (old != 0) {
    store<u64>(BUF, t.altSp);
    store<i32>(BUF + 8, t.altDisabled ? SS_DISABLE : on ? SS_ONSTACK : 0);
    store<i32>(BUF + 12, 0);
    store<u64>(BUF + 16, t.altSize);
    if (t.mm.copyOut(old, BUF, 24) < 0) return -EFAULT;
  }
  if (ss != 0) {
    if (t.mm.copyIn(ss, BUF, 24) < 0) return -EFAULT;
    if (on) return -EPERM;
    const flags = load<i32>(BUF + 8) & ~SS_AUTODISARM;
    if (flags != 0 && flags != SS_DISABLE && flags != SS_ONSTACK) return -EINVAL;
    if (flags == SS_DISABLE) {
      t.altDisabled = true;
      t.altSp = 0;
      t.altSize = 0;
    } else {
      const size = load<u64>(BUF + 16);
      if (size < MINSIGSTKSZ) return -ENOMEM;
      t.altSp = load<u64>(BUF);
      t.altSize = size;
      t.altDisabled = false;
    }
  }
  return 0;
}

/** Parks until a signal is delivered; always ends with EINTR (ERESTARTNOHAND). */
function waitForSignal(t: Task): i64 {
  t.restartable = false;
  if (t.signalPending) return -EINTR;
  return park(t, -1, -1, 0);
}

export function sysRtSigsuspend(t: Task): i64 {
  if (sysArg(1) != 8) return -EINVAL;
  if (t.mm.copyIn(sysArg(0), BUF, 8) < 0) return -EFAULT;
  // The temporary mask lasts until a handler has run; the frame keeps the one to restore.
  t.savedSigmask = t.sigmask;
  t.hasSavedMask = true;
  t.sigmask = load<u64>(BUF) & ~UNBLOCKABLE_MASK;
  return waitForSignal(t);
}

export function sysPause(t: Task): i64 {
  return waitForSignal(t);
}

export function sysRtSigpending(t: Task): i64 {
  if (sysArg(1) > 8) return -EINVAL;
  store<u64>(BUF, t.pendingBits & t.sigmask);
  return t.mm.copyOut(sysArg(0), BUF, sysArg(1)) < 0 ? -EFAULT : 0;
}

const SFD_CLOEXEC: i32 = 0x80000;
const SFD_NONBLOCK: i32 = 0x800;

/** signalfd4(2): a new signalfd for the mask, or (fd != -1) a new mask for an existing one.
 *  SIGKILL and SIGSTOP are dropped from the mask silently, as Linux does. */
export function sysSignalfd4(t: Task): i64 {
  return signalfd(t, <i32>sysArg(0), sysArg(1), sysArg(2), <i32>sysArg(3));
}

/** signalfd(2): signalfd4 without flags. */
export function sysSignalfd(t: Task): i64 {
  return signalfd(t, <i32>sysArg(0), sysArg(1), sysArg(2), 0);
}

function signalfd(t: Task, fd: i32, maskAddr: u64, size: u64, flags: i32): i64 {
  if ((flags & ~(SFD_CLOEXEC | SFD_NONBLOCK)) != 0 || size != 8) return -EINVAL;
  if (t.mm.copyIn(maskAddr, BUF, 8) < 0) return -EFAULT;
  const mask = load<u64>(BUF) & ~UNBLOCKABLE_MASK;
  if (fd != -1) {
    const f = t.fdTable.get(fd);
    if (f === null) return -EBADF;
    if (!(f instanceof SignalFd)) return -EINVAL;
    (<SignalFd>f).mask = mask;
    return fd;
  }
  const lim = t.tg.rlimits.cur[RLIMIT_NOFILE];
  const file = new SignalFd(O_RDWR | (flags & SFD_NONBLOCK), mask);
  return t.fdTable.install(file, 0, lim > 0x7fffffff ? 0x7fffffff : <i32>lim, (flags & SFD_CLOEXEC) != 0);
}
