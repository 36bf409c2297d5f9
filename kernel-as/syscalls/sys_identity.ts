// User and group ids (Linux kernel/sys.c). Changing them arrives with the processes work.
import { Task } from "../kernel/task";

export function sysGetuid(t: Task): i64 { return t.tg.cred.uid; }
export function sysGeteuid(t: Task): i64 { return t.tg.cred.euid; }
export function sysGetgid(t: Task): i64 { return t.tg.cred.gid; }
export function sysGetegid(t: Task): i64 { return t.tg.cred.egid; }
