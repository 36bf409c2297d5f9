// Creating a process (Linux kernel/fork.c copy_process() for clone without CLONE_THREAD): a
// new stub with a copy of the parent's address space (or, with CLONE_VM, mirroring the same
// one), a copy of its fd table (sharing the open file descriptions), its working directory,
// signal dispositions, limits and credentials. The child resumes from the parent's registers
// with rax = 0.
import { asCreate, asDestroy } from "../host";
import { EAGAIN, EFAULT, ENOMEM } from "../abi/errno";
import { FS_BASE, RAX, RSP, getReg } from "../abi/regs";
import { allocPid, registerTask } from "./kernel";
import { makeRunnable } from "./sched";
import { Task, ThreadGroup } from "./task";
import { MM } from "../mm/mm";
import { monotonicNow } from "./time";

export const CLONE_VM: u64 = 0x00000100;
export const CLONE_FS: u64 = 0x00000200;
export const CLONE_FILES: u64 = 0x00000400;
export const CLONE_SIGHAND: u64 = 0x00000800;
export const CLONE_PIDFD: u64 = 0x00001000;
export const CLONE_PTRACE: u64 = 0x00002000;
export const CLONE_VFORK: u64 = 0x00004000;
export const CLONE_PARENT: u64 = 0x00008000;
export const CLONE_THREAD: u64 = 0x00010000;
export const CLONE_NEWNS: u64 = 0x00020000;
export const CLONE_SYSVSEM: u64 = 0x00040000;
export const CLONE_SETTLS: u64 = 0x00080000;
export const CLONE_PARENT_SETTID: u64 = 0x00100000;
export const CLONE_CHILD_CLEARTID: u64 = 0x00200000;
export const CLONE_DETACHED: u64 = 0x00400000;
export const CLONE_UNTRACED: u64 = 0x00800000;
export const CLONE_CHILD_SETTID: u64 = 0x01000000;
export const CSIGNAL: u64 = 0xff;
/** clone3 only: the child's caught signals go back to their defaults. */
export const CLONE_CLEAR_SIGHAND: u64 = 0x100000000;

const TID_BUF: usize = memory.data(8, 8);

/** Forks parent's process. The register block holds the parent's registers (the clone
 *  syscall). Returns the child's pid or -errno. */
export function forkProcess(parent: Task, flags: u64, stack: u64, ptid: u64, ctid: u64, tls: u64): i64 {
  const stub = asCreate();
  if (stub < 0) return -EAGAIN;
  // CLONE_VM: the child's stub mirrors the parent's memory itself (a vfork child writes
  // where its parent will read), else it gets a copy-on-write copy.
  let mm: MM | null = parent.mm;
  if ((flags & CLONE_VM) == 0) mm = parent.mm.fork(stub, getReg(RSP));
  else if (parent.mm.addStub(stub) < 0) mm = null;
  if (mm === null) {
    asDestroy(stub);
    return -ENOMEM;
  }
  const ptg = parent.tg;
  const tg = new ThreadGroup(allocPid(), mm!, stub);
  // CLONE_PARENT makes the child a sibling (its parent is the caller's parent).
  const owner = (flags & CLONE_PARENT) != 0 && ptg.parent !== null ? ptg.parent! : ptg;
  tg.parent = owner;
  if (owner === ptg) tg.forker = parent;
  owner.children.push(tg);
  tg.exitSignal = <i32>(flags & CSIGNAL);
  tg.cred = ptg.cred.copy();
  tg.pgid = ptg.pgid;
  tg.sid = ptg.sid;
  tg.ctty = ptg.ctty;
  tg.exePath = ptg.exePath;
  tg.comm = ptg.comm;
  tg.startNs = monotonicNow();
  tg.nice = ptg.nice;
  tg.noNewPrivs = ptg.noNewPrivs;
  if ((flags & CLONE_SIGHAND) != 0) {
    tg.handlers = ptg.handlers;
    tg.handlers.users++;
  } else {
    tg.handlers = ptg.handlers.copy();
  }
  for (let r = 0; r < ptg.rlimits.cur.length; r++) {
    tg.rlimits.cur[r] = ptg.rlimits.cur[r];
    tg.rlimits.max[r] = ptg.rlimits.max[r];
  }
  store<u64>(TID_BUF, <u64>tg.tgid);
  if ((flags & CLONE_PARENT_SETTID) != 0 && parent.mm.copyOut(ptid, TID_BUF, 4) < 0) return failChild(tg, -EFAULT);
  if ((flags & CLONE_CHILD_SETTID) != 0 && mm.copyOut(ctid, TID_BUF, 4) < 0) return failChild(tg, -EFAULT);
  // CLONE_FILES and CLONE_FS share the fd table and the root/cwd/umask with the parent.
  const fs = (flags & CLONE_FS) != 0 ? parent.fs : parent.fs.copy();
  let fdt = parent.fdTable;
  if ((flags & CLONE_FILES) != 0) fdt.users++;
  else fdt = fdt.copy();
  const child = new Task(tg.tgid, tg, fdt, fs, stub);
  child.inheritFrom(parent);
  // The alternate signal stack is part of the copied memory, and inherited (fork(2)).
  child.altSp = parent.altSp;
  child.altSize = parent.altSize;
  child.altDisabled = parent.altDisabled;
  child.regs.saveFromBlock();
  child.regs.set(RAX, 0);
  if (stack != 0) child.regs.set(RSP, stack);
  if ((flags & CLONE_SETTLS) != 0) child.regs.set(FS_BASE, tls);
  if ((flags & CLONE_CHILD_CLEARTID) != 0) child.clearChildTid = ctid;
  registerTask(child);
  makeRunnable(child);
  return tg.tgid;
}

/** Undoes a child that could not be completed (its stub and memory go). */
function failChild(tg: ThreadGroup, err: i64): i64 {
  const i = tg.parent!.children.indexOf(tg);
  if (i >= 0) tg.parent!.children.splice(i, 1);
  tg.leaveMm();
  asDestroy(tg.stub);
  tg.handlers.users--;
  return err;
}
