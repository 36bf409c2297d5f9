// CPU time accounting of thread groups (Linux's task_cputime and signal->cutime/cstime): a
// group's own time is its stub process's CPU time on the host (the app's threads are that
// process's threads; user and system time are not told apart, so all of it is reported as
// user time), read from the host while the stub lives and kept once the group has exited;
// a parent's children's time grows when it reaps a zombie by waiting for it.
import { cpuTime } from "../host";
import { Task, ThreadGroup } from "./task";

const TS_BUF: usize = memory.data(16, 8);

/** The size of struct rusage (two timevals, then fourteen longs). */
export const RUSAGE_SIZE: i32 = 144;

/** The host's CPU time of stub thread `stub` (perThread) or of its whole process, in ns; 0
 *  when the host cannot tell (the stub is gone). */
function stubCpuNs(stub: i32, perThread: bool): i64 {
  if (cpuTime(stub, perThread, TS_BUF) < 0) return 0;
  return load<i64>(TS_BUF) * 1000000000 + load<i64>(TS_BUF + 8);
}

/** tg's own CPU time in ns: its stub's so far, or what it was when the group exited. */
export function groupCpuNs(tg: ThreadGroup): i64 {
  return tg.exitCpuNs >= 0 ? tg.exitCpuNs : stubCpuNs(tg.tasks[0].stub, false);
}

/** t's own CPU time in ns (RUSAGE_THREAD). */
export function threadCpuNs(t: Task): i64 {
  return stubCpuNs(t.stub, true);
}

/** Keeps tg's CPU time before its stub goes (do_group_exit: the times stay with the zombie). */
export function noteExitCpu(tg: ThreadGroup): void {
  tg.exitCpuNs = groupCpuNs(tg);
}

/** What a wait reports of child c (its rusage): its own time and its reaped children's,
 *  getrusage(RUSAGE_BOTH) of the child in wait_task_zombie(), wait_task_stopped() and
 *  wait_task_continued(). A zombie hands this to the parent that reaps it. */
export function waitCpuNs(c: ThreadGroup): i64 {
  return groupCpuNs(c) + c.childrenCpuNs;
}

/** A waiting parent reaps zombie: its time becomes the parent's children's time. Children
 *  reaped without a wait (SIGCHLD ignored) add nothing, as in Linux. */
export function collectReaped(parent: ThreadGroup, zombie: ThreadGroup): void {
  parent.childrenCpuNs += waitCpuNs(zombie);
}

/** Writes a struct rusage at buf with ns of CPU time as ru_utime, everything else zero. */
export function writeRusage(buf: usize, ns: i64): void {
  memory.fill(buf, 0, RUSAGE_SIZE);
  store<i64>(buf, ns / 1000000000);
  store<i64>(buf + 8, (ns % 1000000000) / 1000);
}
