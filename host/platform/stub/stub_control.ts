// Stub processes and how the Sentry controls them, shared by both platforms: the stub
// memfd (bell page and per-thread regions, stub_layout.ts), the factory stub that every
// address space is forked from, syscalls injected into a stub's traced control thread (one
// at a time, or address-space changes queued and made in one batch, by the control thread
// or by the stub's untraced mm thread where it has one), and the waker. How app
// code runs and comes back (ptrace stops or the stub's signal handler) is each platform's.
//
// ptrace requests must come from the thread that seized the tracee: everything here runs on
// the Sentry's one thread.
import fs from 'node:fs';
import * as libc from '../ptrace/libc.js';
import { stubAddr } from './stub_image.js';
import {
  BATCH_COUNT, BATCH_DONE, BATCH_ENTRIES, BATCH_MAX, BATCH_SEQ, CTX_TID, FACTORY_EVENTFD_FD, PAGE, REGION_MAX, REGION_SIZE,
  STUB_BASE, STUB_BELL_ADDR, STUB_MEMFD_FD, STUB_MEMFD_SIZE, STUB_SENTRY_ADDR, STUB_VDSO_ADDR, WAKER_FLAG,
  WAKER_PAGE_OFFSET, regionAddr,
} from './stub_layout.js';
import { KernelExports } from '../../kernel/kernel_module.js';

export const REGS_SIZE = 27 * 8;
// struct user_regs_struct slots (arch/x86/include/asm/user_64.h).
export const R_R15 = 0;
export const R_R12 = 3;
export const R_RBX = 5;
export const R_R10 = 7;
export const R_R9 = 8;
export const R_R8 = 9;
export const R_RAX = 10;
export const R_RDX = 12;
export const R_RSI = 13;
export const R_RDI = 14;
export const R_ORIG_RAX = 15;
export const R_RIP = 16;
export const R_FS_BASE = 21;
export const R_GS_BASE = 22;
const ARG_SLOTS = [R_RDI, R_RSI, R_RDX, R_R10, R_R8, R_R9];
/** Top of the host's user address space (47-bit). */
const HOST_TASK_SIZE = 0x7ffffffff000;
const POLLIN = 1;
const EPOLL_CTL_ADD = 1;
const EPOLL_CTL_DEL = 2;
const EPOLL_CTL_MOD = 3;
const EPOLLONESHOT = 1 << 30;
const TFD_TIMER_ABSTIME = 1;
const FUTEX_WAKE = 1;
const SIGCONT = 18;
/** The largest XSAVE area handled (AVX-512 needs 2.7 KiB, AMX tiles about 11 KiB). */
export const FP_MAX = 16384;

// Host syscall numbers injected into stubs to build address spaces and threads.
export const HOST_SYS_MMAP = 9;
export const HOST_SYS_MPROTECT = 10;
export const HOST_SYS_MUNMAP = 11;
export const HOST_SYS_CLONE = 56;
export const HOST_SYS_EXIT = 60;
const HOST_SYS_ARCH_PRCTL = 158;
const HOST_SYS_FUTEX = 202;
const HOST_SYS_EVENTFD2 = 290;
const EFD_NONBLOCK = 0x800;
const EFD_CLOEXEC = 0x80000;
const ARCH_MAP_VDSO_64 = 0x2003;
const NT_X86_XSTATE = 0x202;
/** A new stub from the factory: a copy of its (empty) address space whose parent is ours
 *  (CLONE_PARENT), with no exit signal, so that it is traced through PTRACE_O_TRACECLONE and
 *  we reap it. */
const STUB_FORK_FLAGS = 0x8000;
/** The factory's mm thread: CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
 *  CLONE_SYSVSEM | CLONE_UNTRACED. */
const MM_THREAD_FLAGS = 0x850f00;
/** How long the Sentry spins for an mm thread's report before it sleeps (ms): a batch takes
 *  a few microseconds. */
const MM_SPIN_MS = 0.05;
/** How often (ms) the Sentry, waiting for an mm thread, checks that its stub lives. */
const MM_CHECK_MS = 50;
const PROT_READ = 1;
const PROT_READ_WRITE = 3;
const MAP_SHARED = 0x01;
const MAP_SHARED_FIXED = 0x01 | 0x10;

const wifStopped = (s: number) => (s & 0xff) === 0x7f;
export const wifExitedOrSignaled = (s: number) => !wifStopped(s) && (s & 0xffff) !== 0xffff;

/** One stub process: its leader's pid (the control thread's, or under systrap the mm
 *  thread's) names it. */
export interface StubProcess {
  pid: number;
  /** The region whose context page is its batch page. */
  controlRegion: number;
  /** Regions of its threads, mapped in it only; reused for its own new threads. */
  regions: number[];
  /** Address-space changes not yet made: flat entries of a syscall number and six arguments. */
  pending: number[];
  /** Whether an mm thread makes its batches (else the control thread does; under systrap
   *  only the factory has one), and the sequence number of the last batch given to it. */
  mm: boolean;
  batchSeq: number;
}

export abstract class StubControl {
  /** Stub processes by control pid. */
  protected readonly stubs = new Map<number, StubProcess>();
  /** The stub every address space is forked from (undefined: not made yet). */
  private factory: StubProcess | undefined;
  protected readonly status = [0];
  /** Registers of a stopped stub: valid segment selectors to start injections from. */
  private template: Buffer | undefined;
  private readonly injRegs = Buffer.alloc(REGS_SIZE);
  private readonly eventMsg = new BigUint64Array(1);
  private readonly timespec = Buffer.alloc(16);
  protected kernel!: KernelExports;
  /** Where the factory's vDSO is (0: none). */
  private vdso = 0;
  /** Native memory for XSAVE areas (PTRACE_GETREGSET needs an address). */
  private xsaveBuf = 0;
  private xsaveView = new Uint8Array(0);

  /** The stub memfd and the Sentry's mapping of it. */
  private memfd = -1;
  protected memfdBase = 0;
  /** Regions not owned by any stub. */
  private readonly freeRegions: number[] = [];
  private regionCount = 0;
  private readonly regionViews: ArrayBuffer[] = [];
  /** The bell page's, the Sentry's page's and the waker's page's words. */
  protected bell = new Int32Array(0);
  protected sentryPage = new Int32Array(0);
  private wakerPage = new Int32Array(0);
  /** The size of the host's XSAVE area as ptrace gives it (0: not known). */
  protected xsaveSize = 0;
  /** Stub processes that died where the kernel could not be told at once (during one of its
   *  calls): the platform's loop tells it (reportLost). */
  private readonly lost: { s: StubProcess; status: number }[] = [];
  /** Stub processes killed but not reaped yet, by pid (destroyStubProcess). */
  private readonly dying = new Map<number, StubProcess>();

  // The waker (stub.S): its pid, the epoll set it waits on, the timerfd in that set, and
  // which host fds are in the set for which events.
  protected wakerPid = -1;
  private epfd = -1;
  private timerfd = -1;
  private armedDeadline = -1;
  private readonly watched = new Map<number, number>();
  private readonly epollEvent = Buffer.alloc(12);
  private readonly itimerspec = Buffer.alloc(32);
  /** The eventfd mm threads report to (every stub holds it as STUB_EVENTFD_FD; the app
   *  threads' filter lets them neither write nor read it), the one the factory's reports to
   *  (FACTORY_EVENTFD_FD), a buffer for their values, and a pollfd. */
  private mmEventfd = -1;
  private factoryEventfd = -1;
  private readonly mmReport = Buffer.alloc(8);
  private readonly mmPollfd = Buffer.alloc(8);
  /** Whether the last mmAwait ended because the stub died (else it reported). */
  private mmDied = false;

  constructor(private readonly stubPath: string, private readonly memfileFd: number, private readonly wakerPath: string) {}

  attach(kernel: KernelExports): void {
    this.kernel = kernel;
    this.makeStubMemfd();
    this.mmEventfd = libc.syscall(HOST_SYS_EVENTFD2, 0, EFD_NONBLOCK | EFD_CLOEXEC, 0, 0, 0, 0) as number;
    this.factoryEventfd = libc.syscall(HOST_SYS_EVENTFD2, 0, EFD_NONBLOCK | EFD_CLOEXEC, 0, 0, 0, 0) as number;
    if (this.mmEventfd < 0 || this.factoryEventfd < 0) throw new Error(`eventfd: errno ${libc.errno()}`);
  }

  protected wait(pid: number): number {
    for (;;) {
      const r = libc.waitpid(pid, this.status, libc.__WALL | libc.__WNOTHREAD);
      if (r >= 0 || libc.errno() !== libc.EINTR) return r;
    }
  }

  private makeStubMemfd(): void {
    const MFD_CLOEXEC = 1;
    this.memfd = libc.memfdCreate('wvisor-stubs', MFD_CLOEXEC) as number;
    if (this.memfd < 0 || libc.ftruncate(this.memfd, STUB_MEMFD_SIZE) < 0) throw new Error(`stub memfd: errno ${libc.errno()}`);
    const addr = libc.mmap(0, STUB_MEMFD_SIZE, PROT_READ_WRITE, MAP_SHARED, this.memfd, 0) as number;
    if (addr === -1 || addr === 0xffffffffffffffff) throw new Error(`stub memfd: mmap errno ${libc.errno()}`);
    this.memfdBase = addr;
    this.bell = new Int32Array(libc.koffi.view(addr + (STUB_BELL_ADDR - STUB_BASE), PAGE));
    this.sentryPage = new Int32Array(libc.koffi.view(addr + (STUB_SENTRY_ADDR - STUB_BASE), PAGE));
    this.wakerPage = new Int32Array(libc.koffi.view(addr + WAKER_PAGE_OFFSET, PAGE));
  }

  /** Host address of word i of the bell page (for futex calls). */
  protected bellAddr(i: number): number {
    return this.memfdBase + (STUB_BELL_ADDR - STUB_BASE) + 4 * i;
  }

  /** Whether the waker has rung and waits for the Sentry to look at timers and fds. */
  protected wakerRang(): boolean {
    return Atomics.load(this.wakerPage, WAKER_FLAG) !== 0;
  }

  /** The Sentry's view of region i (its context page and signal stack), made once: a koffi
   *  view is an external ArrayBuffer, costly to make on every batch. */
  protected regionView(i: number): ArrayBuffer {
    return (this.regionViews[i] ??= libc.koffi.view(this.memfdBase + (regionAddr(i) - STUB_BASE), REGION_SIZE));
  }

  /** A region for stub s, made fresh or taken from the global pool; -1 if none is left. */
  protected takeRegion(s: StubProcess): number {
    const i = this.freeRegions.pop() ?? (this.regionCount < REGION_MAX ? this.regionCount++ : -1);
    if (i >= 0) s.regions.push(i);
    return i;
  }

  /** A new stub process with an empty address space but for the stub page, the bell page and
   *  its control region, its control thread left stopped: forked from the factory stub by an
   *  injected clone (one host round trip instead of a process spawn and exec). Returns it,
   *  or -errno. */
  protected createStubProcess(): StubProcess | number {
    const factory = this.ensureFactory();
    if (typeof factory === 'number') return factory;
    const pid = this.injectClone(factory.pid, STUB_FORK_FLAGS);
    if (pid < 0) return pid;
    // The child's copy of the factory's control region is its own: it gets a fresh one.
    const s: StubProcess = { pid, controlRegion: -1, regions: [], pending: [], mm: false, batchSeq: 0 };
    this.stubs.set(pid, s);
    const err = this.mapControlRegion(s);
    if (err < 0) {
      this.destroyStubProcess(s);
      return err;
    }
    return s;
  }

  /** Asks the factory's mm thread for a new stub process (systrap; stub.S,
   *  stub_clone_child) and returns without waiting: its batch page goes in a fresh control
   *  region, its first app thread in another, which prepare(region) readies first. Nothing
   *  is known of the process until that thread reports (its context page then holds its pid
   *  and tid), when the caller adopts it; stubForked must be called before the next request.
   *  Returns the stub (pid 0) and the thread's region, or -errno. */
  protected requestStub(prepare: (region: number) => void): { s: StubProcess; region: number } | number {
    const factory = this.ensureFactoryMm();
    if (typeof factory === 'number') return factory;
    const s: StubProcess = { pid: 0, controlRegion: -1, regions: [], pending: [], mm: true, batchSeq: 0 };
    const control = this.takeRegion(s);
    const region = control < 0 ? -1 : this.takeRegion(s);
    if (region < 0) {
      this.freeRegions.push(...s.regions);
      return -libc.EAGAIN;
    }
    s.controlRegion = control;
    // The mm thread starts at sequence number 0: a reused batch page holds its last one.
    Atomics.store(new Int32Array(this.regionView(control), BATCH_SEQ, 1), 0, 0);
    prepare(region);
    // clone's arguments that it ignores here carry the Sentry's pid and the regions.
    this.writeBatch(factory, [HOST_SYS_CLONE, STUB_FORK_FLAGS, 0, process.pid, 0, regionAddr(region), regionAddr(control)]);
    this.mmGive(factory);
    return { s, region };
  }

  /** Waits for the factory's report on the stub s that requestStub asked for: whether its
   *  process was made. If the clone failed, its regions serve others; if the factory died
   *  instead, a child it may have made could map them: they are not used again. */
  protected stubForked(s: StubProcess): boolean {
    if (this.mmAwait(this.factory!)) return true;
    if (!this.mmDied) this.freeRegions.push(...s.regions);
    return false;
  }

  /** The stub process, known at last by its pid, that requestStub asked for. */
  protected adopt(s: StubProcess, pid: number): void {
    s.pid = pid;
    this.stubs.set(pid, s);
  }

  /** Has s's mm thread clone an app thread (flags) on the stack at the top of region, after
   *  s's pending changes (systrap): whether it was made. Its tid is in its context page when
   *  it reports. */
  protected mmClone(s: StubProcess, flags: number, region: number): boolean {
    const top = regionAddr(region) + REGION_SIZE - 64;
    return this.flush(s) && this.runBatch(s, [HOST_SYS_CLONE, flags, top, 0, regionAddr(region) + CTX_TID, 0, 0]);
  }

  /** Gives s a control region, its batch page mapped in it by a single injected mmap,
   *  read-only: app threads running beside a batch cannot change it. */
  private mapControlRegion(s: StubProcess): number {
    const i = this.takeRegion(s);
    if (i < 0) return -libc.EAGAIN;
    s.controlRegion = i;
    const r = this.inject(s.pid, HOST_SYS_MMAP, regionAddr(i), PAGE, PROT_READ, MAP_SHARED_FIXED, STUB_MEMFD_FD, regionAddr(i) - STUB_BASE);
    return r < 0 ? r : 0;
  }

  /** Queues the mapping of region i (all of it) in s. */
  protected mapRegion(s: StubProcess, i: number): void {
    s.pending.push(HOST_SYS_MMAP, regionAddr(i), REGION_SIZE, PROT_READ_WRITE, MAP_SHARED_FIXED, STUB_MEMFD_FD, regionAddr(i) - STUB_BASE);
  }

  /** Starts the factory stub from its file and empties its address space but for the stub
   *  page and the bell page. Returns it, or -errno. It is left stopped. It has no control
   *  region (it never runs a batch), so its children inherit none. */
  private spawnStub(): StubProcess | number {
    const pid = this.spawn(this.stubPath, 'wvisor-stub', [this.memfileFd, this.memfd, this.mmEventfd, this.factoryEventfd]);
    if (pid < 0) return pid;
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
    // The stub is still in the group stop its SIGSTOP began, which threads it clones would
    // join at once: SIGCONT ends it (the traced thread swallows the signal when it next runs).
    libc.kill(pid, SIGCONT);
    const s: StubProcess = { pid, controlRegion: -1, regions: [], pending: [], mm: false, batchSeq: 0 };
    this.stubs.set(pid, s);
    if (!this.template) {
      this.template = Buffer.alloc(REGS_SIZE);
      libc.ptraceBuf(libc.PTRACE_GETREGS, pid, 0, this.template);
    }
    const stubEnd = STUB_BASE + PAGE;
    let r = this.inject(pid, HOST_SYS_MUNMAP, 0, STUB_BASE);
    if (r >= 0) r = this.inject(pid, HOST_SYS_MUNMAP, stubEnd, HOST_TASK_SIZE - stubEnd);
    if (r >= 0) r = this.inject(pid, HOST_SYS_MMAP, STUB_BELL_ADDR, PAGE, PROT_READ_WRITE, MAP_SHARED_FIXED, STUB_MEMFD_FD, STUB_BELL_ADDR - STUB_BASE);
    if (r >= 0) r = this.inject(pid, HOST_SYS_MMAP, STUB_SENTRY_ADDR, PAGE, PROT_READ, MAP_SHARED_FIXED, STUB_MEMFD_FD, STUB_SENTRY_ADDR - STUB_BASE);
    if (r < 0) {
      this.destroyStubProcess(s);
      return r;
    }
    this.mapVdso(pid);
    this.xsaveSize = Math.max(this.xsaveIo(pid, false), 0);
    return s;
  }

  /** Native memory for an XSAVE area, as PTRACE_GETREGSET/SETREGSET want it. */
  protected xsave(): Uint8Array {
    if (this.xsaveBuf === 0) {
      this.xsaveBuf = libc.malloc(FP_MAX + 16) as number;
      this.xsaveView = new Uint8Array(libc.koffi.view(this.xsaveBuf, FP_MAX + 16));
    }
    return this.xsaveView.subarray(0, FP_MAX);
  }

  /** PTRACE_GETREGSET (or SETREGSET of len bytes) NT_X86_XSTATE of the stopped traced thread
   *  tid, from or into xsave(): the area's size, or -errno. */
  protected xsaveIo(tid: number, set: boolean, len = FP_MAX): number {
    this.xsave();
    const iov = new DataView(this.xsaveView.buffer, FP_MAX, 16);
    iov.setUint32(0, this.xsaveBuf % 0x100000000, true);
    iov.setUint32(4, Math.floor(this.xsaveBuf / 0x100000000), true);
    iov.setUint32(8, len, true);
    iov.setUint32(12, 0, true);
    const r = libc.ptrace(set ? libc.PTRACE_SETREGSET : libc.PTRACE_GETREGSET, tid, NT_X86_XSTATE, this.xsaveBuf + FP_MAX) as number;
    return r < 0 ? -libc.errno() : iov.getUint32(8, true);
  }

  /** Maps the host's vDSO (unmapped with the rest) back above the app's address space, for
   *  the app to use: its clock_gettime and gettimeofday read the host's time data without a
   *  syscall, and fall back to a syscall (trapped like any other) for what they cannot. A
   *  host without ARCH_MAP_VDSO_64 (no CONFIG_CHECKPOINT_RESTORE) gives the app no vDSO. */
  private mapVdso(pid: number): void {
    if (this.inject(pid, HOST_SYS_ARCH_PRCTL, ARCH_MAP_VDSO_64, STUB_VDSO_ADDR) < 0) return;
    // The vDSO's code follows its data pages, whose number depends on the host kernel.
    const maps = fs.readFileSync(`/proc/${pid}/maps`, 'latin1');
    const m = /^([0-9a-f]+)-[0-9a-f]+ r-xp .*\[vdso\]$/m.exec(maps);
    this.vdso = m ? parseInt(m[1], 16) : 0;
  }

  /** The address of the vDSO in every stub (0: none), the factory made first if need be. */
  vdsoBase(): number {
    return typeof this.ensureFactory() === 'number' ? 0 : this.vdso;
  }

  /** The factory stub with its mm thread (systrap), both started if need be; or -errno.
   *  The mm thread's stack is the factory's read-only batch page. */
  private ensureFactoryMm(): StubProcess | number {
    const f = this.ensureFactory();
    if (typeof f === 'number' || f.mm) return f;
    const err = this.mapControlRegion(f);
    if (err < 0) return err;
    const page = regionAddr(f.controlRegion);
    const extra: [number, number][] = [[R_RBX, page], [R_R15, FACTORY_EVENTFD_FD]];
    const r = this.injectClone(f.pid, MM_THREAD_FLAGS, page, 0, stubAddr('stub_mm_clone'), extra);
    if (r < 0) return r;
    f.mm = true;
    return f;
  }

  /** The factory stub, started if need be; or -errno. */
  private ensureFactory(): StubProcess | number {
    if (!this.factory) {
      const f = this.spawnStub();
      if (typeof f === 'number') return f;
      this.factory = f;
    }
    return this.factory;
  }

  /** posix_spawn of one of our static helpers in its own session (terminal signals meant for
   *  wvisor's process group do not reach it), with fds as its 0, 1, ... and nothing else.
   *  Returns its pid, or -errno. */
  private spawn(path: string, name: string, fds: number[]): number {
    const fa = Buffer.alloc(128);
    const attr = Buffer.alloc(512);
    libc.spawnFileActionsInit(fa);
    libc.spawnAttrInit(attr);
    try {
      fds.forEach((fd, i) => libc.spawnFileActionsAddDup2(fa, fd, i));
      libc.spawnFileActionsAddClosefrom(fa, fds.length);
      libc.spawnAttrSetflags(attr, libc.POSIX_SPAWN_SETSID);
      const pid = [0];
      const err = libc.posixSpawn(pid, path, fa, attr, [name, null], [null]);
      return err !== 0 ? -err : pid[0];
    } finally {
      libc.spawnFileActionsDestroy(fa);
      libc.spawnAttrDestroy(attr);
    }
  }

  /** Makes s's pending changes, a batch of at most BATCH_MAX syscalls per round trip: through
   *  its mm thread, or through its stopped control thread (tid). A change the host refuses
   *  (it is out of memory or mappings) leaves the app's memory wrong: the stub is killed.
   *  Returns whether it lives. */
  protected flush(s: StubProcess, tid = s.pid): boolean {
    const q = s.pending;
    if (q.length === 0) return true;
    s.pending = [];
    for (let start = 0; start < q.length; start += 7 * BATCH_MAX) {
      if (!this.runBatch(s, q.slice(start, start + 7 * BATCH_MAX), tid)) {
        libc.kill(s.pid, libc.SIGKILL);
        return false;
      }
    }
    return true;
  }

  /** Makes the syscalls in entries (flat: a number and six arguments each, at most
   *  BATCH_MAX) in s, through its mm thread or its stopped control thread tid: whether all
   *  were made. */
  private runBatch(s: StubProcess, entries: number[], tid = s.pid): boolean {
    this.writeBatch(s, entries);
    if (!s.mm) return this.controlBatch(s, tid);
    this.mmGive(s);
    return this.mmAwait(s);
  }

  /** Writes entries as the batch on s's batch page. */
  private writeBatch(s: StubProcess, entries: number[]): void {
    const c = new BigInt64Array(this.regionView(s.controlRegion), 0, BATCH_ENTRIES / 8 + 8 * BATCH_MAX);
    const n = entries.length / 7;
    c[BATCH_COUNT / 8] = BigInt(n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < 7; j++) c[BATCH_ENTRIES / 8 + 8 * i + j] = BigInt(entries[7 * i + j]);
    }
  }

  /** Runs the batch on s's batch page in its stopped traced thread tid: whether all of it
   *  was made. */
  private controlBatch(s: StubProcess, tid: number): boolean {
    const r = this.injRegs;
    this.template!.copy(r);
    r.writeBigUInt64LE(BigInt(regionAddr(s.controlRegion)), R_RBX * 8);
    // r12: the entries left when the loop stopped, the one that failed included.
    return this.runAt(tid, stubAddr('stub_batch')) && r.readBigUInt64LE(R_R12 * 8) === 0n;
  }

  /** Gives the batch on s's batch page to its mm thread. */
  private mmGive(s: StubProcess): void {
    s.batchSeq = (s.batchSeq + 1) | 0;
    Atomics.store(new Int32Array(this.regionView(s.controlRegion), BATCH_SEQ, 1), 0, s.batchSeq);
    this.futexWake(this.memfdBase + (regionAddr(s.controlRegion) - STUB_BASE) + BATCH_SEQ);
  }

  /** Waits for the report of s's mm thread on the batch it was given (its write to the
   *  eventfd, which only it can make), or for s to die: whether all of the batch was made. */
  private mmAwait(s: StubProcess): boolean {
    this.mmDied = false;
    const efd = s === this.factory ? this.factoryEventfd : this.mmEventfd;
    const spinEnd = performance.now() + MM_SPIN_MS;
    for (;;) {
      if (libc.readBuf(efd, this.mmReport, 8) === 8) return this.mmReport.readBigUInt64LE(0) === BigInt(BATCH_DONE);
      if (performance.now() < spinEnd) continue;
      this.mmPollfd.writeInt32LE(efd, 0);
      this.mmPollfd.writeInt32LE(POLLIN, 4);
      if (libc.poll(this.mmPollfd, 1, MM_CHECK_MS) === 0 && this.reapOne(s.pid)) {
        // A report the thread made just before its process died must not answer the next
        // batch (reports carry no stub): the process is reaped, so none can follow this one.
        libc.readBuf(efd, this.mmReport, 8);
        this.mmDied = true;
        return false;
      }
    }
  }

  /** Whether the stub process pid has died: it is then reaped, and reported later (stubLost). */
  protected reapOne(pid: number): boolean {
    if (libc.waitpid(pid, this.status, libc.WNOHANG | libc.__WALL | libc.__WNOTHREAD) !== pid) return false;
    if (!wifExitedOrSignaled(this.status[0])) return false;
    this.stubLost(pid, this.status[0]);
    return true;
  }

  /** The stub process that traced thread tid belongs to. */
  protected stubOf(tid: number): StubProcess | undefined {
    return this.stubs.get(tid);
  }

  /** Runs one host syscall in the stopped traced thread pid (after the changes already
   *  asked for) and returns its result (-errno on failure, -ESRCH if the stub died). */
  protected inject(pid: number, nr: number, ...args: number[]): number {
    const s = this.stubOf(pid);
    if (s && !this.flush(s, pid)) return -libc.ESRCH;
    const r = this.injRegs;
    this.template!.copy(r);
    r.writeBigUInt64LE(BigInt(nr), R_RAX * 8);
    for (let i = 0; i < args.length; i++) r.writeBigUInt64LE(BigInt(args[i]), ARG_SLOTS[i] * 8);
    return this.runAt(pid, stubAddr('stub_inject')) ? Number(r.readBigInt64LE(R_RAX * 8)) : -libc.ESRCH;
  }

  /** Runs the stopped thread pid from the stub code at rip, with the registers in injRegs,
   *  until its int3, and reads its registers back into injRegs. False if the stub died. */
  private runAt(pid: number, rip: number): boolean {
    const r = this.injRegs;
    r.writeBigInt64LE(-1n, R_ORIG_RAX * 8);
    r.writeBigUInt64LE(BigInt(rip), R_RIP * 8);
    libc.ptraceBuf(libc.PTRACE_SETREGS, pid, 0, r);
    libc.ptrace(libc.PTRACE_CONT, pid, 0, 0);
    for (;;) {
      if (this.wait(pid) !== pid) return false;
      const s = this.status[0];
      if (wifExitedOrSignaled(s)) {
        this.stubLost(pid, s);
        return false;
      }
      if (((s >> 8) & 0xff) === libc.SIGTRAP && (s >> 16) === 0) break;
      // Anything else (a signal sent to the stub from outside) is swallowed.
      libc.ptrace(libc.PTRACE_CONT, pid, 0, 0);
    }
    libc.ptraceBuf(libc.PTRACE_GETREGS, pid, 0, r);
    return true;
  }

  /** Runs clone(flags, stack, 0, ctid) in the stopped thread caller at rip (stub_inject, or
   *  stub_mm_clone for the factory's mm thread), extra registers set first. A traced child
   *  (PTRACE_O_TRACECLONE) is waited for in its first stop. Returns the child's tid, or
   *  -errno. */
  protected injectClone(caller: number, flags: number, stack = 0, ctid = 0, rip = stubAddr('stub_inject'), extra: [number, number][] = []): number {
    const s = this.stubOf(caller);
    if (s && !this.flush(s, caller)) return -libc.ESRCH;
    const r = this.injRegs;
    this.template!.copy(r);
    for (const [slot, v] of extra) r.writeBigUInt64LE(BigInt(v), slot * 8);
    r.writeBigUInt64LE(BigInt(HOST_SYS_CLONE), R_RAX * 8);
    r.writeBigInt64LE(-1n, R_ORIG_RAX * 8);
    r.writeBigUInt64LE(BigInt(rip), R_RIP * 8);
    const args = [flags, stack, 0, ctid, 0, 0];
    for (let i = 0; i < 6; i++) r.writeBigUInt64LE(BigInt(args[i]), ARG_SLOTS[i] * 8);
    libc.ptraceBuf(libc.PTRACE_SETREGS, caller, 0, r);
    libc.ptrace(libc.PTRACE_CONT, caller, 0, 0);
    let child = -1;
    for (;;) {
      if (this.wait(caller) !== caller || wifExitedOrSignaled(this.status[0])) {
        this.stubLost(caller, this.status[0]);
        return -libc.ESRCH;
      }
      const st = this.status[0];
      if ((st >> 16) === libc.PTRACE_EVENT_CLONE) {
        libc.ptraceBuf(libc.PTRACE_GETEVENTMSG, caller, 0, this.eventMsg);
        child = Number(this.eventMsg[0]);
        libc.ptrace(libc.PTRACE_CONT, caller, 0, 0);
        continue;
      }
      if (((st >> 8) & 0xff) === libc.SIGTRAP && (st >> 16) === 0) break;
      libc.ptrace(libc.PTRACE_CONT, caller, 0, 0);
    }
    libc.ptraceBuf(libc.PTRACE_GETREGS, caller, 0, r);
    const res = Number(r.readBigInt64LE(R_RAX * 8));
    if (res < 0) return res;
    // A traced child starts in a ptrace stop (PTRACE_EVENT_STOP, as it is seized).
    if (child > 0 && this.wait(child) !== child) return -libc.ESRCH;
    return res;
  }

  /** A stub process died or was killed and has been reaped: forget it and free its regions. */
  private stubDied(s: StubProcess): void {
    if (this.stubs.get(s.pid) !== s) return;
    this.stubs.delete(s.pid);
    this.freeRegions.push(...s.regions);
  }

  /** The thread tid was reaped, dead with wait status `status`: if it was a stub process's
   *  leader, the stub died on its own (killed from outside, or by the host for something
   *  the app did) and the kernel must hear of it. Returns whether tid was a stub's. */
  protected stubLost(tid: number, status: number): boolean {
    const d = this.dying.get(tid);
    if (d && wifExitedOrSignaled(status)) {
      // Killed on purpose: now its regions may serve others.
      this.dying.delete(tid);
      this.freeRegions.push(...d.regions);
      return true;
    }
    const s = this.stubs.get(tid);
    if (s && !this.lost.some((l) => l.s === s)) this.lost.push({ s, status });
    return s !== undefined;
  }

  /** Tells the kernel of the stubs that died on their own (outside its calls). Returns how
   *  many there were. */
  protected reportLost(): number {
    const n = this.lost.length;
    while (this.lost.length > 0) {
      const { s, status } = this.lost.shift()!;
      const ids = this.forgetStub(s);
      this.stubDied(s);
      for (const id of ids) this.kernel.stub_died(id, (status & 0x7f) || libc.SIGKILL);
    }
    return n;
  }

  /** Drops what the platform knows of s's threads; returns every id the kernel may know
   *  them by (the address space's and each thread's). */
  protected abstract forgetStub(s: StubProcess): number[];

  /** Kills a stub process and reaps its leader: at once, or
   *  (reapNow false) later, when the platform's loop reaps whatever died (stubLost): a
   *  process takes a while to die, and nothing waits for it. */
  protected destroyStubProcess(s: StubProcess, reapNow = true): void {
    if (this.stubs.get(s.pid) !== s) return;
    libc.kill(s.pid, libc.SIGKILL);
    const i = this.lost.findIndex((l) => l.s === s);
    if (i >= 0) this.lost.splice(i, 1);
    if (!reapNow) {
      this.stubs.delete(s.pid);
      this.dying.set(s.pid, s);
      return;
    }
    for (;;) {
      if (this.wait(s.pid) !== s.pid || wifExitedOrSignaled(this.status[0])) break;
    }
    this.stubDied(s);
  }

  /** Lets the stopped traced thread tid run exit (its app thread ended); its end is reaped
   *  later, or with its process. */
  protected injectExit(tid: number): void {
    const r = this.injRegs;
    this.template!.copy(r);
    r.writeBigUInt64LE(BigInt(HOST_SYS_EXIT), R_RAX * 8);
    r.writeBigUInt64LE(0n, R_RDI * 8);
    r.writeBigInt64LE(-1n, R_ORIG_RAX * 8);
    r.writeBigUInt64LE(BigInt(stubAddr('stub_inject')), R_RIP * 8);
    libc.ptraceBuf(libc.PTRACE_SETREGS, tid, 0, r);
    libc.ptrace(libc.PTRACE_CONT, tid, 0, 0);
  }

  /** Kills every stub and the waker (the sandbox is ending or the Sentry failed). */
  destroyAll(): void {
    for (const s of [...this.stubs.values()]) this.destroyStubProcess(s);
    if (this.wakerPid > 0) {
      libc.kill(this.wakerPid, libc.SIGKILL);
      this.wait(this.wakerPid);
      this.wakerPid = -1;
    }
  }

  /** Starts the waker: an epoll set with a timerfd, and the process that waits on it. */
  protected startWaker(): number {
    const EPOLL_CLOEXEC = 0x80000;
    const TFD_CLOEXEC = 0x80000;
    const TFD_NONBLOCK = 0x800;
    this.epfd = libc.epollCreate1(EPOLL_CLOEXEC) as number;
    this.timerfd = libc.timerfdCreate(1, TFD_CLOEXEC | TFD_NONBLOCK) as number;
    if (this.epfd < 0 || this.timerfd < 0) throw new Error(`waker: epoll/timerfd: errno ${libc.errno()}`);
    this.epollSet(EPOLL_CTL_ADD, this.timerfd, POLLIN);
    const pid = this.spawn(this.wakerPath, 'wvisor-waker', [this.epfd, this.memfd]);
    if (pid < 0) throw new Error(`waker: posix_spawn: errno ${-pid}`);
    this.wakerPid = pid;
    return pid;
  }

  private epollSet(op: number, fd: number, events: number): void {
    this.epollEvent.writeUInt32LE(events >>> 0, 0);
    this.epollEvent.writeInt32LE(fd, 4);
    libc.epollCtl(this.epfd, op, fd, this.epollEvent);
  }

  /** Brings the waker's epoll set and timer in line with what the kernel waits for. */
  protected armWaker(): void {
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

  /** The waker rang: timers are due or watched host fds are ready. Tells the kernel, then
   *  lets the waker wait again. */
  protected wake(): void {
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
    Atomics.store(this.wakerPage, WAKER_FLAG, 0);
    this.futexWake(this.memfdBase + WAKER_PAGE_OFFSET + 4 * WAKER_FLAG);
  }

  /** The host pid of the stub process that holds address space or thread id. */
  protected abstract processOf(id: number): number | undefined;

  /** CPU time (ns) of app thread tid, or of the whole stub process that holds id; or -errno.
   *  A process's clock is the host's (every app thread of the process is a thread of its
   *  stub); Linux lets no other process read a thread's clock, so that one comes from
   *  /proc/TID/schedstat, whose first field is the thread's time on a CPU in ns. */
  cpuTime(id: number, perThread: boolean): number {
    if (perThread) {
      try {
        return Number(fs.readFileSync(`/proc/${id}/schedstat`, 'latin1').split(' ')[0]);
      } catch {
        return -libc.EINVAL;
      }
    }
    const pid = this.processOf(id);
    if (pid === undefined) return -libc.EINVAL;
    // MAKE_PROCESS_CPUCLOCK(pid, CPUCLOCK_SCHED)
    if (libc.clockGettime((~pid << 3) | 2, this.timespec) < 0) return -libc.errno();
    return Number(this.timespec.readBigInt64LE(0)) * 1e9 + Number(this.timespec.readBigInt64LE(8));
  }

  /** Wakes every waiter on the futex at host address addr (an app may wait there too). */
  protected futexWake(addr: number): void {
    libc.syscall(HOST_SYS_FUTEX, addr, FUTEX_WAKE, 0x7fffffff, 0, 0, 0);
  }

  protected monotonicNow(): number {
    libc.clockGettime(1, this.timespec);
    return Number(this.timespec.readBigInt64LE(0)) * 1e9 + Number(this.timespec.readBigInt64LE(8));
  }
}
