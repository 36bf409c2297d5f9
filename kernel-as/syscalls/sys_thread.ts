// Task life and per-task state: exit, exit_group, set_tid_address, set/get_robust_list,
// arch_prctl, the pid/tid getters and scheduling queries (Linux kernel/exit.c, kernel/fork.c,
// arch/x86/kernel/process_64.c, kernel/sched/core.c).
import { EFAULT, EINVAL, EPERM, ESRCH, ENODEV } from "../abi/errno";
import { ARCH_GET_CPUID, ARCH_GET_FS, ARCH_GET_GS, ARCH_SET_CPUID, ARCH_SET_FS, ARCH_SET_GS, exitStatus } from "../abi/linux";
import { FS_BASE, GS_BASE, getReg, setReg, sysArg } from "../abi/regs";
import { exitThreadGroup, tasksByTid } from "../kernel/kernel";
import { RET_GONE } from "../kernel/sched";
import { exitThread } from "../kernel/thread";
import { Task } from "../kernel/task";
import { affinityWord, existingCpus, maskWords } from "../kernel/affinity";

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

/** getcpu(2): the first CPU the thread may run on, node 0. Where the host runs the thread
 *  is the host's business (the vDSO's getcpu, which glibc's sched_getcpu() uses, tells the
 *  host CPU). NULL pointers are skipped. */
export function sysGetcpu(t: Task): i64 {
  let cpu: u32 = 0;
  for (let i = 0; i < maskWords(); i++) {
    const w = affinityWord(t, i);
    if (w != 0) {
      cpu = <u32>(i * 64) + <u32>ctz(w);
      break;
    }
  }
  if (sysArg(0) != 0) {
    store<u32>(WORD_BUF, cpu);
    if (t.mm.copyOut(sysArg(0), WORD_BUF, 4) < 0) return -EFAULT;
  }
  if (sysArg(1) != 0) {
    store<u32>(WORD_BUF, 0);
    if (t.mm.copyOut(sysArg(1), WORD_BUF, 4) < 0) return -EFAULT;
  }
  return 0;
}

/** The thread tid names (0: t itself), or null (find_process_by_pid()). */
function affinityTarget(t: Task, pid: i32): Task | null {
  if (pid == 0) return t;
  return pid > 0 && tasksByTid.has(pid) ? tasksByTid.get(pid) : null;
}

/** sched_getaffinity(2): the thread's mask (every CPU unless sched_setaffinity narrowed
 *  it). Returns the mask size in bytes. */
export function sysSchedGetaffinity(t: Task): i64 {
  const len = sysArg(1);
  const mask = sysArg(2);
  const target = affinityTarget(t, <i32>sysArg(0));
  if (target === null) return -ESRCH;
  const words = maskWords();
  const size = <u64>(words * 8);
  if (len < size || (len & 7) != 0) return -EINVAL;
  for (let i = 0; i < words; i++) {
    store<u64>(WORD_BUF, affinityWord(target, i));
    if (t.mm.copyOut(mask + <u64>(i * 8), WORD_BUF, 8) < 0) return -EFAULT;
  }
  return <i64>size;
}

/** sched_setaffinity(2): keeps the CPUs of the mask that exist (a shorter mask is read as
 *  far as it goes, the rest taken as zero; a longer one is cut), EINVAL when none does.
 *  Another user's thread needs CAP_SYS_NICE (check_same_owner()). */
export function sysSchedSetaffinity(t: Task): i64 {
  const pid = <i32>sysArg(0);
  let len = <u64>(<u32>sysArg(1));
  const addr = sysArg(2);
  const words = maskWords();
  if (len > <u64>(words * 8)) len = <u64>(words * 8);
  // Read before the target is looked up, as Linux does (EFAULT comes first).
  const want = new StaticArray<u64>(words);
  if (len > 0 && t.mm.copyIn(addr, changetype<usize>(want), len) < 0) return -EFAULT;
  const target = affinityTarget(t, pid);
  if (target === null) return -ESRCH;
  const me = t.tg.cred;
  const them = target.tg.cred;
  // Root holds CAP_SYS_NICE (cred.ts).
  if (me.euid != them.euid && me.euid != them.uid && me.euid != 0) return -EPERM;
  let any = false;
  for (let i = 0; i < words; i++) {
    unchecked(want[i] = want[i] & existingCpus(i));
    if (unchecked(want[i]) != 0) any = true;
  }
  if (!any) return -EINVAL;
  target.cpuMask = want;
  return 0;
}
