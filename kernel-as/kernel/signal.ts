// Signal dispositions, what a signal carries, and the default actions of Linux
// (kernel/signal.c sig_kernel_*). Sending is in signal_send.ts, the frames in signal_frame.ts.
import {
  SIGABRT, SIGBUS, SIGCHLD, SIGCONT, SIGFPE, SIGILL, SIGKILL, SIGQUIT, SIGSEGV, SIGSTOP, SIGSYS,
  SIGTRAP, SIGTSTP, SIGTTIN, SIGTTOU, SIGURG, SIGWINCH, SIGXCPU, SIGXFSZ, SIG_DFL, SIG_IGN, NSIG,
} from "../abi/linux";

/** What a pending signal carries to its handler (the fields of siginfo_t that are used). */
export class SigInfo {
  constructor(public signo: i32, public code: i32, public pid: i32, public uid: u32) {}
  status: i32 = 0;
  addr: u64 = 0;
  /** sigev_value of a POSIX timer (si_value). */
  value: u64 = 0;
}

export const SI_USER: i32 = 0;
export const SI_KERNEL: i32 = 0x80;
export const SI_TKILL: i32 = -6;
export const CLD_EXITED: i32 = 1;
export const CLD_KILLED: i32 = 2;
export const CLD_DUMPED: i32 = 3;
export const CLD_STOPPED: i32 = 5;
export const CLD_CONTINUED: i32 = 6;

/** The first real-time signal number of the kernel (glibc reserves two above it). */
export const SIGRTMIN: i32 = 32;

/** A set of pending signals and what each carries (Linux's struct sigpending): a task has one
 *  for the signals sent to it alone (tkill, faults, SIGPIPE), its thread group one for the
 *  signals sent to the process. */
export class SigPending {
  bits: u64 = 0;
  infos: StaticArray<SigInfo | null> = new StaticArray<SigInfo | null>(65);
  /** Further queued instances of real-time signals (each is delivered, unlike standard ones). */
  rtQueue: SigInfo[] = [];

  @inline has(sig: i32): bool { return (this.bits & sigBit(sig)) != 0; }

  /** Adds an instance of sig. A standard signal already pending merges with it. */
  add(sig: i32, si: SigInfo): void {
    if (!this.has(sig)) {
      this.bits |= sigBit(sig);
      this.infos[sig] = si;
    } else if (sig >= SIGRTMIN) {
      this.rtQueue.push(si);
    }
  }

  /** Takes the oldest instance of sig off the set. Precondition: has(sig). */
  take(sig: i32): SigInfo {
    const info = this.infos[sig];
    this.infos[sig] = null;
    this.bits &= ~sigBit(sig);
    for (let i = 0; i < this.rtQueue.length; i++) {
      if (this.rtQueue[i].signo == sig) {
        // The next queued instance becomes the pending one.
        this.bits |= sigBit(sig);
        this.infos[sig] = this.rtQueue[i];
        this.rtQueue.splice(i, 1);
        break;
      }
    }
    return info !== null ? info : new SigInfo(sig, SI_KERNEL, 0, 0);
  }

  /** Drops every instance of the signals in mask (flush_sigqueue_mask()). */
  discard(mask: u64): void {
    if ((this.bits & mask) == 0) return;
    for (let sig = 1; sig <= NSIG; sig++) {
      if ((mask & sigBit(sig)) != 0) this.infos[sig] = null;
    }
    this.bits &= ~mask;
    const kept: SigInfo[] = [];
    for (let i = 0; i < this.rtQueue.length; i++) {
      if ((mask & sigBit(this.rtQueue[i].signo)) == 0) kept.push(this.rtQueue[i]);
    }
    this.rtQueue = kept;
  }
}

export class SigAction {
  handler: u64 = SIG_DFL;
  flags: u64 = 0;
  restorer: u64 = 0;
  mask: u64 = 0;
}

/** The dispositions of a thread group (Linux's sighand_struct), shared by processes made
 *  with clone(CLONE_SIGHAND) until one of them execs. */
export class SignalHandlers {
  actions: StaticArray<SigAction> = new StaticArray<SigAction>(NSIG + 1);
  /** Thread groups using this table. */
  users: i32 = 1;

  constructor() {
    for (let i = 0; i <= NSIG; i++) this.actions[i] = new SigAction();
  }

  @inline get(sig: i32): SigAction { return unchecked(this.actions[sig]); }

  /** A table of its own with the same dispositions (fork without CLONE_SIGHAND). */
  copy(): SignalHandlers {
    const c = new SignalHandlers();
    for (let sig = 1; sig <= NSIG; sig++) {
      const from = this.get(sig);
      const to = c.get(sig);
      to.handler = from.handler;
      to.flags = from.flags;
      to.restorer = from.restorer;
      to.mask = from.mask;
    }
    return c;
  }

  /** Caught signals go back to their default, ignored ones stay ignored, flags and masks are
   *  cleared (what execve and clone3's CLONE_CLEAR_SIGHAND do; POSIX for exec). */
  resetCaught(): void {
    for (let sig = 1; sig <= NSIG; sig++) {
      const a = this.get(sig);
      if (a.handler != SIG_IGN) a.handler = SIG_DFL;
      a.flags = 0;
      a.mask = 0;
    }
  }
}

export const ACT_TERMINATE: i32 = 0;
export const ACT_CORE: i32 = 1;
export const ACT_IGNORE: i32 = 2;
export const ACT_STOP: i32 = 3;
export const ACT_CONTINUE: i32 = 4;

/** The default action of sig (signal(7)). Real-time signals terminate. */
export function defaultAction(sig: i32): i32 {
  if (sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH) return ACT_IGNORE;
  if (sig == SIGCONT) return ACT_CONTINUE;
  if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU) return ACT_STOP;
  if (sig == SIGQUIT || sig == SIGILL || sig == SIGTRAP || sig == SIGABRT || sig == SIGBUS ||
      sig == SIGFPE || sig == SIGSEGV || sig == SIGXCPU || sig == SIGXFSZ || sig == SIGSYS) return ACT_CORE;
  return ACT_TERMINATE;
}

/** Signals that can be neither caught, blocked nor ignored. */
@inline export function sigUnblockable(sig: i32): bool { return sig == SIGKILL || sig == SIGSTOP; }

@inline export function sigBit(sig: i32): u64 { return (<u64>1) << <u64>(sig - 1); }

export const UNBLOCKABLE_MASK: u64 = ((<u64>1) << <u64>(SIGKILL - 1)) | ((<u64>1) << <u64>(SIGSTOP - 1));

@inline export function isIgnoredHandler(h: u64): bool { return h == SIG_IGN; }
