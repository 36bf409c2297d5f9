// The register block: a copy of x86-64 `struct user_regs_struct` (arch/x86/include/asm/user_64.h)
// at a fixed place in kernel memory. The host fills it with PTRACE_GETREGS before calling
// into the kernel and loads it back with PTRACE_SETREGS when the kernel asks to resume a task;
// the layout is the ptrace ABI, so neither side converts anything.

export const REGS_SIZE: i32 = 27 * 8;
export const REGS: usize = memory.data(REGS_SIZE, 16);

export const R15: i32 = 0;
export const R14: i32 = 1;
export const R13: i32 = 2;
export const R12: i32 = 3;
export const RBP: i32 = 4;
export const RBX: i32 = 5;
export const R11: i32 = 6;
export const R10: i32 = 7;
export const R9: i32 = 8;
export const R8: i32 = 9;
export const RAX: i32 = 10;
export const RCX: i32 = 11;
export const RDX: i32 = 12;
export const RSI: i32 = 13;
export const RDI: i32 = 14;
export const ORIG_RAX: i32 = 15;
export const RIP: i32 = 16;
export const CS: i32 = 17;
export const EFLAGS: i32 = 18;
export const RSP: i32 = 19;
export const SS: i32 = 20;
export const FS_BASE: i32 = 21;
export const GS_BASE: i32 = 22;
export const DS: i32 = 23;
export const ES: i32 = 24;
export const FS: i32 = 25;
export const GS: i32 = 26;

// User-mode selectors of the x86-64 Linux GDT (arch/x86/include/asm/segment.h).
export const USER_CS: u64 = 0x33;
export const USER_DS: u64 = 0x2b;

@inline export function getReg(r: i32): u64 {
  return load<u64>(REGS + (<usize>r << 3));
}

@inline export function setReg(r: i32, v: u64): void {
  store<u64>(REGS + (<usize>r << 3), v);
}

/** A task's saved registers while it is not the one in the block. */
export class RegSet {
  data: StaticArray<u64> = new StaticArray<u64>(27);

  saveFromBlock(): void {
    memory.copy(changetype<usize>(this.data), REGS, REGS_SIZE);
  }

  loadIntoBlock(): void {
    memory.copy(REGS, changetype<usize>(this.data), REGS_SIZE);
  }

  @inline get(r: i32): u64 { return this.data[r]; }

  @inline set(r: i32, v: u64): void { this.data[r] = v; }
}

// Syscall argument registers in ABI order (arch/x86/entry/entry_64.S).
const ARG_REGS: StaticArray<i32> = [RDI, RSI, RDX, R10, R8, R9];

@inline export function sysArg(i: i32): u64 {
  return getReg(unchecked(ARG_REGS[i]));
}
