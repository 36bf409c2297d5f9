// A shared memory object: the pages of a tmpfs file, or of a MAP_SHARED anonymous mapping
// (Linux's shmem inode with its address_space; mm/shmem.c, shmem_zero_setup). Pages live in
// the memory file, one offset per page, -1 for a hole that reads as zeroes.
//
// Every MAP_SHARED VMA of the object holds a reference and names its address space in
// `mappers` (Linux's i_mmap reverse map). When a page appears or goes, each mapper maps or
// unmaps it in its stub at once, so a shared mapping always shows the object's current pages:
// write() and the mapping stay coherent, and a page cut off by a truncate faults (SIGBUS).
import { PAGE_SIZE } from "../abi/linux";
import { memoryFile } from "../kernel/globals";
import { allocPages, MM } from "./mm";
import { VMA_NO_MAYWRITE } from "./vma";

/** The page caches (MemObject.pageCache): their pages are the first given back when the
 *  sandbox's memory runs short (reclaimPageCaches). */
const pageCaches: MemObject[] = [];

/** Frees the pages of page caches that no VMA maps, until want more bytes fit within the
 *  sandbox's memory limit or none is left (Linux reclaims clean page-cache pages first,
 *  mm/vmscan.c). They are read from their files again when next mapped. */
export function reclaimPageCaches(fits: () => bool): void {
  for (let i = 0; i < pageCaches.length && !fits(); i++) {
    const c = unchecked(pageCaches[i]);
    if (c.mappers.length == 0 && c.busy == 0) c.freeFrom(0);
  }
}

export class MemObject {
  /** A new object for a MAP_SHARED anonymous mapping of size bytes: only its mappings own it
   *  (Linux's shmem_zero_setup). */
  static anonymous(size: u64): MemObject {
    const o = new MemObject();
    o.size = size;
    o.ownerGone = true;
    return o;
  }

  /** A new page cache of a file of size bytes that never changes: its pages stay when no
   *  VMA maps them, for the next program that maps the file (the next exec of the same
   *  program, the libraries of the next process), until memory runs short. */
  static pageCache(size: u64): MemObject {
    const o = new MemObject();
    o.size = size;
    pageCaches.push(o);
    return o;
  }

  /** Memory-file offset of each page, or -1 for a hole. */
  pages: i64[] = [];
  /** Size in bytes: a mapped page at or past pageUp(size) is beyond the end (SIGBUS). */
  size: u64 = 0;
  /** The address space of each VMA that maps the object, once per VMA. */
  mappers: MM[] = [];

  /** Whether a shared mapping that may write maps this object (i_mmap_writable). */
  writablyMapped(): bool {
    for (let i = 0; i < this.mappers.length; i++) {
      const vmas = unchecked(this.mappers[i]).vmas;
      for (let j = 0; j < vmas.length; j++) {
        const v = unchecked(vmas[j]);
        if (v.obj === this && (v.flags & VMA_NO_MAYWRITE) == 0) return true;
      }
    }
    return false;
  }
  /** How many fills and mappings of a page cache are under way (fillCache, then mapShared,
   *  which refs it only after populating): reclaim leaves it alone meanwhile. */
  busy: i32 = 0;
  /** Set when the owner (the file) no longer needs the pages: the last VMA frees them. */
  private ownerGone: bool = false;

  /** Pages within the size: a mapping may touch page indexes below this. */
  @inline get pageLimit(): u64 { return (this.size + PAGE_SIZE - 1) / PAGE_SIZE; }

  /** Offset of page idx, or -1 for a hole or a page past the array. */
  page(idx: u64): i64 {
    return idx < <u64>this.pages.length ? unchecked(this.pages[<i32>idx]) : -1;
  }

  /** Offset of page idx, allocating a zeroed page for a hole (and mapping it in every
   *  mapper). -1 when the sandbox's memory runs out. */
  populate(idx: u64): i64 {
    const i = <i32>idx;
    while (this.pages.length <= i) this.pages.push(-1);
    let off = unchecked(this.pages[i]);
    if (off < 0) {
      off = allocPages(PAGE_SIZE);
      if (off < 0) return -1;
      unchecked(this.pages[i] = off);
      this.tellMappers(idx, off);
    }
    return off;
  }

  /** Takes [off, off + n pages) of the memory file, allocated by the caller, as pages
   *  first..first+n (which are holes). Each page is freed on its own later. */
  adopt(first: u64, n: u64, off: u64): void {
    const end = <i32>(first + n);
    while (this.pages.length < end) this.pages.push(-1);
    for (let i: u64 = 0; i < n; i++) {
      const idx = <i32>(first + i);
      unchecked(this.pages[idx] = <i64>(off + i * PAGE_SIZE));
      this.tellMappers(first + i, <i64>(off + i * PAGE_SIZE));
    }
  }

  /** Frees page idx (it becomes a hole) and unmaps it from every mapper. */
  freePage(idx: u64): void {
    const off = this.page(idx);
    if (off < 0) return;
    memoryFile.free(<u64>off, PAGE_SIZE);
    unchecked(this.pages[<i32>idx] = -1);
    this.tellMappers(idx, -1);
  }

  /** Frees the pages from index first on (unmapped from every mapper first), runs that are
   *  contiguous in the memory file with one free each. */
  freeFrom(first: u64): void {
    let runOff: i64 = -1;
    let runLen: u64 = 0;
    for (let i = first; i < <u64>this.pages.length; i++) {
      const off = unchecked(this.pages[<i32>i]);
      if (off < 0) continue;
      unchecked(this.pages[<i32>i] = -1);
      this.tellMappers(i, -1);
      if (runOff >= 0 && <u64>runOff + runLen == <u64>off) {
        runLen += PAGE_SIZE;
        continue;
      }
      if (runOff >= 0) memoryFile.free(<u64>runOff, runLen);
      runOff = off;
      runLen = PAGE_SIZE;
    }
    if (runOff >= 0) memoryFile.free(<u64>runOff, runLen);
    if (first < <u64>this.pages.length) this.pages.length = <i32>first;
  }

  /** A VMA of mm now maps the object. */
  ref(mm: MM): void {
    this.mappers.push(mm);
  }

  /** A VMA of mm no longer maps the object; the last one frees the pages of an object
   *  whose owner is gone. */
  unref(mm: MM): void {
    const i = this.mappers.indexOf(mm);
    assert(i >= 0, "mem object: unref without ref");
    this.mappers.splice(i, 1);
    if (this.ownerGone && this.mappers.length == 0) this.freeFrom(0);
  }

  /** The owner is done with the object (a tmpfs file with no links and no open files, or a
   *  new anonymous object that only its mappings own): it lives as long as its mappings. */
  release(): void {
    this.ownerGone = true;
    if (this.mappers.length == 0) this.freeFrom(0);
  }

  private tellMappers(idx: u64, off: i64): void {
    for (let i = 0; i < this.mappers.length; i++) {
      const mm = unchecked(this.mappers[i]);
      // An address space with several VMAs of the object appears once per VMA; one call
      // updates all of them.
      if (this.mappers.indexOf(mm) == i) mm.objectPageChanged(this, idx, off);
    }
  }
}
