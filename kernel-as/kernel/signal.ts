// Signal dispositions and the default actions of Linux (kernel/signal.c sig_kernel_*).
// Delivery to app handlers (signal frames, sigreturn) is the later signals work; until then a
// signal that would run a handler is recorded as pending and reported in the debug log.
import {
  SIGABRT, SIGBUS, SIGCHLD, SIGCONT, SIGFPE, SIGILL, SIGKILL, SIGQUIT, SIGSEGV, SIGSTOP, SIGSYS,
  SIGTRAP, SIGTSTP, SIGTTIN, SIGTTOU, SIGURG, SIGWINCH, SIGXCPU, SIGXFSZ, SIG_DFL, SIG_IGN, NSIG,
} from "../abi/linux";

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
