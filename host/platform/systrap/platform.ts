// The systrap platform (after gVisor's): app code runs in stub threads that are not traced.
// Their seccomp filter (seccomp/app_filter.ts) turns every syscall into SIGSYS; the stub's
// signal handler (stub.S) posts it, like a fault or a kick, to the thread's context page,
// rings the bell and waits; the Sentry answers with the app's registers written into the
// handler's ucontext, which rt_sigreturn loads. A round trip is two writes to shared memory
// and, when neither side has to sleep, no host syscall at all, where ptrace needs four
// (a stop, GETREGS, SETREGS, a resume). Address-space changes and new threads are made by
// each stub's mm thread (stub.S), which never runs app code; new stub processes by the
// factory's. Nothing is traced but the factory.
//
// A context page and its signal stack are in the app's address space: everything read from
// them is checked, and what the app can do by writing them hurts only its own process.
import os from 'node:os';
import * as libc from '../ptrace/libc.js';
import { HOST_SYS_EXIT, R_FS_BASE, R_GS_BASE, R_ORIG_RAX, R_RAX, REGS_SIZE, StubControl, StubProcess } from '../stub/stub_control.js';
import {
  BELL_COUNT, CMD_RESUME, CMD_RUN, CTX_ADDR, CTX_ARCH, CTX_CODE, CTX_COMMAND, CTX_NR, CTX_PID, CTX_SIGNO, CTX_SPIN,
  CTX_START_ALTSTACK, CTX_START_SECCOMP, CTX_STATE, CTX_TID, CTX_UCONTEXT, PAGE, REGION_SIZE, SENTRY_SLEEPING, ST_ANSWER,
  ST_EVENT, ST_PARK, ST_SLEEP, STUB_BASE, regionAddr,
} from '../stub/stub_layout.js';
import { THREAD_FLAGS } from '../ptrace/platform.js';
import { ACT_RESUME } from '../../kernel/kernel_module.js';

const CLONE_CHILD_CLEARTID = 0x00200000;
const CLONE_UNTRACED = 0x00800000;
const CLONE_CHILD_SETTID = 0x01000000;
/** An app thread (stub.S states the same flags for a stub's first thread). */
const APP_THREAD_FLAGS = THREAD_FLAGS | CLONE_UNTRACED | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID;
const SIGSYS = 31;
const SIGUSR2 = 12;
/** The signal that interrupts an app thread (stub.S installs the handler for it). */
const SIGKICK = SIGUSR2;
const SYS_SECCOMP = 1;
const SI_TKILL = -6;
const AUDIT_ARCH_X86_64 = 0xc000003e;
const ENOSYS = 38;
const HOST_SYS_ARCH_PRCTL = 158;
const HOST_SYS_FUTEX = 202;
const ARCH_SET_GS = 0x1001;
const ARCH_SET_FS = 0x1002;
const FUTEX_WAIT = 0;
const ETIMEDOUT = 110;

// struct ucontext (arch/x86/include/uapi/asm/ucontext.h) and struct sigcontext_64.
const UC_MCONTEXT = 40;
const UC_SIGMASK = 296;
const UC_SIZE = 936;
const MC_CSGSFS = 18;
const MC_FPSTATE = 23;
/** For each struct user_regs_struct slot, the sigcontext slot holding it (-1: none). */
const MC_OF_REG = [7, 6, 5, 4, 10, 11, 3, 2, 1, 0, 13, 14, 12, 9, 8, -1, 16, -1, 17, 15, -1, -1, -1, -1, -1, -1, -1];
const R_CS = 17;
const R_SS = 20;
const FXSAVE_SIZE = 512;
// struct _fpx_sw_bytes in the legacy area's software-reserved bytes.
const FP_SW_MAGIC1 = 464;
const FP_SW_XSTATE_SIZE = 480;
const FP_XSTATE_MAGIC1 = 0x46505853;
/** The legacy area, then the XSAVE header: the least an XSAVE area with components holds. */
const XSAVE_MIN = 576;

/** How long the Sentry spins for an event before it sleeps (ms), and how many `pause`
 *  rounds a stub thread spins for its answer (about 20 ns each here). On two cores a round
 *  trip that neither side sleeps through costs a few microseconds; a sleep and a futex
 *  wake, about ten. */
const SENTRY_SPIN_MS = 0.05;
const STUB_SPIN = 1000;
/** How often (ms) the Sentry checks whether a stub died, and how long it sleeps at most. */
const REAP_EVERY_MS = 50;
/** How long a thread may take to answer the Sentry (ms): to report for work, to run a
 *  syscall it was given, to stop for a kick. */
const ANSWER_TIMEOUT_MS = 5000;

/** An app thread: its stub, its region, and the Sentry's views of its context page. */
interface AppThread {
  tid: number;
  stub: StubProcess;
  region: number;
  /** The context page's words, and the whole region's. */
  ctx: Int32Array;
  u32: Uint32Array;
  u8: Uint8Array;
  /** The thread pointers last set in the host thread. */
  fsBase: number;
  gsBase: number;
}

export class SystrapPlatform extends StubControl {
  private readonly threads = new Map<number, AppThread>();
  /** Address spaces by the id as_create returned (its first thread's tid). */
  private readonly spaces = new Map<number, StubProcess>();
  /** Threads running app code (their state is ST_APP as far as the Sentry knows). */
  private readonly running = new Set<AppThread>();
  /** Regions of exited threads, by stub, until their tid word is cleared. */
  private readonly spare = new Map<StubProcess, number[]>();
  private regsView = new Uint32Array(0);
  private readonly timeout = Buffer.alloc(16);
  private lastReap = 0;
  private readonly cpus = os.availableParallelism();
  /** A stub asked of the factory ahead of need, for the next createStub (see there). */
  private nextStub: { s: StubProcess; t: AppThread } | undefined;

  private regs(): Uint32Array {
    if (this.regsView.byteLength === 0) {
      this.regsView = new Uint32Array(this.kernel.memory.buffer, this.kernel.regs_block(), REGS_SIZE / 4);
    }
    return this.regsView;
  }

  private stubOfId(id: number): StubProcess | undefined {
    return this.threads.get(id)?.stub ?? this.spaces.get(id);
  }

  protected override processOf(id: number): number | undefined {
    return this.stubOfId(id)?.pid;
  }

  /** A new address space with one app thread, left waiting for its registers. Returns the
   *  thread's tid (the address space's id from now on), or -errno. */
  createStub(): number {
    const next = this.nextStub ?? this.requestNewStub();
    this.nextStub = undefined;
    if (typeof next === 'number') return next;
    const tid = this.stubForked(next.s) ? this.started(next.t, true) : -libc.EAGAIN;
    if (tid < 0) return tid;
    this.spare.set(next.s, []);
    this.spaces.set(tid, next.s);
    // A sandbox that makes a second address space (a fork, an exec) usually makes more: the
    // next stub is asked for now, and the factory makes it while the app runs.
    if (this.spaces.size > 1) {
      const ahead = this.requestNewStub();
      if (typeof ahead !== 'number') this.nextStub = ahead;
    }
    return tid;
  }

  /** Asks the factory for a new stub process (requestStub): the stub and the record of its
   *  first thread, or -errno. */
  private requestNewStub(): { s: StubProcess; t: AppThread } | number {
    let t: AppThread | undefined;
    const r = this.requestStub((region) => {
      t = this.newThread(region);
    });
    if (typeof r === 'number') return r;
    t!.stub = r.s;
    return { s: r.s, t: t! };
  }

  override destroyAll(): void {
    // A stub asked for ahead is known by its pid only once its thread has reported.
    const next = this.nextStub;
    this.nextStub = undefined;
    if (next && this.stubForked(next.s)) this.started(next.t, true);
    super.destroyAll();
  }

  /** Adds an app thread to the stub of the stopped thread caller. Returns its tid, or -errno. */
  createThread(caller: number): number {
    const s = this.stubOfId(caller);
    return s ? this.spawnThread(s) : -libc.ESRCH;
  }

  /** The Sentry's record of a thread about to start in region, whose context page it
   *  clears first. */
  private newThread(region: number): AppThread {
    const view = this.regionView(region);
    const t: AppThread = {
      tid: 0, stub: undefined!, region, ctx: new Int32Array(view, 0, PAGE / 4), u32: new Uint32Array(view),
      u8: new Uint8Array(view), fsBase: 0, gsBase: 0,
    };
    t.ctx.fill(0);
    t.ctx[CTX_SPIN / 4] = STUB_SPIN;
    return t;
  }

  /** Makes an app thread in s through its mm thread. Returns its tid, or -errno. */
  private spawnThread(s: StubProcess): number {
    if (!this.spare.has(s)) this.spare.set(s, []);
    const spare = this.spare.get(s)!;
    const reuse = spare.findIndex((i) => new Int32Array(this.regionView(i), CTX_TID, 1)[0] === 0);
    let region: number;
    if (reuse >= 0) {
      region = spare.splice(reuse, 1)[0];
    } else {
      region = this.takeRegion(s);
      if (region < 0) return -libc.EAGAIN;
      this.mapRegion(s, region);
    }
    const t = this.newThread(region);
    t.stub = s;
    if (!this.mmClone(s, APP_THREAD_FLAGS, region)) {
      // Mapped in s already: the region waits there for the next thread.
      spare.push(region);
      return -libc.EAGAIN;
    }
    return this.started(t, false);
  }

  /** Waits for t's new thread to report from its signal handler, and checks that it set up
   *  its signal stack and its filter. A new stub's process is adopted now, by the pid its
   *  thread noted (no app code has run in it yet). Returns the thread's tid, which the host
   *  kernel wrote into its context page, or -errno. A stub that fails now is killed: a
   *  fresh one (the kernel does not know it yet) is forgotten at once. */
  private started(t: AppThread, fresh: boolean): number {
    const s = t.stub;
    // A thread that could not set its signal stack or its filter ends its whole stub
    // (stub.S): it never posts.
    const posted = this.waitPosted(t);
    const pid = this.u64(t, CTX_PID);
    if (s.pid === 0 && posted && pid > 0 && !this.stubs.has(pid)) this.adopt(s, pid);
    // The app's other threads may have written a thread's context page before it started:
    // its tid must be a new thread of its own process.
    const tid = t.ctx[CTX_TID / 4];
    // (The stub's first thread, s.pid, is its mm thread, never an app thread.)
    if (s.pid === 0 || !posted || t.ctx[CTX_SIGNO / 4] !== SIGSYS || this.u64(t, CTX_START_ALTSTACK) !== 0 ||
        this.u64(t, CTX_START_SECCOMP) !== 0 || tid <= 0 || tid === s.pid || this.threads.has(tid) ||
        libc.tgkill(s.pid, tid, 0) < 0) {
      // A fresh stub that never reported is left as it is (its regions are not reused):
      // nothing says which process to kill.
      if (fresh && s.pid !== 0) this.destroyStubProcess(s, false);
      else if (!fresh) libc.kill(s.pid, libc.SIGKILL);
      return -libc.EAGAIN;
    }
    t.tid = tid;
    this.threads.set(tid, t);
    return tid;
  }

  /** Waits until t posts an event, its stub dies, or ANSWER_TIMEOUT_MS pass: spinning a
   *  while, then sleeping on the bell, which its post rings. Whether it posted. */
  private waitPosted(t: AppThread): boolean {
    const posted = () => {
      const st = Atomics.load(t.ctx, CTX_STATE / 4);
      return st === ST_EVENT || st === ST_SLEEP;
    };
    const spinEnd = performance.now() + SENTRY_SPIN_MS;
    while (performance.now() < spinEnd) if (posted()) return true;
    const end = performance.now() + ANSWER_TIMEOUT_MS;
    for (;;) {
      const count = Atomics.load(this.bell, BELL_COUNT);
      if (posted()) return true;
      if (performance.now() > end) return false;
      // A stub process not adopted yet is not known by its pid: a child that is no stub
      // dying meanwhile is taken for it (no other process of ours may die unnoticed).
      if (t.stub.pid === 0 ? this.reapDead() : !this.stubs.has(t.stub.pid) || this.reapOne(t.stub.pid)) return false;
      this.sleepOnBell(count, 1);
    }
  }

  /** Sleeps until the bell's count is no longer `count`, or ms pass. Whether ms passed. */
  private sleepOnBell(count: number, ms: number): boolean {
    let timedOut = false;
    Atomics.store(this.sentryPage, SENTRY_SLEEPING, 1);
    if (Atomics.load(this.bell, BELL_COUNT) === count) {
      this.timeout.writeBigInt64LE(0n, 0);
      this.timeout.writeBigInt64LE(BigInt(ms * 1e6), 8);
      const r = libc.syscallBuf4(HOST_SYS_FUTEX, this.bellAddr(BELL_COUNT), FUTEX_WAIT, count, this.timeout, 0, 0) as number;
      timedOut = r < 0 && libc.errno() === ETIMEDOUT;
    }
    Atomics.store(this.sentryPage, SENTRY_SLEEPING, 0);
    return timedOut;
  }

  /** Sets t's command and wakes it. */
  private answer(t: AppThread, command: number): void {
    t.ctx[CTX_COMMAND / 4] = command;
    const was = Atomics.exchange(t.ctx, CTX_STATE / 4, ST_ANSWER);
    if (was === ST_SLEEP || was === ST_PARK) {
      this.futexWake(this.memfdBase + (regionAddr(t.region) - STUB_BASE) + CTX_STATE);
    }
  }

  /** Makes t run one host syscall from its handler (one the app filter allows) and waits for
   *  the result: whether it came. */
  private runInThread(t: AppThread, nr: number, ...args: number[]): boolean {
    this.setSyscall(t, nr, args);
    this.answer(t, CMD_RUN);
    return this.waitPosted(t);
  }

  private setSyscall(t: AppThread, nr: number, args: number[]): void {
    const w = (CTX_NR / 4) | 0;
    [nr, ...args, 0, 0, 0, 0, 0, 0].slice(0, 7).forEach((v, i) => {
      t.u32[w + 2 * i] = v % 0x100000000;
      t.u32[w + 2 * i + 1] = Math.floor(v / 0x100000000);
    });
  }

  /** The unsigned 64-bit word at byte offset off (8-aligned) of t's region, as a number. */
  private u64(t: AppThread, off: number): number {
    return t.u32[off / 4] + t.u32[off / 4 + 1] * 0x100000000;
  }

  /** The offset in t's region of the ucontext its handler got, or -1 if it is not on the
   *  signal stack where the host kernel puts it (only the app can have moved it: it broke
   *  its own stub). */
  private ucontext(t: AppThread): number {
    const off = this.u64(t, CTX_UCONTEXT) - regionAddr(t.region);
    return off >= PAGE && off <= REGION_SIZE - UC_SIZE && off % 8 === 0 ? off : -1;
  }

  /** Where the XSAVE area of t's handler's frame is in t's region, and its size; offset -1
   *  if it is not where the host kernel puts it. The size is what the frame's
   *  software-reserved bytes say (the host's frame holds the features the thread may use,
   *  less than ptrace's full area when AMX is not enabled), bounded by ptrace's size. */
  private fpArea(t: AppThread): { fp: number; size: number } {
    const none = { fp: -1, size: 0 };
    const uc = this.ucontext(t);
    if (uc < 0) return none;
    const fp = this.u64(t, uc + UC_MCONTEXT + 8 * MC_FPSTATE) - regionAddr(t.region);
    if (fp < PAGE || fp > REGION_SIZE - FXSAVE_SIZE || fp % 64 !== 0) return none;
    let size = FXSAVE_SIZE;
    if (t.u32[(fp + FP_SW_MAGIC1) / 4] === FP_XSTATE_MAGIC1) {
      size = t.u32[(fp + FP_SW_XSTATE_SIZE) / 4];
      if (size < XSAVE_MIN || size > Math.max(this.xsaveSize, XSAVE_MIN) || fp + size > REGION_SIZE) return none;
    }
    return { fp, size };
  }

  changeAddressSpace(id: number, nr: number, ...args: number[]): number {
    const s = this.stubOfId(id);
    if (!s) return 0;
    s.pending.push(nr, args[0] ?? 0, args[1] ?? 0, args[2] ?? 0, args[3] ?? 0, args[4] ?? 0, args[5] ?? 0);
    // While a thread of the stub runs, a change is made at once (the mm thread is always
    // free to make it): a page unmapped now may be given to another process next.
    for (const t of this.running) if (t.stub === s) return this.flush(s) ? 0 : -libc.ESRCH;
    return 0;
  }

  /** The XSAVE area of the signal frame t's handler got, from or into buf, in the layout of
   *  ptrace's NT_X86_XSTATE regset. Returns its size, or -errno. */
  fpRegs(tid: number, buf: Uint8Array, set: boolean): number {
    const t = this.threads.get(tid);
    const { fp, size } = t ? this.fpArea(t) : { fp: -1, size: 0 };
    if (!t || fp < 0) return -libc.EFAULT;
    if (!set) {
      const n = Math.min(size, buf.length);
      buf.set(t.u8.subarray(fp, fp + n), 0);
      return n;
    }
    const len = buf.length;
    if (len > size || (len > FXSAVE_SIZE && len < XSAVE_MIN) || len < FXSAVE_SIZE) return -libc.EINVAL;
    const area = new DataView(t.u8.buffer, fp, size);
    const given = new DataView(buf.buffer, buf.byteOffset, len);
    // What PTRACE_SETREGSET refuses (and rt_sigreturn would fault on): MXCSR bits the CPU
    // lacks, XSAVE features the frame does not hold, a compacted or dirty header.
    const mxcsrMask = area.getUint32(28, true) || 0xffbf;
    if ((given.getUint32(24, true) & ~mxcsrMask) !== 0) return -libc.EINVAL;
    if (len > FXSAVE_SIZE) {
      const features = area.getBigUint64(472, true);
      if ((given.getBigUint64(512, true) & ~features) !== 0n || given.getBigUint64(520, true) !== 0n) return -libc.EINVAL;
      for (let i = 528; i < XSAVE_MIN; i++) if (buf[i] !== 0) return -libc.EINVAL;
    }
    // The software-reserved bytes stay the frame's: they describe it to rt_sigreturn.
    t.u8.set(buf.subarray(0, 464), fp);
    if (len > FXSAVE_SIZE) t.u8.set(buf.subarray(FXSAVE_SIZE, len), fp + FXSAVE_SIZE);
    return size;
  }

  /** Ends an app thread: its handler runs exit. A thread still running app code (its
   *  process execs) is kicked first and ends at its next stop. */
  exitThread(tid: number): void {
    const t = this.threads.get(tid);
    if (!t) return;
    this.threads.delete(tid);
    if (this.running.delete(t)) {
      libc.tgkill(t.stub.pid, tid, SIGKICK);
      if (!this.waitPosted(t)) {
        libc.kill(t.stub.pid, libc.SIGKILL);
        return;
      }
    }
    this.setSyscall(t, HOST_SYS_EXIT, [0]);
    this.answer(t, CMD_RUN);
    // Its region is reused once the host kernel has cleared its tid word.
    this.spare.get(t.stub)?.push(t.region);
  }

  /** Interrupts an app thread that runs app code: its handler reports the signal. */
  kick(tid: number): void {
    const t = this.threads.get(tid);
    if (t && this.running.has(t)) libc.tgkill(t.stub.pid, tid, SIGKICK);
  }

  destroyStub(id: number): void {
    const s = this.stubOfId(id);
    if (!s) return;
    this.forgetStub(s);
    this.destroyStubProcess(s, false);
  }

  protected override forgetStub(s: StubProcess): number[] {
    const ids: number[] = [];
    for (const [tid, t] of [...this.threads]) {
      if (t.stub !== s) continue;
      ids.push(tid);
      this.threads.delete(tid);
      this.running.delete(t);
    }
    for (const [id, sp] of [...this.spaces]) {
      if (sp !== s) continue;
      ids.push(id);
      this.spaces.delete(id);
    }
    this.spare.delete(s);
    return ids;
  }

  /** Gives t the registers in the kernel's register block and lets it run. */
  private resume(t: AppThread): void {
    if (!this.flush(t.stub)) return;
    const uc = this.ucontext(t);
    if (uc < 0) {
      libc.kill(t.stub.pid, libc.SIGKILL);
      return;
    }
    const r = this.regs();
    const mc = (uc + UC_MCONTEXT) / 4;
    for (let i = 0; i < MC_OF_REG.length; i++) {
      const m = MC_OF_REG[i];
      if (m < 0) continue;
      t.u32[mc + 2 * m] = r[2 * i];
      t.u32[mc + 2 * m + 1] = r[2 * i + 1];
    }
    // The host mask rt_sigreturn restores is empty (the kernel keeps the app's own mask): a
    // new thread starts with its kick signal blocked (stub.S), and this unblocks it.
    t.u32[(uc + UC_SIGMASK) / 4] = 0;
    t.u32[(uc + UC_SIGMASK) / 4 + 1] = 0;
    const gs = r[2 * R_GS_BASE] + r[2 * R_GS_BASE + 1] * 0x100000000;
    if (gs !== t.gsBase) {
      if (!this.runInThread(t, HOST_SYS_ARCH_PRCTL, ARCH_SET_GS, gs)) {
        libc.kill(t.stub.pid, libc.SIGKILL);
        return;
      }
      t.gsBase = gs;
    }
    const fs = r[2 * R_FS_BASE] + r[2 * R_FS_BASE + 1] * 0x100000000;
    let command = CMD_RESUME;
    if (fs !== t.fsBase) {
      this.setSyscall(t, HOST_SYS_ARCH_PRCTL, [ARCH_SET_FS, fs]);
      command |= CMD_RUN;
      t.fsBase = fs;
    }
    this.running.add(t);
    this.answer(t, command);
  }

  /** Copies the registers t's handler saved into the kernel's register block. */
  private loadRegs(t: AppThread, uc: number, syscall: boolean): void {
    const r = this.regs();
    const mc = (uc + UC_MCONTEXT) / 4;
    for (let i = 0; i < MC_OF_REG.length; i++) {
      const m = MC_OF_REG[i];
      r[2 * i] = m < 0 ? 0 : t.u32[mc + 2 * m];
      r[2 * i + 1] = m < 0 ? 0 : t.u32[mc + 2 * m + 1];
    }
    const csgsfs = t.u32[mc + 2 * MC_CSGSFS];
    r[2 * R_CS] = csgsfs & 0xffff;
    r[2 * R_SS] = t.u32[mc + 2 * MC_CSGSFS + 1] >>> 16;
    r[2 * R_FS_BASE] = t.fsBase % 0x100000000;
    r[2 * R_FS_BASE + 1] = Math.floor(t.fsBase / 0x100000000);
    r[2 * R_GS_BASE] = t.gsBase % 0x100000000;
    r[2 * R_GS_BASE + 1] = Math.floor(t.gsBase / 0x100000000);
    // As a ptrace syscall stop shows it: orig_rax the number, rax -ENOSYS; otherwise not in
    // a syscall.
    if (syscall) {
      r[2 * R_ORIG_RAX] = r[2 * R_RAX];
      r[2 * R_ORIG_RAX + 1] = r[2 * R_RAX + 1];
      r[2 * R_RAX] = -ENOSYS >>> 0;
      r[2 * R_RAX + 1] = 0xffffffff;
    } else {
      r[2 * R_ORIG_RAX] = 0xffffffff;
      r[2 * R_ORIG_RAX + 1] = 0xffffffff;
    }
  }

  /** t posted an event: hand it to the kernel. */
  private handleEvent(t: AppThread): void {
    const k = this.kernel;
    this.running.delete(t);
    const uc = this.ucontext(t);
    if (uc < 0) {
      libc.kill(t.stub.pid, libc.SIGKILL);
      return;
    }
    const signo = t.ctx[CTX_SIGNO / 4];
    const code = t.ctx[CTX_CODE / 4];
    const trapped = signo === SIGSYS && code === SYS_SECCOMP;
    const syscall = trapped && t.ctx[CTX_ARCH / 4] >>> 0 === AUDIT_ARCH_X86_64;
    this.loadRegs(t, uc, syscall);
    let act: number;
    if (syscall) act = k.syscall(t.tid);
    // A syscall of another ABI (int 0x80): what it means is the kernel's business.
    else if (trapped) act = k.foreign_syscall(t.tid);
    else if (signo === SIGKICK && code === SI_TKILL) act = k.kicked(t.tid);
    else act = k.fault(t.tid, signo, code, this.u64(t, CTX_ADDR));
    if (this.threads.get(t.tid) !== t) return;
    if (act === ACT_RESUME) this.resume(t);
    // Parked: its thread stops spinning for an answer that may be long in coming (it would
    // take a CPU from the threads that run).
    else Atomics.compareExchange(t.ctx, CTX_STATE / 4, ST_EVENT, ST_PARK);
  }

  /** Handles every event posted so far; returns how many there were. */
  private scan(): number {
    let n = 0;
    if (this.wakerRang()) {
      this.wake();
      n++;
    }
    for (const t of this.running) {
      const st = Atomics.load(t.ctx, CTX_STATE / 4);
      if (st === ST_EVENT || st === ST_SLEEP) {
        this.handleEvent(t);
        n++;
      }
    }
    return n;
  }

  /** Reaps stubs that died (killed from outside, or by the host for something the app did)
   *  and tells the kernel. Returns how many there were. */
  private reap(): number {
    this.lastReap = performance.now();
    this.reapDead();
    return this.reportLost();
  }

  /** Reaps the children that died (stubs are reported later, reportLost). Whether one of
   *  them was not a known stub. */
  private reapDead(): boolean {
    let stranger = false;
    for (;;) {
      const pid = libc.waitpid(-1, this.status, libc.WNOHANG | libc.__WALL | libc.__WNOTHREAD) as number;
      if (pid <= 0) return stranger;
      if (pid === this.wakerPid) throw new Error('the waker process died');
      if (!this.stubLost(pid, this.status[0])) stranger = true;
    }
  }

  /** Waits until at least one event has been handled or a stub has died: spins a while,
   *  then sleeps on the bell. */
  private waitEvents(): void {
    for (;;) {
      const count = Atomics.load(this.bell, BELL_COUNT);
      if (this.scan() > 0) return;
      // Spinning takes a CPU: only while one is left over by the threads that run.
      const spinEnd = this.running.size < this.cpus ? performance.now() + SENTRY_SPIN_MS : 0;
      let rang = false;
      while (!rang && performance.now() < spinEnd) {
        for (let i = 0; i < 64 && !rang; i++) rang = Atomics.load(this.bell, BELL_COUNT) !== count;
      }
      if (rang) continue;
      if (this.reap() > 0) return;
      if (this.sleepOnBell(count, REAP_EVERY_MS) && this.reap() > 0) return;
    }
  }

  /** Runs the sandbox until its init exits; returns init's wait status. */
  run(): number {
    const k = this.kernel;
    if (this.wakerPid < 0) this.startWaker();
    for (;;) {
      // Stubs that died inside the kernel's calls; and, however busy the sandbox is, the
      // ones that died on their own are found within REAP_EVERY_MS.
      if (performance.now() - this.lastReap >= REAP_EVERY_MS) this.reap();
      else this.reportLost();
      for (let id = k.next_runnable(); id !== 0; id = k.next_runnable()) {
        const t = this.threads.get(id);
        if (t) this.resume(t);
      }
      const st = k.sandbox_status();
      if (st >= 0) return st;
      this.armWaker();
      this.waitEvents();
    }
  }
}
