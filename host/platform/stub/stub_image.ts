// The stub and waker executables: tiny static ELF files built here from the code that
// stub.S assembles to (stub_code.ts). The stub's image also carries the app threads' seccomp
// filter (seccomp/app_filter.ts), whose address it writes into the stub's app_filter.
import fs from 'node:fs';
import { appThreadFilter } from '../../../seccomp/app_filter.js';
import { STUB_CODE, STUB_OFFSETS, WAKER_CODE } from './stub_code.js';
import { PAGE, STUB_BASE } from './stub_layout.js';

/** ELF header and one program header. */
const HEADER_SIZE = 64 + 56;
const WAKER_BASE = 0x400000;

/** The address of a stub entry point or datum (stub.S's symbols). */
export const stubAddr = (name: keyof typeof STUB_OFFSETS): number => STUB_BASE + HEADER_SIZE + STUB_OFFSETS[name];

/** The stub as an ELF file: its code, then the app filter. */
export function stubImage(): Buffer {
  const filter = appThreadFilter(STUB_BASE, PAGE);
  const filterOffset = HEADER_SIZE + STUB_CODE.length;
  const b = elfImage(STUB_BASE, [...STUB_CODE, ...filter]);
  // struct sock_fprog { unsigned short len; struct sock_filter *filter; }
  const prog = HEADER_SIZE + STUB_OFFSETS.app_filter;
  b.writeUInt16LE(filter.length / 8, prog);
  b.writeBigUInt64LE(BigInt(STUB_BASE + filterOffset), prog + 8);
  if (b.length > PAGE) throw new Error('stub image: larger than its page');
  return b;
}

/** A static ELF executable of one PT_LOAD (R+X) at base holding the headers and code. */
function elfImage(base: number, code: number[]): Buffer {
  const size = HEADER_SIZE + code.length;
  const b = Buffer.alloc(size);
  b.write('\x7fELF', 0, 'latin1');
  b[4] = 2; // ELFCLASS64
  b[5] = 1; // little endian
  b[6] = 1; // EV_CURRENT
  b.writeUInt16LE(2, 16); // ET_EXEC
  b.writeUInt16LE(62, 18); // EM_X86_64
  b.writeUInt32LE(1, 20);
  b.writeBigUInt64LE(BigInt(base + HEADER_SIZE), 24); // e_entry
  b.writeBigUInt64LE(64n, 32); // e_phoff
  b.writeUInt16LE(64, 52); // e_ehsize
  b.writeUInt16LE(56, 54); // e_phentsize
  b.writeUInt16LE(1, 56); // e_phnum
  b.writeUInt32LE(1, 64); // PT_LOAD
  b.writeUInt32LE(5, 68); // PF_R | PF_X
  b.writeBigUInt64LE(0n, 72); // p_offset
  b.writeBigUInt64LE(BigInt(base), 80); // p_vaddr
  b.writeBigUInt64LE(BigInt(base), 88); // p_paddr
  b.writeBigUInt64LE(BigInt(size), 96); // p_filesz
  b.writeBigUInt64LE(BigInt(size), 104); // p_memsz
  b.writeBigUInt64LE(0x1000n, 112); // p_align
  Buffer.from(code).copy(b, HEADER_SIZE);
  return b;
}

/** Writes the stub and waker executables (done at build time: dist/wvisor-stub, dist/wvisor-waker). */
export function writeStubs(stubPath: string, wakerPath: string): void {
  // Written aside and renamed into place: a running sandbox may be executing the old file.
  const write = (path: string, image: Buffer) => {
    fs.writeFileSync(`${path}.new`, image, { mode: 0o755 });
    fs.renameSync(`${path}.new`, path);
  };
  write(stubPath, stubImage());
  write(wakerPath, elfImage(WAKER_BASE, WAKER_CODE));
}
