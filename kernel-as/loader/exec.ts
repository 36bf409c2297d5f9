// Starting the sandbox's first program (pid 1): a fresh address space in a new stub, the
// memory layout, the image, the initial stack and registers. Linux's equivalent is the tail of
// kernel_init() running execve on the init program; later execve(2) reuses these steps.
import { asCreate, asDestroy, hostRandom } from "../host";
import { MAP_PRIVATE, O_RDONLY, PAGE_SIZE, pageDown, pageUp, PROT_READ, PROT_WRITE, RLIMIT_STACK, RLIM_INFINITY } from "../abi/linux";
import { CS, EFLAGS, REGS, REGS_SIZE, RIP, RSP, setReg, SS, USER_CS, USER_DS } from "../abi/regs";
import { config } from "../kernel/config";
import { allocPid, registerTask } from "../kernel/kernel";
import { makeRunnable } from "../kernel/sched";
import { Task, ThreadGroup } from "../kernel/task";
import { FdTable } from "../fs/fd_table";
import { HostFile } from "../fs/host_file";
import { MM } from "../mm/mm";
import { VMA_STACK } from "../mm/vma";
import { chooseBias, ElfFile, ELF_ET_DYN_BASE, LoadedImage, mapElf, phdrAddress, readElf } from "./elf";
import { FileDescription } from "../fs/file";
import { fail } from "../fs/vfs/error";
import { MAY_EXEC, permitted } from "../fs/vfs/permission";
import { EACCES, ENOENT, ENOEXEC } from "../abi/errno";
import { Credentials } from "../kernel/cred";
import { FsContext, Path } from "../fs/vfs/mount";
import { LOOKUP_DIRECTORY, LOOKUP_FOLLOW, resolveFrom } from "../fs/vfs/namei";
import { buildRootFs } from "../fs/vfs/rootfs";
import { vfsErr } from "../fs/vfs/error";
import { monotonicNow } from "../kernel/time";
import { buildInitialStack } from "./stack";

/** Why the last startInit failed, for the person running wvisor. */
export let execError: string = "";

const ET_DYN_TYPE: u16 = 3;
const MIN_MMAP_GAP: u64 = 128 << 20;
const STACK_GUARD_GAP: u64 = 256 * PAGE_SIZE;
const RND_BUF: usize = memory.data(32, 8);

function randomPages(limit: u64): u64 {
  hostRandom(RND_BUF, 8);
  return pageDown(load<u64>(RND_BUF) % limit);
}

/** Lays out stack and mmap base below the top of the address space with some randomness, as
 *  Linux's arch_pick_mmap_layout() and randomize_stack_top() do (with smaller ranges). */
function pickLayout(mm: MM, stackSize: u64): void {
  mm.stackTop = mm.taskSize - PAGE_SIZE - randomPages(1 << 30);
  let gap = stackSize + STACK_GUARD_GAP;
  if (gap < MIN_MMAP_GAP) gap = MIN_MMAP_GAP;
  mm.mmapBase = mm.stackTop - gap - randomPages(<u64>1 << 32);
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
  const fs = bootFsContext();
  if (fs === null) {
    execError = "cannot mount the root file system from the Gofer (errno " + vfsErr.toString() + ")";
    return -vfsErr;
  }
  const stub = asCreate();
  if (stub < 0) {
    execError = "cannot create the stub process";
    return stub;
  }
  const mm = new MM(stub, config.taskSize);
  const tg = new ThreadGroup(allocPid(), mm);
  let stackSize = tg.rlimits.cur[RLIMIT_STACK];
  if (stackSize == RLIM_INFINITY || stackSize > (<u64>1 << 30)) stackSize = 8 << 20;
  pickLayout(mm, stackSize);

  const r = execInto(mm, fs, tg.cred, stackSize);
  if (r < 0) {
    mm.releaseAll();
    asDestroy(stub);
    return r;
  }
  const fdt = new FdTable();
  for (let i = 0; i < 3; i++) {
    fdt.installAt(i, new HostFile(config.stdioFlags[i], config.stdio[i], false), false);
  }
  tg.exePath = config.execPath;
  tg.comm = commOf(config.execPath);
  tg.startNs = monotonicNow();
  const t = new Task(tg.tgid, tg, fdt, fs, stub);
  registerTask(t);
  t.regs.saveFromBlock();
  makeRunnable(t);
  return 0;
}

/** The task name exec gives: the file name, cut to TASK_COMM_LEN - 1 bytes. */
function commOf(path: string): string {
  const base = path.substring(path.lastIndexOf("/") + 1);
  return base.length > 15 ? base.substring(0, 15) : base;
}

/** Opens path for execution (Linux's open_exec()): a regular file the task may execute. */
function openExec(fs: FsContext, path: string, cred: Credentials): FileDescription | null {
  const p = resolveFrom(fs.root, fs.cwd, path, LOOKUP_FOLLOW);
  if (p === null) return null;
  if (!p.inode.isReg || !permitted(p.inode, MAY_EXEC, cred)) return fail<FileDescription>(EACCES);
  return p.inode.open(O_RDONLY, p);
}

function describe(e: i32): string {
  if (e == ENOENT) return "no such file or directory";
  if (e == EACCES) return "permission denied";
  if (e == ENOEXEC) return "exec format error";
  return "errno " + e.toString();
}

/** Loads the program (and its interpreter) into the empty mm and sets the register block
 *  to enter it. Returns 0 or -errno, with a message in execError. */
function execInto(mm: MM, fs: FsContext, cred: Credentials, stackSize: u64): i32 {
  const img = new LoadedImage();
  let r = mm.mapAnon(mm.stackTop - stackSize, stackSize, PROT_READ | PROT_WRITE, MAP_PRIVATE, VMA_STACK);
  if (r < 0) {
    execError = "cannot map the stack";
    return r;
  }
  const file = openExec(fs, config.execPath, cred);
  if (file === null) {
    execError = describe(vfsErr);
    return -vfsErr;
  }
  r = loadImages(mm, fs, cred, file, img);
  file.put();
  if (r < 0) {
    execError = img.reason.length > 0 ? img.reason : describe(-r);
    return r;
  }
  // brk starts after the image, moved up by up to 32 MiB (arch_randomize_brk); a static PIE
  // gets its heap at ELF_ET_DYN_BASE instead, as Linux does, away from the mmap area.
  const brkBase = img.isPie && img.base == 0 ? ELF_ET_DYN_BASE : img.end;
  mm.brkStart = brkBase + randomPages(32 << 20);
  mm.brk = mm.brkStart;

  const sp = buildInitialStack(mm, config.argv, config.envp, config.execPath, img, cred,
                               config.hwcap, config.hwcap2, stackSize);
  if (sp < 0) {
    execError = "argument list too long";
    return <i32>sp;
  }
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

/** Maps the program open on file and, for a dynamic one, its interpreter. */
function loadImages(mm: MM, fs: FsContext, cred: Credentials, file: FileDescription, img: LoadedImage): i32 {
  const e = readElf(file, img);
  if (e === null) return -ENOEXEC;
  let interp: FileDescription | null = null;
  let ie: ElfFile | null = null;
  if (e.interp.length > 0) {
    interp = openExec(fs, e.interp, cred);
    if (interp === null) {
      img.reason = "cannot open the interpreter " + e.interp + ": " + describe(vfsErr);
      return -vfsErr;
    }
    ie = readElf(interp, img);
    if (ie === null) {
      interp.put();
      return -ENOEXEC;
    }
  }
  const bias = chooseBias(mm, e, ie !== null);
  let r: i32 = bias < 0 ? <i32>bias : mapElf(mm, file, e, <u64>bias, img);
  if (r == 0) {
    img.entry = e.entry + <u64>bias;
    img.start = img.entry;
    img.phdr = phdrAddress(e, <u64>bias);
    img.phnum = <u64>e.phnum;
    img.end = pageUp(e.hi + <u64>bias);
    img.isPie = e.type == ET_DYN_TYPE;
  }
  if (r == 0 && ie !== null) {
    const ibias = chooseBias(mm, ie, false);
    r = ibias < 0 ? <i32>ibias : mapElf(mm, interp!, ie, <u64>ibias, img);
    if (r == 0) {
      img.base = ie.lo + <u64>ibias;
      img.start = ie.entry + <u64>ibias;
    }
  }
  if (interp !== null) interp.put();
  return r;
}
