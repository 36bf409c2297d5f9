// The memory manager of one address space (Linux's `struct mm_struct`): the sorted VMA list,
// the brk heap, the mmap layout, and copies between app memory and the kernel. The stub
// processes named by `stubs` mirror the backed VMAs with MAP_SHARED mappings of the memory
// file; every change made here is pushed to them through the as_* host primitives before the
// app runs again.
//
// Invariants: vmas is sorted by start, non-overlapping, page aligned; a private backed VMA's
// extent is allocated in the memory file and mapped in the stubs with the VMA's protection; a
// shared VMA holds a reference on its object and has exactly the object's present pages below
// the object's end mapped in the stub; an unbacked VMA (a PROT_NONE reservation) has nothing
// mapped in the stub.
import { asMap, asProtect, asUnmap, mfClone, mfCmpxchg32, mfCopy, mfPunch, mfRead, mfWrite } from "../host";
import { EFAULT, ENAMETOOLONG, ENOMEM } from "../abi/errno";
import { MAP_PRIVATE, MAP_TYPE, PAGE_SIZE, PROT_EXEC, PROT_NONE, PROT_READ, PROT_WRITE } from "../abi/linux";
import { insertAt } from "../util/array";
import { memoryFile, memoryLimit } from "../kernel/globals";
import { MemObject, reclaimPageCaches } from "./mem_object";
import { CowExtent, Vma, VMA_NO_MAYWRITE } from "./vma";

/** How many holes of a shared object one mmap fills at once (64 MiB). */
const EAGER_HOLE_PAGES: u64 = 16384;

/** What faultIn found. */
/** The largest writable private VMA that fork copies for the child rather than sharing it
 *  copy-on-write (see MM.fork): a copy of this much costs about what one write fault and
 *  one change of the stub's mappings do here. */
const FORK_COPY_MAX: u64 = 256 << 10;
export const FAULT_FIXED: i32 = 0;
export const FAULT_SIGBUS: i32 = 1;
export const FAULT_NOT_MINE: i32 = 2;

/** Lowest address an app may map (Linux's default vm.mmap_min_addr). */
export const MMAP_MIN_ADDR: u64 = 0x10000;

export class MM {
  vmas: Vma[] = [];
  /** Top of the top-down mmap area (Linux's mm->mmap_base). */
  mmapBase: u64 = 0;
  stackTop: u64 = 0;
  brkStart: u64 = 0;
  brk: u64 = 0;
  /** Where exec put the argv and envp strings, and a copy of the auxv (for /proc). */
  argStart: u64 = 0;
  argEnd: u64 = 0;
  envStart: u64 = 0;
  envEnd: u64 = 0;
  auxv: u64[] = [];

  /** The stubs (address-space handles) that mirror this mm, one per process using it: more
   *  than one only after clone(CLONE_VM) without CLONE_THREAD (a vfork child, until it execs
   *  or exits). Every change goes to each of them. */
  stubs: i32[] = [];

  constructor(
    stub: i32,
    /** One past the highest address the app may use; the stub page sits above it. */
    public taskSize: u64,
  ) {
    this.stubs.push(stub);
  }

  private hostMap(addr: f64, len: f64, prot: i32, off: f64): i32 {
    for (let i = 0; i < this.stubs.length; i++) {
      const r = asMap(unchecked(this.stubs[i]), addr, len, prot, off);
      if (r < 0) return r;
    }
    return 0;
  }

  private hostUnmap(addr: f64, len: f64): void {
    for (let i = 0; i < this.stubs.length; i++) asUnmap(unchecked(this.stubs[i]), addr, len);
  }

  private hostProtect(addr: f64, len: f64, prot: i32): i32 {
    for (let i = 0; i < this.stubs.length; i++) {
      const r = asProtect(unchecked(this.stubs[i]), addr, len, prot);
      if (r < 0) return r;
    }
    return 0;
  }

  /** Makes the empty stub `stub` mirror this mm too (clone with CLONE_VM of a new process):
   *  every backed VMA is mapped in it as it is in the others. Returns 0 or -errno (the stub
   *  is then not added). */
  addStub(stub: i32): i32 {
    for (let i = 0; i < this.vmas.length; i++) {
      const v = unchecked(this.vmas[i]);
      const r = v.shared ? this.syncShared(v, v.start, v.end, false, stub)
        : v.backed ? asMap(stub, <f64>v.start, <f64>v.length, v.stubProt, <f64>v.mfOff) : 0;
      if (r < 0) return r;
    }
    this.stubs.push(stub);
    return 0;
  }

  /** The stub no longer mirrors this mm (its process exits or execs). Returns how many
   *  stubs still do: at 0 the caller releases the memory. */
  dropStub(stub: i32): i32 {
    const i = this.stubs.indexOf(stub);
    if (i >= 0) this.stubs.splice(i, 1);
    return this.stubs.length;
  }

  /** The handle of a mirroring stub changed (the host thread that named it exited). */
  renameStub(from: i32, to: i32): void {
    const i = this.stubs.indexOf(from);
    if (i >= 0) this.stubs[i] = to;
  }

  /** Index of the first VMA that ends above addr. */
  lowerBound(addr: u64): i32 {
    let lo = 0;
    let hi = this.vmas.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (unchecked(this.vmas[mid]).end <= addr) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  find(addr: u64): Vma | null {
    const i = this.lowerBound(addr);
    if (i < this.vmas.length && unchecked(this.vmas[i]).start <= addr) return unchecked(this.vmas[i]);
    return null;
  }

  rangeFree(start: u64, end: u64): bool {
    const i = this.lowerBound(start);
    return i == this.vmas.length || unchecked(this.vmas[i]).start >= end;
  }

  /** The bytes of every VMA (Linux's total_vm, in bytes). */
  mappedBytes(): u64 {
    let n: u64 = 0;
    for (let i = 0; i < this.vmas.length; i++) n += unchecked(this.vmas[i]).length;
    return n;
  }

  /** Whether every page of the mapped range [start, end) can be faulted in: none is
   *  PROT_NONE or past the end of the shared object it maps. */
  rangePopulatable(start: u64, end: u64): bool {
    for (let i = this.lowerBound(start); i < this.vmas.length && unchecked(this.vmas[i]).start < end; i++) {
      const v = unchecked(this.vmas[i]);
      if (v.prot == PROT_NONE) return false;
      const last = (v.end < end ? v.end : end) - PAGE_SIZE;
      if (v.obj !== null && v.pageIndex(last) >= v.obj!.pageLimit) return false;
    }
    return true;
  }

  /** Whether some VMA of [start, end) may never be made writable (VMA_NO_MAYWRITE). */
  rangeDeniesWrite(start: u64, end: u64): bool {
    for (let i = this.lowerBound(start); i < this.vmas.length && unchecked(this.vmas[i]).start < end; i++) {
      if ((unchecked(this.vmas[i]).flags & VMA_NO_MAYWRITE) != 0) return true;
    }
    return false;
  }

  /** Whether every page of [start, end) is mapped (protection not considered). */
  rangeMapped(start: u64, end: u64): bool {
    let a = start;
    let i = this.lowerBound(start);
    while (a < end) {
      if (i >= this.vmas.length) return false;
      const v = unchecked(this.vmas[i]);
      if (v.start > a) return false;
      a = v.end;
      i++;
    }
    return true;
  }

  /** Makes addr a VMA boundary, splitting the VMA that contains it. */
  private splitAt(addr: u64): void {
    const i = this.lowerBound(addr);
    if (i == this.vmas.length) return;
    const v = unchecked(this.vmas[i]);
    if (v.start >= addr) return;
    const right = new Vma(addr, v.end, v.prot, v.flags, v.mfOff >= 0 ? <i64>v.offsetOf(addr) : -1, v.kind);
    if (v.shared) {
      right.obj = v.obj;
      right.pgoff = v.pageIndex(addr);
      v.obj!.ref(this);
    }
    if (v.cow !== null) {
      right.cow = v.cow;
      v.cow!.refs++;
    }
    v.end = addr;
    insertAt<Vma>(this.vmas, i + 1, right);
  }

  /** Merges neighbours that continue each other, from index i up to the VMA that holds upTo. */
  private mergeRange(i: i32, upTo: u64): void {
    while (i + 1 < this.vmas.length && unchecked(this.vmas[i]).start <= upTo) {
      const a = unchecked(this.vmas[i]);
      const b = unchecked(this.vmas[i + 1]);
      if (a.canMerge(b)) {
        a.end = b.end;
        this.vmas.splice(i + 1, 1);
        if (b.shared) b.obj!.unref(this);
        if (b.cow !== null) b.cow!.refs--;
      } else {
        i++;
      }
    }
  }

  /** Removes the mappings in [start, end) and frees their pages. The stub is told unless the
   *  caller is about to map over the same range (MAP_FIXED replaces in one step). */
  unmapRange(start: u64, end: u64, tellStub: bool = true): void {
    this.splitAt(start);
    this.splitAt(end);
    let i = this.lowerBound(start);
    let removed = false;
    while (i < this.vmas.length && unchecked(this.vmas[i]).start < end) {
      const v = unchecked(this.vmas[i]);
      this.vmas.splice(i, 1);
      this.release(v);
      removed = true;
    }
    if (removed && tellStub) this.hostUnmap(<f64>start, <f64>(end - start));
  }

  /** Maps fresh zeroed memory at [start, start+len), replacing whatever was there.
   *  Returns 0 or -errno (ENOMEM when the sandbox's memory limit would be exceeded). */
  mapAnon(start: u64, len: u64, prot: i32, flags: i32, kind: i32): i32 {
    let off: i64 = -1;
    if (prot != PROT_NONE) {
      off = allocPages(len);
      if (off < 0) return -ENOMEM;
    }
    this.unmapRange(start, start + len, off < 0);
    if (off >= 0) {
      const r = this.hostMap(<f64>start, <f64>len, prot, <f64>off);
      if (r < 0) {
        memoryFile.free(<u64>off, len);
        return r;
      }
    }
    const i = this.lowerBound(start);
    insertAt<Vma>(this.vmas, i, new Vma(start, start + len, prot, flags, off, kind));
    this.mergeRange(i > 0 ? i - 1 : 0, start + len);
    return 0;
  }

  /** Maps the pages of obj from page pgoff on at [start, start+len) (MAP_SHARED), replacing
   *  whatever was there. The object's holes below its end get pages now, so the mapping
   *  rarely faults; pages past its end stay unmapped (SIGBUS when touched, as in Linux).
   *  Returns 0 or -errno. */
  mapShared(start: u64, len: u64, prot: i32, flags: i32, obj: MemObject, pgoff: u64, kind: i32): i32 {
    this.unmapRange(start, start + len);
    // Pages first, while this mapping is not yet a mapper: they are mapped below in runs.
    const last = pgoff + len / PAGE_SIZE;
    const limit = obj.pageLimit < last ? obj.pageLimit : last;
    let fresh: u64 = 0;
    for (let idx = pgoff; idx < limit; idx++) {
      if (obj.page(idx) >= 0) continue;
      // A huge sparse mapping faults its pages in as they are touched; out of memory, the
      // rest does too (and is SIGBUS if memory is still short then).
      if (fresh++ == EAGER_HOLE_PAGES || obj.populate(idx) < 0) break;
    }
    const v = new Vma(start, start + len, prot, flags, -1, kind);
    v.obj = obj;
    v.pgoff = pgoff;
    obj.ref(this);
    const i = this.lowerBound(start);
    insertAt<Vma>(this.vmas, i, v);
    const r = this.syncShared(v, v.start, v.end, false);
    this.mergeRange(i > 0 ? i - 1 : 0, start + len);
    return r;
  }

  /** Maps (or with protectOnly, reprotects) in the stubs (or only in stub `only`) the present
   *  pages of shared VMA v in [from, to), in runs that are contiguous in the memory file.
   *  Returns 0 or -errno. */
  private syncShared(v: Vma, from: u64, to: u64, protectOnly: bool, only: i32 = 0): i32 {
    const obj = v.obj!;
    let a = from;
    while (a < to) {
      const first = obj.page(v.pageIndex(a));
      if (first < 0) {
        a += PAGE_SIZE;
        continue;
      }
      let e = a + PAGE_SIZE;
      while (e < to && obj.page(v.pageIndex(e)) == first + <i64>(e - a)) e += PAGE_SIZE;
      const r = only != 0 ? asMap(only, <f64>a, <f64>(e - a), v.prot, <f64>first)
        : protectOnly ? this.hostProtect(<f64>a, <f64>(e - a), v.prot)
        : this.hostMap(<f64>a, <f64>(e - a), v.prot, <f64>first);
      if (r < 0) return r;
      a = e;
    }
    return 0;
  }

  /** Page idx of obj now lives at memory-file offset off (or is gone when off < 0): every
   *  VMA of this space that maps it follows. */
  objectPageChanged(obj: MemObject, idx: u64, off: i64): void {
    for (let i = 0; i < this.vmas.length; i++) {
      const v = unchecked(this.vmas[i]);
      if (v.obj !== obj || idx < v.pgoff || idx >= v.pgoff + v.length / PAGE_SIZE) continue;
      const addr = v.start + (idx - v.pgoff) * PAGE_SIZE;
      if (off >= 0) this.hostMap(<f64>addr, <f64>PAGE_SIZE, v.prot, <f64>off);
      else this.hostUnmap(<f64>addr, <f64>PAGE_SIZE);
    }
  }

  /** Resolves a fault on addr that the stub took for want of a page (SEGV_MAPERR): a shared
   *  VMA's hole below its object's end gets its page (FAULT_FIXED: run the access again), a
   *  page past the end is SIGBUS, as Linux's shmem_fault gives. Anything else is not a
   *  missing page of a mapping (FAULT_NOT_MINE). */
  faultIn(addr: u64): i32 {
    const v = this.find(addr);
    if (v === null || !v.shared) return FAULT_NOT_MINE;
    const obj = v.obj!;
    const idx = v.pageIndex(addr);
    if (idx >= obj.pageLimit) return FAULT_SIGBUS;
    // A page that is present now was mapped after the fault was taken: run it again.
    return obj.populate(idx) < 0 ? FAULT_SIGBUS : FAULT_FIXED;
  }

  /** A MAP_PRIVATE VMA that maps a shared object's pages read-only (a file's cached pages,
   *  see sysMmap) gets pages of its own before it may be written: copy-on-write, for the
   *  whole VMA at once. Returns 0 or -errno. */
  private privatize(v: Vma): i32 {
    const off = allocPages(v.length);
    if (off < 0) return -ENOMEM;
    const obj = v.obj!;
    for (let a = v.start; a < v.end; a += PAGE_SIZE) {
      const page = obj.page(v.pageIndex(a));
      if (page >= 0) mfCopy(<f64>(<u64>off + (a - v.start)), <f64>page, <f64>PAGE_SIZE);
    }
    obj.unref(this);
    v.obj = null;
    v.pgoff = 0;
    v.mfOff = off;
    return this.hostMap(<f64>v.start, <f64>v.length, v.prot, <f64>off);
  }

  /** Drops a VMA that left the list: its private pages are freed, its object unreferenced. */
  private release(v: Vma): void {
    if (v.shared) v.obj!.unref(this);
    else if (v.cow !== null) {
      const c = v.cow!;
      if (--c.refs == 0) memoryFile.free(c.off, c.len);
    } else if (v.backed) memoryFile.free(<u64>v.mfOff, v.length);
  }

  /** A write fault (SEGV_ACCERR) at addr: a VMA that may be written but shares its pages
   *  copy-on-write gets them for itself (FAULT_FIXED: run the write again); anything else
   *  is a real protection fault (FAULT_NOT_MINE). */
  cowFault(addr: u64): i32 {
    const v = this.find(addr);
    if (v === null || v.cow === null || (v.prot & PROT_WRITE) == 0) return FAULT_NOT_MINE;
    return this.breakCow(v) < 0 ? FAULT_SIGBUS : FAULT_FIXED;
  }

  /** Ends v's sharing of its extent: a copy of the pages when others still use them, or
   *  only the write permission back when v is the last (Linux's do_wp_page() reuse case).
   *  Returns 0 or -errno. */
  private breakCow(v: Vma): i32 {
    const c = v.cow!;
    if (c.refs == 1) return this.hostProtect(<f64>v.start, <f64>v.length, v.prot);
    const off = copyOfPages(v);
    if (off < 0) return -ENOMEM;
    c.refs--;
    v.cow = null;
    v.mfOff = off;
    return this.hostMap(<f64>v.start, <f64>v.length, v.prot, <f64>off);
  }

  /** Chooses where a new mapping of len bytes goes: the hint if that range is free, else the
   *  highest gap below mmapBase (Linux's top-down allocator), else the lowest gap above it.
   *  Returns the address or -ENOMEM. */
  unmappedArea(hint: u64, len: u64): i64 {
    if (len > this.taskSize - MMAP_MIN_ADDR) return -ENOMEM;
    if (hint != 0) {
      const h = hint & ~(PAGE_SIZE - 1);
      if (h >= MMAP_MIN_ADDR && h <= this.taskSize - len && this.rangeFree(h, h + len)) return <i64>h;
    }
    let hi = this.mmapBase;
    const first = this.lowerBound(hi);
    if (first < this.vmas.length && unchecked(this.vmas[first]).start < hi) hi = unchecked(this.vmas[first]).start;
    for (let j = first - 1; ; j--) {
      const lo = j >= 0 ? unchecked(this.vmas[j]).end : MMAP_MIN_ADDR;
      if (hi >= lo && hi - lo >= len) return <i64>(hi - len);
      if (j < 0) break;
      hi = unchecked(this.vmas[j]).start;
    }
    let lo = this.mmapBase;
    for (let j = first; j < this.vmas.length; j++) {
      const v = unchecked(this.vmas[j]);
      if (v.start >= lo && v.start - lo >= len) return <i64>lo;
      if (v.end > lo) lo = v.end;
    }
    if (this.taskSize >= lo && this.taskSize - lo >= len) return <i64>lo;
    return -ENOMEM;
  }

  /** mprotect on [start, end). Precondition: the range is mapped (the caller checked). */
  protect(start: u64, end: u64, prot: i32): i32 {
    this.splitAt(start);
    this.splitAt(end);
    const first = this.lowerBound(start);
    if ((prot & PROT_WRITE) != 0) {
      for (let i = first; i < this.vmas.length && unchecked(this.vmas[i]).start < end; i++) {
        const v = unchecked(this.vmas[i]);
        if (v.shared && (v.flags & MAP_TYPE) == MAP_PRIVATE) {
          const r = this.privatize(v);
          if (r < 0) return r;
        }
      }
    }
    let allBacked = true;
    for (let i = first; i < this.vmas.length && unchecked(this.vmas[i]).start < end; i++) {
      if (!unchecked(this.vmas[i]).backed) allBacked = false;
    }
    if (allBacked || prot == PROT_NONE) {
      // A PROT_NONE change keeps the pages (the data survives a later mprotect back), and an
      // unbacked VMA has nothing in the stub to protect.
      for (let i = first; i < this.vmas.length && unchecked(this.vmas[i]).start < end; i++) {
        const v = unchecked(this.vmas[i]);
        v.prot = prot;
        if (v.shared) {
          const r = this.syncShared(v, v.start, v.end, true);
          if (r < 0) return r;
        } else if (v.backed) {
          const r = this.hostProtect(<f64>v.start, <f64>v.length, v.stubProt);
          if (r < 0) return r;
        }
      }
    } else {
      for (let i = first; i < this.vmas.length && unchecked(this.vmas[i]).start < end; i++) {
        const v = unchecked(this.vmas[i]);
        if (!v.backed) {
          // A reservation becomes accessible: give it pages now.
          const off = allocPages(v.length);
          if (off < 0) return -ENOMEM;
          const r = this.hostMap(<f64>v.start, <f64>v.length, prot, <f64>off);
          if (r < 0) {
            memoryFile.free(<u64>off, v.length);
            return r;
          }
          v.mfOff = off;
        } else if (v.shared) {
          v.prot = prot;
          const r = this.syncShared(v, v.start, v.end, true);
          if (r < 0) return r;
        } else {
          v.prot = prot;
          const r = this.hostProtect(<f64>v.start, <f64>v.length, v.stubProt);
          if (r < 0) return r;
        }
        v.prot = prot;
      }
    }
    this.mergeRange(first > 0 ? first - 1 : 0, end);
    return 0;
  }

  /** Discards the contents of [start, end): private anonymous pages read as zeroes afterwards
   *  (MADV_DONTNEED). Shared pages belong to their object and keep their data, as Linux
   *  refaults them from the file. Precondition: the range is mapped. */
  discard(start: u64, end: u64): void {
    let i = this.lowerBound(start);
    while (i < this.vmas.length && unchecked(this.vmas[i]).start < end) {
      const v = unchecked(this.vmas[i]);
      // Pages shared copy-on-write are not punched under the other sharers.
      if (v.cowShared) this.breakCow(v);
      if (v.backed && !v.shared) {
        const s = v.start > start ? v.start : start;
        const e = v.end < end ? v.end : end;
        mfPunch(<f64>v.offsetOf(s), <f64>(e - s));
      }
      i++;
    }
  }

  /** Moves the pages of [oldStart, oldStart+len) to newStart without copying them: the same
   *  memory-file extents are mapped at the new place. Precondition: the old range is mapped,
   *  the new range is free. */
  move(oldStart: u64, len: u64, newStart: u64): i32 {
    const oldEnd = oldStart + len;
    this.splitAt(oldStart);
    this.splitAt(oldEnd);
    let i = this.lowerBound(oldStart);
    const moved: Vma[] = [];
    while (i < this.vmas.length && unchecked(this.vmas[i]).start < oldEnd) {
      moved.push(unchecked(this.vmas[i]));
      this.vmas.splice(i, 1);
    }
    this.hostUnmap(<f64>oldStart, <f64>len);
    for (let k = 0; k < moved.length; k++) {
      const v = unchecked(moved[k]);
      v.start = v.start - oldStart + newStart;
      v.end = v.end - oldStart + newStart;
      if (v.shared) {
        const r = this.syncShared(v, v.start, v.end, false);
        if (r < 0) return r;
      } else if (v.backed) {
        const r = this.hostMap(<f64>v.start, <f64>v.length, v.stubProt, <f64>v.mfOff);
        if (r < 0) return r;
      }
      const j = this.lowerBound(v.start);
      insertAt<Vma>(this.vmas, j, v);
    }
    const at = this.lowerBound(newStart);
    this.mergeRange(at > 0 ? at - 1 : 0, newStart + len);
    return 0;
  }

  /** How many bytes from addr on, up to len, the app may access with prot, contiguously.
   *  A bad pointer gives 0 (the caller returns EFAULT); a range that runs into a hole gives
   *  the accessible prefix (short reads and writes, as Linux gives). */
  accessibleLen(addr: u64, len: u64, prot: i32): u64 {
    if (addr >= this.taskSize) return 0;
    const limit = len > this.taskSize - addr ? this.taskSize - addr : len;
    let a = addr;
    const end = addr + limit;
    let i = this.lowerBound(addr);
    while (a < end) {
      if (i >= this.vmas.length) break;
      const v = unchecked(this.vmas[i]);
      if (v.start > a || !v.backed || !allows(v.prot, prot)) break;
      // The kernel writes into the memory file: pages still shared copy-on-write are copied
      // first, as the app's own write would have them.
      if (prot == PROT_WRITE && v.cowShared && this.breakCow(v) < 0) break;
      if (v.shared) {
        // The kernel's access faults a hole in as the app's would; it stops at the end.
        const stop = v.end < end ? v.end : end;
        while (a < stop && v.obj!.page(v.pageIndex(a)) >= 0) a = (a & ~(PAGE_SIZE - 1)) + PAGE_SIZE;
        if (a < stop) {
          if (this.faultIn(a) != FAULT_FIXED) break;
          continue;
        }
      }
      a = v.end;
      i++;
    }
    return (a < end ? a : end) - addr;
  }

  /** Copies len bytes of app memory at addr into kernel memory. 0 or -EFAULT. */
  copyIn(addr: u64, dst: usize, len: u64): i32 {
    if (this.accessibleLen(addr, len, PROT_READ) < len) return -EFAULT;
    this.transfer(addr, dst, len, false);
    return 0;
  }

  /** Copies len bytes of kernel memory to app memory at addr. 0 or -EFAULT. */
  copyOut(addr: u64, src: usize, len: u64): i32 {
    if (this.accessibleLen(addr, len, PROT_WRITE) < len) return -EFAULT;
    this.transfer(addr, src, len, true);
    return 0;
  }

  /** Copies in a NUL-terminated string of at most max bytes (without the NUL). Returns null
   *  on a fault (lastStringError = -EFAULT) or when no NUL comes within max bytes
   *  (-ENAMETOOLONG; a caller that means E2BIG says so). */
  copyInString(addr: u64, max: i32): string | null {
    const buf = new ArrayBuffer(max);
    const p = changetype<usize>(buf);
    let got: i32 = 0;
    while (got < max) {
      // Read up to the end of the page, as Linux's strncpy_from_user does.
      const a = addr + <u64>got;
      let chunk = <i32>(PAGE_SIZE - (a & (PAGE_SIZE - 1)));
      if (chunk > max - got) chunk = max - got;
      if (this.accessibleLen(a, <u64>chunk, PROT_READ) < <u64>chunk) {
        lastStringError = -EFAULT;
        return null;
      }
      this.transfer(a, p + <usize>got, <u64>chunk, false);
      for (let k = 0; k < chunk; k++) {
        if (load<u8>(p + <usize>(got + k)) == 0) return String.UTF8.decodeUnsafe(p, <usize>(got + k));
      }
      got += chunk;
    }
    lastStringError = -ENAMETOOLONG;
    return null;
  }

  /** Compares the u32 at app address addr (4-aligned) with expected and, if equal, stores
   *  desired, in one atomic step against app threads running meanwhile (Linux's
   *  futex_atomic_cmpxchg_inatomic()). The old value, or -EFAULT. */
  cmpxchg32(addr: u64, expected: u32, desired: u32): i64 {
    if (this.accessibleLen(addr, 4, PROT_WRITE) < 4) return -EFAULT;
    return <i64>mfCmpxchg32(<f64>this.extentAt(addr, addr + 4), expected, desired);
  }

  /** Raw copy through the VMAs. Precondition: [addr, addr+len) is accessible and backed. */
  private transfer(addr: u64, kptr: usize, len: u64, toApp: bool): void {
    let a = addr;
    let p = kptr;
    const end = addr + len;
    while (a < end) {
      const off = this.extentAt(a, end);
      const n = <i32>extentLen;
      if (toApp) mfWrite(<f64>off, p, n);
      else mfRead(<f64>off, p, n);
      a += <u64>n;
      p += <usize>n;
    }
  }

  /** The memory-file offset of the app byte at addr; extentLen is set to how many bytes from
   *  there, up to end, are contiguous in the memory file. Precondition: [addr, end) is
   *  accessible (accessibleLen), so every page of it is present. */
  extentAt(addr: u64, end: u64): u64 {
    const v = this.find(addr)!;
    const stop = v.end < end ? v.end : end;
    if (!v.shared) {
      extentLen = stop - addr;
      return v.offsetOf(addr);
    }
    const obj = v.obj!;
    const page = addr & ~(PAGE_SIZE - 1);
    const first = obj.page(v.pageIndex(addr));
    let e = page + PAGE_SIZE;
    while (e < stop && obj.page(v.pageIndex(e)) == first + <i64>(e - page)) e += PAGE_SIZE;
    extentLen = (e < stop ? e : stop) - addr;
    return <u64>first + (addr - page);
  }

  /** Copies len bytes between app memory at addr and the memory file at off, in the
   *  direction toApp says (file pages of tmpfs and the like). Precondition: the app range is
   *  accessible (accessibleLen) and backed. */
  copyMf(addr: u64, off: u64, len: u64, toApp: bool): void {
    let a = addr;
    let o = off;
    const end = addr + len;
    while (a < end) {
      const mf = this.extentAt(a, end);
      const n = extentLen;
      if (toApp) mfCopy(<f64>mf, <f64>o, <f64>n);
      else mfCopy(<f64>o, <f64>mf, <f64>n);
      a += n;
      o += n;
    }
  }

  /** A copy of this address space in the empty stub `stub` (fork): private VMAs share their
   *  pages copy-on-write, shared VMAs map the same object. A writable private VMA that is
   *  small (FORK_COPY_MAX) or holds `sp` (the forking thread's stack pointer, which both
   *  sides write at once: the parent as fork returns, the child as it starts) is copied for
   *  the child instead: sharing it costs the parent a change of its mappings now and each
   *  side a write fault and another change later, where a copy costs its resident pages
   *  (holes stay holes: stacks are sparse).
   *  Returns the new mm, or null when memory runs out (the stub is left for the caller). */
  fork(stub: i32, sp: u64): MM | null {
    const child = new MM(stub, this.taskSize);
    child.mmapBase = this.mmapBase;
    child.stackTop = this.stackTop;
    child.brkStart = this.brkStart;
    child.brk = this.brk;
    child.argStart = this.argStart;
    child.argEnd = this.argEnd;
    child.envStart = this.envStart;
    child.envEnd = this.envEnd;
    child.auxv = this.auxv;
    for (let i = 0; i < this.vmas.length; i++) {
      const v = unchecked(this.vmas[i]);
      if (v.shared) {
        // The child maps the same pages (MAP_SHARED survives fork).
        const c = new Vma(v.start, v.end, v.prot, v.flags, -1, v.kind);
        c.obj = v.obj;
        c.pgoff = v.pgoff;
        v.obj!.ref(child);
        child.vmas.push(c);
        if (child.syncShared(c, c.start, c.end, false) < 0) {
          child.releaseAll();
          return null;
        }
        continue;
      }
      const c = new Vma(v.start, v.end, v.prot, v.flags, v.mfOff, v.kind);
      if (v.backed && (v.prot & PROT_WRITE) != 0 && (v.length <= FORK_COPY_MAX || (sp >= v.start && sp < v.end))) {
        const off = copyOfPages(v);
        if (off < 0) {
          child.releaseAll();
          return null;
        }
        c.mfOff = off;
        child.vmas.push(c);
        if (asMap(stub, <f64>c.start, <f64>c.length, c.prot, <f64>off) < 0) {
          child.releaseAll();
          return null;
        }
        continue;
      }
      if (v.backed) {
        // Private pages are shared copy-on-write: both sides map them without PROT_WRITE
        // until one writes (cowFault).
        if (v.cow === null) v.cow = new CowExtent(<u64>v.mfOff, v.length);
        v.cow!.refs++;
        c.cow = v.cow;
        if ((v.prot & PROT_WRITE) != 0) this.hostProtect(<f64>v.start, <f64>v.length, v.stubProt);
        child.vmas.push(c);
        if (asMap(stub, <f64>c.start, <f64>c.length, c.stubProt, <f64>c.mfOff) < 0) {
          child.releaseAll();
          return null;
        }
        continue;
      }
      child.vmas.push(c);
    }
    return child;
  }

  /** Releases every mapping (exit or exec). */
  releaseAll(): void {
    for (let i = 0; i < this.vmas.length; i++) this.release(unchecked(this.vmas[i]));
    this.vmas.length = 0;
  }
}

/** Length of the run that the last extentAt found. */
export let extentLen: u64 = 0;

/** Errno of the last failed copyInString. */
export let lastStringError: i32 = 0;

/** Whether a VMA with protection have permits an access needing want. On x86 every mapping
 *  that can be written or executed can also be read. */
@inline function allows(have: i32, want: i32): bool {
  if (want == PROT_WRITE) return (have & PROT_WRITE) != 0;
  return (have & (PROT_READ | PROT_WRITE | PROT_EXEC)) != 0;
}

/** A copy of the private VMA v's pages in a new extent of the memory file (holes stay
 *  holes): its offset, or -1 when memory runs out. */
function copyOfPages(v: Vma): i64 {
  const off = allocPages(v.length);
  if (off >= 0) mfClone(<f64>off, <f64>v.mfOff, <f64>v.length);
  return off;
}

/** Allocates len bytes of the memory file within the sandbox's memory limit (after giving
 *  back unmapped page caches if need be), or -1. */
export function allocPages(len: u64): i64 {
  if (memoryFile.used + len > memoryLimit) {
    allocWant = len;
    reclaimPageCaches(allocFits);
    if (memoryFile.used + len > memoryLimit) return -1;
  }
  return memoryFile.alloc(len);
}

/** The size of the allocation allocPages is making room for. */
let allocWant: u64 = 0;
function allocFits(): bool {
  return memoryFile.used + allocWant <= memoryLimit;
}
