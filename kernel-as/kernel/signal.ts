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

export class SigAction {
  handler: u64 = SIG_DFL;
  flags: u64 = 0;
  restorer: u64 = 0;
  mask: u64 = 0;
}

export class SignalHandlers {
  actions: StaticArray<SigAction> = new StaticArray<SigAction>(NSIG + 1);

  constructor() {
    for (let i = 0; i <= NSIG; i++) this.actions[i] = new SigAction();
  }

  @inline get(sig: i32): SigAction { return unchecked(this.actions[sig]); }

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
