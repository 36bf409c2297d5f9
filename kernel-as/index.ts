// kernel.wasm's exports: the entry points the host calls (DESIGN.md §3). Each returns plain
// numbers; bulk data crosses through kernel memory (the register block, the config buffer).
// The host side of this contract is host/kernel/kernel_module.ts.
import "./panic";
import { REGS } from "./abi/regs";
import { BUS_ADRERR, SEGV_ACCERR, SEGV_MAPERR, SIGBUS, SIGFPE, SIGILL, SIGSEGV, signalStatus, SIGTRAP, SIG_IGN } from "./abi/linux";
import { FAULT_FIXED, FAULT_SIGBUS } from "./mm/mm";
import { SI_KERNEL, SigInfo, sigBit } from "./kernel/signal";
import { setupFrame } from "./kernel/signal_frame";
import { config, parseConfig } from "./kernel/config";
import { initMemory } from "./kernel/globals";
import { exitThreadGroup, sandboxStatus, tasksByStub } from "./kernel/kernel";
import { Task, TASK_BLOCKED } from "./kernel/task";
import { dueTasks, nextDeadline, parked, pendingWakes, popRunnable } from "./kernel/sched";
import { execError, startInit } from "./loader/exec";
import { ACT_GONE, ACT_RESUME, dispatch, interrupt, rerun, signalsBeforeResume } from "./syscalls/dispatch";
import { setCurrent } from "./kernel/current";
import { FULL, PARTIAL, SYSCALL_COUNT, syscallTable } from "./syscalls/table";
import { LOG_DEBUG, LOG_WARN, logLine } from "./util/log";
import { noteBootTime } from "./syscalls/sys_misc_fs";
import { fireTimers, nextTimerDeadline } from "./kernel/timers";
import { holdIfStopped } from "./kernel/job_control";

export { ACT_RESUME, ACT_PARK, ACT_GONE } from "./syscalls/dispatch";

let configBuf: ArrayBuffer = new ArrayBuffer(0);

/** Where the host puts registers (struct user_regs_struct). */
export function regs_block(): usize {
  return REGS;
}

/** A buffer of len bytes for the boot configuration (kernel/config.ts). */
export function config_buffer(len: i32): usize {
  configBuf = new ArrayBuffer(len);
  return changetype<usize>(configBuf);
}

/** Reads the configuration from the config buffer. 0, or -1 if it is malformed. */
export function boot(len: i32): i32 {
  if (!parseConfig(changetype<usize>(configBuf), <usize>len)) return -1;
  initMemory(config.memFileSize, config.memLimit);
  noteBootTime();
  return 0;
}

/** Creates pid 1 and queues it. 0, or -errno after logging why on the warning channel. */
export function start(): i32 {
  const r = startInit();
  if (r < 0) logLine(LOG_WARN, "cannot run " + config.execPath + ": " + execError);
  return r;
}

/** The stub thread `stub` stopped at a syscall; its registers are in the block. */
export function syscall(stub: i32): i32 {
  if (!tasksByStub.has(stub)) return ACT_GONE;
  const t = tasksByStub.get(stub);
  const act = dispatch(t);
  runWakesKeeping(t);
  return act;
}

/** Runs the pending wakes while t's registers, in the block for the host, are kept: woken
 *  tasks re-run their syscalls in the register block. */
function runWakesKeeping(t: Task): void {
  if (pendingWakes.length == 0) return;
  t.regs.saveFromBlock();
  runPendingWakes();
  t.regs.loadIntoBlock();
}

/** Runs the syscalls of tasks woken by what just happened. Precondition: nothing the host
 *  still needs is in the register block. */
function runPendingWakes(): void {
  while (pendingWakes.length > 0) {
    const t = pendingWakes.shift();
    // A task woken twice, or killed meanwhile, runs at most once.
    if (t.state != TASK_BLOCKED) continue;
    if (t.sigInterrupt) {
      t.sigInterrupt = false;
      interrupt(t);
    } else {
      rerun(t);
    }
  }
}

/** The stub thread `stub` stopped with signal signo (host si_code code, si_addr addr): a
 *  fault of the app (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP from the CPU) runs the app's
 *  handler or ends its thread group, init included, as Linux forces such signals; anything
 *  else was sent to the stub from outside and is dropped (ACT_RESUME). */
export function fault(stub: i32, sig: i32, siCode: i32, addr: f64): i32 {
  let signo = sig;
  let code = siCode;
  if (!tasksByStub.has(stub)) return ACT_GONE;
  const t = tasksByStub.get(stub);
  // Only a synchronous fault of the app's own code (si_code > 0, set by the CPU exception)
  // is the app's; a signal sent to the stub from outside the sandbox is swallowed.
  if (code <= 0 || !(signo == SIGILL || signo == SIGTRAP || signo == SIGBUS || signo == SIGFPE || signo == SIGSEGV)) {
    return ACT_RESUME;
  }
  // A write to pages shared copy-on-write since a fork copies them and runs again.
  if (signo == SIGSEGV && code == SEGV_ACCERR && t.mm.cowFault(<u64>addr) == FAULT_FIXED) return ACT_RESUME;
  if (signo == SIGSEGV && code == SEGV_MAPERR) {
    // A shared mapping's page may be missing only for now (a hole, a page a truncate took
    // and a write brought back); past the object's end the access is SIGBUS.
    const r = t.mm.faultIn(<u64>addr);
    if (r == FAULT_FIXED) return ACT_RESUME;
    if (r == FAULT_SIGBUS) {
      signo = SIGBUS;
      code = BUS_ADRERR;
    }
  }
  logLine(LOG_DEBUG, "pid " + t.tg.tgid.toString() + " fault: signal " + signo.toString() +
    " at 0x" + (<u64>addr).toString(16));
  // A fault signal is forced (force_sig_info()): with a handler that is not blocking it, the
  // handler runs; blocked or without a handler, the process dies, init included.
  const act = t.tg.handlers.get(signo);
  if (act.handler > SIG_IGN && (t.sigmask & sigBit(signo)) == 0) {
    // SIGSEGV's code is the kernel's to say: an address inside a mapping the access is not
    // allowed to was refused (SEGV_ACCERR), anything else is not mapped (SEGV_MAPERR). The
    // host sees MAPERR for PROT_NONE reservations, which the stub does not map at all.
    if (signo == SIGSEGV && (code == SEGV_MAPERR || code == SEGV_ACCERR)) code = t.mm.find(<u64>addr) !== null ? SEGV_ACCERR : SEGV_MAPERR;
    const info = new SigInfo(signo, code, 0, 0);
    info.addr = <u64>addr;
    if (setupFrame(t, signo, act, info)) return ACT_RESUME;
  }
  exitThreadGroup(t.tg, signalStatus(signo, false));
  runPendingWakes();
  return ACT_GONE;
}

/** The stub thread `stub` made a system call through another ABI (`int 0x80`, i386's). The
 *  kernel has no such entry, as Linux built without IA32 emulation: the instruction faults
 *  (#GP), which is SIGSEGV with si_code SI_KERNEL. */
export function foreign_syscall(stub: i32): i32 {
  return fault(stub, SIGSEGV, SI_KERNEL, 0);
}

/** The stub thread `stub` died without the kernel asking (killed from outside the sandbox,
 *  or by the host's OOM killer). Its thread group ends with that signal. */
export function stub_died(stub: i32, signo: i32): void {
  if (!tasksByStub.has(stub)) return;
  const t = tasksByStub.get(stub);
  logLine(LOG_WARN, "the stub of pid " + t.tg.tgid.toString() + " died of signal " + signo.toString());
  exitThreadGroup(t.tg, signalStatus(signo, false));
  runPendingWakes();
}

/** A queued task to resume: loads its registers into the block and returns its stub, or 0. */
export function next_runnable(): i32 {
  for (;;) {
    const t = popRunnable();
    if (t === null) return 0;
    // A task queued before its group stopped waits for SIGCONT instead.
    if (holdIfStopped(t)) continue;
    t.regs.loadIntoBlock();
    // A signal that came while it waited in the queue is delivered now.
    if (t.signalPending) {
      const act = signalsBeforeResume(t);
      runWakesKeeping(t);
      if (act != ACT_RESUME) continue;
    }
    return t.stub;
  }
}

/** The stub thread `stub` stopped because the kernel kicked it (host.ts taskKick), its
 *  registers in the block: pending signals are delivered (or its group's stop holds it)
 *  as at a return from a syscall. Returns an action. */
export function kicked(stub: i32): i32 {
  if (!tasksByStub.has(stub)) return ACT_GONE;
  const t = tasksByStub.get(stub);
  setCurrent(t);
  const act = signalsBeforeResume(t);
  setCurrent(null);
  runWakesKeeping(t);
  return act;
}

/** The earliest deadline of a parked task (CLOCK_MONOTONIC ns), or -1. */
export function next_deadline(): f64 {
  const a = nextDeadline();
  const b = nextTimerDeadline();
  return <f64>(a < 0 ? b : b < 0 ? a : a < b ? a : b);
}

/** Wakes the tasks whose deadline is at or before now. */
export function expire(now: f64): void {
  setCurrent(null);
  fireTimers(<i64>now);
  runPendingWakes();
  const due = dueTasks(<i64>now, -1, 0);
  for (let i = 0; i < due.length; i++) if (due[i].state == TASK_BLOCKED) rerun(due[i]);
  runPendingWakes();
}

/** The host fds parked tasks wait on, for the host's poll set: count, then each entry. */
export function poll_count(): i32 {
  let n = 0;
  for (let i = 0; i < parked.length; i++) if (parked[i].waitHostFd >= 0) n += 1 + parked[i].moreHostFds.length;
  return n;
}

/** The parked task of the i-th watched host fd; pollSlot is set to which of its fds. */
function pollEntry(i: i32): i32 {
  for (let k = 0; k < parked.length; k++) {
    const t = parked[k];
    if (t.waitHostFd < 0) continue;
    const n = 1 + t.moreHostFds.length;
    if (i < n) {
      pollSlot = i;
      return k;
    }
    i -= n;
  }
  return -1;
}
let pollSlot: i32 = 0;

export function poll_fd(i: i32): i32 {
  const k = pollEntry(i);
  if (k < 0) return -1;
  const t = parked[k];
  return pollSlot == 0 ? t.waitHostFd : t.moreHostFds[pollSlot - 1];
}

export function poll_events(i: i32): i32 {
  const k = pollEntry(i);
  return k < 0 ? 0 : parked[k].waitEvents;
}

/** Host fd became ready with revents: wakes its waiters. */
export function fd_ready(fd: i32, revents: i32): void {
  setCurrent(null);
  const due = dueTasks(-1, fd, revents);
  for (let i = 0; i < due.length; i++) rerun(due[i]);
  runPendingWakes();
}

/** The wait status of the sandbox's init once it has exited, else -1. */
export function sandbox_status(): i32 {
  return sandboxStatus;
}

/** Emits the syscall table, one line per syscall, on the debug channel:
 *  "nr name level note", level being full, partial or unsupported. */
export function describe_syscalls(): void {
  for (let nr = 0; nr < SYSCALL_COUNT; nr++) {
    const e = syscallTable[nr];
    if (e === null) continue;
    const level = e.level == FULL ? "full" : e.level == PARTIAL ? "partial" : "unsupported";
    logLine(LOG_DEBUG, nr.toString() + "\t" + e.name + "\t" + level + "\t" + e.note);
  }
}
