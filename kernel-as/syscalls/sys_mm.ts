// Memory syscalls: brk, mmap, munmap, mprotect, mremap, madvise (Linux mm/mmap.c,
// mm/mprotect.c, mm/mremap.c, mm/madvise.c). File mappings are private copies of the file's
// bytes for now; writable shared file mappings are not supported.
import { EACCES, EBADF, EEXIST, EFAULT, EINVAL, ENODEV, ENOMEM, EPERM } from "../abi/errno";
import {
  MADV_COLD, MADV_COLLAPSE, MADV_DODUMP, MADV_DOFORK, MADV_DONTDUMP, MADV_DONTFORK, MADV_DONTNEED,
  MADV_DONTNEED_LOCKED, MADV_FREE, MADV_HUGEPAGE, MADV_KEEPONFORK, MADV_MERGEABLE, MADV_NOHUGEPAGE,
  MADV_NORMAL, MADV_PAGEOUT, MADV_POPULATE_READ, MADV_POPULATE_WRITE, MADV_RANDOM, MADV_REMOVE,
  MADV_SEQUENTIAL, MADV_UNMERGEABLE, MADV_WILLNEED, MADV_WIPEONFORK, MAP_ANONYMOUS, MAP_FIXED,
  MAP_FIXED_NOREPLACE, MAP_PRIVATE, MAP_SHARED, MAP_SHARED_VALIDATE, MAP_TYPE, MREMAP_DONTUNMAP,
  MREMAP_FIXED, MREMAP_MAYMOVE, PAGE_SIZE, pageAligned, pageUp, PROT_EXEC, PROT_GROWSDOWN,
  PROT_GROWSUP, PROT_READ, PROT_WRITE,
} from "../abi/linux";
import { sysArg } from "../abi/regs";
import { Task } from "../kernel/task";
import { MM, MMAP_MIN_ADDR } from "../mm/mm";
import { VMA_ANON, VMA_FILE, VMA_HEAP } from "../mm/vma";
import { InodeFile } from "../fs/vfs/inode_file";
import { readIntoMapping } from "../loader/elf";

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
  if ((flags & MAP_ANONYMOUS) == 0) {
    const f = t.fdTable.get(fd);
    if (f === null) return -EBADF;
    if (!(f instanceof InodeFile) || !(<InodeFile>f).path.inode.isReg) return -ENODEV;
    if (!f.readable) return -EACCES;
    if (type != MAP_PRIVATE && (prot & PROT_WRITE) != 0) {
      // A writable shared mapping would have to write back to the file: not supported yet.
      return f.writable ? -ENODEV : -EACCES;
    }
    file = <InodeFile>f;
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
  // Shared anonymous memory behaves as private until there is a second address space to
  // share it with (fork arrives with the processes work). A file mapping gets a private copy
  // of the file's bytes (MAP_PRIVATE's view; a read-only MAP_SHARED mapping does not see later
  // changes to the file).
  const r = mm.mapAnon(at, alen, prot & PROT_RWX, flags & (MAP_TYPE | MAP_ANONYMOUS), file === null ? VMA_ANON : VMA_FILE);
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
  return mm.protect(addr, addr + alen, prot & PROT_RWX);
}

/** mremap(2) for anonymous memory. Pages move without being copied (the same memory-file
 *  extents are mapped at the new address). MREMAP_DONTUNMAP is not supported (EINVAL). */
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
  // old_len 0 duplicates a shared mapping in Linux; there are none yet.
  if (oldLen == 0) return -EINVAL;
  if (old + oldLen < old || old + oldLen > mm.taskSize) return -EFAULT;
  if (!mm.rangeMapped(old, old + oldLen)) return -EFAULT;
  const last = mm.find(old + oldLen - 1)!;
  const prot = last.prot;
  const vflags = last.flags;

  if ((flags & MREMAP_FIXED) != 0) {
    if (!pageAligned(newAddr)) return -EINVAL;
    if (newAddr + newLen > mm.taskSize || newAddr + newLen < newAddr) return -EINVAL;
    if (newAddr < old + oldLen && old < newAddr + newLen) return -EINVAL;
    mm.unmapRange(newAddr, newAddr + newLen);
    return moveAndGrow(mm, old, oldLen, newLen, newAddr, prot, vflags);
  }
  if (newLen <= oldLen) {
    mm.unmapRange(old + newLen, old + oldLen);
    return <i64>old;
  }
  if (old + newLen <= mm.taskSize && mm.rangeFree(old + oldLen, old + newLen)) {
    const r = mm.mapAnon(old + oldLen, newLen - oldLen, prot, vflags, VMA_ANON);
    return r < 0 ? <i64>r : <i64>old;
  }
  if ((flags & MREMAP_MAYMOVE) == 0) return -ENOMEM;
  const at = mm.unmappedArea(0, newLen);
  if (at < 0) return at;
  return moveAndGrow(mm, old, oldLen, newLen, <u64>at, prot, vflags);
}

function moveAndGrow(mm: MM, old: u64, oldLen: u64, newLen: u64, to: u64, prot: i32, vflags: i32): i64 {
  const keep = newLen < oldLen ? newLen : oldLen;
  if (newLen < oldLen) mm.unmapRange(old + newLen, old + oldLen);
  const r = mm.move(old, keep, to);
  if (r < 0) return r;
  if (newLen > keep) {
    const g = mm.mapAnon(to + keep, newLen - keep, prot, vflags, VMA_ANON);
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
