// A small classic-BPF assembler for seccomp filters: loads of struct seccomp_data words,
// compare-and-jump with symbolic labels, and returns. It resolves labels to the relative
// offsets BPF wants (jumps only go forward) and encodes struct sock_filter entries.

// Opcodes (include/uapi/linux/bpf_common.h).
const BPF_LD_W_ABS = 0x00 | 0x00 | 0x20;
const BPF_JMP_JEQ_K = 0x05 | 0x10 | 0x00;
const BPF_JMP_JGE_K = 0x05 | 0x30 | 0x00;
const BPF_RET_K = 0x06 | 0x00;

/** Offsets in struct seccomp_data (include/uapi/linux/seccomp.h). */
export const SECCOMP_DATA = { nr: 0, arch: 4, ipLow: 8, ipHigh: 12, argLow: (i: number) => 16 + 8 * i, argHigh: (i: number) => 20 + 8 * i };

export const SECCOMP_RET_TRAP = 0x00030000;
export const SECCOMP_RET_ALLOW = 0x7fff0000;
export const AUDIT_ARCH_X86_64 = 0xc000003e;

type Insn = { code: number; k: number; jt?: string; jf?: string };

export class BpfProgram {
  private readonly insns: Insn[] = [];
  private readonly labels = new Map<string, number>();

  /** Loads the 32-bit word at offset off of struct seccomp_data. */
  load(off: number): this {
    this.insns.push({ code: BPF_LD_W_ABS, k: off });
    return this;
  }

  /** If the loaded word equals k, jump to label ifTrue, else to ifFalse (undefined: the next
   *  instruction). */
  jeq(k: number, ifTrue?: string, ifFalse?: string): this {
    this.insns.push({ code: BPF_JMP_JEQ_K, k, jt: ifTrue, jf: ifFalse });
    return this;
  }

  /** If the loaded word is at least k (unsigned), jump to ifTrue, else to ifFalse. */
  jge(k: number, ifTrue?: string, ifFalse?: string): this {
    this.insns.push({ code: BPF_JMP_JGE_K, k, jt: ifTrue, jf: ifFalse });
    return this;
  }

  ret(action: number): this {
    this.insns.push({ code: BPF_RET_K, k: action });
    return this;
  }

  label(name: string): this {
    if (this.labels.has(name)) throw new Error(`bpf: label ${name} defined twice`);
    this.labels.set(name, this.insns.length);
    return this;
  }

  /** The program as an array of struct sock_filter (8 bytes each). */
  assemble(): Buffer {
    const b = Buffer.alloc(8 * this.insns.length);
    this.insns.forEach((insn, pc) => {
      const offset = (label: string | undefined): number => {
        if (label === undefined) return 0;
        const at = this.labels.get(label);
        if (at === undefined) throw new Error(`bpf: no label ${label}`);
        const d = at - pc - 1;
        if (d < 0 || d > 255) throw new Error(`bpf: jump to ${label} out of range`);
        return d;
      };
      b.writeUInt16LE(insn.code, 8 * pc);
      b.writeUInt8(offset(insn.jt), 8 * pc + 2);
      b.writeUInt8(offset(insn.jf), 8 * pc + 3);
      b.writeUInt32LE(insn.k >>> 0, 8 * pc + 4);
    });
    return b;
  }
}
