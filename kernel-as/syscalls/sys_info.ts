// System information and limits: uname, getrandom, getrlimit/setrlimit/prlimit64
// (Linux kernel/sys.c, drivers/char/random.c).
import { hostRandom } from "../host";
import { EFAULT, EINVAL, EPERM, ESRCH } from "../abi/errno";
import { GRND_INSECURE, GRND_NONBLOCK, GRND_RANDOM, PROT_WRITE, RLIMIT_NOFILE, RLIM_NLIMITS } from "../abi/linux";
import { sysArg } from "../abi/regs";
import { config } from "../kernel/config";
import { threadGroups } from "../kernel/kernel";
import { Task, ThreadGroup } from "../kernel/task";

/** The Linux release the sandbox reports: glibc and others check it against their minimum. */
export const UTS_RELEASE = "6.1.0";
export const UTS_VERSION = "#1 SMP PREEMPT_DYNAMIC wvisor";
const UTS_LEN: i32 = 65;
const UTS_BUF: usize = memory.data(UTS_LEN * 6, 8);
const RANDOM_CHUNK: i32 = 4096;
const RANDOM_BUF: usize = memory.data(RANDOM_CHUNK, 8);
const RLIMIT_BUF: usize = memory.data(16, 8);
/** Largest RLIMIT_NOFILE (fs.nr_open). */
const NR_OPEN: u64 = 1048576;

function putUtsField(i: i32, s: string): void {
  const p = UTS_BUF + <usize>(i * UTS_LEN);
  memory.fill(p, 0, UTS_LEN);
  const b = String.UTF8.encode(s);
  const n = b.byteLength < UTS_LEN - 1 ? b.byteLength : UTS_LEN - 1;
  memory.copy(p, changetype<usize>(b), n);
}

export function sysUname(t: Task): i64 {
  putUtsField(0, "Linux");
  putUtsField(1, config.hostname);
  putUtsField(2, UTS_RELEASE);
  putUtsField(3, UTS_VERSION);
  putUtsField(4, "x86_64");
  putUtsField(5, "(none)");
  return t.mm.copyOut(sysArg(0), UTS_BUF, UTS_LEN * 6) < 0 ? -EFAULT : 0;
}

/** getrandom(2): the host's CSPRNG, which never blocks once the host has booted. Like Linux,
 *  one call returns at most 32 MiB - 1 and a fault after some bytes gives a short count. */
export function sysGetrandom(t: Task): i64 {
  const buf = sysArg(0);
  let len = sysArg(1);
  const flags = <i32>sysArg(2);
  if ((flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE)) != 0) return -EINVAL;
  if ((flags & GRND_INSECURE) != 0 && (flags & GRND_RANDOM) != 0) return -EINVAL;
  if (len > 0x1ffffff) len = 0x1ffffff;
  const ok = t.mm.accessibleLen(buf, len, PROT_WRITE);
  if (ok == 0 && len > 0) return -EFAULT;
  let done: u64 = 0;
  while (done < ok) {
    const n = ok - done < <u64>RANDOM_CHUNK ? <i32>(ok - done) : RANDOM_CHUNK;
    hostRandom(RANDOM_BUF, n);
    t.mm.copyOut(buf + done, RANDOM_BUF, <u64>n);
    done += <u64>n;
  }
  return <i64>done;
}

function rlimitTarget(t: Task, pid: i32): ThreadGroup | null {
  if (pid == 0 || pid == t.tg.tgid) return t.tg;
  return threadGroups.has(pid) ? threadGroups.get(pid) : null;
}

/** The common part of getrlimit, setrlimit and prlimit64 (Linux's do_prlimit()). */
function prlimit(t: Task, pid: i32, resource: i32, newAddr: u64, oldAddr: u64): i64 {
  if (resource < 0 || resource >= RLIM_NLIMITS) return -EINVAL;
  const tg = rlimitTarget(t, pid);
  if (tg === null) return -ESRCH;
  const lim = tg.rlimits;
  let newCur: u64 = 0;
  let newMax: u64 = 0;
  if (newAddr != 0) {
    if (t.mm.copyIn(newAddr, RLIMIT_BUF, 16) < 0) return -EFAULT;
    newCur = load<u64>(RLIMIT_BUF);
    newMax = load<u64>(RLIMIT_BUF + 8);
    if (newCur > newMax) return -EINVAL;
    if (resource == RLIMIT_NOFILE && newMax > NR_OPEN) return -EPERM;
  }
  if (oldAddr != 0) {
    store<u64>(RLIMIT_BUF, lim.cur[resource]);
    store<u64>(RLIMIT_BUF + 8, lim.max[resource]);
    if (t.mm.copyOut(oldAddr, RLIMIT_BUF, 16) < 0) return -EFAULT;
  }
  if (newAddr != 0) {
    // The sandbox's root holds CAP_SYS_RESOURCE, so raising the hard limit is allowed.
    lim.cur[resource] = newCur;
    lim.max[resource] = newMax;
  }
  return 0;
}

export function sysPrlimit64(t: Task): i64 {
  return prlimit(t, <i32>sysArg(0), <i32>sysArg(1), sysArg(2), sysArg(3));
}

export function sysGetrlimit(t: Task): i64 {
  if (sysArg(1) == 0) return -EFAULT;
  return prlimit(t, 0, <i32>sysArg(0), 0, sysArg(1));
}

export function sysSetrlimit(t: Task): i64 {
  if (sysArg(1) == 0) return -EFAULT;
  return prlimit(t, 0, <i32>sysArg(0), sysArg(1), 0);
}
