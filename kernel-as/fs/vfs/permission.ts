// Access checks (Linux's generic_permission() and the capability overrides of
// capable_wrt_inode_uidgid()): the owner, group or other bits, except that root may read and
// write anything and search any directory, and may execute a file with at least one x bit.
import { Credentials } from "../../kernel/cred";
import { Inode } from "./inode";

export const MAY_EXEC: i32 = 1;
export const MAY_WRITE: i32 = 2;
export const MAY_READ: i32 = 4;

export function permitted(inode: Inode, mask: i32, cred: Credentials): bool {
  const mode = inode.mode;
  if (cred.euid == 0) {
    if ((mask & MAY_EXEC) == 0 || inode.isDir) return true;
    return (mode & 0o111) != 0;
  }
  let bits: u32;
  if (cred.euid == inode.uid) bits = (mode >> 6) & 7;
  else if (cred.egid == inode.gid) bits = (mode >> 3) & 7;
  else bits = mode & 7;
  return (<u32>mask & ~bits) == 0;
}
