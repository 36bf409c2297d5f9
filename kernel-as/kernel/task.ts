// Tasks and thread groups (Linux's task_struct and signal_struct, cut to what the kernel
// tracks so far). A task is one app thread; it runs on one host thread of its thread group's
// stub. While a task is parked (blocked in a syscall) its registers live in `regs`; while it is
// the task being served, they live in the register block (abi/regs.ts).
import { RegSet } from "../abi/regs";
import { MM } from "../mm/mm";
import { FdTable } from "../fs/fd_table";
import { PipeEnd } from "../fs/pipe";
import { FsContext } from "../fs/vfs/mount";
import { SignalHandlers } from "./signal";
import { Rlimits } from "./rlimits";
import { Credentials } from "./cred";
import { SigPending } from "./signal";
import { Pty } from "../fs/tty/pty";

export const TASK_RUNNING: i32 = 0;  // in the app, or queued to resume
export const TASK_BLOCKED: i32 = 1;  // parked in a syscall, waiting for a timer or a host fd
export const TASK_DEAD: i32 = 2;
export const TASK_STOPPED: i32 = 3; // held by a group stop until SIGCONT (job_control.ts)

/** What a group has to tell a wait(WUNTRACED/WCONTINUED) (Linux's SIGNAL_STOP_STOPPED and
 *  SIGNAL_STOP_CONTINUED, reported once). */
export const REPORT_NONE: i32 = 0;
export const REPORT_STOPPED: i32 = 1;
export const REPORT_CONTINUED: i32 = 2;

export class ThreadGroup {
  tasks: Task[] = [];
  /** Wait status once the group has exited (exitStatus()/signalStatus() encoding), else -1. */
  exitStatus: i32 = -1;
  handlers: SignalHandlers = new SignalHandlers();
  rlimits: Rlimits = new Rlimits();
  cred: Credentials = new Credentials(0, 0, 0, 0);
  /** The executable's path and its short name (comm, at most 15 bytes), set by exec. */
  exePath: string = "";
  comm: string = "";
  /** CLOCK_MONOTONIC ns when the group started (for /proc's start times). */
  startNs: i64 = 0;
  /** The group's CPU time (ns) once it has exited, -1 before (rusage.ts). */
  exitCpuNs: i64 = -1;
  /** CPU time (ns) of the children this group reaped by waiting, theirs included. */
  childrenCpuNs: i64 = 0;
  /** Process group and session (init leads both, as in a container). */
  pgid: i32;
  sid: i32;
  /** The parent (null for init, whose parent is outside the sandbox) and the children,
   *  zombies included until they are reaped. */
  parent: ThreadGroup | null = null;
  children: ThreadGroup[] = [];
  /** Job control: whether the group is stopped, by which signal, its tasks held by the
   *  stop, and what a waiting parent has not yet been told. */
  stopped: bool = false;
  stopSig: i32 = 0;
  stoppedTasks: Task[] = [];
  /** When the group was stopped (monotonic ns). */
  stoppedAt: i64 = 0;
  jobReport: i32 = REPORT_NONE;
  /** The controlling terminal (Linux's signal->tty), inherited by children. */
  ctty: Pty | null = null;
  /** The signal the parent gets when this group exits (clone's low byte; SIGCHLD). */
  exitSignal: i32 = 17;
  /** Tasks parked in wait4/waitid for one of this group's children. */
  childWaiters: Task[] = [];
  /** Tasks polling a file about this group: a pidfd (for its exit) or a signalfd (for its
   *  signals). Woken on both; a poll that finds nothing ready waits again. */
  pollers: Task[] = [];
  /** The thread that forked this group (Linux's real_parent is a thread): when it exits, the
   *  parent-death signal fires even if its process lives on. Null once that happened, or for
   *  CLONE_PARENT children. */
  forker: Task | null = null;
  /** The task that vforked this group and waits for its exec or exit. */
  vforkParent: Task | null = null;
  /** Nice value (setpriority), the dumpable flag, no_new_privs, child-subreaper (prctl). */
  nice: i32 = 0;
  /** Whether the group has exec'd since fork (setpgid on it then gives EACCES). */
  didExec: bool = false;
  dumpable: i32 = 1;
  noNewPrivs: bool = false;
  subreaper: bool = false;
  /** Signals sent to the process and not yet delivered (Linux's shared_pending). */
  shared: SigPending = new SigPending();

  constructor(
    public tgid: i32,
    public mm: MM,
    /** The handle of the stub process its threads run on (one of mm.stubs). */
    public stub: i32,
  ) {
    this.pgid = tgid;
    this.sid = tgid;
  }

  /** The group stops using its mm (exit, exec): its stub stops mirroring it, and the memory
   *  goes when no other process shares it (mmput()). The stub itself is the caller's. */
  leaveMm(): void {
    if (this.mm.dropStub(this.stub) == 0) this.mm.releaseAll();
  }

  @inline get leader(): Task { return unchecked(this.tasks[0]); }
}

export class Task {
  state: i32 = TASK_RUNNING;
  regs: RegSet = new RegSet();
  /** set_tid_address(2): cleared and futex-woken when the task exits. */
  clearChildTid: u64 = 0;
  robustList: u64 = 0;
  robustListLen: u64 = 0;
  /** Blocked signal mask (bit n-1 for signal n). */
  sigmask: u64 = 0;
  /** Signals sent to this thread alone and not yet delivered. */
  pending: SigPending = new SigPending();

  // Parking state: what a blocked task waits for. A woken task re-runs its syscall, which
  // uses restartDeadline to know how long it still has to wait.
  wakeAt: i64 = -1;        // monotonic ns, or -1
  waitHostFd: i32 = -1;    // host fd, or -1
  waitEvents: i32 = 0;     // poll events on waitHostFd (and on moreHostFds)
  /** Further host fds a poll or epoll wait watches (collected by noteHostFd). */
  moreHostFds: i32[] = [];
  restartDeadline: i64 = -1;
  /** Set by FUTEX_WAKE for a task parked in FUTEX_WAIT. */
  futexWoken: bool = false;
  /** A vfork in progress: the child's pid, and whether it has exec'd or exited. */
  vforkChild: i32 = 0;
  vforkDone: bool = false;
  /** Bytes a parked write already moved (a pipe write that waits for room). */
  progress: i64 = 0;
  /** A FIFO open that waits for the other side: its end, and the other side's open count
   *  when it started waiting. The end is released if the wait is abandoned. */
  pendingOpen: PipeEnd | null = null;
  pendingOpenCount: u32 = 0;

  // Signal state. A parked task that a signal interrupts is queued with sigInterrupt set; its
  // syscall then ends with EINTR, or is restarted after the handler when it is restartable
  // and the handler has SA_RESTART (Linux's ERESTARTSYS against ERESTARTNOHAND).
  sigInterrupt: bool = false;
  interrupted: bool = false;
  restartable: bool = true;
  /** Signals a task in rt_sigtimedwait waits for (0: none): their arrival wakes it even when
   *  they are blocked. */
  sigwaitSet: u64 = 0;
  /** The mask to restore after the handler (rt_sigsuspend's temporary mask). */
  savedSigmask: u64 = 0;
  hasSavedMask: bool = false;
  /** Where a wait tells the time left when it ends or a signal interrupts it (0: nowhere):
   *  nanosleep's rem, the timeout of select, pselect6 and ppoll, in remFormat (REM_* of
   *  time.ts). writeTimeLeft() writes it. */
  remAddr: u64 = 0;
  remFormat: i32 = 0;
  /** A select, pselect6 or ppoll whose group is stopped: the time its wait had left, which
   *  starts again on SIGCONT (-1: none). */
  stopLeft: i64 = -1;
  /** The timeout at remAddr is not to be written (STICKY_TIMEOUTS). */
  remSticky: bool = false;
  /** A stop ended its wait with EINTR: a select, pselect6 or ppoll whose timeout could not
   *  tell the time left (poll_select_finish()'s sticky path), or a call that a stop always
   *  interrupts (eintrOnStop). */
  stopEintr: bool = false;
  /** Parked in a call that a stop signal ends with EINTR even without a handler
   *  (signal(7): epoll_wait, epoll_pwait, sigtimedwait, sigwaitinfo). */
  eintrOnStop: bool = false;
  /** PR_SET_PDEATHSIG. */
  pdeathSig: i32 = 0;
  /** sigaltstack(2). */
  altSp: u64 = 0;
  altSize: u64 = 0;
  altDisabled: bool = true;
  /** personality(2): the execution domain and its flags (inherited by children and new
   *  threads, kept across exec; only ADDR_NO_RANDOMIZE changes what wvisor does). */
  personality: u32 = 0;
  /** sched_setaffinity(2): the CPUs the thread may run on, a bit each, in whole 64-bit
   *  words (null: every CPU); replaced, never changed in place, so clones share it. Recorded
   *  and reported: the host does not pin the thread. */
  cpuMask: StaticArray<u64> | null = null;

  constructor(
    public tid: i32,
    public tg: ThreadGroup,
    public fdTable: FdTable,
    public fs: FsContext,
    /** Host pid of the stub thread this task runs on. */
    public stub: i32,
  ) {}

  @inline get mm(): MM { return this.tg.mm; }

  /** What a new thread or process takes over from the task that clones it (copy_process()):
   *  the signal mask, the personality and the CPU affinity. */
  inheritFrom(parent: Task): void {
    this.sigmask = parent.sigmask;
    this.personality = parent.personality;
    this.cpuMask = parent.cpuMask;
  }

  /** Gives t an fd table of its own if it shares one (unshare_files(): exec and
   *  unshare(CLONE_FILES)). */
  unshareFiles(): void {
    if (this.fdTable.users <= 1) return;
    const own = this.fdTable.copy();
    this.fdTable.release();
    this.fdTable = own;
  }

  /** Signals pending for this task: its own and its process's. */
  @inline get pendingBits(): u64 { return this.pending.bits | this.tg.shared.bits; }

  /** Whether a signal it does not block is pending (signal_pending()). */
  @inline get signalPending(): bool { return (this.pendingBits & ~this.sigmask) != 0; }
}
