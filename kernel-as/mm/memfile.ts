// The memory file's allocator: which offsets of the memfd hold data and which are free.
// All app memory lives in the memory file (DESIGN.md §3); a VMA that is backed points at one
// contiguous extent of it. Free extents are kept sorted by offset and coalesced, so a freed
// range is found again by first fit. Freed extents are punched out on the host: memory that an
// app gives back is given back to the host, and a reused extent always reads as zeroes.
import { mfPunch } from "../host";
import { insertAt } from "../util/array";

export class MemoryFile {
  /** Start offsets and lengths of the free extents, sorted by offset, never adjacent. */
  private freeOff: u64[] = [];
  private freeLen: u64[] = [];
  /** Bytes handed out and not yet freed (what the app has committed). */
  used: u64 = 0;

  constructor(public size: u64) {
    this.freeOff.push(0);
    this.freeLen.push(size);
  }

  /** Allocates len bytes (page aligned) and returns the offset, or -1 when the file is full. */
  alloc(len: u64): i64 {
    for (let i = 0; i < this.freeOff.length; i++) {
      const flen = unchecked(this.freeLen[i]);
      if (flen < len) continue;
      const off = unchecked(this.freeOff[i]);
      if (flen == len) {
        this.freeOff.splice(i, 1);
        this.freeLen.splice(i, 1);
      } else {
        unchecked(this.freeOff[i] = off + len);
        unchecked(this.freeLen[i] = flen - len);
      }
      this.used += len;
      return <i64>off;
    }
    return -1;
  }

  /** Returns [off, off+len) to the free list and releases its pages on the host. */
  free(off: u64, len: u64): void {
    if (len == 0) return;
    mfPunch(<f64>off, <f64>len);
    this.used -= len;
    // Find the first free extent after off.
    let i = 0;
    const n = this.freeOff.length;
    while (i < n && unchecked(this.freeOff[i]) < off) i++;
    const end = off + len;
    const mergePrev = i > 0 && unchecked(this.freeOff[i - 1]) + unchecked(this.freeLen[i - 1]) == off;
    const mergeNext = i < n && unchecked(this.freeOff[i]) == end;
    assert(i == n || unchecked(this.freeOff[i]) >= end, "memory file: double free");
    if (mergePrev && mergeNext) {
      unchecked(this.freeLen[i - 1] += len + this.freeLen[i]);
      this.freeOff.splice(i, 1);
      this.freeLen.splice(i, 1);
    } else if (mergePrev) {
      unchecked(this.freeLen[i - 1] += len);
    } else if (mergeNext) {
      unchecked(this.freeOff[i] = off);
      unchecked(this.freeLen[i] += len);
    } else {
      insertAt<u64>(this.freeOff, i, off);
      insertAt<u64>(this.freeLen, i, len);
    }
  }
}
