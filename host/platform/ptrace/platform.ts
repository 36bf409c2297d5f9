// The ptrace platform (DESIGN.md §2): every stub thread runs app code under PTRACE_SYSEMU,
// so the host kernel stops it at each `syscall` instruction without executing it, and at
// each fault. A stub's first thread is also its control thread (stub_control.ts): injections
// run in whichever of its threads is stopped. This file owns the app threads and the loop
// that waits for their stops and hands each one to the kernel.
//
// Every resume loads the register block into the stub (PTRACE_SETREGS), so an injected
// syscall may leave the stub's registers as it likes.
import * as libc from './libc.js';
import { R_ORIG_RAX, R_RAX, R_RIP, REGS_SIZE, StubControl, StubProcess, wifExitedOrSignaled } from '../stub/stub_control.js';
import { ACT_RESUME } from '../../kernel/kernel_module.js';

const SYSCALL_STOP = libc.SIGTRAP | 0x80;
/** How many stub stops may pass before the waker is checked on its own. */
const WAKER_CHECK_EVERY = 32;
/** A stub thread: CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM. */
export const THREAD_FLAGS = 0x100 | 0x200 | 0x400 | 0x800 | 0x10000 | 0x40000;

export class PtracePlatform extends StubControl {
  /** Which stub each extra host thread (app threads beyond the first) belongs to. */
  private readonly threadOwner = new Map<number, StubProcess>();
  private readonly running = new Set<number>();
  private readonly siginfo = Buffer.alloc(128);
  private regsView = new Uint8Array(0);
  private stopsSinceWakerCheck = 0;

  /** The register block in kernel memory (re-made when the memory grows). */
  private regs(): Uint8Array {
    if (this.regsView.byteLength === 0) {
      this.regsView = new Uint8Array(this.kernel.memory.buffer, this.kernel.regs_block(), REGS_SIZE);
    }
    return this.regsView;
  }

  protected override stubOf(tid: number): StubProcess | undefined {
    return this.threadOwner.get(tid) ?? this.stubs.get(tid);
  }

  protected override processOf(id: number): number | undefined {
    return this.stubOf(id)?.pid;
  }

  protected override forgetStub(s: StubProcess): number[] {
    const ids = [s.pid];
    for (const [t, owner] of [...this.threadOwner]) {
      if (owner !== s) continue;
      ids.push(t);
      this.running.delete(t);
      this.threadOwner.delete(t);
    }
    this.running.delete(s.pid);
    return ids;
  }

  /** A new address space: a stub process whose first thread will run the app, left stopped.
   *  Returns its pid, or -errno. */
  createStub(): number {
    const s = this.createStubProcess();
    return typeof s === 'number' ? s : s.pid;
  }

  /** Changes the address space of the stub that thread tid belongs to (mmap, munmap or
   *  mprotect; the result is not waited for). A stopped stub gets the change in a batch
   *  before it runs again; a running one (a shared page changed under another process) at
   *  once. Returns 0, or -errno from a change made at once. */
  changeAddressSpace(tid: number, nr: number, ...args: number[]): number {
    if (this.running.has(tid)) return this.injectAnywhere(tid, nr, ...args);
    const s = this.stubOf(tid);
    if (s) s.pending.push(nr, args[0] ?? 0, args[1] ?? 0, args[2] ?? 0, args[3] ?? 0, args[4] ?? 0, args[5] ?? 0);
    return 0;
  }

  /** inject() into a stub thread that may be running app code (a shared page changes for a
   *  process that is not the caller's): it is interrupted, and afterwards resumed as it was,
   *  a syscall it was stopping at to run again. */
  private injectAnywhere(pid: number, nr: number, ...args: number[]): number {
    const saved = Buffer.alloc(REGS_SIZE);
    libc.ptrace(libc.PTRACE_INTERRUPT, pid, 0, 0);
    if (this.wait(pid) !== pid || wifExitedOrSignaled(this.status[0])) return -libc.ESRCH;
    libc.ptraceBuf(libc.PTRACE_GETREGS, pid, 0, saved);
    if (((this.status[0] >> 8) & 0xff) === SYSCALL_STOP) {
      // Stopped entering a syscall the kernel has not seen: point back at the instruction.
      saved.writeBigUInt64LE(saved.readBigUInt64LE(R_RIP * 8) - 2n, R_RIP * 8);
      saved.writeBigUInt64LE(saved.readBigUInt64LE(R_ORIG_RAX * 8), R_RAX * 8);
    }
    // Any other stop (the interrupt, a fault that runs again, a signal from outside that is
    // swallowed anyway) resumes where it was.
    const r = this.inject(pid, nr, ...args);
    libc.ptraceBuf(libc.PTRACE_SETREGS, pid, 0, saved);
    libc.ptrace(libc.PTRACE_SYSEMU, pid, 0, 0);
    return r;
  }

  /** The thread's XSAVE area (PTRACE_GETREGSET / SETREGSET with NT_X86_XSTATE) from or into
   *  buf. Returns the size of the area, or -errno. */
  fpRegs(tid: number, buf: Uint8Array, set: boolean): number {
    const area = this.xsave();
    if (set) area.set(buf, 0);
    const size = this.xsaveIo(tid, set, set ? buf.length : area.length);
    if (!set && size > 0) buf.set(area.subarray(0, size), 0);
    return size;
  }

  /** Adds a host thread to the stub of the stopped thread `caller` (for an app thread):
   *  an injected clone, seized automatically (PTRACE_O_TRACECLONE). Returns the new thread's
   *  tid, left stopped, or -errno. */
  createThread(caller: number): number {
    const s = this.stubOf(caller);
    if (!s) return -libc.ESRCH;
    const child = this.injectClone(caller, THREAD_FLAGS);
    if (child > 0) this.threadOwner.set(child, s);
    return child;
  }

  /** Ends one stopped host thread of a stub (an app thread exited) by letting it run exit. */
  exitThread(tid: number): void {
    // The stub's first thread may end too: its process lives on with the others, and its
    // exit is reported only when they are all gone. An extra thread stays known until its
    // exit is reaped (handleStop), so that destroyStub can reap it if it comes first: the
    // leader's exit is only reported once every other thread has been reaped.
    this.running.delete(tid);
    const s = this.stubOf(tid);
    if (s && !this.flush(s, tid)) return;
    // Its exit is reported later through the wait loop, which ignores threads it no longer
    // knows.
    this.injectExit(tid);
  }

  /** Interrupts a stub thread that runs app code (PTRACE_INTERRUPT): it stops with
   *  PTRACE_EVENT_STOP and the kernel may deliver a signal to it (handleStop). */
  kick(tid: number): void {
    if (this.running.has(tid)) libc.ptrace(libc.PTRACE_INTERRUPT, tid, 0, 0);
  }

  /** Kills a stub (all its threads; any of them may name it) and reaps it. */
  destroyStub(tid: number): void {
    const s = this.stubOf(tid);
    if (!s || !this.stubs.has(s.pid)) return;
    libc.kill(s.pid, libc.SIGKILL);
    // The leader's exit is only reported once every other thread has been reaped.
    for (const t of this.forgetStub(s)) if (t !== s.pid) this.wait(t);
    this.destroyStubProcess(s);
  }

  private resume(pid: number): void {
    // A stub that dies making its pending changes is reported by the wait loop.
    const s = this.stubOf(pid);
    if (s && !this.flush(s, pid)) return;
    libc.ptraceBuf(libc.PTRACE_SETREGS, pid, 0, this.regs());
    libc.ptrace(libc.PTRACE_SYSEMU, pid, 0, 0);
    this.running.add(pid);
  }

  /** Runs the sandbox until its init exits; returns init's wait status. */
  run(): number {
    const k = this.kernel;
    if (this.wakerPid < 0) {
      // Traced, the waker's SIGUSR1 (stub.S) stops it, which wakes our waitpid.
      const pid = this.startWaker();
      if (libc.ptrace(libc.PTRACE_SEIZE, pid, 0, libc.PTRACE_O_EXITKILL) < 0) throw new Error(`waker: seize: errno ${libc.errno()}`);
    }
    for (;;) {
      this.reportLost();
      for (let pid = k.next_runnable(); pid !== 0; pid = k.next_runnable()) this.resume(pid);
      const st = k.sandbox_status();
      if (st >= 0) return st;
      // One wait for everything: stubs stop, and the waker stops when a timer is due or a
      // watched host fd is ready, so a parked task's deadline fires even while others run.
      this.armWaker();
      this.handleStop();
    }
  }

  /** The waker stopped (or reported something else). */
  private wakerStopped(s: number): void {
    if (wifExitedOrSignaled(s)) throw new Error('the waker process died');
    // Its signal stop: it rang. Other stops just continue it.
    if (((s >> 8) & 0xff) === 10 && this.wakerRang()) this.wake();
    libc.ptrace(libc.PTRACE_CONT, this.wakerPid, 0, 0);
  }

  private handleStop(): void {
    const k = this.kernel;
    // waitpid(-1) reports the newest tracees first, so a stub that stops all the time could
    // keep the waker's stop waiting: look at the waker now and then on its own.
    if (++this.stopsSinceWakerCheck >= WAKER_CHECK_EVERY) {
      this.stopsSinceWakerCheck = 0;
      if (libc.waitpid(this.wakerPid, this.status, libc.WNOHANG | libc.__WALL | libc.__WNOTHREAD) === this.wakerPid) {
        this.wakerStopped(this.status[0]);
        return;
      }
    }
    const pid = this.wait(-1);
    if (pid < 0) throw new Error(`waitpid: errno ${libc.errno()}`);
    const s = this.status[0];
    if (pid === this.wakerPid) {
      this.wakerStopped(s);
      return;
    }
    if (wifExitedOrSignaled(s)) {
      this.running.delete(pid);
      if (this.threadOwner.delete(pid)) return;
      this.stubLost(pid, s);
      this.reportLost();
      return;
    }
    if ((s >> 16) === libc.PTRACE_EVENT_CLONE) {
      // Only injected clones make threads, and createThread consumes their events.
      libc.ptrace(libc.PTRACE_SYSEMU, pid, 0, 0);
      return;
    }
    // Stopped: while the kernel handles the stop, changes to its address space are injected
    // directly (injectAnywhere), and a kick is not needed.
    this.running.delete(pid);
    const sig = (s >> 8) & 0xff;
    let act: number;
    if (sig === SYSCALL_STOP) {
      libc.ptraceBuf(libc.PTRACE_GETREGS, pid, 0, this.regs());
      act = k.syscall(pid);
    } else if ((s >> 16) === 0) {
      // A signal for the stub: the kernel tells a fault of the app from a signal sent to the
      // stub from outside (which it swallows).
      libc.ptraceBuf(libc.PTRACE_GETSIGINFO, pid, 0, this.siginfo);
      libc.ptraceBuf(libc.PTRACE_GETREGS, pid, 0, this.regs());
      act = k.fault(pid, sig, this.siginfo.readInt32LE(8), Number(this.siginfo.readBigUInt64LE(16)));
    } else if ((s >> 16) === libc.PTRACE_EVENT_STOP && sig === libc.SIGTRAP) {
      // A kick (PTRACE_INTERRUPT): the kernel has something for the task, a signal or a stop.
      libc.ptraceBuf(libc.PTRACE_GETREGS, pid, 0, this.regs());
      act = k.kicked(pid);
    } else {
      // Group stops are not the app's: resume.
      libc.ptrace(libc.PTRACE_SYSEMU, pid, 0, 0);
      this.running.add(pid);
      return;
    }
    if (act === ACT_RESUME) this.resume(pid);
  }
}
