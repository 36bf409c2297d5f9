// The registry of live tasks and thread groups, pid allocation, and the end of a thread
// group. The sandbox has its own pid namespace: the first program is pid 1, and when pid 1
// exits the sandbox ends with its status, as a container does.
import { asDestroy } from "../host";
import { Task, ThreadGroup, TASK_DEAD } from "./task";
import { unpark } from "./sched";
import { removeWaiter } from "./futex";
import { forgetWaiter, releaseAllLocks } from "../fs/vfs/locks";

export const tasksByStub = new Map<i32, Task>();
export const tasksByTid = new Map<i32, Task>();
export const threadGroups = new Map<i32, ThreadGroup>();

let nextPid: i32 = 1;
/** Wait status of the sandbox's init once it has exited, else -1. */
export let sandboxStatus: i32 = -1;

export function allocPid(): i32 {
  return nextPid++;
}

export function registerTask(t: Task): void {
  tasksByStub.set(t.stub, t);
  tasksByTid.set(t.tid, t);
  if (!threadGroups.has(t.tg.tgid)) threadGroups.set(t.tg.tgid, t.tg);
  t.tg.tasks.push(t);
}

/** Ends every task of tg with wait status `status` (as Linux's do_group_exit()), releases its
 *  memory and fds, and destroys its stub. */
export function exitThreadGroup(tg: ThreadGroup, status: i32): void {
  if (tg.exitStatus >= 0) return;
  tg.exitStatus = status;
  for (let i = 0; i < tg.tasks.length; i++) {
    const t = unchecked(tg.tasks[i]);
    t.state = TASK_DEAD;
    unpark(t);
    removeWaiter(t);
    forgetWaiter(t);
    tasksByStub.delete(t.stub);
    tasksByTid.delete(t.tid);
    t.fdTable.release();
  }
  releaseAllLocks(changetype<usize>(tg));
  tg.mm.releaseAll();
  asDestroy(tg.mm.stub);
  threadGroups.delete(tg.tgid);
  if (tg.tgid == 1) sandboxStatus = status;
}
