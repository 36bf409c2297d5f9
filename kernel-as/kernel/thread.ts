// Threads (Linux kernel/fork.c with CLONE_THREAD, kernel/exit.c do_exit()): a task that shares
// its thread group's address space, signal handlers and (with CLONE_FILES/CLONE_FS) fd table
// and working directory. Each runs on a host thread of the group's stub, made by an injected
// clone. A thread's exit clears and wakes its clear_child_tid word (what pthread_join waits on).
import { threadCreate, threadExit } from "../host";
import { EAGAIN, EFAULT } from "../abi/errno";
import { exitStatus } from "../abi/linux";
import { FS_BASE, RAX, RSP } from "../abi/regs";
import { FsContext } from "../fs/vfs/mount";
import { CLONE_CHILD_CLEARTID, CLONE_CHILD_SETTID, CLONE_FILES, CLONE_FS, CLONE_PARENT_SETTID, CLONE_SETTLS } from "./fork";
import { exitRobustList, futexKey, removeWaiter, wakeFutex } from "./futex";
import { dropPendingOpen } from "../fs/fifo";
import { allocPid, exitThreadGroup, registerTask, sendParentDeathSignals, tasksByStub, tasksByTid } from "./kernel";
import { makeRunnable, RET_GONE, unpark } from "./sched";
import { Task, TASK_DEAD } from "./task";

const WORD: usize = memory.data(8, 8);

/** clone(CLONE_THREAD ...) for t, whose registers are in the block. The new tid or -errno. */
export function createThread(t: Task, flags: u64, stack: u64, ptid: u64, ctid: u64, tls: u64): i64 {
  const tid = allocPid();
  store<u32>(WORD, <u32>tid);
  if ((flags & CLONE_PARENT_SETTID) != 0 && t.mm.copyOut(ptid, WORD, 4) < 0) return -EFAULT;
  if ((flags & CLONE_CHILD_SETTID) != 0 && t.mm.copyOut(ctid, WORD, 4) < 0) return -EFAULT;
  const host = threadCreate(t.stub);
  if (host < 0) return -EAGAIN;
  let fdt = t.fdTable;
  if ((flags & CLONE_FILES) != 0) fdt.users++;
  else fdt = fdt.copy();
  let fs = t.fs;
  if ((flags & CLONE_FS) == 0) {
    fs = new FsContext(t.fs.root, t.fs.cwd);
    fs.umask = t.fs.umask;
  }
  const nt = new Task(tid, t.tg, fdt, fs, host);
  nt.inheritFrom(t);
  nt.regs.saveFromBlock();
  nt.regs.set(RAX, 0);
  if (stack != 0) nt.regs.set(RSP, stack);
  if ((flags & CLONE_SETTLS) != 0) nt.regs.set(FS_BASE, tls);
  if ((flags & CLONE_CHILD_CLEARTID) != 0) nt.clearChildTid = ctid;
  registerTask(nt);
  makeRunnable(nt);
  return tid;
}

/** Takes t out of its group and ends its host thread. Precondition: other tasks remain. */
function detach(t: Task): void {
  const tg = t.tg;
  const i = tg.tasks.indexOf(t);
  if (i >= 0) tg.tasks.splice(i, 1);
  t.state = TASK_DEAD;
  unpark(t);
  removeWaiter(t);
  dropPendingOpen(t);
  tasksByStub.delete(t.stub);
  tasksByTid.delete(t.tid);
  t.fdTable.release();
  // The children this thread forked now belong to the rest of its group: in Linux their
  // parent changes, and a parent-death signal fires (the well-known PR_SET_PDEATHSIG trap).
  for (let k = 0; k < tg.children.length; k++) {
    const c = tg.children[k];
    if (c.forker === t && c.exitStatus < 0) sendParentDeathSignals(c, tg);
  }
  if (tg.stub == t.stub) {
    // The host thread that named the stub is going: another of its threads names it now.
    tg.mm.renameStub(t.stub, tg.tasks[0].stub);
    tg.stub = tg.tasks[0].stub;
  }
  threadExit(t.stub);
}

/** exit(2) of one thread: the group ends with its last thread. */
export function exitThread(t: Task, code: i32): i64 {
  const tg = t.tg;
  if (tg.tasks.length <= 1) {
    exitThreadGroup(tg, exitStatus(code));
    return RET_GONE;
  }
  exitRobustList(t);
  if (t.clearChildTid != 0) {
    store<u32>(WORD, 0);
    if (t.mm.copyOut(t.clearChildTid, WORD, 4) == 0) wakeFutex(futexKey(t.mm, t.clearChildTid, true)!, 0xffffffff, 1);
  }
  detach(t);
  return RET_GONE;
}

/** Before execve replaces the program: every other thread of t's group ends (de_thread()),
 *  and t takes the group's pid as its tid. */
export function killOtherThreads(t: Task): void {
  const tg = t.tg;
  while (tg.tasks.length > 1) {
    const other = tg.tasks[0] === t ? tg.tasks[1] : tg.tasks[0];
    exitRobustList(other);
    detach(other);
  }
  if (t.tid != tg.tgid) {
    tasksByTid.delete(t.tid);
    t.tid = tg.tgid;
    tasksByTid.set(t.tid, t);
  }
}
