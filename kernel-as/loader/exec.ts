// execve (Linux fs/exec.c do_execveat_common(), fs/binfmt_script.c, fs/binfmt_elf.c) and the
// start of the sandbox's first program (pid 1), which is an execve into a fresh stub.
// Everything that can fail because of the file (not found, not executable, bad ELF, missing
// interpreter, script loops) fails before the old image is touched; past that point of no
// return a failure kills the process, as in Linux.
import { asCreate, asDestroy, asUnmap, hostRandom } from "../host";
import { E2BIG, EACCES, ELOOP, ENOENT, ENOEXEC } from "../abi/errno";
import { ADDR_NO_RANDOMIZE, READ_IMPLIES_EXEC, MAP_PRIVATE, O_RDONLY, PAGE_SIZE, pageDown, pageUp, PROT_READ, PROT_WRITE, RLIMIT_STACK, RLIM_INFINITY, SIGKILL, signalStatus } from "../abi/linux";
import { CS, EFLAGS, REGS, REGS_SIZE, RIP, RSP, setReg, SS, USER_CS, USER_DS } from "../abi/regs";
import { config } from "../kernel/config";
import { Credentials } from "../kernel/cred";
import { allocPid, exitThreadGroup, registerTask } from "../kernel/kernel";
import { makeRunnable, wakeLater } from "../kernel/sched";
import { Task, ThreadGroup } from "../kernel/task";
import { monotonicNow } from "../kernel/time";
import { FileDescription } from "../fs/file";
import { FdTable } from "../fs/fd_table";
import { HostFile } from "../fs/host_file";
import { fail, vfsErr } from "../fs/vfs/error";
import { FsContext, Path, pathName } from "../fs/vfs/mount";
import { InodeFile } from "../fs/vfs/inode_file";
import { LOOKUP_DIRECTORY, LOOKUP_FOLLOW, resolveFrom } from "../fs/vfs/namei";
import { MAY_EXEC, permitted } from "../fs/vfs/permission";
import { buildRootFs } from "../fs/vfs/rootfs";
import { MM } from "../mm/mm";
import { VMA_STACK } from "../mm/vma";
import { chooseBias, ElfFile, ELF_ET_DYN_BASE, LoadedImage, mapElf, phdrAddress, readElf } from "./elf";
import { buildInitialStack } from "./stack";
import { killOtherThreads } from "../kernel/thread";
import { exitRobustList } from "../kernel/futex";
import { removeTimers } from "../kernel/timers";

/** Why the last exec failed, for the person running wvisor (pid 1's start). */
export let execError: string = "";

const ET_DYN_TYPE: u16 = 3;
const MIN_MMAP_GAP: u64 = 128 << 20;
const STACK_GUARD_GAP: u64 = 256 * PAGE_SIZE;
/** Nested interpreters a script may name (BINPRM_MAX_RECURSION). */
const MAX_SCRIPT_DEPTH: i32 = 4;
/** Bytes of a script's first line that are read (BINPRM_BUF_SIZE). */
const SCRIPT_BUF: i32 = 256;
const RND_BUF: usize = memory.data(32, 8);
/** Returned by execve() after the point of no return: the process was killed. */
export const EXEC_FATAL: i32 = -0x7fff0003;

/** A random page-aligned offset below limit; 0 when randomizing is off (personality's
 *  ADDR_NO_RANDOMIZE, as Linux's PF_RANDOMIZE is not set then). */
function randomPages(limit: u64, random: bool): u64 {
  if (!random) return 0;
  hostRandom(RND_BUF, 8);
  return pageDown(load<u64>(RND_BUF) % limit);
}

/** Lays out stack and mmap base below the top of the address space with some randomness, as
 *  Linux's arch_pick_mmap_layout() and randomize_stack_top() do (with smaller ranges). */
function pickLayout(mm: MM, stackSize: u64, random: bool): void {
  mm.stackTop = mm.taskSize - PAGE_SIZE - randomPages(1 << 30, random);
  let gap = stackSize + STACK_GUARD_GAP;
  if (gap < MIN_MMAP_GAP) gap = MIN_MMAP_GAP;
  mm.mmapBase = mm.stackTop - gap - randomPages(<u64>1 << 32, random);
}

function describe(e: i32): string {
  if (e == ENOENT) return "no such file or directory";
  if (e == EACCES) return "permission denied";
  if (e == ENOEXEC) return "exec format error";
  return "errno " + e.toString();
}

/** Opens path for execution (Linux's open_exec()): a regular file the task may execute. */
function openExec(fs: FsContext, path: string, cred: Credentials): FileDescription | null {
  const p = resolveFrom(fs.root, fs.cwd, path, LOOKUP_FOLLOW);
  return p === null ? null : openExecPath(p, cred);
}

/** Opens the file at p for exec: a regular file the caller may execute. */
function openExecPath(p: Path, cred: Credentials): FileDescription | null {
  if (!p.inode.isReg || !permitted(p.inode, MAY_EXEC, cred)) return fail<FileDescription>(EACCES);
  return p.inode.open(O_RDONLY, p);
}

/** The task name exec gives: the file name, cut to TASK_COMM_LEN - 1 bytes. */
function commOf(path: string): string {
  const base = path.substring(path.lastIndexOf("/") + 1);
  return base.length > 15 ? base.substring(0, 15) : base;
}

/** What exec will load: the program (after any #! scripts) and its interpreter. */
class ExecPlan {
  file: FileDescription | null = null;
  elf: ElfFile | null = null;
  interp: FileDescription | null = null;
  interpElf: ElfFile | null = null;
  path: string = "";
  /** The absolute path of the file found (what /proc/self/exe shows). */
  resolved: string = "";
  argv: string[] = [];

  release(): void {
    if (this.file !== null) this.file!.put();
    if (this.interp !== null) this.interp!.put();
  }
}

/** Follows #! lines (binfmt_script: the interpreter, one optional argument, then the script's
 *  path in place of argv[0]) to an ELF file and its interpreter. Null with img.reason and
 *  vfsErr set on failure. */
function plan(fs: FsContext, cred: Credentials, path: string, first: Path | null, argv: string[], img: LoadedImage): ExecPlan | null {
  const p = new ExecPlan();
  p.path = path;
  p.argv = argv;
  for (let depth = 0; p.file === null; depth++) {
    const file = depth == 0 && first !== null ? openExecPath(first, cred) : openExec(fs, p.path, cred);
    if (file === null) return null;
    const head = new ArrayBuffer(SCRIPT_BUF);
    const n = file.readToKernel(changetype<usize>(head), SCRIPT_BUF, 0);
    if (n >= 2 && load<u8>(changetype<usize>(head)) == 0x23 && load<u8>(changetype<usize>(head) + 1) == 0x21) {
      file.put();
      if (depth >= MAX_SCRIPT_DEPTH) return fail<ExecPlan>(ELOOP);
      let line = String.UTF8.decodeUnsafe(changetype<usize>(head) + 2, <usize>(n - 2));
      const nl = line.indexOf("\n");
      if (nl >= 0) line = line.substring(0, nl);
      line = line.trim();
      if (line.length == 0) return fail<ExecPlan>(ENOEXEC);
      let sp = line.indexOf(" ");
      const tab = line.indexOf("\t");
      if (tab >= 0 && (sp < 0 || tab < sp)) sp = tab;
      const interp = sp < 0 ? line : line.substring(0, sp);
      const arg = sp < 0 ? "" : line.substring(sp + 1).trim();
      const next: string[] = [interp];
      if (arg.length > 0) next.push(arg);
      next.push(p.path);
      for (let i = 1; i < p.argv.length; i++) next.push(p.argv[i]);
      p.argv = next;
      p.path = interp;
    } else {
      p.file = file;
      if (file instanceof InodeFile) p.resolved = pathName((<InodeFile>file).path, fs.root);
    }
  }
  p.elf = readElf(p.file!, img);
  if (p.elf === null) {
    p.release();
    return fail<ExecPlan>(ENOEXEC);
  }
  if (p.elf!.interp.length > 0) {
    p.interp = openExec(fs, p.elf!.interp, cred);
    if (p.interp === null) {
      img.reason = "cannot open the interpreter " + p.elf!.interp + ": " + describe(vfsErr);
      p.release();
      return null;
    }
    p.interpElf = readElf(p.interp!, img);
    if (p.interpElf === null) {
      p.release();
      return fail<ExecPlan>(ENOEXEC);
    }
  }
  return p;
}

/** Maps the plan into the empty mm and builds the stack and registers; addresses are
 *  randomized unless random is false. 0 or -errno. */
function loadPlan(mm: MM, p: ExecPlan, envp: string[], cred: Credentials, stackSize: u64, img: LoadedImage, random: bool): i32 {
  pickLayout(mm, stackSize, random);
  let r = mm.mapAnon(mm.stackTop - stackSize, stackSize, PROT_READ | PROT_WRITE, MAP_PRIVATE, VMA_STACK);
  if (r < 0) return r;
  const e = p.elf!;
  const bias = chooseBias(mm, e, p.interpElf !== null, random);
  if (bias < 0) return <i32>bias;
  r = mapElf(mm, p.file!, e, <u64>bias, img);
  if (r < 0) return r;
  img.entry = e.entry + <u64>bias;
  img.start = img.entry;
  img.phdr = phdrAddress(e, <u64>bias);
  img.phnum = <u64>e.phnum;
  img.end = pageUp(e.hi + <u64>bias);
  img.isPie = e.type == ET_DYN_TYPE;
  if (p.interpElf !== null) {
    const ie = p.interpElf!;
    const ibias = chooseBias(mm, ie, false, random);
    if (ibias < 0) return <i32>ibias;
    r = mapElf(mm, p.interp!, ie, <u64>ibias, img);
    if (r < 0) return r;
    img.base = ie.lo + <u64>ibias;
    img.start = ie.entry + <u64>ibias;
  }
  // brk starts after the image, moved up by up to 32 MiB (arch_randomize_brk); a static PIE
  // gets its heap at ELF_ET_DYN_BASE instead when randomizing, as Linux does, away from the
  // mmap area.
  const brkBase = img.isPie && img.base == 0 && random ? ELF_ET_DYN_BASE : img.end;
  mm.brkStart = brkBase + randomPages(32 << 20, random);
  mm.brk = mm.brkStart;
  const sp = buildInitialStack(mm, p.argv, envp, p.path, img, cred, config.hwcap, config.hwcap2, stackSize);
  if (sp < 0) return <i32>sp;
  // Linux's start_thread(): every register zero but the entry point, the stack pointer, the
  // user segments and EFLAGS.IF.
  memory.fill(REGS, 0, REGS_SIZE);
  setReg(RIP, img.start);
  setReg(RSP, <u64>sp);
  setReg(CS, USER_CS);
  setReg(SS, USER_DS);
  setReg(EFLAGS, 0x200);
  return 0;
}

function stackSizeOf(tg: ThreadGroup): u64 {
  const s = tg.rlimits.cur[RLIMIT_STACK];
  return s == RLIM_INFINITY || s > (<u64>1 << 30) ? 8 << 20 : s;
}

/** Replaces t's program by path with argv and envp; the register block is set to enter it.
 *  first, when given, is the program already looked up (execveat); path then only names it
 *  to a #! interpreter. Returns 0, -errno (nothing changed), or EXEC_FATAL (the process was
 *  killed). */
export function execve(t: Task, path: string, argv: string[], envp: string[], first: Path | null = null): i32 {
  const tg = t.tg;
  const img = new LoadedImage();
  // The strings go on the new stack: they may take a quarter of it (Linux's bprm limit).
  let bytes: u64 = 0;
  for (let i = 0; i < argv.length; i++) bytes += <u64>String.UTF8.byteLength(argv[i]) + 1;
  for (let i = 0; i < envp.length; i++) bytes += <u64>String.UTF8.byteLength(envp[i]) + 1;
  if (bytes > stackSizeOf(tg) / 4) return -E2BIG;
  const p = plan(t.fs, tg.cred, path, first, argv, img);
  if (p === null) {
    execError = img.reason.length > 0 ? img.reason : describe(vfsErr);
    return -vfsErr;
  }
  // The point of no return: the other threads and the old image go.
  killOtherThreads(t);
  // The robust futexes this task holds die with its old memory (exec_mm_release()).
  exitRobustList(t);
  // The old memory goes (unless another process shares it: the parent of a vfork keeps it),
  // and the stub is emptied for the new image.
  const stub = tg.stub;
  tg.leaveMm();
  asUnmap(stub, 0, <f64>tg.mm.taskSize);
  const mm = new MM(stub, tg.mm.taskSize);
  tg.mm = mm;
  // A 64-bit exec drops READ_IMPLIES_EXEC (set_personality_64bit()).
  t.personality &= ~READ_IMPLIES_EXEC;
  const r = loadPlan(mm, p, envp, tg.cred, stackSizeOf(tg), img, (t.personality & ADDR_NO_RANDOMIZE) == 0);
  p.release();
  if (r < 0) {
    execError = img.reason.length > 0 ? img.reason : describe(-r);
    exitThreadGroup(tg, signalStatus(SIGKILL, false));
    return EXEC_FATAL;
  }
  tg.exePath = p.resolved.length > 0 ? p.resolved : p.path;
  tg.didExec = true;
  tg.comm = commOf(p.path);
  // A table shared with another process (CLONE_FILES) is not changed under it: the new
  // program gets a copy (unshare_files() in do_execve()).
  t.unshareFiles();
  t.fdTable.closeOnExec();
  if (tg.handlers.users > 1) {
    // Dispositions shared with another process (CLONE_SIGHAND) are not reset under it: the
    // new program gets its own (unshare_sighand() in de_thread()).
    tg.handlers.users--;
    tg.handlers = tg.handlers.copy();
  }
  tg.handlers.resetCaught();
  t.clearChildTid = 0;
  // The alternate signal stack was in the old memory (execve(2) disables it).
  t.altDisabled = true;
  t.altSp = 0;
  t.altSize = 0;
  // POSIX timers do not survive exec; the ITIMER_REAL timer does.
  removeTimers(tg, true);
  releaseVforkParent(tg);
  return 0;
}

/** A vfork parent waits until its child execs or exits. */
export function releaseVforkParent(tg: ThreadGroup): void {
  const parent = tg.vforkParent;
  if (parent === null) return;
  tg.vforkParent = null;
  parent.vforkDone = true;
  wakeLater(parent);
}

/** Root and working directory of pid 1: the configured cwd if it exists in the sandbox's
 *  file system, else "/" (as runsc does when the cwd is missing from the container). */
function bootFsContext(): FsContext | null {
  const ns = buildRootFs();
  if (ns === null) return null;
  const root = new Path(ns.root, ns.root.root);
  const ctx = new FsContext(root, root);
  const cwd = resolveFrom(root, root, config.cwd, LOOKUP_FOLLOW | LOOKUP_DIRECTORY);
  if (cwd !== null) ctx.cwd = cwd;
  return ctx;
}

/** Creates pid 1 from the boot configuration and queues it to run. Returns 0 or -errno, with
 *  a message in execError. */
export function startInit(): i32 {
  // The stub first: the host makes it (and the process factory behind it) while the Gofer,
  // started at the same time as the Sentry, may still be starting.
  const stub = asCreate();
  if (stub < 0) {
    execError = "cannot create the stub process";
    return stub;
  }
  const fs = bootFsContext();
  if (fs === null) {
    asDestroy(stub);
    execError = "cannot mount the root file system from the Gofer (errno " + vfsErr.toString() + ")";
    return -vfsErr;
  }
  const tg = new ThreadGroup(allocPid(), new MM(stub, config.taskSize), stub);
  tg.startNs = monotonicNow();
  const fdt = new FdTable();
  for (let i = 0; i < 3; i++) {
    fdt.installAt(i, new HostFile(config.stdioFlags[i], config.stdio[i], false), false);
  }
  const t = new Task(tg.tgid, tg, fdt, fs, stub);
  registerTask(t);
  const r = execve(t, config.execPath, config.argv, config.envp);
  if (r < 0) {
    if (r != EXEC_FATAL) exitThreadGroup(tg, signalStatus(SIGKILL, false));
    return r == EXEC_FATAL ? -ENOEXEC : r;
  }
  t.regs.saveFromBlock();
  makeRunnable(t);
  return 0;
}
