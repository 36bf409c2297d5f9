// Task life and per-task state: exit, exit_group, set_tid_address, set/get_robust_list,
// arch_prctl, the pid/tid getters and scheduling queries (Linux kernel/exit.c, kernel/fork.c,
// arch/x86/kernel/process_64.c, kernel/sched/core.c).
import { EFAULT, EINVAL, EPERM, ESRCH, ENODEV } from "../abi/errno";
import { ARCH_GET_CPUID, ARCH_GET_FS, ARCH_GET_GS, ARCH_SET_CPUID, ARCH_SET_FS, ARCH_SET_GS, exitStatus } from "../abi/linux";
import { FS_BASE, GS_BASE, getReg, setReg, sysArg } from "../abi/regs";
import { config } from "../kernel/config";
import { exitThreadGroup, tasksByTid } from "../kernel/kernel";
import { RET_GONE } from "../kernel/sched";
import { exitThread } from "../kernel/thread";
import { Task } from "../kernel/task";

const WORD_BUF: usize = memory.data(8, 8);
const ROBUST_LIST_HEAD_SIZE: u64 = 24;

/** exit(2): ends the calling thread; the last one ends the process. */
export function sysExit(t: Task): i64 {
  return exitThread(t, <i32>sysArg(0));
}

export function sysExitGroup(t: Task): i64 {
  exitThreadGroup(t.tg, exitStatus(<i32>sysArg(0)));
  return RET_GONE;
}

export function sysSetTidAddress(t: Task): i64 {
  t.clearChildTid = sysArg(0);
  return t.tid;
}

export function sysSetRobustList(t: Task): i64 {
  if (sysArg(1) != ROBUST_LIST_HEAD_SIZE) return -EINVAL;
  t.robustList = sysArg(0);
  t.robustListLen = sysArg(1);
  return 0;
}

/** get_robust_list(2): any task of the sandbox may be asked about; a permission check
 *  (ptrace_may_access) would only matter between users, and the sandbox has one. */
export function sysGetRobustList(t: Task): i64 {
  const pid = <i32>sysArg(0);
  if (pid != 0 && !tasksByTid.has(pid)) return -ESRCH;
  const target = pid == 0 ? t : tasksByTid.get(pid);
  store<u64>(WORD_BUF, target.robustList);
  if (t.mm.copyOut(sysArg(1), WORD_BUF, 8) < 0) return -EFAULT;
  store<u64>(WORD_BUF, ROBUST_LIST_HEAD_SIZE);
  if (t.mm.copyOut(sysArg(2), WORD_BUF, 8) < 0) return -EFAULT;
  return 0;
}

/** arch_prctl(2). The FS and GS bases live in the register block, which the host loads into
 *  the stub with the other registers. */
export function sysArchPrctl(t: Task): i64 {
  const code = <i32>sysArg(0);
  const addr = sysArg(1);
  if (code == ARCH_SET_FS || code == ARCH_SET_GS) {
    if (addr >= t.mm.taskSize) return -EPERM;
    setReg(code == ARCH_SET_FS ? FS_BASE : GS_BASE, addr);
    return 0;
  }
  if (code == ARCH_GET_FS || code == ARCH_GET_GS) {
    store<u64>(WORD_BUF, getReg(code == ARCH_GET_FS ? FS_BASE : GS_BASE));
    return t.mm.copyOut(addr, WORD_BUF, 8) < 0 ? -EFAULT : 0;
  }
  if (code == ARCH_GET_CPUID) return 1;
  // Faulting CPUID needs hardware support the platform does not expose.
  if (code == ARCH_SET_CPUID) return -ENODEV;
  return -EINVAL;
}

export function sysGetpid(t: Task): i64 {
  return t.tg.tgid;
}

export function sysGettid(t: Task): i64 {
  return t.tid;
}

export function sysSchedYield(t: Task): i64 {
  return 0;
}

/** sched_getaffinity(2): every CPU the sandbox reports. Returns the mask size in bytes. */
export function sysSchedGetaffinity(t: Task): i64 {
  const pid = <i32>sysArg(0);
  const len = sysArg(1);
  const mask = sysArg(2);
  if (pid != 0 && !tasksByTid.has(pid)) return -ESRCH;
  const ncpu = config.ncpu;
  // The kernel's cpumask is nr_cpu_ids bits, copied out in whole longs.
  const size = <u64>(((ncpu + 63) / 64) * 8);
  if (len < size || (len & 7) != 0) return -EINVAL;
  for (let i: u64 = 0; i < size; i += 8) {
    const first = <u32>(i * 8);
    let word: u64 = 0;
    for (let b: u32 = 0; b < 64 && first + b < ncpu; b++) word |= (<u64>1) << <u64>b;
    store<u64>(WORD_BUF, word);
    if (t.mm.copyOut(mask + i, WORD_BUF, 8) < 0) return -EFAULT;
  }
  return <i64>size;
}
