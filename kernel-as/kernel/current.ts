// The task whose syscall is being served (Linux's `current`): what /proc/self means, and whose
// view a file system that answers differently per caller takes. Set by dispatch().
import { Task } from "./task";

export let currentTask: Task | null = null;

export function setCurrent(t: Task | null): void {
  currentTask = t;
}
