// Reading a path argument from app memory: at most PATH_MAX bytes with the NUL (ENAMETOOLONG
// beyond), EFAULT for a bad pointer, as Linux's getname() does.
import { Task } from "../kernel/task";
import { setVfsErr } from "../fs/vfs/error";
import { PATH_MAX } from "../fs/vfs/namei";
import { lastStringError } from "../mm/mm";

export function pathArg(t: Task, addr: u64): string | null {
  const s = t.mm.copyInString(addr, PATH_MAX);
  if (s === null) setVfsErr(-lastStringError);
  return s;
}
