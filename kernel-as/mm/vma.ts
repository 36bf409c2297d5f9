// A virtual memory area: a page-aligned range of an address space with one protection, one set
// of mapping flags and a backing: one contiguous extent of the memory file that the VMA owns
// (private memory), or pages of a shared memory object from page pgoff on (MAP_SHARED of a
// tmpfs file or of anonymous memory). As in Linux's `struct vm_area_struct`, a VMA splits
// when part of it changes and merges back with a neighbour that is identical and continues
// its backing.
import { PAGE_SIZE, PROT_WRITE } from "../abi/linux";
import { MemObject } from "./mem_object";

export const VMA_ANON: i32 = 0;
export const VMA_HEAP: i32 = 1;
export const VMA_STACK: i32 = 2;
export const VMA_IMAGE: i32 = 3;
export const VMA_FILE: i32 = 4;

/** A Vma flag that is no MAP_* flag: the mapping may never be made writable (Linux's
 *  VM_MAYWRITE cleared): a MAP_SHARED mapping of a file not open for writing, or of pages
 *  that are not the file's own (a cached copy of a Gofer file, shared with other mappings).
 *  mprotect refuses PROT_WRITE on it (EACCES). */
export const VMA_NO_MAYWRITE: i32 = 1 << 30;
/** A Vma flag that is no MAP_* flag: a mapping of a file the mapper neither owns nor may
 *  write, whose page residency mincore does not tell (can_do_mincore(), decided at mmap). */
export const VMA_HIDE_RESIDENCY: i32 = 1 << 29;

export class Vma {
  constructor(
    public start: u64,
    public end: u64,
    public prot: i32,
    /** MAP_PRIVATE or MAP_SHARED, plus the MAP_* flags that change behaviour later. */
    public flags: i32,
    /** Memory-file offset of `start`, or -1: a PROT_NONE reservation holds no pages. */
    public mfOff: i64,
    public kind: i32,
  ) {}

  /** The shared object this VMA maps, or null for private memory. */
  obj: MemObject | null = null;
  /** For private memory shared with other address spaces since a fork (copy-on-write): the
   *  extent that holds the pages and how many VMAs use it. */
  cow: CowExtent | null = null;
  /** Page index in obj of the page at start. */
  pgoff: u64 = 0;

  /** Whether the pages are shared copy-on-write with another VMA now: the stub maps them
   *  without PROT_WRITE, and a write copies them first. */
  @inline get cowShared(): bool { return this.cow !== null && this.cow!.refs > 1; }
  /** The protection the stub maps the VMA with. */
  @inline get stubProt(): i32 { return this.cowShared ? this.prot & ~PROT_WRITE : this.prot; }

  /** Whether the VMA has pages in the stub: a private extent, or a shared object's pages
   *  (a hole or a page past the object's end is left unmapped and faults). */
  @inline get backed(): bool { return this.mfOff >= 0 || this.obj !== null; }
  @inline get shared(): bool { return this.obj !== null; }
  /** The object's page index of the page that holds addr. Precondition: shared, addr inside. */
  @inline pageIndex(addr: u64): u64 { return this.pgoff + (addr - this.start) / PAGE_SIZE; }
  @inline get length(): u64 { return this.end - this.start; }

  /** The memory-file offset that holds the byte at addr. Precondition: private and backed,
   *  addr inside. */
  @inline offsetOf(addr: u64): u64 { return <u64>this.mfOff + (addr - this.start); }

  /** Whether next can be folded into this VMA: adjacent, alike, and backed continuously. */
  canMerge(next: Vma): bool {
    if (this.end != next.start || this.prot != next.prot || this.flags != next.flags || this.kind != next.kind) return false;
    if (this.obj !== next.obj || this.cow !== next.cow) return false;
    if (this.obj !== null) return this.pgoff + this.length / PAGE_SIZE == next.pgoff;
    if (this.backed != next.backed) return false;
    return !this.backed || <u64>this.mfOff + this.length == <u64>next.mfOff;
  }
}

/** An extent of the memory file that private VMAs of several address spaces share after a
 *  fork until one of them writes (Linux's anon_vma with its pages' map counts, at the
 *  granularity of an extent). It is freed whole when its last VMA goes. */
export class CowExtent {
  refs: i32 = 1;
  constructor(public off: u64, public len: u64) {}
}
