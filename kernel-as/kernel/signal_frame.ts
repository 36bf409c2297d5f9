// Signal frames on x86-64 (Linux arch/x86/kernel/signal.c, signal_64.c): entering a handler
// pushes struct rt_sigframe (return address = sa_restorer, ucontext with the interrupted
// registers and mask, siginfo) and the FPU state below the interrupted stack (or on the
// alternate stack); rt_sigreturn undoes it.
import { fpGet, fpSet } from "../host";
import { EINTR } from "../abi/errno";
import { SA_NODEFER, SA_ONSTACK, SA_RESETHAND, SA_RESTART, SA_RESTORER, SA_SIGINFO, SIG_DFL } from "../abi/linux";
import {
  CS, EFLAGS, getReg, ORIG_RAX, R10, R11, R12, R13, R14, R15, R8, R9, RAX, RBP, RBX, RCX, RDI, RDX, RIP, RSI, RSP,
  setReg, SS, USER_CS, USER_DS,
} from "../abi/regs";
import { Task } from "./task";
import { SigAction, SigInfo, sigBit, UNBLOCKABLE_MASK } from "./signal";

const FRAME_SIZE: i32 = 440;
const UC: i32 = 8;
const MCTX: i32 = 48;
const SIGMASK: i32 = 304;
const INFO: i32 = 312;
/** Room for the XSAVE area (the host's FP_MAX). */
const FP_MAX: i32 = 16384;
const FXSAVE_SIZE: i32 = 512;
const UC_FP_XSTATE: u64 = 1;
const FP_XSTATE_MAGIC1: u32 = 0x46505853;
const FP_XSTATE_MAGIC2: u32 = 0x46505845;
const REDZONE: u64 = 128;
const UC_SIGCONTEXT_SS: u64 = 2;
const UC_STRICT_RESTORE_SS: u64 = 4;
/** The EFLAGS bits a handler may change through its frame (FIX_EFLAGS). */
const FIX_EFLAGS: u64 = 0x50dd5;
const SS_ONSTACK: i32 = 1;
const SS_DISABLE: i32 = 2;

/** The sigcontext order of the general registers (struct sigcontext_64). */
const MCTX_REGS: StaticArray<i32> = [R8, R9, R10, R11, R12, R13, R14, R15, RDI, RSI, RBP, RBX, RDX, RAX, RCX, RSP, RIP, EFLAGS];

const FRAME: usize = memory.data(FRAME_SIZE, 16);
const FP: usize = memory.data(FP_MAX + 4, 64);

/** Writes siginfo_t (128 bytes, already zeroed) for info at p. */
export function encodeSiginfo(info: SigInfo, p: usize): void {
  store<i32>(p, info.signo);
  store<i32>(p + 8, info.code);
  if (info.addr != 0) {
    store<u64>(p + 16, info.addr);
    return;
  }
  // si_pid/si_uid (kill), si_tid/si_overrun (timers), then si_status or si_value.
  store<i32>(p + 16, info.pid);
  store<u32>(p + 20, info.uid);
  if (info.value != 0) store<u64>(p + 24, info.value);
  else store<i32>(p + 24, info.status);
}

/** Whether sp lies on t's alternate signal stack. */
export function onAltStack(t: Task, sp: u64): bool {
  return !t.altDisabled && sp > t.altSp && sp - t.altSp <= t.altSize;
}

/** Sets the register block (t's registers) to run act's handler for sig. False when the
 *  frame cannot be written (the caller kills the process). */
export function setupFrame(t: Task, sig: i32, act: SigAction, info: SigInfo): bool {
  // A syscall the signal interrupted ends with EINTR, or runs again after the handler.
  if (t.interrupted) {
    t.interrupted = false;
    if ((act.flags & SA_RESTART) != 0 && t.restartable) {
      setReg(RIP, getReg(RIP) - 2);
      setReg(RAX, getReg(ORIG_RAX));
    } else {
      setReg(RAX, <u64>(-EINTR));
    }
  }
  if ((act.flags & SA_RESTORER) == 0 || act.restorer == 0) return false;
  const sp0 = getReg(RSP);
  let sp = sp0 - REDZONE;
  let onAlt = onAltStack(t, sp0);
  if ((act.flags & SA_ONSTACK) != 0 && !t.altDisabled && !onAlt) {
    sp = t.altSp + t.altSize;
    onAlt = true;
  }
  // The FPU state: the whole XSAVE area, with the software-reserved bytes of its legacy part
  // telling its size and a magic word after it, as Linux's fpu signal frames do.
  let fpSize = fpGet(t.stub, FP);
  if (fpSize < FXSAVE_SIZE || fpSize > FP_MAX) {
    memory.fill(FP, 0, FXSAVE_SIZE);
    fpSize = FXSAVE_SIZE;
  }
  const xstate = fpSize > FXSAVE_SIZE;
  if (xstate) {
    store<u32>(FP + 464, FP_XSTATE_MAGIC1);
    store<u32>(FP + 468, <u32>fpSize + 4);
    store<u64>(FP + 472, load<u64>(FP + 512)); // xfeatures: the header's xstate_bv
    store<u32>(FP + 480, <u32>fpSize);
    store<u32>(FP + <usize>fpSize, FP_XSTATE_MAGIC2);
  }
  const fpBytes = xstate ? fpSize + 4 : fpSize;
  const fpAt = (sp - <u64>fpBytes) & ~(<u64>63);
  const frame = ((fpAt - <u64>FRAME_SIZE) & ~(<u64>15)) - 8;
  // A frame that does not fit on the alternate stack is not written below it
  // (get_sigframe()'s check): the process dies instead.
  if (onAlt && frame < t.altSp) return false;

  memory.fill(FRAME, 0, FRAME_SIZE);
  store<u64>(FRAME, act.restorer);
  store<u64>(FRAME + UC, UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS | (xstate ? UC_FP_XSTATE : 0));
  store<u64>(FRAME + UC + 16, t.altSp);
  store<i32>(FRAME + UC + 24, t.altDisabled ? SS_DISABLE : onAltStack(t, sp0) ? SS_ONSTACK : 0);
  store<u64>(FRAME + UC + 32, t.altSize);
  for (let i = 0; i < MCTX_REGS.length; i++) store<u64>(FRAME + MCTX + <usize>(i * 8), getReg(MCTX_REGS[i]));
  store<u16>(FRAME + MCTX + 144, <u16>USER_CS);
  store<u16>(FRAME + MCTX + 150, <u16>USER_DS);
  store<u64>(FRAME + MCTX + 168, t.hasSavedMask ? t.savedSigmask : t.sigmask);
  store<u64>(FRAME + MCTX + 176, info.addr);
  store<u64>(FRAME + MCTX + 184, fpAt);
  store<u64>(FRAME + SIGMASK, t.hasSavedMask ? t.savedSigmask : t.sigmask);
  encodeSiginfo(info, FRAME + INFO);
  if (t.mm.copyOut(fpAt, FP, <u64>fpBytes) < 0) return false;
  // The handler starts with a clean FPU (fpu__clear_user_states()): x87 control word 0x37f,
  // MXCSR 0x1f80, every register and every XSAVE component in its initial state.
  const mxcsrMask = load<u32>(FP + 28);
  memory.fill(FP, 0, fpSize);
  store<u16>(FP, 0x37f);
  store<u32>(FP + 24, 0x1f80);
  store<u32>(FP + 28, mxcsrMask);
  fpSet(t.stub, FP, fpSize);
  if (t.mm.copyOut(frame, FRAME, FRAME_SIZE) < 0) return false;

  // The handler's mask: the current one, its sa_mask, and the signal itself unless NODEFER.
  let mask = t.sigmask | act.mask;
  if ((act.flags & SA_NODEFER) == 0) mask |= sigBit(sig);
  t.sigmask = mask & ~UNBLOCKABLE_MASK;
  t.hasSavedMask = false;
  const handler = act.handler;
  if ((act.flags & SA_RESETHAND) != 0) {
    act.handler = SIG_DFL;
    act.flags &= ~SA_SIGINFO;
  }
  setReg(RSP, frame);
  setReg(RIP, handler);
  setReg(RDI, <u64>sig);
  setReg(RSI, frame + <u64>INFO);
  setReg(RDX, frame + <u64>UC);
  setReg(RAX, 0);
  setReg(EFLAGS, getReg(EFLAGS) & ~(<u64>(0x400 | 0x100 | 0x10000 | 0x40000)));
  setReg(CS, USER_CS);
  setReg(SS, USER_DS);
  return true;
}

/** rt_sigreturn: restores the registers, mask and FPU state saved by setupFrame. The frame
 *  is at rsp - 8 (the handler's return popped pretcode). False on a bad frame. */
export function sigreturn(t: Task): bool {
  const frame = getReg(RSP) - 8;
  if (t.mm.copyIn(frame, FRAME, FRAME_SIZE) < 0) return false;
  const flags = getReg(EFLAGS);
  for (let i = 0; i < MCTX_REGS.length; i++) setReg(MCTX_REGS[i], load<u64>(FRAME + MCTX + <usize>(i * 8)));
  setReg(EFLAGS, (flags & ~FIX_EFLAGS) | (getReg(EFLAGS) & FIX_EFLAGS));
  setReg(CS, USER_CS);
  setReg(SS, USER_DS);
  // Not a syscall any more: nothing may restart it.
  setReg(ORIG_RAX, U64.MAX_VALUE);
  const fpAt = load<u64>(FRAME + MCTX + 184);
  if (fpAt != 0) {
    if (t.mm.copyIn(fpAt, FP, FXSAVE_SIZE) < 0) return false;
    let size = FXSAVE_SIZE;
    if (load<u32>(FP + 464) == FP_XSTATE_MAGIC1) {
      const xs = <i32>load<u32>(FP + 480);
      if (xs > FXSAVE_SIZE && xs <= FP_MAX && t.mm.copyIn(fpAt, FP, <u64>xs) == 0) size = xs;
    }
    // The software-reserved bytes are Linux's bookkeeping, not register state.
    memory.fill(FP + 464, 0, 48);
    fpSet(t.stub, FP, size);
  }
  t.sigmask = load<u64>(FRAME + SIGMASK) & ~UNBLOCKABLE_MASK;
  return true;
}
