// The ELF loader for x86-64 executables, following Linux's load_elf_binary()
// (fs/binfmt_elf.c): static (ET_EXEC), static-PIE (ET_DYN without an interpreter) and
// dynamically linked programs (PT_INTERP: the interpreter, ld.so, is loaded too and runs
// first). Segments are read from the file straight into the memory-file pages of freshly
// mapped VMAs, so bss and page tails read as zeroes.
import { hostRandom } from "../host";
import { ENOEXEC, ENOMEM } from "../abi/errno";
import { MAP_PRIVATE, PAGE_SIZE, pageDown, pageUp, PROT_EXEC, PROT_READ, PROT_WRITE } from "../abi/linux";
import { FileDescription } from "../fs/file";
import { fillFailed, mapCached } from "../fs/page_cache";
import { extentLen, MM } from "../mm/mm";
import { VMA_IMAGE } from "../mm/vma";

const ET_EXEC: u16 = 2;
const ET_DYN: u16 = 3;
const EM_X86_64: u16 = 62;
const PT_LOAD: u32 = 1;
const PT_INTERP: u32 = 3;
const PT_PHDR: u32 = 6;
const PF_X: u32 = 1;
const PF_W: u32 = 2;
const PF_R: u32 = 4;
const EHDR_SIZE: i32 = 64;
const PHDR_SIZE: i32 = 56;
/** Linux's ELF_ET_DYN_BASE on x86-64: 2/3 of the 47-bit user space. */
export const ELF_ET_DYN_BASE: u64 = 0x555555554000;
const MAX_INTERP_PATH: i32 = 4096;

/** The parts of an ELF file the loader needs. */
export class ElfFile {
  type: u16 = 0;
  entry: u64 = 0;
  phoff: u64 = 0;
  phnum: i32 = 0;
  phdrs: ArrayBuffer = new ArrayBuffer(0);
  /** PT_INTERP's path, or "" for a static program. */
  interp: string = "";
  /** Lowest page and end of the PT_LOAD segments, before relocation. */
  lo: u64 = 0;
  hi: u64 = 0;
}

/** Where the program landed: what the initial stack's auxv and registers need. */
export class LoadedImage {
  /** Where execution starts (the interpreter's entry for a dynamic program). */
  start: u64 = 0;
  /** The program's own entry (AT_ENTRY). */
  entry: u64 = 0;
  phdr: u64 = 0;
  phnum: u64 = 0;
  /** The interpreter's load address (AT_BASE), or 0. */
  base: u64 = 0;
  /** End of the program's highest segment: where brk starts (before randomization). */
  end: u64 = 0;
  isPie: bool = false;
  /** Set when the refusal deserves a message to the person (the errno alone is vague). */
  reason: string = "";
}

const EHDR: usize = memory.data(EHDR_SIZE, 8);
const RND: usize = memory.data(8, 8);

/** Reads and checks the headers of file. Returns null with img.reason on a bad file. */
export function readElf(file: FileDescription, img: LoadedImage): ElfFile | null {
  if (file.readToKernel(EHDR, EHDR_SIZE, 0) != EHDR_SIZE) return refuse(img, "not an ELF file (too short)");
  if (load<u32>(EHDR) != 0x464c457f) return refuse(img, "not an ELF file");
  if (load<u8>(EHDR + 4) != 2 || load<u8>(EHDR + 5) != 1) return refuse(img, "not a 64-bit little-endian ELF file");
  const e = new ElfFile();
  e.type = load<u16>(EHDR + 16);
  if (load<u16>(EHDR + 18) != EM_X86_64) return refuse(img, "not an x86-64 executable");
  if (e.type != ET_EXEC && e.type != ET_DYN) return refuse(img, "not an executable ELF file");
  e.entry = load<u64>(EHDR + 24);
  e.phoff = load<u64>(EHDR + 32);
  e.phnum = <i32>load<u16>(EHDR + 56);
  if (<i32>load<u16>(EHDR + 54) != PHDR_SIZE || e.phnum < 1 || e.phnum > 65536 / PHDR_SIZE) return refuse(img, "bad program headers");
  e.phdrs = new ArrayBuffer(e.phnum * PHDR_SIZE);
  const ph = changetype<usize>(e.phdrs);
  if (file.readToKernel(ph, e.phnum * PHDR_SIZE, <i64>e.phoff) != e.phnum * PHDR_SIZE) return refuse(img, "truncated program headers");
  e.lo = U64.MAX_VALUE;
  for (let i = 0; i < e.phnum; i++) {
    const p = ph + <usize>(i * PHDR_SIZE);
    const ptype = load<u32>(p);
    if (ptype == PT_INTERP) {
      const len = <i32>load<u64>(p + 32);
      if (len < 2 || len > MAX_INTERP_PATH) return refuse(img, "bad PT_INTERP");
      const buf = new ArrayBuffer(len);
      if (file.readToKernel(changetype<usize>(buf), len, <i64>load<u64>(p + 8)) != len) return refuse(img, "truncated PT_INTERP");
      // The path is NUL-terminated inside the segment.
      e.interp = String.UTF8.decodeUnsafe(changetype<usize>(buf), <usize>(len - 1));
    }
    if (ptype != PT_LOAD) continue;
    const off = load<u64>(p + 8);
    const vaddr = load<u64>(p + 16);
    const filesz = load<u64>(p + 32);
    const memsz = load<u64>(p + 40);
    if (filesz > memsz || (vaddr & (PAGE_SIZE - 1)) != (off & (PAGE_SIZE - 1))) return refuse(img, "bad PT_LOAD segment");
    if (vaddr + memsz < vaddr) return refuse(img, "bad PT_LOAD segment");
    if (pageDown(vaddr) < e.lo) e.lo = pageDown(vaddr);
    if (vaddr + memsz > e.hi) e.hi = vaddr + memsz;
  }
  if (e.hi == 0) return refuse(img, "no loadable segments");
  return e;
}

/** The load bias for an image: ET_EXEC loads where it says; an ET_DYN program with an
 *  interpreter goes to ELF_ET_DYN_BASE plus a random offset (none unless random), anything
 *  else ET_DYN (a static PIE, or the interpreter itself) where mmap would put it (Linux's
 *  load_bias rules). */
export function chooseBias(mm: MM, e: ElfFile, withInterp: bool, random: bool): i64 {
  const span = pageUp(e.hi) - e.lo;
  if (e.type == ET_EXEC) {
    if (pageUp(e.hi) > mm.taskSize || e.lo < 0x1000) return -ENOEXEC;
    return 0;
  }
  if (withInterp) {
    let base = ELF_ET_DYN_BASE;
    if (random) {
      hostRandom(RND, 8);
      base += pageDown(load<u64>(RND) % (<u64>1 << 32));
    }
    if (base + span <= mm.taskSize && mm.rangeFree(base, base + span)) return <i64>(base - e.lo);
  }
  const at = mm.unmappedArea(0, span);
  if (at < 0) return at;
  return <i64>(<u64>at - e.lo);
}

/** Maps the PT_LOAD segments of e from file at bias. Returns 0 or -errno. */
export function mapElf(mm: MM, file: FileDescription, e: ElfFile, bias: u64, img: LoadedImage): i32 {
  const ph = changetype<usize>(e.phdrs);
  for (let i = 0; i < e.phnum; i++) {
    const p = ph + <usize>(i * PHDR_SIZE);
    if (load<u32>(p) != PT_LOAD) continue;
    const flags = load<u32>(p + 4);
    const off = load<u64>(p + 8);
    const vaddr = load<u64>(p + 16) + bias;
    const filesz = load<u64>(p + 32);
    const memsz = load<u64>(p + 40);
    const start = pageDown(vaddr);
    const end = pageUp(vaddr + memsz);
    let prot = 0;
    if (flags & PF_R) prot |= PROT_READ;
    if (flags & PF_W) prot |= PROT_WRITE;
    if (flags & PF_X) prot |= PROT_EXEC;
    // A read-only segment without bss maps the file's cached pages, shared with every
    // process running the same program (as Linux maps the file's page cache).
    const cache = (prot & PROT_WRITE) == 0 && memsz == filesz ? file.pageCache() : null;
    if (cache !== null) {
      const r = mapCached(mm, cache, file, start, end - start, prot, MAP_PRIVATE, (off - (vaddr - start)) / PAGE_SIZE, VMA_IMAGE);
      if (r == 0) continue;
      if (!fillFailed) return r;
    }
    const r = mm.mapAnon(start, end - start, prot, MAP_PRIVATE, VMA_IMAGE);
    if (r < 0) {
      if (r != -ENOMEM) img.reason = "cannot map a segment";
      return r;
    }
    // File bytes from the start of the page, as mmap of the file would show them.
    const lead = vaddr - start;
    const r2 = readIntoMapping(mm, file, start, filesz + lead, <i64>(off - lead));
    if (r2 < 0) return r2;
  }
  return 0;
}

/** Fills [addr, addr+len) of a fresh mapping with the file's bytes from pos. Bytes past the
 *  end of the file stay zero. Returns 0 or -errno. */
export function readIntoMapping(mm: MM, file: FileDescription, addr: u64, len: u64, pos: i64): i32 {
  let a = addr;
  let left = len;
  let filePos = pos;
  while (left > 0) {
    const off = mm.extentAt(a, a + left);
    let chunk = extentLen;
    if (chunk > 0x40000000) chunk = 0x40000000;
    const got = file.readToMf(off, <i32>chunk, filePos);
    if (got < 0) return got;
    if (got == 0) break;
    a += <u64>got;
    filePos += got;
    left -= <u64>got;
  }
  return 0;
}

/** AT_PHDR: PT_PHDR's address, or the headers' place inside the PT_LOAD that holds them. */
export function phdrAddress(e: ElfFile, bias: u64): u64 {
  const ph = changetype<usize>(e.phdrs);
  for (let i = 0; i < e.phnum; i++) {
    const p = ph + <usize>(i * PHDR_SIZE);
    if (load<u32>(p) == PT_PHDR) return load<u64>(p + 16) + bias;
  }
  for (let i = 0; i < e.phnum; i++) {
    const p = ph + <usize>(i * PHDR_SIZE);
    if (load<u32>(p) != PT_LOAD) continue;
    const off = load<u64>(p + 8);
    const filesz = load<u64>(p + 32);
    if (e.phoff >= off && e.phoff + <u64>(e.phnum * PHDR_SIZE) <= off + filesz) {
      return load<u64>(p + 16) + (e.phoff - off) + bias;
    }
  }
  return 0;
}

function refuse(img: LoadedImage, why: string): ElfFile | null {
  img.reason = why;
  return null;
}

