// The stub executable: a tiny static ELF, written here byte by byte, that becomes an app's
// address space. It asks for SIGKILL when its parent (the Sentry's tracer thread) dies, stops
// itself so that the tracer can seize it, and then only ever runs `syscall; int3` at
// STUB_SYSCALL_ADDR: the tracer points rip there to inject a syscall (DESIGN.md §3) and gets
// control back at the int3; or the batch loop at STUB_BATCH_ADDR, which runs the syscalls
// listed in the control page (STUB_CTRL_ADDR, a page the tracer writes too) and stores each
// result there. The app's address space is everything below STUB_BASE.
import fs from 'node:fs';

/** Where the stub's code page lives: above every address the app may use. */
export const STUB_BASE = 0x7ff000000000;
/** The control page, mapped after the code page: a count, then entries of eight 64-bit
 *  words (syscall number, six arguments, result). */
export const STUB_CTRL_ADDR = STUB_BASE + 0x1000;
export const STUB_BATCH_MAX = 63;
const HEADER_SIZE = 64 + 56;

/** x86-64 code that every helper process starts with: ask for SIGKILL when the parent (the
 *  tracer thread) dies, then stop itself so that the tracer can seize it. */
export const SELF_STOP_PROLOGUE = [
  0xb8, 0x9d, 0x00, 0x00, 0x00, //        mov eax, 157 (prctl)
  0xbf, 0x01, 0x00, 0x00, 0x00, //        mov edi, 1 (PR_SET_PDEATHSIG)
  0xbe, 0x09, 0x00, 0x00, 0x00, //        mov esi, 9 (SIGKILL)
  0x0f, 0x05, //                          syscall
  0xb8, 0x27, 0x00, 0x00, 0x00, //        mov eax, 39 (getpid)
  0x0f, 0x05, //                          syscall
  0x89, 0xc7, //                          mov edi, eax
  0xbe, 0x13, 0x00, 0x00, 0x00, //        mov esi, 19 (SIGSTOP)
  0xb8, 0x3e, 0x00, 0x00, 0x00, //        mov eax, 62 (kill)
  0x0f, 0x05, //                          syscall
];

// x86-64 machine code, offsets relative to the entry point (just after the headers).
const CODE = [
  ...SELF_STOP_PROLOGUE,
  0xcc, //                                int3 (never reached: the tracer moves rip first)
  // inject:
  0x0f, 0x05, //                          syscall
  0xcc, //                                int3
  0xeb, 0xfb, //                          jmp inject
  // batch:
  0x48, 0xbb, 0x00, 0x10, 0x00, 0x00, 0xf0, 0x7f, 0x00, 0x00, // movabs rbx, STUB_CTRL_ADDR
  0x4c, 0x8b, 0x23, //                    mov r12, [rbx]        (count)
  0x4c, 0x8d, 0x6b, 0x08, //              lea r13, [rbx+8]      (first entry)
  // loop:
  0x4d, 0x85, 0xe4, //                    test r12, r12
  0x74, 0x2b, //                          jz done
  0x49, 0x8b, 0x45, 0x00, //              mov rax, [r13]
  0x49, 0x8b, 0x7d, 0x08, //              mov rdi, [r13+8]
  0x49, 0x8b, 0x75, 0x10, //              mov rsi, [r13+16]
  0x49, 0x8b, 0x55, 0x18, //              mov rdx, [r13+24]
  0x4d, 0x8b, 0x55, 0x20, //              mov r10, [r13+32]
  0x4d, 0x8b, 0x45, 0x28, //              mov r8, [r13+40]
  0x4d, 0x8b, 0x4d, 0x30, //              mov r9, [r13+48]
  0x0f, 0x05, //                          syscall
  0x49, 0x89, 0x45, 0x38, //              mov [r13+56], rax     (result)
  0x49, 0x83, 0xc5, 0x40, //              add r13, 64
  0x49, 0xff, 0xcc, //                    dec r12
  0xeb, 0xd0, //                          jmp loop
  // done:
  0xcc, //                                int3
  0xeb, 0xbc, //                          jmp batch
];
const INJECT_OFFSET = 39;
const BATCH_OFFSET = 44;

/** The address of the `syscall` instruction used for injected syscalls. */
export const STUB_SYSCALL_ADDR = STUB_BASE + HEADER_SIZE + INJECT_OFFSET;
/** The address of the batch loop. */
export const STUB_BATCH_ADDR = STUB_BASE + HEADER_SIZE + BATCH_OFFSET;

/** The stub as an ELF file. */
export function stubImage(): Buffer {
  const b = elfImage(STUB_BASE, CODE);
  if (b[HEADER_SIZE + INJECT_OFFSET] !== 0x0f || b[HEADER_SIZE + INJECT_OFFSET + 2] !== 0xcc) {
    throw new Error('stub image: INJECT_OFFSET does not point at syscall; int3');
  }
  if (b[HEADER_SIZE + BATCH_OFFSET] !== 0x48 || b.readBigUInt64LE(HEADER_SIZE + BATCH_OFFSET + 2) !== BigInt(STUB_CTRL_ADDR)) {
    throw new Error('stub image: BATCH_OFFSET does not point at the batch loop');
  }
  return b;
}

/** A static ELF executable of one PT_LOAD (R+X) at base holding the headers and code. */
export function elfImage(base: number, code: number[]): Buffer {
  const STUB_BASE = base;
  const CODE = code;
  const size = HEADER_SIZE + CODE.length;
  const b = Buffer.alloc(size);
  b.write('\x7fELF', 0, 'latin1');
  b[4] = 2; // ELFCLASS64
  b[5] = 1; // little endian
  b[6] = 1; // EV_CURRENT
  b.writeUInt16LE(2, 16); // ET_EXEC
  b.writeUInt16LE(62, 18); // EM_X86_64
  b.writeUInt32LE(1, 20);
  b.writeBigUInt64LE(BigInt(STUB_BASE + HEADER_SIZE), 24); // e_entry
  b.writeBigUInt64LE(64n, 32); // e_phoff
  b.writeUInt16LE(64, 52); // e_ehsize
  b.writeUInt16LE(56, 54); // e_phentsize
  b.writeUInt16LE(1, 56); // e_phnum
  b.writeUInt32LE(1, 64); // PT_LOAD
  b.writeUInt32LE(5, 68); // PF_R | PF_X
  b.writeBigUInt64LE(0n, 72); // p_offset
  b.writeBigUInt64LE(BigInt(STUB_BASE), 80); // p_vaddr
  b.writeBigUInt64LE(BigInt(STUB_BASE), 88); // p_paddr
  b.writeBigUInt64LE(BigInt(size), 96); // p_filesz
  b.writeBigUInt64LE(BigInt(size), 104); // p_memsz
  b.writeBigUInt64LE(0x1000n, 112); // p_align
  Buffer.from(CODE).copy(b, HEADER_SIZE);
  return b;
}

/** Writes the stub executable to path (done at build time: dist/wvisor-stub). */
export function writeStub(path: string): void {
  fs.writeFileSync(path, stubImage(), { mode: 0o755 });
}
