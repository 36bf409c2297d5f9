// The ptrace platform (DESIGN.md §2): stubs are host processes run under PTRACE_SYSEMU, so the
// host kernel stops them at every `syscall` instruction without executing it. This file owns
// the stubs (creation, injected syscalls, destruction) and the loop that waits for their stops
// and hands each one to the kernel. It must run on one thread: the one that seized the stubs.
//
// Every resume loads the register block into the stub (PTRACE_SETREGS), so an injected syscall
// may leave the stub's registers as it likes.
import * as libc from './libc.js';
import { STUB_BASE, STUB_BATCH_ADDR, STUB_BATCH_MAX, STUB_CTRL_ADDR, STUB_SYSCALL_ADDR } from './stub_image.js';
import { ACT_RESUME, KernelExports } from '../../kernel/kernel_module.js';

const REGS_SIZE = 27 * 8;
// struct user_regs_struct slots (arch/x86/include/asm/user_64.h).
const R_R10 = 7;
const R_R9 = 8;
const R_R8 = 9;
const R_RAX = 10;
const R_RDX = 12;
const R_RSI = 13;
const R_RDI = 14;
const R_ORIG_RAX = 15;
const R_RIP = 16;
const ARG_SLOTS = [R_RDI, R_RSI, R_RDX, R_R10, R_R8, R_R9];
/** Top of the host's user address space (47-bit). */
const HOST_TASK_SIZE = 0x7ffffffff000;
const SYSCALL_STOP = libc.SIGTRAP | 0x80;
const POLLIN = 1;
const EPOLL_CTL_ADD = 1;
const EPOLL_CTL_DEL = 2;
const EPOLL_CTL_MOD = 3;
const EPOLLONESHOT = 1 << 30;
const TFD_TIMER_ABSTIME = 1;
const NT_X86_XSTATE = 0x202;
/** The largest XSAVE area handled (AVX-512 needs 2.7 KiB, AMX tiles about 11 KiB). */
export const FP_MAX = 16384;
/** How many stub stops may pass before the waker is checked on its own. */
const WAKER_CHECK_EVERY = 32;

// Host syscall numbers the platform injects into stubs to build address spaces and threads.
export const HOST_SYS_MMAP = 9;
const HOST_SYS_CLONE = 56;
const HOST_SYS_EXIT = 60;
/** A stub thread: CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM. */
const THREAD_FLAGS = 0x100 | 0x200 | 0x400 | 0x800 | 0x10000 | 0x40000;
/** A new stub from the factory: a copy of its (empty) address space whose parent is ours
 *  (CLONE_PARENT), with no exit signal, so that it is traced through PTRACE_O_TRACECLONE and
 *  we reap it. */
const STUB_FORK_FLAGS = 0x8000;
export const HOST_SYS_MPROTECT = 10;
export const HOST_SYS_MUNMAP = 11;
/** The stub's fd for the memory file (posix_spawn puts it at 0 and closes the rest). */
export const STUB_MEMFILE_FD = 0;
/** The stub's fd for the control page's memfd (at 1). */
const STUB_CTRL_FD = 1;
const PAGE = 0x1000;
const PROT_READ_WRITE = 3;
const MAP_SHARED_FIXED = 0x01 | 0x10;

const wifStopped = (s: number) => (s & 0xff) === 0x7f;
const wifExitedOrSignaled = (s: number) => !wifStopped(s) && (s & 0xffff) !== 0xffff;

export class PtracePlatform {
  private readonly live = new Set<number>();
  /** A stub that is never run: new stubs are forked from it (0: not made yet). */
  private factory = 0;
  /** The control page (stub_image.ts): its memfd, and the Sentry's view of it. */
  private ctrlFd = -1;
  private ctrl = new BigInt64Array(0);
  /** Address-space changes not yet made, by stub (the first thread's pid): flat entries of a
   *  syscall number and six arguments. They are made in one batch before the stub runs. */
  private readonly pending = new Map<number, number[]>();
  /** Extra host threads of each stub (app threads beyond the first), by stub pid. */
  private readonly threads = new Map<number, Set<number>>();
  /** Which stub a host thread belongs to. */
  private readonly threadOwner = new Map<number, number>();
  private readonly eventMsg = new BigUint64Array(1);
  private readonly running = new Set<number>();
  private readonly status = [0];
  /** Registers of a stopped stub: valid segment selectors to start injections from. */
  private template: Buffer | undefined;
  private readonly injRegs = Buffer.alloc(REGS_SIZE);
  private readonly siginfo = Buffer.alloc(128);
  private readonly timespec = Buffer.alloc(16);
  private kernel!: KernelExports;
  private regsView = new Uint8Array(0);

  // The waker (waker_image.ts): its pid, the epoll set it waits on, the timerfd in that set,
  // and which host fds are in the set for which events.
  private wakerPid = -1;
  private epfd = -1;
  private timerfd = -1;
  private armedDeadline = -1;
  private readonly watched = new Map<number, number>();
  private readonly epollEvent = Buffer.alloc(12);
  private readonly itimerspec = Buffer.alloc(32);
  private stopsSinceWakerCheck = 0;
  /** Native memory for XSAVE areas (PTRACE_GETREGSET needs an address). */
  private xstate = 0;
  private xstateView = new Uint8Array(0);

  constructor(private readonly stubPath: string, private readonly memfileFd: number, private readonly wakerPath: string) {}

  attach(kernel: KernelExports): void {
    this.kernel = kernel;
  }

  /** The register block in kernel memory (re-made when the memory grows). */
  private regs(): Uint8Array {
    if (this.regsView.byteLength === 0) {
      this.regsView = new Uint8Array(this.kernel.memory.buffer, this.kernel.regs_block(), REGS_SIZE);
    }
    return this.regsView;
  }

  private wait(pid: number): number {
    for (;;) {
      const r = libc.waitpid(pid, this.status, libc.__WALL | libc.__WNOTHREAD);
      if (r >= 0 || libc.errno() !== libc.EINTR) return r;
    }
  }

  /** A new stub with an empty address space but for the stub page, left stopped: forked from
   *  the factory stub by an injected clone (one host round trip instead of a process spawn
   *  and exec). Returns its pid, or -errno. */
  createStub(): number {
    if (this.factory === 0) {
      const f = this.spawnStub();
      if (f < 0) return f;
      this.factory = f;
    }
    const pid = this.injectClone(this.factory, STUB_FORK_FLAGS);
    if (pid > 0) this.live.add(pid);
    return pid;
  }

  /** Starts a stub from its file and empties its address space but for the stub page.
   *  Returns its pid, or -errno. The stub is left stopped. */
  private spawnStub(): number {
    if (this.ctrlFd < 0) this.makeControlPage();
    const fa = Buffer.alloc(128);
    const attr = Buffer.alloc(512);
    libc.spawnFileActionsInit(fa);
    libc.spawnAttrInit(attr);
    try {
      libc.spawnFileActionsAddDup2(fa, this.memfileFd, STUB_MEMFILE_FD);
      libc.spawnFileActionsAddDup2(fa, this.ctrlFd, STUB_CTRL_FD);
      libc.spawnFileActionsAddClosefrom(fa, STUB_CTRL_FD + 1);
      // Its own session: terminal signals meant for wvisor's process group do not reach it.
      libc.spawnAttrSetflags(attr, libc.POSIX_SPAWN_SETSID);
      const pid = [0];
      const err = libc.posixSpawn(pid, this.stubPath, fa, attr, ['wvisor-stub', null], [null]);
      if (err !== 0) return -err;
      return this.seize(pid[0]);
    } finally {
      libc.spawnFileActionsDestroy(fa);
      libc.spawnAttrDestroy(attr);
    }
  }

  private seize(pid: number): number {
    // The stub stops itself with SIGSTOP; seizing it then turns that into a ptrace stop.
    if (libc.waitpid(pid, this.status, libc.WUNTRACED | libc.__WALL) !== pid || !wifStopped(this.status[0])) {
      libc.kill(pid, libc.SIGKILL);
      this.wait(pid);
      return -libc.ESRCH;
    }
    if (libc.ptrace(libc.PTRACE_SEIZE, pid, 0, libc.PTRACE_O_EXITKILL | libc.PTRACE_O_TRACESYSGOOD | libc.PTRACE_O_TRACECLONE) < 0) {
      const e = libc.errno();
      libc.kill(pid, libc.SIGKILL);
      this.wait(pid);
      return -e;
    }
    this.wait(pid);
    this.live.add(pid);
    if (!this.template) {
      this.template = Buffer.alloc(REGS_SIZE);
      libc.ptraceBuf(libc.PTRACE_GETREGS, pid, 0, this.template);
    }
    const stubEnd = STUB_BASE + PAGE;
    let r = this.inject(pid, HOST_SYS_MUNMAP, 0, STUB_BASE);
    if (r >= 0) r = this.inject(pid, HOST_SYS_MUNMAP, stubEnd, HOST_TASK_SIZE - stubEnd);
    if (r >= 0) r = this.inject(pid, HOST_SYS_MMAP, STUB_CTRL_ADDR, PAGE, PROT_READ_WRITE, MAP_SHARED_FIXED, STUB_CTRL_FD, 0);
    if (r < 0) {
      this.destroyStub(pid);
      return r;
    }
    return pid;
  }

  /** The memfd of the control page, mapped in every stub at STUB_CTRL_ADDR and here. */
  private makeControlPage(): void {
    const MFD_CLOEXEC = 1;
    const MAP_SHARED = 1;
    this.ctrlFd = libc.memfdCreate('wvisor-control', MFD_CLOEXEC) as number;
    if (this.ctrlFd < 0 || libc.ftruncate(this.ctrlFd, PAGE) < 0) throw new Error(`control page: errno ${libc.errno()}`);
    const addr = libc.mmap(0, PAGE, PROT_READ_WRITE, MAP_SHARED, this.ctrlFd, 0) as number;
    if (addr === -1 || addr === 0xffffffffffffffff) throw new Error(`control page: mmap errno ${libc.errno()}`);
    this.ctrl = new BigInt64Array(libc.koffi.view(addr, PAGE));
  }

  /** Changes the address space of the stub that thread tid belongs to (mmap, munmap or
   *  mprotect; the result is not waited for). A stopped stub gets the change in a batch
   *  before it runs again; a running one (a shared page changed under another process) at
   *  once. Returns 0, or -errno from a change made at once. */
  changeAddressSpace(tid: number, nr: number, ...args: number[]): number {
    if (this.running.has(tid)) return this.injectAnywhere(tid, nr, ...args);
    const stub = this.threadOwner.get(tid) ?? tid;
    let q = this.pending.get(stub);
    if (!q) {
      q = [];
      this.pending.set(stub, q);
    }
    q.push(nr, args[0] ?? 0, args[1] ?? 0, args[2] ?? 0, args[3] ?? 0, args[4] ?? 0, args[5] ?? 0);
    return 0;
  }

  /** Makes the pending changes of tid's stub through the stopped thread tid, a batch of at
   *  most STUB_BATCH_MAX syscalls per round trip. A change the host refuses (it is out of
   *  memory or mappings) leaves the app's memory wrong: its stub is killed. Returns whether
   *  the stub lives. */
  private flush(tid: number): boolean {
    const stub = this.threadOwner.get(tid) ?? tid;
    const q = this.pending.get(stub);
    if (!q) return true;
    this.pending.delete(stub);
    const c = this.ctrl;
    for (let start = 0; start < q.length; start += 7 * STUB_BATCH_MAX) {
      const n = Math.min(STUB_BATCH_MAX, (q.length - start) / 7);
      c[0] = BigInt(n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < 7; j++) c[1 + 8 * i + j] = BigInt(q[start + 7 * i + j]);
        c[1 + 8 * i + 7] = 0n;
      }
      if (this.runAt(tid, STUB_BATCH_ADDR) < 0) return false;
      for (let i = 0; i < n; i++) {
        if (c[1 + 8 * i + 7] < 0n) {
          libc.kill(stub, libc.SIGKILL);
          return false;
        }
      }
    }
    return true;
  }

  /** inject() into a stub thread that may be running app code (a shared page changes for a
   *  process that is not the caller's): it is interrupted, and afterwards resumed as it was,
   *  a syscall it was stopping at to run again. */
  injectAnywhere(pid: number, nr: number, ...args: number[]): number {
    if (!this.running.has(pid)) return this.inject(pid, nr, ...args);
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

  /** Runs one host syscall inside a stopped stub and returns its result (-errno on failure,
   *  -ESRCH if the stub died). Precondition: the stub is stopped. */
  inject(pid: number, nr: number, ...args: number[]): number {
    // The changes already asked for come first.
    if (!this.flush(pid)) return -libc.ESRCH;
    const r = this.injRegs;
    this.template!.copy(r);
    r.writeBigUInt64LE(BigInt(nr), R_RAX * 8);
    // A thread's own syscall: its exit is the thread's end, not a stop to wait for.
    if (nr === HOST_SYS_EXIT) {
      r.writeBigInt64LE(-1n, R_ORIG_RAX * 8);
      r.writeBigUInt64LE(BigInt(STUB_SYSCALL_ADDR), R_RIP * 8);
      r.writeBigUInt64LE(BigInt(args[0] ?? 0), R_RDI * 8);
      libc.ptraceBuf(libc.PTRACE_SETREGS, pid, 0, r);
      // Its exit is reported later through the wait loop, which ignores threads it no
      // longer knows.
      libc.ptrace(libc.PTRACE_CONT, pid, 0, 0);
      return 0;
    }
    for (let i = 0; i < args.length; i++) r.writeBigUInt64LE(BigInt(args[i]), ARG_SLOTS[i] * 8);
    return this.runAt(pid, STUB_SYSCALL_ADDR);
  }

  /** Runs the stopped stub thread pid from the stub code at rip, with the registers in
   *  injRegs, until its int3; returns rax then (-ESRCH if the stub died). */
  private runAt(pid: number, rip: number): number {
    const r = this.injRegs;
    if (rip === STUB_BATCH_ADDR) this.template!.copy(r);
    r.writeBigInt64LE(-1n, R_ORIG_RAX * 8);
    r.writeBigUInt64LE(BigInt(rip), R_RIP * 8);
    libc.ptraceBuf(libc.PTRACE_SETREGS, pid, 0, r);
    libc.ptrace(libc.PTRACE_CONT, pid, 0, 0);
    for (;;) {
      if (this.wait(pid) !== pid) return -libc.ESRCH;
      const s = this.status[0];
      if (wifExitedOrSignaled(s)) {
        this.live.delete(pid);
        this.running.delete(pid);
        return -libc.ESRCH;
      }
      if (((s >> 8) & 0xff) === libc.SIGTRAP && (s >> 16) === 0) break;
      // Anything else (a signal sent to the stub from outside) is swallowed.
      libc.ptrace(libc.PTRACE_CONT, pid, 0, 0);
    }
    libc.ptraceBuf(libc.PTRACE_GETREGS, pid, 0, r);
    return Number(r.readBigInt64LE(R_RAX * 8));
  }

  /** The thread's XSAVE area (PTRACE_GETREGSET / SETREGSET with NT_X86_XSTATE) from or into
   *  buf. Returns the size of the area, or -errno. */
  fpRegs(tid: number, buf: Uint8Array, set: boolean): number {
    if (this.xstate === 0) {
      this.xstate = libc.malloc(FP_MAX + 16) as number;
      this.xstateView = new Uint8Array(libc.koffi.view(this.xstate, FP_MAX + 16));
    }
    const iov = new DataView(this.xstateView.buffer, FP_MAX, 16);
    iov.setUint32(0, this.xstate % 0x100000000, true);
    iov.setUint32(4, Math.floor(this.xstate / 0x100000000), true);
    iov.setUint32(8, set ? buf.length : FP_MAX, true);
    iov.setUint32(12, 0, true);
    if (set) this.xstateView.set(buf, 0);
    const r = libc.ptrace(set ? libc.PTRACE_SETREGSET : libc.PTRACE_GETREGSET, tid, NT_X86_XSTATE, this.xstate + FP_MAX) as number;
    if (r < 0) return -libc.errno();
    const size = iov.getUint32(8, true);
    if (!set) buf.set(this.xstateView.subarray(0, size), 0);
    return size;
  }

  /** Adds a host thread to the stub of the stopped thread `caller` (for an app thread):
   *  an injected clone, seized automatically (PTRACE_O_TRACECLONE). Returns the new thread's
   *  tid, left stopped, or -errno. */
  createThread(caller: number): number {
    const stub = this.threadOwner.get(caller) ?? caller;
    const child = this.injectClone(caller, THREAD_FLAGS);
    if (child < 0) return child;
    if (!this.threads.has(stub)) this.threads.set(stub, new Set());
    this.threads.get(stub)!.add(child);
    this.threadOwner.set(child, stub);
    return child;
  }

  /** Runs clone(flags) in the stopped stub thread caller; the new task is seized through
   *  PTRACE_O_TRACECLONE. Returns its tid, left in its first ptrace stop, or -errno. */
  private injectClone(caller: number, flags: number): number {
    if (!this.flush(caller)) return -libc.ESRCH;
    const r = this.injRegs;
    this.template!.copy(r);
    r.writeBigUInt64LE(BigInt(HOST_SYS_CLONE), R_RAX * 8);
    r.writeBigInt64LE(-1n, R_ORIG_RAX * 8);
    r.writeBigUInt64LE(BigInt(STUB_SYSCALL_ADDR), R_RIP * 8);
    r.writeBigUInt64LE(BigInt(flags), R_RDI * 8);
    for (const slot of [R_RSI, R_RDX, R_R10, R_R8, R_R9]) r.writeBigUInt64LE(0n, slot * 8);
    libc.ptraceBuf(libc.PTRACE_SETREGS, caller, 0, r);
    libc.ptrace(libc.PTRACE_CONT, caller, 0, 0);
    let child = -1;
    for (;;) {
      if (this.wait(caller) !== caller || wifExitedOrSignaled(this.status[0])) return -libc.ESRCH;
      const s = this.status[0];
      if ((s >> 16) === libc.PTRACE_EVENT_CLONE) {
        libc.ptraceBuf(libc.PTRACE_GETEVENTMSG, caller, 0, this.eventMsg);
        child = Number(this.eventMsg[0]);
        libc.ptrace(libc.PTRACE_CONT, caller, 0, 0);
        continue;
      }
      if (((s >> 8) & 0xff) === libc.SIGTRAP && (s >> 16) === 0) break;
      libc.ptrace(libc.PTRACE_CONT, caller, 0, 0);
    }
    libc.ptraceBuf(libc.PTRACE_GETREGS, caller, 0, r);
    const res = Number(r.readBigInt64LE(R_RAX * 8));
    if (res < 0 || child < 0) return res < 0 ? res : -libc.ESRCH;
    // The new task starts in a ptrace stop (PTRACE_EVENT_STOP, as it is seized).
    if (this.wait(child) !== child) return -libc.ESRCH;
    return child;
  }

  /** Ends one stopped host thread of a stub (an app thread exited) by letting it run exit. */
  exitThread(tid: number): void {
    // The stub's first thread may end too: its process lives on with the others, and its
    // exit is reported only when they are all gone. An extra thread stays listed until its
    // exit is reaped (handleStop), so that destroyStub can reap it if it comes first: the
    // leader's exit is only reported once every other thread has been reaped.
    this.running.delete(tid);
    this.inject(tid, HOST_SYS_EXIT, 0);
  }

  /** Interrupts a stub thread that runs app code (PTRACE_INTERRUPT): it stops with
   *  PTRACE_EVENT_STOP and the kernel may deliver a signal to it (handleStop). */
  kick(tid: number): void {
    if (this.running.has(tid)) libc.ptrace(libc.PTRACE_INTERRUPT, tid, 0, 0);
  }

  /** Kills a stub (all its threads; any of them may name it) and reaps it. */
  destroyStub(tid: number): void {
    const pid = this.threadOwner.get(tid) ?? tid;
    this.pending.delete(pid);
    if (!this.live.delete(pid)) return;
    this.running.delete(pid);
    libc.kill(pid, libc.SIGKILL);
    const extra = this.threads.get(pid);
    if (extra) {
      for (const tid of extra) {
        this.running.delete(tid);
        this.threadOwner.delete(tid);
        this.wait(tid);
      }
      this.threads.delete(pid);
    }
    for (;;) {
      if (this.wait(pid) !== pid) return;
      if (wifExitedOrSignaled(this.status[0])) return;
    }
  }

  /** Kills every stub and the waker (the sandbox is ending or the Sentry failed). */
  destroyAll(): void {
    for (const pid of [...this.live]) this.destroyStub(pid);
    if (this.wakerPid > 0) {
      libc.kill(this.wakerPid, libc.SIGKILL);
      this.wait(this.wakerPid);
      this.wakerPid = -1;
    }
  }

  private resume(pid: number): void {
    // A stub that dies making its pending changes is reported by the wait loop.
    if (!this.flush(pid)) return;
    libc.ptraceBuf(libc.PTRACE_SETREGS, pid, 0, this.regs());
    libc.ptrace(libc.PTRACE_SYSEMU, pid, 0, 0);
    this.running.add(pid);
  }

  /** Starts the waker: an epoll set with a timerfd, and the traced process that waits on it. */
  private startWaker(): void {
    const EPOLL_CLOEXEC = 0x80000;
    const TFD_CLOEXEC = 0x80000;
    const TFD_NONBLOCK = 0x800;
    this.epfd = libc.epollCreate1(EPOLL_CLOEXEC) as number;
    this.timerfd = libc.timerfdCreate(1, TFD_CLOEXEC | TFD_NONBLOCK) as number;
    if (this.epfd < 0 || this.timerfd < 0) throw new Error(`waker: epoll/timerfd: errno ${libc.errno()}`);
    this.epollSet(EPOLL_CTL_ADD, this.timerfd, POLLIN);
    const fa = Buffer.alloc(128);
    const attr = Buffer.alloc(512);
    libc.spawnFileActionsInit(fa);
    libc.spawnAttrInit(attr);
    try {
      libc.spawnFileActionsAddDup2(fa, this.epfd, 0);
      libc.spawnFileActionsAddClosefrom(fa, 1);
      libc.spawnAttrSetflags(attr, libc.POSIX_SPAWN_SETSID);
      const pid = [0];
      const err = libc.posixSpawn(pid, this.wakerPath, fa, attr, ['wvisor-waker', null], [null]);
      if (err !== 0) throw new Error(`waker: posix_spawn: errno ${err}`);
      this.wakerPid = pid[0];
    } finally {
      libc.spawnFileActionsDestroy(fa);
      libc.spawnAttrDestroy(attr);
    }
    if (libc.waitpid(this.wakerPid, this.status, libc.WUNTRACED | libc.__WALL) !== this.wakerPid) throw new Error('waker did not start');
    if (libc.ptrace(libc.PTRACE_SEIZE, this.wakerPid, 0, libc.PTRACE_O_EXITKILL) < 0) throw new Error(`waker: seize: errno ${libc.errno()}`);
    this.wait(this.wakerPid);
    libc.ptrace(libc.PTRACE_CONT, this.wakerPid, 0, 0);
  }

  private epollSet(op: number, fd: number, events: number): void {
    this.epollEvent.writeUInt32LE(events >>> 0, 0);
    this.epollEvent.writeInt32LE(fd, 4);
    libc.epollCtl(this.epfd, op, fd, this.epollEvent);
  }

  /** Brings the waker's epoll set and timer in line with what the kernel waits for. */
  private armWaker(): void {
    const k = this.kernel;
    const deadline = k.next_deadline();
    if (deadline !== this.armedDeadline) {
      this.armedDeadline = deadline;
      const ts = this.itimerspec;
      ts.fill(0);
      if (deadline >= 0) {
        // An absolute CLOCK_MONOTONIC time; 0 would disarm, so a due deadline is 1 ns.
        const d = Math.max(deadline, 1);
        ts.writeBigInt64LE(BigInt(Math.floor(d / 1e9)), 16);
        ts.writeBigInt64LE(BigInt(Math.floor(d % 1e9)), 24);
      }
      libc.timerfdSettime(this.timerfd, TFD_TIMER_ABSTIME, ts, null);
    }
    const n = k.poll_count();
    // The common case on the syscall path: nothing watched before or now.
    if (n === 0 && this.watched.size === 0) return;
    const wanted = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const fd = k.poll_fd(i);
      wanted.set(fd, (wanted.get(fd) ?? 0) | k.poll_events(i));
    }
    for (const [fd, events] of wanted) {
      const have = this.watched.get(fd);
      if (have === undefined) this.epollSet(EPOLL_CTL_ADD, fd, events | EPOLLONESHOT);
      else if (have !== events || have < 0) this.epollSet(EPOLL_CTL_MOD, fd, events | EPOLLONESHOT);
      else continue;
      this.watched.set(fd, events);
    }
    for (const fd of [...this.watched.keys()]) {
      if (!wanted.has(fd)) {
        this.epollSet(EPOLL_CTL_DEL, fd, 0);
        this.watched.delete(fd);
      }
    }
  }

  /** The waker stopped: timers are due or watched host fds are ready. */
  private wake(): void {
    const k = this.kernel;
    const scratch = new Uint8Array(8);
    libc.readBuf(this.timerfd, scratch, 8);
    this.armedDeadline = -1;
    k.expire(this.monotonicNow());
    const fds = [...this.watched.keys()];
    const pfds = Buffer.alloc(Math.max(8 * fds.length, 8));
    fds.forEach((fd, i) => {
      pfds.writeInt32LE(fd, 8 * i);
      pfds.writeInt16LE(this.watched.get(fd)!, 8 * i + 4);
    });
    if (fds.length > 0) libc.poll(pfds, fds.length, 0);
    fds.forEach((fd, i) => {
      // A one-shot registration that fired must be armed again if still wanted.
      this.watched.set(fd, -1);
      const revents = pfds.readInt16LE(8 * i + 6);
      if (revents !== 0) k.fd_ready(fd, revents);
    });
    libc.ptrace(libc.PTRACE_CONT, this.wakerPid, 0, 0);
  }

  /** Runs the sandbox until its init exits; returns init's wait status. */
  run(): number {
    const k = this.kernel;
    if (this.wakerPid < 0) this.startWaker();
    for (;;) {
      for (let pid = k.next_runnable(); pid !== 0; pid = k.next_runnable()) this.resume(pid);
      const st = k.sandbox_status();
      if (st >= 0) return st;
      // One wait for everything: stubs stop, and the waker stops when a timer is due or a
      // watched host fd is ready, so a parked task's deadline fires even while others run.
      this.armWaker();
      this.handleStop();
    }
  }

  private handleStop(): void {
    const k = this.kernel;
    // waitpid(-1) reports the newest tracees first, so a stub that stops all the time could
    // keep the waker's stop waiting: look at the waker now and then on its own.
    if (++this.stopsSinceWakerCheck >= WAKER_CHECK_EVERY) {
      this.stopsSinceWakerCheck = 0;
      if (libc.waitpid(this.wakerPid, this.status, libc.WNOHANG | libc.__WALL | libc.__WNOTHREAD) === this.wakerPid) {
        if (wifExitedOrSignaled(this.status[0])) throw new Error('the waker process died');
        this.wake();
        return;
      }
    }
    const pid = this.wait(-1);
    if (pid < 0) throw new Error(`waitpid: errno ${libc.errno()}`);
    const s = this.status[0];
    if (pid === this.wakerPid) {
      if (wifExitedOrSignaled(s)) throw new Error('the waker process died');
      this.wake();
      return;
    }
    if (wifExitedOrSignaled(s)) {
      this.running.delete(pid);
      const owner = this.threadOwner.get(pid);
      if (owner !== undefined) {
        this.threads.get(owner)?.delete(pid);
        this.threadOwner.delete(pid);
        return;
      }
      if (this.live.delete(pid)) k.stub_died(pid, (s & 0x7f) || libc.SIGKILL);
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

  private monotonicNow(): number {
    libc.clockGettime(1, this.timespec);
    return Number(this.timespec.readBigInt64LE(0)) * 1e9 + Number(this.timespec.readBigInt64LE(8));
  }


}
