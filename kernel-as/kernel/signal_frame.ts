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
const FP_SIZE: i32 = 512;
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
const FP: usize = memory.data(FP_SIZE, 64);

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
  if ((act.flags & SA_ONSTACK) != 0 && !t.altDisabled && !onAltStack(t, sp0)) sp = t.altSp + t.altSize;
  const fpAt = (sp - <u64>FP_SIZE) & ~(<u64>63);
  const frame = ((fpAt - <u64>FRAME_SIZE) & ~(<u64>15)) - 8;

  memory.fill(FRAME, 0, FRAME_SIZE);
  store<u64>(FRAME, act.restorer);
  store<u64>(FRAME + UC, UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS);
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
  store<i32>(FRAME + INFO, info.signo);
  store<i32>(FRAME + INFO + 8, info.code);
  if (info.addr != 0) store<u64>(FRAME + INFO + 16, info.addr);
  else {
    // si_pid/si_uid (kill), si_tid/si_overrun (timers), then si_status or si_value.
    store<i32>(FRAME + INFO + 16, info.pid);
    store<u32>(FRAME + INFO + 20, info.uid);
    if (info.value != 0) store<u64>(FRAME + INFO + 24, info.value);
    else store<i32>(FRAME + INFO + 24, info.status);
  }
  if (fpGet(t.stub, FP) < 0) memory.fill(FP, 0, FP_SIZE);
  if (t.mm.copyOut(fpAt, FP, FP_SIZE) < 0) return false;
  // The handler starts with a clean FPU (fpu__clear_user_states()): x87 control word 0x37f,
  // MXCSR 0x1f80, registers zero.
  memory.fill(FP, 0, FP_SIZE);
  store<u16>(FP, 0x37f);
  store<u32>(FP + 24, 0x1f80);
  store<u32>(FP + 28, 0xffff);
  fpSet(t.stub, FP);
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
    if (t.mm.copyIn(fpAt, FP, FP_SIZE) < 0) return false;
    fpSet(t.stub, FP);
  }
  t.sigmask = load<u64>(FRAME + SIGMASK) & ~UNBLOCKABLE_MASK;
  return true;
}
