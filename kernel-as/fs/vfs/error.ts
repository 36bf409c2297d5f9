// The errno of the last VFS operation that returned null. AssemblyScript has no exceptions
// and no tagged unions, so lookups and creations return the object or null and leave the
// reason here; the caller reads it immediately.
export let vfsErr: i32 = 0;

/** Records errno e and returns null, for `return fail<Inode>(ENOENT)`. */
export function fail<T>(e: i32): T | null {
  vfsErr = e;
  return null;
}

export function setVfsErr(e: i32): void {
  vfsErr = e;
}
