// Starting the sandbox's first program (pid 1): a fresh address space in a new stub, the
// memory layout, the image, the initial stack and registers. Linux's equivalent is the tail of
// kernel_init() running execve on the init program; later execve(2) reuses these steps.
import { asCreate, asDestroy, hostRandom } from "../host";
import { MAP_PRIVATE, PAGE_SIZE, pageDown, PROT_READ, PROT_WRITE, RLIMIT_STACK, RLIM_INFINITY } from "../abi/linux";
import { CS, EFLAGS, REGS, REGS_SIZE, RIP, RSP, setReg, SS, USER_CS, USER_DS } from "../abi/regs";
import { config } from "../kernel/config";
import { allocPid, registerTask } from "../kernel/kernel";
import { makeRunnable } from "../kernel/sched";
import { Task, ThreadGroup } from "../kernel/task";
import { FdTable } from "../fs/fd_table";
import { HostFile } from "../fs/host_file";
import { MM } from "../mm/mm";
import { VMA_STACK } from "../mm/vma";
import { LoadedImage, loadElf } from "./elf";
import { Credentials } from "../kernel/cred";
import { FsContext, Path } from "../fs/vfs/mount";
import { LOOKUP_DIRECTORY, LOOKUP_FOLLOW, resolveFrom } from "../fs/vfs/namei";
import { buildRootFs } from "../fs/vfs/rootfs";
import { vfsErr } from "../fs/vfs/error";
import { buildInitialStack } from "./stack";

/** Why the last startInit failed, for the person running wvisor. */
export let execError: string = "";

/** Linux's ELF_ET_DYN_BASE on x86-64: 2/3 of the 47-bit user space. */
const ELF_ET_DYN_BASE: u64 = 0x555555554000;
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

  const r = execInto(mm, tg.cred, stackSize);
  if (r < 0) {
    mm.releaseAll();
    asDestroy(stub);
    return r;
  }
  const fdt = new FdTable();
  for (let i = 0; i < 3; i++) {
    fdt.installAt(i, new HostFile(config.stdioFlags[i], config.stdio[i], false), false);
  }
  const t = new Task(tg.tgid, tg, fdt, fs, stub);
  registerTask(t);
  t.regs.saveFromBlock();
  makeRunnable(t);
  return 0;
}

/** Loads the configured executable into the empty mm and sets the register block to enter
 *  it. Returns 0 or -errno. */
function execInto(mm: MM, cred: Credentials, stackSize: u64): i32 {
  const img = new LoadedImage();
  let r = mm.mapAnon(mm.stackTop - stackSize, stackSize, PROT_READ | PROT_WRITE, MAP_PRIVATE, VMA_STACK);
  if (r < 0) {
    execError = "cannot map the stack";
    return r;
  }
  r = loadElf(mm, config.execFd, img);
  if (r < 0) {
    execError = img.reason.length > 0 ? img.reason : "cannot load the program";
    return r;
  }
  // brk starts after the image, moved up by up to 32 MiB (arch_randomize_brk); a static PIE
  // gets its heap at ELF_ET_DYN_BASE instead, as Linux does, away from the mmap area.
  const brkBase = img.isPie ? ELF_ET_DYN_BASE : img.end;
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
  setReg(RIP, img.entry);
  setReg(RSP, <u64>sp);
  setReg(CS, USER_CS);
  setReg(SS, USER_DS);
  setReg(EFLAGS, 0x200);
  return 0;
}
