// The contents of procfs files, in the formats Linux gives (fs/proc/array.c, task_mmu.c,
// base.c, meminfo.c, stat.c, proc_namespace.c). Figures the sandbox cannot know (CPU time per
// state, page faults) are reported as 0.
import { hostRandom } from "../../host";
import { PROT_EXEC, PROT_READ, PROT_WRITE, MAP_SHARED, RLIM_INFINITY, RLIM_NLIMITS } from "../../abi/linux";
import { config } from "../../kernel/config";
import { cpuMaskHex, cpuMaskList } from "../../kernel/affinity";
import { memoryFile, memoryLimit } from "../../kernel/globals";
import { threadGroups } from "../../kernel/kernel";
import { Task, ThreadGroup, TASK_BLOCKED } from "../../kernel/task";
import { monotonicNow } from "../../kernel/time";
import { HostFile } from "../host_file";
import { PipeEnd } from "../pipe";
import { InodeFile } from "../vfs/inode_file";
import { pathName, Path } from "../vfs/mount";
import { mountNamespace } from "../vfs/rootfs";
import { realtimeNow } from "../vfs/time";
import { VMA_HEAP, VMA_IMAGE, VMA_STACK } from "../../mm/vma";
import { UTS_RELEASE, UTS_VERSION } from "../../syscalls/sys_info";
import { FifoEnd } from "../fifo";

export const SYSTEM_FILES: string[] = ["cpuinfo", "meminfo", "stat", "uptime", "loadavg", "version", "filesystems", "mounts"];
export const PID_FILES: string[] = ["stat", "status", "statm", "cmdline", "environ", "comm", "maps", "mounts", "mountinfo", "limits", "auxv", "personality"];
export const PID_LINKS: string[] = ["exe", "cwd", "root"];
export const SYS_FILES: string[] = [
  "sys/kernel/hostname", "sys/kernel/ostype", "sys/kernel/osrelease", "sys/kernel/version", "sys/kernel/pid_max",
  "sys/kernel/random/boot_id", "sys/kernel/random/uuid", "sys/kernel/ngroups_max", "sys/kernel/cap_last_cap",
  "sys/vm/overcommit_memory", "sys/vm/max_map_count", "sys/fs/nr_open", "sys/fs/file-max",
  "sys/net/core/somaxconn",
];

const NS: i64 = 1000000000;
const PAGE: u64 = 4096;
const RND: usize = memory.data(16, 8);
let bootId: string = "";

function uuid(): string {
  hostRandom(RND, 16);
  // Version 4, variant 1 (RFC 4122), as Linux's random/uuid.
  store<u8>(RND + 6, (load<u8>(RND + 6) & 0x0f) | 0x40);
  store<u8>(RND + 8, (load<u8>(RND + 8) & 0x3f) | 0x80);
  let s = "";
  for (let i = 0; i < 16; i++) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s += "-";
    const b = <u32>load<u8>(RND + <usize>i);
    s += (b < 16 ? "0" : "") + b.toString(16);
  }
  return s;
}

function fixed2(ns: i64): string {
  const cs = ns / 10000000;
  const frac = cs % 100;
  return (cs / 100).toString() + "." + (frac < 10 ? "0" : "") + frac.toString();
}

function hex8(v: u64): string {
  const s = v.toString(16);
  return s.length < 8 ? "0".repeat(8 - s.length) + s : s;
}

function kb(bytes: u64): string {
  return (bytes / 1024).toString().padStart(8, " ") + " kB";
}

/** The uptime in ns: since the sandbox started (its first process). */
function uptimeNs(): i64 {
  return threadGroups.has(1) ? monotonicNow() - threadGroups.get(1).startNs : 0;
}

function cpuinfo(): string {
  let s = "";
  const block = config.cpuinfo.length > 0 ? config.cpuinfo : "vendor_id\t: unknown\nmodel name\t: unknown\n";
  for (let i: u32 = 0; i < config.ncpu; i++) {
    s += "processor\t: " + i.toString() + "\n" + block + "\n\n";
  }
  return s;
}

function meminfo(): string {
  const total = memoryLimit;
  const free = total - memoryFile.used;
  return "MemTotal:       " + kb(total) + "\nMemFree:        " + kb(free) + "\nMemAvailable:   " + kb(free) +
    "\nBuffers:        " + kb(0) + "\nCached:         " + kb(0) + "\nSwapCached:     " + kb(0) +
    "\nActive:         " + kb(memoryFile.used) + "\nInactive:       " + kb(0) + "\nSwapTotal:      " + kb(0) +
    "\nSwapFree:       " + kb(0) + "\nShmem:          " + kb(0) + "\n";
}

function stat(): string {
  let s = "cpu  0 0 0 0 0 0 0 0 0 0\n";
  for (let i: u32 = 0; i < config.ncpu; i++) s += "cpu" + i.toString() + " 0 0 0 0 0 0 0 0 0 0\n";
  const btime = (realtimeNow() - uptimeNs()) / NS;
  return s + "intr 0\nctxt 0\nbtime " + btime.toString() + "\nprocesses " + threadGroups.size.toString() +
    "\nprocs_running 1\nprocs_blocked 0\nsoftirq 0 0 0 0 0 0 0 0 0 0 0\n";
}

function mountLines(root: Path, info: bool): string {
  const ns = mountNamespace!;
  let s = "";
  for (let i = 0; i < ns.mounts.length; i++) {
    const m = ns.mounts[i];
    const where = pathName(new Path(m, m.root), root);
    const opts = m.readonly ? "ro" : "rw";
    if (info) {
      const parent = m.parent !== null ? ns.mounts.indexOf(m.parent!) + 1 : 1;
      s += (i + 1).toString() + " " + parent.toString() + " 0:" + m.root.inode.sb.dev.toString() + " / " + where + " " +
        opts + ",relatime - " + m.fsType + " " + m.source + " " + opts + "\n";
    } else {
      s += m.source + " " + where + " " + m.fsType + " " + opts + ",relatime 0 0\n";
    }
  }
  return s;
}

/** The parent's pid, 0 for init (its parent is outside the sandbox). */
function ppid(tg: ThreadGroup): i32 {
  const p = tg.parent;
  return p === null ? 0 : p.tgid;
}

function stateLetter(tg: ThreadGroup): string {
  return tg.stopped ? "T" : tg.leader.state == TASK_BLOCKED ? "S" : "R";
}

function vmSize(tg: ThreadGroup): u64 {
  return tg.mm.mappedBytes();
}

function rss(tg: ThreadGroup): u64 {
  let n: u64 = 0;
  for (let i = 0; i < tg.mm.vmas.length; i++) if (tg.mm.vmas[i].backed) n += tg.mm.vmas[i].length;
  return n;
}

function pidStat(tg: ThreadGroup): string {
  const start = (tg.startNs - (threadGroups.has(1) ? threadGroups.get(1).startNs : tg.startNs)) / (NS / 100);
  const f: string[] = [
    tg.tgid.toString(), "(" + tg.comm + ")", stateLetter(tg), ppid(tg).toString(), tg.pgid.toString(), tg.sid.toString(), "0", "-1",
    "4194560", "0", "0", "0", "0", "0", "0", "0", "0", "20", "0", tg.tasks.length.toString(), "0", start.toString(),
    vmSize(tg).toString(), (rss(tg) / PAGE).toString(), RLIM_INFINITY.toString(), "0", "0",
    tg.mm.stackTop.toString(), "0", "0", "0", "0", "0", "0", "0", "0", "0", "17", "0", "0", "0", "0", "0",
    "0", "0", tg.mm.argStart.toString(), tg.mm.argEnd.toString(), tg.mm.envStart.toString(), tg.mm.envEnd.toString(), "0",
  ];
  return f.join(" ") + "\n";
}

function sigHex(mask: u64): string {
  const s = mask.toString(16);
  return "0".repeat(16 - s.length) + s;
}

/** The words /proc/<pid>/status puts after the state letter. */
function stateName(letter: string): string {
  return letter == "S" ? " (sleeping)" : letter == "T" ? " (stopped)" : " (running)";
}

function status(tg: ThreadGroup): string {
  const c = tg.cred;
  let ign: u64 = 0;
  let cgt: u64 = 0;
  for (let sig = 1; sig <= 64; sig++) {
    const h = tg.handlers.get(sig).handler;
    if (h == 1) ign |= (<u64>1) << <u64>(sig - 1);
    else if (h > 1) cgt |= (<u64>1) << <u64>(sig - 1);
  }
  const caps = c.euid == 0 ? "000001ffffffffff" : "0000000000000000";
  return "Name:\t" + tg.comm + "\nUmask:\t0022\nState:\t" + stateLetter(tg) + stateName(stateLetter(tg)) +
    "\nTgid:\t" + tg.tgid.toString() + "\nNgid:\t0\nPid:\t" + tg.tgid.toString() + "\nPPid:\t" + ppid(tg).toString() + "\nTracerPid:\t0" +
    "\nUid:\t" + c.uid.toString() + "\t" + c.euid.toString() + "\t" + c.euid.toString() + "\t" + c.euid.toString() +
    "\nGid:\t" + c.gid.toString() + "\t" + c.egid.toString() + "\t" + c.egid.toString() + "\t" + c.egid.toString() +
    "\nFDSize:\t" + tg.leader.fdTable.size().toString() + "\nGroups:\t\nVmPeak:\t" + kb(vmSize(tg)) + "\nVmSize:\t" + kb(vmSize(tg)) +
    "\nVmRSS:\t" + kb(rss(tg)) + "\nThreads:\t" + tg.tasks.length.toString() +
    "\nSigQ:\t0/63936\nSigPnd:\t" + sigHex(tg.leader.pending.bits) + "\nShdPnd:\t" + sigHex(tg.shared.bits) + "\nSigBlk:\t" + sigHex(tg.leader.sigmask) +
    "\nSigIgn:\t" + sigHex(ign) + "\nSigCgt:\t" + sigHex(cgt) + "\nCapInh:\t0000000000000000\nCapPrm:\t" + caps +
    "\nCapEff:\t" + caps + "\nCapBnd:\t000001ffffffffff\nCapAmb:\t0000000000000000\nNoNewPrivs:\t0\nSeccomp:\t0" +
    "\nCpus_allowed:\t" + cpuMaskHex(tg.leader) + "\nCpus_allowed_list:\t" + cpuMaskList(tg.leader) + "\nvoluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n";
}

function statm(tg: ThreadGroup): string {
  return (vmSize(tg) / PAGE).toString() + " " + (rss(tg) / PAGE).toString() + " 0 0 0 0 0\n";
}

function maps(tg: ThreadGroup): string {
  let s = "";
  const v = tg.mm.vmas;
  for (let i = 0; i < v.length; i++) {
    const m = v[i];
    const perms = ((m.prot & PROT_READ) != 0 ? "r" : "-") + ((m.prot & PROT_WRITE) != 0 ? "w" : "-") +
      ((m.prot & PROT_EXEC) != 0 ? "x" : "-") + ((m.flags & MAP_SHARED) != 0 ? "s" : "p");
    let line = hex8(m.start) + "-" + hex8(m.end) + " " + perms + " 00000000 00:00 0";
    const name = m.kind == VMA_HEAP ? "[heap]" : m.kind == VMA_STACK ? "[stack]" : m.kind == VMA_IMAGE ? tg.exePath : "";
    if (name.length > 0) line = line.padEnd(73, " ") + name;
    s += line + "\n";
  }
  return s;
}

const LIMIT_NAMES: string[] = [
  "Max cpu time", "Max file size", "Max data size", "Max stack size", "Max core file size", "Max resident set",
  "Max processes", "Max open files", "Max locked memory", "Max address space", "Max file locks", "Max pending signals",
  "Max msgqueue size", "Max nice priority", "Max realtime priority", "Max realtime timeout",
];
const LIMIT_UNITS: string[] = [
  "seconds", "bytes", "bytes", "bytes", "bytes", "bytes", "processes", "files", "bytes", "bytes", "locks", "signals",
  "bytes", "", "", "us",
];

function limits(tg: ThreadGroup): string {
  let s = "Limit                     Soft Limit           Hard Limit           Units     \n";
  for (let i = 0; i < RLIM_NLIMITS; i++) {
    const cur = tg.rlimits.cur[i];
    const max = tg.rlimits.max[i];
    s += LIMIT_NAMES[i].padEnd(26, " ") + (cur == RLIM_INFINITY ? "unlimited" : cur.toString()).padEnd(21, " ") +
      (max == RLIM_INFINITY ? "unlimited" : max.toString()).padEnd(21, " ") + LIMIT_UNITS[i].padEnd(10, " ") + "\n";
  }
  return s;
}

/** Bytes of the process's memory in [start, end), or nothing if it cannot be read. */
function memoryRange(tg: ThreadGroup, start: u64, end: u64): ArrayBuffer {
  if (end <= start || end - start > (1 << 20)) return new ArrayBuffer(0);
  const b = new ArrayBuffer(<i32>(end - start));
  return tg.mm.copyIn(start, changetype<usize>(b), end - start) < 0 ? new ArrayBuffer(0) : b;
}

function fdinfo(tg: ThreadGroup, fd: i32): string {
  const f = tg.leader.fdTable.getRaw(fd);
  if (f === null) return "";
  const pos = f instanceof InodeFile ? (<InodeFile>f).pos : 0;
  const flags = f.flags | (tg.leader.fdTable.isCloexec(fd) ? 0x80000 : 0);
  return "pos:\t" + pos.toString() + "\nflags:\t0" + flags.toString(8) + "\nmnt_id:\t0\nino:\t0\n";
}

export function generateFile(name: string, tg: ThreadGroup | null, cur: Task): ArrayBuffer {
  let s = "";
  if (tg === null) {
    if (name == "cpuinfo") s = cpuinfo();
    else if (name == "meminfo") s = meminfo();
    else if (name == "stat") s = stat();
    else if (name == "uptime") s = fixed2(uptimeNs()) + " " + fixed2(uptimeNs() * <i64>config.ncpu) + "\n";
    else if (name == "loadavg") s = "0.00 0.00 0.00 1/" + threadGroups.size.toString() + " " + cur.tg.tgid.toString() + "\n";
    else if (name == "version") s = "Linux version " + UTS_RELEASE + " (wvisor) " + UTS_VERSION + "\n";
    else if (name == "filesystems") s = "nodev\tsysfs\nnodev\ttmpfs\nnodev\tproc\nnodev\tdevtmpfs\nnodev\toverlay\nnodev\t9p\n";
    else if (name == "mounts") s = mountLines(cur.fs.root, false);
    else if (name == "sys/kernel/hostname") s = config.hostname + "\n";
    else if (name == "sys/kernel/ostype") s = "Linux\n";
    else if (name == "sys/kernel/osrelease") s = UTS_RELEASE + "\n";
    else if (name == "sys/kernel/version") s = UTS_VERSION + "\n";
    else if (name == "sys/kernel/pid_max") s = "4194304\n";
    else if (name == "sys/kernel/random/boot_id") {
      if (bootId.length == 0) bootId = uuid();
      s = bootId + "\n";
    } else if (name == "sys/kernel/random/uuid") s = uuid() + "\n";
    else if (name == "sys/kernel/ngroups_max") s = "65536\n";
    else if (name == "sys/kernel/cap_last_cap") s = "40\n";
    else if (name == "sys/vm/overcommit_memory") s = "0\n";
    else if (name == "sys/vm/max_map_count") s = "65530\n";
    else if (name == "sys/fs/nr_open") s = "1048576\n";
    else if (name == "sys/fs/file-max") s = "9223372036854775807\n";
    else if (name == "sys/net/core/somaxconn") s = "4096\n";
    return String.UTF8.encode(s);
  }
  const t = tg.leader;
  if (name == "cmdline") return memoryRange(tg, tg.mm.argStart, tg.mm.argEnd);
  if (name == "environ") return memoryRange(tg, tg.mm.envStart, tg.mm.envEnd);
  if (name == "auxv") {
    const b = new ArrayBuffer(tg.mm.auxv.length * 8);
    for (let i = 0; i < tg.mm.auxv.length; i++) store<u64>(changetype<usize>(b) + <usize>(i * 8), tg.mm.auxv[i]);
    return b;
  }
  if (name == "stat") s = pidStat(tg);
  else if (name == "status") s = status(tg);
  else if (name == "statm") s = statm(tg);
  else if (name == "comm") s = tg.comm + "\n";
  else if (name == "maps") s = maps(tg);
  else if (name == "mounts") s = mountLines(t.fs.root, false);
  else if (name == "mountinfo") s = mountLines(t.fs.root, true);
  else if (name == "limits") s = limits(tg);
  else if (name == "personality") s = t.personality.toString(16).padStart(8, "0") + "\n";
  else if (name.startsWith("fdinfo/")) s = fdinfo(tg, I32.parseInt(name.substring(7)));
  return String.UTF8.encode(s);
}

/** Targets of exe, cwd, root and fd/N, as seen from the reading task's root. */
/** The file a magic link of tg names, for following it (Linux's proc_fd_link() and
 *  proc_cwd_link()): cwd, root, or the file open on fd/N (a file system's file or FIFO);
 *  null for exe and for fds that are not files of a file system. */
export function linkPath(tg: ThreadGroup, name: string): Path | null {
  const t = tg.leader;
  if (name == "cwd") return t.fs.cwd;
  if (name == "root") return t.fs.root;
  if (!name.startsWith("fd/")) return null;
  const f = t.fdTable.getRaw(I32.parseInt(name.substring(3)));
  if (f instanceof InodeFile) return (<InodeFile>f).path;
  if (f instanceof FifoEnd) return (<FifoEnd>f).path;
  return null;
}

export function linkTarget(tg: ThreadGroup, name: string, reader: Task): string | null {
  const t = tg.leader;
  const root = reader.fs.root;
  if (name == "exe") return tg.exePath;
  if (name == "cwd") return pathName(t.fs.cwd, root);
  if (name == "root") return pathName(t.fs.root, root);
  if (!name.startsWith("fd/")) return null;
  const fd = I32.parseInt(name.substring(3));
  const f = t.fdTable.getRaw(fd);
  if (f === null) return null;
  if (f instanceof InodeFile) {
    const file = <InodeFile>f;
    const p = pathName(file.path, root);
    return file.path.inode.nlink == 0 && !file.path.inode.isDir ? p + " (deleted)" : p;
  }
  if (f instanceof HostFile) return "host:[" + (<HostFile>f).hostFd.toString() + "]";
  if (f instanceof FifoEnd) return pathName((<FifoEnd>f).path, root);
  if (f instanceof PipeEnd) return "pipe:[" + (<PipeEnd>f).pipe.ino.toString() + "]";
  return f.anonName();
}

