// The ELF loader for x86-64 executables: static (ET_EXEC) and static-PIE (ET_DYN without an
// interpreter), following Linux's load_elf_binary() (fs/binfmt_elf.c). Segments are read from
// the host fd straight into the memory-file pages of freshly mapped VMAs, so bss and the page
// tails read as zeroes. Programs with PT_INTERP (dynamically linked) need the file system to
// find their interpreter and are refused with ENOEXEC until then.
import { hostPread, hostPreadMf } from "../host";
import { EIO, ENOEXEC, ENOMEM } from "../abi/errno";
import { PAGE_SIZE, pageDown, pageUp, PROT_EXEC, PROT_READ, PROT_WRITE, MAP_PRIVATE } from "../abi/linux";
import { MM } from "../mm/mm";
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

/** Where the image landed: what the initial stack's auxv and registers need. */
export class LoadedImage {
  entry: u64 = 0;
  phdr: u64 = 0;
  phnum: u64 = 0;
  /** End of the highest segment: where brk starts (before randomization). */
  end: u64 = 0;
  isPie: bool = false;
  /** Set when the refusal deserves a message to the person (the errno alone is vague). */
  reason: string = "";
}

const EHDR: usize = memory.data(EHDR_SIZE, 8);

/** Loads the executable open on host fd into mm. Returns 0 or -errno; on failure mm may hold
 *  part of the image (the caller discards the whole mm). */
export function loadElf(mm: MM, fd: i32, img: LoadedImage): i32 {
  if (hostPread(fd, EHDR, EHDR_SIZE, 0) != EHDR_SIZE) return refuse(img, "not an ELF file (too short)");
  if (load<u32>(EHDR) != 0x464c457f) return refuse(img, "not an ELF file");
  if (load<u8>(EHDR + 4) != 2 || load<u8>(EHDR + 5) != 1) return refuse(img, "not a 64-bit little-endian ELF file");
  const type = load<u16>(EHDR + 16);
  if (load<u16>(EHDR + 18) != EM_X86_64) return refuse(img, "not an x86-64 executable");
  if (type != ET_EXEC && type != ET_DYN) return refuse(img, "not an executable ELF file");
  const entry = load<u64>(EHDR + 24);
  const phoff = load<u64>(EHDR + 32);
  const phentsize = load<u16>(EHDR + 54);
  const phnum = <i32>load<u16>(EHDR + 56);
  if (<i32>phentsize != PHDR_SIZE || phnum < 1 || phnum > 65536 / PHDR_SIZE) return refuse(img, "bad program headers");

  const phdrs = new ArrayBuffer(phnum * PHDR_SIZE);
  const ph = changetype<usize>(phdrs);
  if (hostPread(fd, ph, phnum * PHDR_SIZE, <f64>phoff) != phnum * PHDR_SIZE) return refuse(img, "truncated program headers");

  let lo: u64 = U64.MAX_VALUE;
  let hi: u64 = 0;
  let phdrVaddr: u64 = 0;
  let havePhdr = false;
  for (let i = 0; i < phnum; i++) {
    const p = ph + <usize>(i * PHDR_SIZE);
    const ptype = load<u32>(p);
    if (ptype == PT_INTERP) {
      return refuse(img, "dynamically linked programs are not supported yet (needs the files work)");
    }
    if (ptype == PT_PHDR) {
      phdrVaddr = load<u64>(p + 16);
      havePhdr = true;
    }
    if (ptype != PT_LOAD) continue;
    const off = load<u64>(p + 8);
    const vaddr = load<u64>(p + 16);
    const filesz = load<u64>(p + 32);
    const memsz = load<u64>(p + 40);
    if (filesz > memsz || (vaddr & (PAGE_SIZE - 1)) != (off & (PAGE_SIZE - 1))) return refuse(img, "bad PT_LOAD segment");
    if (vaddr + memsz < vaddr) return refuse(img, "bad PT_LOAD segment");
    if (pageDown(vaddr) < lo) lo = pageDown(vaddr);
    if (vaddr + memsz > hi) hi = vaddr + memsz;
    if (!havePhdr && phoff >= off && phoff + <u64>(phnum * PHDR_SIZE) <= off + filesz) {
      // The headers sit inside this segment's file image (Linux computes AT_PHDR this way
      // when there is no PT_PHDR).
      phdrVaddr = vaddr + (phoff - off);
    }
  }
  if (hi == 0) return refuse(img, "no loadable segments");

  let bias: u64 = 0;
  const span = pageUp(hi) - lo;
  if (type == ET_DYN) {
    // A static PIE without an interpreter goes where mmap would put it (Linux: load_bias 0
    // and no MAP_FIXED for ET_DYN without PT_INTERP).
    const at = mm.unmappedArea(0, span);
    if (at < 0) return <i32>at;
    bias = <u64>at - lo;
  } else if (pageUp(hi) > mm.taskSize || lo < 0x1000) {
    return refuse(img, "segments outside the address space");
  }

  for (let i = 0; i < phnum; i++) {
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
    const r = mm.mapAnon(start, end - start, prot, MAP_PRIVATE, VMA_IMAGE);
    if (r < 0) return r == -ENOMEM ? r : refuse(img, "cannot map a segment");
    // File bytes from the start of the page, as mmap of the file would show them.
    const lead = vaddr - start;
    let left = filesz + lead;
    let filePos = off - lead;
    let a = start;
    while (left > 0) {
      const v = mm.find(a)!;
      const room = v.end - a;
      const chunk = <i32>(left < room ? (left < 0x40000000 ? left : 0x40000000) : (room < 0x40000000 ? room : 0x40000000));
      const got = hostPreadMf(fd, <f64>v.offsetOf(a), chunk, <f64>filePos);
      if (got <= 0) return got < 0 ? got : -EIO;
      a += <u64>got;
      filePos += <u64>got;
      left -= <u64>got;
    }
  }

  img.entry = entry + bias;
  img.phdr = phdrVaddr + bias;
  img.phnum = <u64>phnum;
  img.end = pageUp(hi + bias);
  img.isPie = type == ET_DYN;
  return 0;
}

function refuse(img: LoadedImage, why: string): i32 {
  img.reason = why;
  return -ENOEXEC;
}
