// Extended attributes kept in memory, as tmpfs keeps them (Linux's simple_xattrs): one name to
// value map per inode, made on first use, with setxattr's XATTR_CREATE and XATTR_REPLACE.
// Which names a caller may touch is decided above (syscalls/sys_xattr.ts).
import { EEXIST, ENODATA } from "../../abi/errno";
import { fail } from "./error";

export const XATTR_CREATE: i32 = 1;
export const XATTR_REPLACE: i32 = 2;

export class XattrStore {
  private values: Map<string, Uint8Array> = new Map();

  /** The value of name, or null with ENODATA. */
  get(name: string): Uint8Array | null {
    return this.values.has(name) ? this.values.get(name) : fail<Uint8Array>(ENODATA);
  }

  /** Sets name: EEXIST if it exists under XATTR_CREATE, ENODATA if not under XATTR_REPLACE. */
  set(name: string, value: Uint8Array, flags: i32): i32 {
    const exists = this.values.has(name);
    if ((flags & XATTR_CREATE) != 0 && exists) return -EEXIST;
    if ((flags & XATTR_REPLACE) != 0 && !exists) return -ENODATA;
    this.values.set(name, value);
    return 0;
  }

  remove(name: string): i32 {
    if (!this.values.has(name)) return -ENODATA;
    this.values.delete(name);
    return 0;
  }

  names(): string[] {
    return this.values.keys();
  }
}
