// Memory syscalls: brk, mmap, munmap, mprotect, mremap, madvise, mincore, the mlock family
// (Linux mm/mmap.c, mm/mprotect.c, mm/mremap.c, mm/madvise.c, mm/mincore.c, mm/mlock.c). MAP_SHARED mappings of anonymous memory and of
// tmpfs files (memfd, /dev/shm, /tmp, the overlay's upper files) map the object's own pages;
// other files (the Gofer's, read-only in the overlay) are mapped as private copies, which a
// read-only MAP_SHARED mapping may be since the file does not change under the sandbox.
import { EACCES, EBADF, EEXIST, EFAULT, EINVAL, ENODEV, ENOMEM, EPERM } from "../abi/errno";
import {
  MADV_COLD, MADV_COLLAPSE, MADV_DODUMP, MADV_DOFORK, MADV_DONTDUMP, MADV_DONTFORK, MADV_DONTNEED,
  MADV_DONTNEED_LOCKED, MADV_FREE, MADV_HUGEPAGE, MADV_KEEPONFORK, MADV_MERGEABLE, MADV_NOHUGEPAGE,
  MADV_NORMAL, MADV_PAGEOUT, MADV_POPULATE_READ, MADV_POPULATE_WRITE, MADV_RANDOM, MADV_REMOVE,
  MADV_SEQUENTIAL, MADV_UNMERGEABLE, MADV_WILLNEED, MADV_WIPEONFORK, MAP_ANONYMOUS, MAP_FIXED,
  MAP_FIXED_NOREPLACE, MAP_PRIVATE, MAP_SHARED, MAP_SHARED_VALIDATE, MAP_TYPE, MREMAP_DONTUNMAP,
  MREMAP_FIXED, MREMAP_MAYMOVE, PAGE_SIZE, pageAligned, pageUp, PROT_EXEC, PROT_GROWSDOWN,
  PROT_GROWSUP, PROT_READ, PROT_WRITE, RLIMIT_MEMLOCK,
} from "../abi/linux";
import { sysArg } from "../abi/regs";
import { mfResident } from "../host";
import { Task } from "../kernel/task";
import { MM, MMAP_MIN_ADDR } from "../mm/mm";
import { fillFailed, mapCached } from "../fs/page_cache";
import { MemObject } from "../mm/mem_object";
import { Vma, VMA_ANON, VMA_FILE, VMA_HEAP, VMA_HIDE_RESIDENCY, VMA_NO_MAYWRITE } from "../mm/vma";
import { MAY_WRITE, permitted } from "../fs/vfs/permission";
import { InodeFile } from "../fs/vfs/inode_file";
import { readIntoMapping } from "../loader/elf";
import { NO_WRITE_SEALS } from "../fs/tmpfs/tmpfs";

const PROT_RWX: i32 = PROT_READ | PROT_WRITE | PROT_EXEC;

/** brk(2): Linux's semantics, including returning the old break on any failure. */
export function sysBrk(t: Task): i64 {
  const mm = t.mm;
  const want = sysArg(0);
  if (want < mm.brkStart) return <i64>mm.brk;
  const oldEnd = pageUp(mm.brk);
  const newEnd = pageUp(want);
  if (newEnd > mm.taskSize || newEnd < want) return <i64>mm.brk;
  if (newEnd < oldEnd) {
    mm.unmapRange(newEnd, oldEnd);
  } else if (newEnd > oldEnd) {
    // The heap may not run into another mapping (Linux also keeps a guard gap below the
    // stack; the stack here is far above).
    if (!mm.rangeFree(oldEnd, newEnd)) return <i64>mm.brk;
    if (mm.mapAnon(oldEnd, newEnd - oldEnd, PROT_READ | PROT_WRITE, MAP_PRIVATE, VMA_HEAP) < 0) return <i64>mm.brk;
  }
  mm.brk = want;
  return <i64>want;
}

export function sysMmap(t: Task): i64 {
  const addr = sysArg(0);
  const len = sysArg(1);
  const prot = <i32>sysArg(2);
  const flags = <i32>sysArg(3);
  const fd = <i32>sysArg(4);
  const off = sysArg(5);
  const mm = t.mm;
  if (!pageAligned(off)) return -EINVAL;
  const type = flags & MAP_TYPE;
  if (type != MAP_PRIVATE && type != MAP_SHARED && type != MAP_SHARED_VALIDATE) return -EINVAL;
  if (len == 0) return -EINVAL;
  const alen = pageUp(len);
  if (alen < len || alen == 0) return -ENOMEM;
  let file: InodeFile | null = null;
  let obj: MemObject | null = null;
  let sealedNoWrite = false;
  if ((flags & MAP_ANONYMOUS) == 0) {
    const f = t.fdTable.get(fd);
    if (f === null) return -EBADF;
    if (!(f instanceof InodeFile) || !(<InodeFile>f).path.inode.isReg) return -ENODEV;
    if (!f.readable) return -EACCES;
    if (type != MAP_PRIVATE) {
      obj = f.memObject();
      // Linux: a writable shared mapping needs a file open for writing (O_APPEND does not
      // matter; only an append-only inode, chattr +a, which no file here has, refuses).
      if ((prot & PROT_WRITE) != 0 && !f.writable) return -EACCES;
      // Writing through a shared mapping of a Gofer file would have to reach the host file.
      if ((prot & PROT_WRITE) != 0 && obj === null) return -ENODEV;
      // A file sealed against writes maps only read-only, for good (memfd_check_seals_mmap()).
      const seals = f.seals();
      if (seals > 0 && (<u32>seals & NO_WRITE_SEALS) != 0) {
        if ((prot & PROT_WRITE) != 0) return -EPERM;
        sealedNoWrite = true;
      }
    }
    file = <InodeFile>f;
  } else if (type != MAP_PRIVATE) {
    obj = MemObject.anonymous(alen);
  }
  let at: u64;
  if ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) != 0) {
    if (!pageAligned(addr)) return -EINVAL;
    if (addr + alen > mm.taskSize || addr + alen < addr) return -ENOMEM;
    if (addr < MMAP_MIN_ADDR) return -EPERM;
    if ((flags & MAP_FIXED) == 0 && !mm.rangeFree(addr, addr + alen)) return -EEXIST;
    at = addr;
  } else {
    const r = mm.unmappedArea(addr, alen);
    if (r < 0) return r;
    at = <u64>r;
  }
  const kind = file === null ? VMA_ANON : VMA_FILE;
  let vflags = flags & (MAP_TYPE | MAP_ANONYMOUS);
  // A shared mapping that must never be written: the file is not open for writing (do_mmap()
  // clears VM_MAYWRITE then), its pages are not the file's own (see above), or it is sealed.
  if (file !== null && type != MAP_PRIVATE && (!file.writable || obj === null || sealedNoWrite)) vflags |= VMA_NO_MAYWRITE;
  // Which of a file's pages are in memory is not told to whoever could only read it (Linux
  // 5.0's answer to page-cache side channels, can_do_mincore()).
  if (file !== null) {
    const ino = file.path.inode;
    const cred = t.tg.cred;
    if (cred.euid != 0 && ino.uid != cred.euid && !permitted(ino, MAY_WRITE, cred)) vflags |= VMA_HIDE_RESIDENCY;
  }
  if (obj !== null) {
    const r = mm.mapShared(at, alen, prot & PROT_RWX, vflags, obj, off / PAGE_SIZE, kind);
    if (r < 0) {
      mm.unmapRange(at, at + alen);
      return r;
    }
    return <i64>at;
  }
  // A read-only private mapping of a file that never changes maps the file's cached pages,
  // shared with every such mapping (the libraries of every process): mprotect gives it a
  // copy before it may be written.
  if (file !== null && (prot & PROT_WRITE) == 0) {
    const cache = file.pageCache();
    if (cache !== null) {
      const r = mapCached(mm, cache, file, at, alen, prot & PROT_RWX, vflags, off / PAGE_SIZE, kind);
      if (r == 0) return <i64>at;
      if (!fillFailed) {
        mm.unmapRange(at, at + alen);
        return r;
      }
      if (r != -ENOMEM) return r;
    }
  }
  // A private file mapping gets a copy of the file's bytes (copy-on-write in effect, since
  // only this mapping sees it); it is filled readable and then given its protection, so a
  // PROT_NONE mapping keeps the data for a later mprotect.
  const r = mm.mapAnon(at, alen, file === null ? prot & PROT_RWX : PROT_READ | PROT_WRITE, vflags, kind);
  if (r < 0) return r;
  if (file !== null) {
    const size = file.path.inode.size();
    if (off < size) {
      const n = size - off < alen ? size - off : alen;
      const rr = readIntoMapping(mm, file, at, n, <i64>off);
      if (rr < 0) {
        mm.unmapRange(at, at + alen);
        return rr;
      }
    }
    if ((prot & PROT_RWX) != (PROT_READ | PROT_WRITE)) mm.protect(at, at + alen, prot & PROT_RWX);
  }
  return <i64>at;
}

export function sysMunmap(t: Task): i64 {
  const addr = sysArg(0);
  const len = sysArg(1);
  const mm = t.mm;
  if (!pageAligned(addr) || len == 0) return -EINVAL;
  const alen = pageUp(len);
  if (alen < len || addr + alen > mm.taskSize || addr + alen < addr) return -EINVAL;
  mm.unmapRange(addr, addr + alen);
  return 0;
}

export function sysMprotect(t: Task): i64 {
  const addr = sysArg(0);
  const len = sysArg(1);
  const prot = <i32>sysArg(2);
  const mm = t.mm;
  if (!pageAligned(addr)) return -EINVAL;
  if ((prot & ~(PROT_RWX | PROT_GROWSDOWN | PROT_GROWSUP)) != 0) return -EINVAL;
  if ((prot & PROT_GROWSDOWN) != 0 && (prot & PROT_GROWSUP) != 0) return -EINVAL;
  if (len == 0) return 0;
  const alen = pageUp(len);
  if (alen < len || addr + alen < addr) return -ENOMEM;
  if (!mm.rangeMapped(addr, addr + alen)) return -ENOMEM;
  // Write access only where the mapping may have it (mprotect_fixup()'s VM_MAYWRITE check).
  if ((prot & PROT_WRITE) != 0 && mm.rangeDeniesWrite(addr, addr + alen)) return -EACCES;
  return mm.protect(addr, addr + alen, prot & PROT_RWX);
}

/** mremap(2). Pages move without being copied (the same memory-file extents are mapped at
 *  the new address); a shared mapping grows with its object's next pages, and old_len 0
 *  makes a second mapping of a shared one. MREMAP_DONTUNMAP is not supported (EINVAL). */
export function sysMremap(t: Task): i64 {
  const old = sysArg(0);
  const oldLen = pageUp(sysArg(1));
  const newLen = pageUp(sysArg(2));
  const flags = <i32>sysArg(3);
  const newAddr = sysArg(4);
  const mm = t.mm;
  if ((flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP)) != 0) return -EINVAL;
  if ((flags & MREMAP_FIXED) != 0 && (flags & MREMAP_MAYMOVE) == 0) return -EINVAL;
  if ((flags & MREMAP_DONTUNMAP) != 0) return -EINVAL;
  if (!pageAligned(old)) return -EINVAL;
  if (newLen == 0 || pageUp(sysArg(2)) < sysArg(2)) return -EINVAL;
  if (oldLen == 0) {
    // A second mapping of the same pages: only of a shared mapping, and only to a new place.
    const v = mm.find(old);
    if (v === null || !v.shared || (flags & MREMAP_MAYMOVE) == 0) return -EINVAL;
    let at = newAddr;
    if ((flags & MREMAP_FIXED) == 0) {
      const r = mm.unmappedArea(0, newLen);
      if (r < 0) return r;
      at = <u64>r;
    } else if (!pageAligned(newAddr) || newAddr + newLen > mm.taskSize || newAddr + newLen < newAddr) {
      return -EINVAL;
    }
    const r = mm.mapShared(at, newLen, v.prot, v.flags, v.obj!, v.pageIndex(old), v.kind);
    return r < 0 ? <i64>r : <i64>at;
  }
  if (old + oldLen < old || old + oldLen > mm.taskSize) return -EFAULT;
  if (!mm.rangeMapped(old, old + oldLen)) return -EFAULT;
  const last = mm.find(old + oldLen - 1)!;

  if ((flags & MREMAP_FIXED) != 0) {
    if (!pageAligned(newAddr)) return -EINVAL;
    if (newAddr + newLen > mm.taskSize || newAddr + newLen < newAddr) return -EINVAL;
    if (newAddr < old + oldLen && old < newAddr + newLen) return -EINVAL;
    mm.unmapRange(newAddr, newAddr + newLen);
    return moveAndGrow(mm, old, oldLen, newLen, newAddr, last);
  }
  if (newLen <= oldLen) {
    mm.unmapRange(old + newLen, old + oldLen);
    return <i64>old;
  }
  if (old + newLen <= mm.taskSize && mm.rangeFree(old + oldLen, old + newLen)) {
    const r = grow(mm, last, old + oldLen, newLen - oldLen);
    return r < 0 ? <i64>r : <i64>old;
  }
  if ((flags & MREMAP_MAYMOVE) == 0) return -ENOMEM;
  const at = mm.unmappedArea(0, newLen);
  if (at < 0) return at;
  return moveAndGrow(mm, old, oldLen, newLen, <u64>at, last);
}

/** Extends a mapping whose last VMA is last (already moved, if it moves) by len bytes at
 *  at: fresh memory, or the shared object's pages that follow last's. */
function grow(mm: MM, last: Vma, at: u64, len: u64): i32 {
  if (!last.shared) return mm.mapAnon(at, len, last.prot, last.flags, VMA_ANON);
  return mm.mapShared(at, len, last.prot, last.flags, last.obj!, last.pageIndex(last.end), last.kind);
}

function moveAndGrow(mm: MM, old: u64, oldLen: u64, newLen: u64, to: u64, last: Vma): i64 {
  const keep = newLen < oldLen ? newLen : oldLen;
  if (newLen < oldLen) mm.unmapRange(old + newLen, old + oldLen);
  const r = mm.move(old, keep, to);
  if (r < 0) return r;
  if (newLen > keep) {
    const g = grow(mm, last, to + keep, newLen - keep);
    if (g < 0) return g;
  }
  return <i64>to;
}

function knownAdvice(advice: i32): bool {
  return advice == MADV_NORMAL || advice == MADV_RANDOM || advice == MADV_SEQUENTIAL ||
    advice == MADV_WILLNEED || advice == MADV_DONTNEED || advice == MADV_FREE || advice == MADV_REMOVE ||
    advice == MADV_DONTFORK || advice == MADV_DOFORK || advice == MADV_MERGEABLE ||
    advice == MADV_UNMERGEABLE || advice == MADV_HUGEPAGE || advice == MADV_NOHUGEPAGE ||
    advice == MADV_DONTDUMP || advice == MADV_DODUMP || advice == MADV_WIPEONFORK ||
    advice == MADV_KEEPONFORK || advice == MADV_COLD || advice == MADV_PAGEOUT ||
    advice == MADV_POPULATE_READ || advice == MADV_POPULATE_WRITE ||
    advice == MADV_DONTNEED_LOCKED || advice == MADV_COLLAPSE;
}

/** madvise(2): the advice that changes contents (DONTNEED, FREE, REMOVE) drops the pages;
 *  the rest are hints, accepted and ignored as Linux may. */
export function sysMadvise(t: Task): i64 {
  const addr = sysArg(0);
  const len = sysArg(1);
  const advice = <i32>sysArg(2);
  const mm = t.mm;
  if (!pageAligned(addr) || !knownAdvice(advice)) return -EINVAL;
  if (len == 0) return 0;
  const alen = pageUp(len);
  if (alen < len || addr + alen < addr) return -EINVAL;
  if (!mm.rangeMapped(addr, addr + alen)) return -ENOMEM;
  if (advice == MADV_DONTNEED || advice == MADV_DONTNEED_LOCKED || advice == MADV_FREE || advice == MADV_REMOVE) {
    mm.discard(addr, addr + alen);
  }
  return 0;
}

// Memory locking (mm/mlock.c). Nothing is locked: the memory file's pages are the host's to
// page out, and the Sentry keeps no locked state, so a lock is never refused for what other
// calls locked before it. What a caller can see is checked as Linux checks it: the flags,
// that the range is mapped, and, for a caller without CAP_IPC_LOCK (uid 0 holds every
// capability in the sandbox), RLIMIT_MEMLOCK against the request.
const MLOCK_ONFAULT: i32 = 1;
const MCL_CURRENT: i32 = 1;
const MCL_FUTURE: i32 = 2;
const MCL_ONFAULT: i32 = 4;

/** Whether t may lock len bytes: 0, -EPERM (no capability and a zero limit: can_do_mlock())
 *  or -ENOMEM (over the limit: do_mlock()'s RLIMIT_MEMLOCK check). */
function mayLock(t: Task, len: u64): i32 {
  if (t.tg.cred.euid == 0) return 0;
  const limit = t.tg.rlimits.cur[RLIMIT_MEMLOCK];
  if (limit == 0) return -EPERM;
  return len > limit ? -ENOMEM : 0;
}

/** do_mlock() and munlock(): the range is addr's page to the end of len bytes, rounded to
 *  pages with wrap-around as PAGE_ALIGN does (a length near 2^64 is then 0); EINVAL if it
 *  wraps the address space, ENOMEM if some page is not mapped. A lock that faults its pages
 *  in (not MLOCK_ONFAULT) is ENOMEM where they cannot come (PROT_NONE, past a shared
 *  object's end), as populating them fails in Linux. */
function lockRange(t: Task, addr: u64, len: u64, lock: bool, populate: bool): i32 {
  const start = addr & ~(<u64>PAGE_SIZE - 1);
  const size = pageUp(len + (addr & (<u64>PAGE_SIZE - 1)));
  if (lock) {
    if (mayLock(t, 0) < 0) return -EPERM;
    const r = mayLock(t, size);
    if (r < 0) return r;
  }
  const end = start + size;
  if (end < start) return -EINVAL;
  if (end == start) return 0;
  if (!t.mm.rangeMapped(start, end)) return -ENOMEM;
  return populate && !t.mm.rangePopulatable(start, end) ? -ENOMEM : 0;
}

export function sysMlock(t: Task): i64 {
  return lockRange(t, sysArg(0), sysArg(1), true, true);
}

export function sysMlock2(t: Task): i64 {
  const flags = <i32>sysArg(2);
  if ((flags & ~MLOCK_ONFAULT) != 0) return -EINVAL;
  return lockRange(t, sysArg(0), sysArg(1), true, flags == 0);
}

export function sysMunlock(t: Task): i64 {
  return lockRange(t, sysArg(0), sysArg(1), false, false);
}

export function sysMlockall(t: Task): i64 {
  const flags = <i32>sysArg(0);
  if (flags == 0 || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) != 0 || flags == MCL_ONFAULT) return -EINVAL;
  return mayLock(t, (flags & MCL_CURRENT) != 0 ? t.mm.mappedBytes() : 0);
}

export function sysMunlockall(_t: Task): i64 {
  return 0;
}

/** Pages one mincore() step looks at. */
const MINCORE_CHUNK: u64 = 512;
const MINCORE_BUF: usize = memory.data(<i32>MINCORE_CHUNK);

/** mincore(2) (mm/mincore.c): one byte per page of [addr, addr+len), 1 when the page is in
 *  memory. A page is in memory when the memory file holds it (an app page never touched is a
 *  hole there, as an untouched anonymous page is absent in Linux); a reservation without
 *  pages, or a shared object's hole, is not; every page of a file the mapper could only read
 *  is (VMA_HIDE_RESIDENCY). */
export function sysMincore(t: Task): i64 {
  const addr = sysArg(0);
  const len = sysArg(1);
  let vec = sysArg(2);
  if (!pageAligned(addr)) return -EINVAL;
  const end = pageUp(addr + len);
  if (addr + len < addr || end < addr || end > t.mm.taskSize) return -ENOMEM;
  // The vector must be a user range before any mapping is looked at (access_ok()).
  const pages = (end - addr) / PAGE_SIZE;
  if (vec + pages < vec || vec + pages > t.mm.taskSize) return -EFAULT;
  let a = addr;
  while (a < end) {
    const v = t.mm.find(a);
    if (v === null) return -ENOMEM;
    let stop = v.end < end ? v.end : end;
    if (stop - a > MINCORE_CHUNK * PAGE_SIZE) stop = a + MINCORE_CHUNK * PAGE_SIZE;
    const n = <i32>((stop - a) / PAGE_SIZE);
    if ((v.flags & VMA_HIDE_RESIDENCY) != 0) {
      memory.fill(MINCORE_BUF, 1, n);
    } else if (v.obj !== null) {
      for (let i = 0; i < n; i++) {
        const page = v.obj!.page(v.pageIndex(a + <u64>i * PAGE_SIZE));
        if (page >= 0) mfResident(<f64>page, <f64>PAGE_SIZE, MINCORE_BUF + <usize>i);
        else store<u8>(MINCORE_BUF + <usize>i, 0);
      }
    } else if (v.mfOff >= 0) {
      mfResident(<f64>v.offsetOf(a), <f64>(stop - a), MINCORE_BUF);
    } else {
      memory.fill(MINCORE_BUF, 0, n);
    }
    if (t.mm.copyOut(vec, MINCORE_BUF, <u64>n) < 0) return -EFAULT;
    vec += <u64>n;
    a = stop;
  }
  return 0;
}
