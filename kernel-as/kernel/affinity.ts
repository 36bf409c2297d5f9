// CPU affinity (sched_setaffinity(2)): the CPUs a thread may run on, as Linux's cpumask of
// nr_cpu_ids bits (the CPUs the sandbox reports) in whole 64-bit words. The mask is recorded
// and reported (sched_getaffinity, /proc/<pid>/status); the host does not pin threads.
import { config } from "./config";
import { Task } from "./task";

/** The mask's size in 64-bit words (cpumask_size() / 8). */
export function maskWords(): i32 {
  return (config.ncpu + 63) / 64;
}

/** Word i of the mask of the CPUs that exist. */
export function existingCpus(i: i32): u64 {
  const first = <u32>i * 64;
  if (first >= config.ncpu) return 0;
  const n = config.ncpu - first;
  return n >= 64 ? U64.MAX_VALUE : ((<u64>1) << <u64>n) - 1;
}

/** Word i of t's mask: the CPUs it may run on that exist. */
export function affinityWord(t: Task, i: i32): u64 {
  const own = t.cpuMask;
  return own === null ? existingCpus(i) : existingCpus(i) & unchecked(own[i]);
}

function allowed(t: Task, cpu: u32): bool {
  return ((affinityWord(t, <i32>(cpu / 64)) >> <u64>(cpu % 64)) & 1) != 0;
}

/** The mask as /proc/<pid>/status's Cpus_allowed shows it (bitmap_string(): 32-bit groups
 *  in hex, most significant first, the first as wide as its bits need). */
export function cpuMaskHex(t: Task): string {
  const groups = (config.ncpu + 31) / 32;
  let out = "";
  for (let g = <i32>groups - 1; g >= 0; g--) {
    const word = affinityWord(t, g / 2);
    const v = <u32>((g & 1) != 0 ? word >> 32 : word & 0xffffffff);
    const bits = g == <i32>groups - 1 ? config.ncpu - <u32>g * 32 : 32;
    const hex = v.toString(16);
    const width = <i32>((bits + 3) / 4);
    out += (hex.length < width ? "0".repeat(width - hex.length) : "") + hex + (g > 0 ? "," : "");
  }
  return out;
}

/** The mask as Cpus_allowed_list shows it: ranges such as "0-3,6". */
export function cpuMaskList(t: Task): string {
  let out = "";
  let cpu: u32 = 0;
  while (cpu < config.ncpu) {
    if (!allowed(t, cpu)) {
      cpu++;
      continue;
    }
    let last = cpu;
    while (last + 1 < config.ncpu && allowed(t, last + 1)) last++;
    if (out.length > 0) out += ",";
    out += last > cpu ? cpu.toString() + "-" + last.toString() : cpu.toString();
    cpu = last + 1;
  }
  return out;
}
