// Running one syscall for a task: look the number up, run the handler, and turn its result
// into what the host must do next (an action). Also re-runs the syscall of a woken task.
import { EFAULT, ENOSYS } from "../abi/errno";
import { getReg, ORIG_RAX, RAX, setReg } from "../abi/regs";
import { debugEnabled, straceEnabled } from "../kernel/config";
import { makeRunnable, RET_BLOCK, RET_EXEC, RET_GONE, unpark, wakeLater } from "../kernel/sched";
import { Task, TASK_DEAD } from "../kernel/task";
import { setCurrent } from "../kernel/current";
import { deliverSignals } from "../kernel/signal_send";
import { removeWaiter } from "../kernel/futex";
import { writeTimeLeft } from "../kernel/time";
import { LOG_DEBUG, logLine } from "../util/log";
import { formatCall, straceNoReturn, straceResult } from "./strace";
import { lookupSyscall, SyscallEntry } from "./table";
import { dropPendingOpen } from "../fs/fifo";
import { holdIfStopped } from "../kernel/job_control";

/** Actions: what the host does with the stub after a kernel entry returns. */
export const ACT_RESUME: i32 = 0; // load the register block into the stub and resume it
export const ACT_PARK: i32 = 1;   // leave the stub stopped; the task is parked
export const ACT_GONE: i32 = 2;   // the task no longer exists (its stub is already destroyed)

function reportUnsupported(e: SyscallEntry | null, nr: u64): void {
  if (!debugEnabled()) return;
  if (e !== null) {
    if (e.reported) return;
    e.reported = true;
    logLine(LOG_DEBUG, "unsupported syscall " + e.name + " (" + nr.toString() + "): ENOSYS" +
      (e.note.length > 0 ? " (" + e.note + ")" : ""));
  } else {
    logLine(LOG_DEBUG, "unknown syscall number " + nr.toString() + ": ENOSYS");
  }
}

/** Runs the syscall whose registers are in the block for task t. */
export function dispatch(t: Task): i32 {
  const nr = getReg(ORIG_RAX);
  const e = lookupSyscall(nr);
  setCurrent(t);
  // The calling thread is stopped: the address space's changes are injected through it.
  const tg = t.tg;
  if (tg.stub != t.stub) {
    tg.mm.renameStub(tg.stub, t.stub);
    tg.stub = t.stub;
  }
  const call = straceEnabled() ? formatCall(t, e, nr) : "";
  let ret: i64 = -ENOSYS;
  if (e !== null) {
    const h = e.handler;
    if (h !== null) ret = h(t);
    else reportUnsupported(e, nr);
  } else {
    reportUnsupported(null, nr);
  }
  if (ret == RET_BLOCK) {
    t.regs.saveFromBlock();
    // A signal sent while the task ran app code, its kick still on the way (the stub takes
    // it only once back in the app), would wait for the end of the sleep: Linux's waits look
    // at the pending signals before they sleep (signal_pending() in the wait loops), and the
    // handler runs now, the call ending in EINTR or restarting.
    if (t.signalPending && t.vforkChild == 0) {
      t.sigInterrupt = true;
      wakeLater(t);
    }
    return ACT_PARK;
  }
  if (ret == RET_EXEC) {
    // execve or rt_sigreturn set the whole register block, or the call is to run again
    // after a stop (a background terminal access, pty.ts).
    t.restartDeadline = -1;
    if (straceEnabled()) straceResult(t, e, call, 0);
    return signalsBeforeResume(t);
  }
  if (ret == RET_GONE || t.state == TASK_DEAD) {
    // Gone, or killed by what it did (a signal to itself, SIGPIPE).
    if (straceEnabled()) straceNoReturn(t, call);
    return ACT_GONE;
  }
  t.restartDeadline = -1;
  // A call that noted where to tell the time left and returned without waiting.
  t.remAddr = 0;
  t.stopLeft = -1;
  t.stopEintr = false;
  t.eintrOnStop = false;
  t.progress = 0;
  t.restartable = true;
  t.sigwaitSet = 0;
  setReg(RAX, <u64>ret);
  if (straceEnabled()) straceResult(t, e, call, ret);
  return signalsBeforeResume(t);
}

/** Delivers pending signals before t goes back to the app; a task of a stopped group is
 *  held instead (ACT_PARK, its registers saved). Precondition: t's registers are in the
 *  block. */
export function signalsBeforeResume(t: Task): i32 {
  if (t.signalPending && !deliverSignals(t)) return ACT_GONE;
  if (t.hasSavedMask) {
    // No handler ran (the signal was ignored or had its default action): the mask comes back.
    t.sigmask = t.savedSigmask;
    t.hasSavedMask = false;
  }
  if (t.tg.stopped) {
    t.regs.saveFromBlock();
    holdIfStopped(t);
    return ACT_PARK;
  }
  return ACT_RESUME;
}

/** Ends the parked syscall of t because a signal arrived: EINTR or a restart, and the
 *  handler's frame. */
export function interrupt(t: Task): void {
  // An interrupted wait tells how much was left (nanosleep's rem, select's timeout); a
  // restarted select then waits for what is left. A nanosleep whose rem cannot be written
  // fails with EFAULT instead (nanosleep_copyout()).
  const fault = writeTimeLeft(t);
  t.sigwaitSet = 0;
  t.eintrOnStop = false;
  t.stopEintr = false;
  unpark(t);
  removeWaiter(t);
  dropPendingOpen(t);
  t.restartDeadline = -1;
  // A write that moved bytes before the signal returns their count, neither EINTR nor a
  // restart that would send them again (pipe_write(), unix_stream_sendmsg()).
  const moved = t.progress;
  t.progress = 0;
  t.regs.loadIntoBlock();
  t.interrupted = !fault && moved == 0;
  // EINTR unless a frame with SA_RESTART restarts the call.
  setReg(RAX, <u64>(fault ? -EFAULT : moved > 0 ? moved : -4));
  const act = signalsBeforeResume(t);
  t.interrupted = false;
  if (act != ACT_RESUME) return;
  t.restartable = true;
  t.regs.saveFromBlock();
  makeRunnable(t);
}

/** Runs the parked syscall of t again after a wake-up; when it completes the task is queued
 *  to resume. */
export function rerun(t: Task): void {
  unpark(t);
  t.regs.loadIntoBlock();
  if (dispatch(t) == ACT_RESUME) {
    t.regs.saveFromBlock();
    makeRunnable(t);
  }
}
