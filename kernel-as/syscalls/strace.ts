// strace output (--strace): one line per completed syscall with its decoded arguments and
// result, from the formats in the syscall table.
import { errnoName } from "../abi/errno";
import { sysArg } from "../abi/regs";
import { Task } from "../kernel/task";
import { hex, LOG_STRACE, logLine, quoteBytes } from "../util/log";
import { SyscallEntry } from "./table";

const SHOW_BYTES: i32 = 32;

function formatArg(t: Task, kind: u16, i: i32): string {
  const v = sysArg(i);
  if (kind == 0x69 /* i */) return (<i32>v).toString();
  if (kind == 0x6c /* l */) return (<i64>v).toString();
  if (kind == 0x75 /* u */) return v.toString();
  if (kind == 0x70 /* p */) return v == 0 ? "NULL" : hex(v);
  if (kind == 0x6f /* o */) return "0" + (<u32>v).toString(8);
  if (kind == 0x73 /* s */) {
    const s = t.mm.copyInString(v, 4096);
    return s === null ? hex(v) : "\"" + s + "\"";
  }
  if (kind == 0x62 /* b */) {
    const len = sysArg(i + 1);
    const n = len < <u64>SHOW_BYTES ? <i32>len : SHOW_BYTES;
    const buf = new ArrayBuffer(n);
    if (t.mm.copyIn(v, changetype<usize>(buf), <u64>n) < 0) return hex(v);
    return quoteBytes(changetype<usize>(buf), len > <u64>SHOW_BYTES ? SHOW_BYTES + 1 : n, SHOW_BYTES);
  }
  return hex(v);
}

/** The call with its decoded arguments, made before the handler runs (execve replaces the
 *  memory the arguments point into). */
export function formatCall(t: Task, e: SyscallEntry | null, nr: u64): string {
  if (e === null) return "syscall_" + nr.toString() + "(...)";
  let s = e.name + "(";
  for (let i = 0; i < e.args.length; i++) {
    if (i > 0) s += ", ";
    s += formatArg(t, <u16>e.args.charCodeAt(i), i);
  }
  return s + ")";
}

export function straceResult(t: Task, e: SyscallEntry | null, call: string, ret: i64): void {
  let r: string;
  if (ret < 0 && ret >= -4095) r = "-1 " + errnoName(<i32>-ret);
  else if (e !== null && e.ret == "x") r = hex(<u64>ret);
  else if (e !== null && e.ret == "o") r = "0" + ret.toString(8);
  else r = ret.toString();
  logLine(LOG_STRACE, "[" + t.tid.toString().padStart(4, " ") + "] " + call + " = " + r);
}

/** For calls after which the task is gone (exit, exit_group, a fatal signal to itself). */
export function straceNoReturn(t: Task, call: string): void {
  logLine(LOG_STRACE, "[" + t.tid.toString().padStart(4, " ") + "] " + call + " = ?");
}
