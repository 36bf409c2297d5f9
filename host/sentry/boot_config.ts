// Encodes the boot configuration for kernel.wasm: records {u32 tag, u32 length, bytes}
// padded to 4 bytes. The tags and the reader are in kernel-as/kernel/config.ts.

const CFG_ARG = 1;
const CFG_ENV = 2;
const CFG_EXEC_PATH = 4;
const CFG_CWD = 5;
const CFG_HOSTNAME = 6;
const CFG_MEMFILE_SIZE = 7;
const CFG_MEM_LIMIT = 8;
const CFG_TASK_SIZE = 9;
const CFG_FLAGS = 10;
const CFG_STDIO = 11;
const CFG_HWCAP = 12;
const CFG_NCPU = 13;
const CFG_CPUINFO = 15;


export const CFG_FLAG_STRACE = 1;
export const CFG_FLAG_DEBUG = 2;

export interface BootConfig {
  argv: string[];
  env: string[];
  execPath: string;
  cwd: string;
  hostname: string;
  memFileSize: number;
  memLimit: number;
  taskSize: number;
  flags: number;
  /** Host fds for the app's fds 0, 1, 2 and their F_GETFL flags. */
  stdio: [number, number, number];
  stdioFlags: [number, number, number];
  hwcap: bigint;
  hwcap2: bigint;
  ncpu: number;
  cpuinfo: string;
}

export function encodeBootConfig(c: BootConfig): Uint8Array {
  const parts: Buffer[] = [];
  const rec = (tag: number, value: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32LE(tag, 0);
    head.writeUInt32LE(value.length, 4);
    parts.push(head, value, Buffer.alloc((4 - (value.length % 4)) % 4));
  };
  const u32 = (v: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v >>> 0);
    return b;
  };
  const u64 = (v: number | bigint) => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    return b;
  };
  for (const a of c.argv) rec(CFG_ARG, Buffer.from(a));
  for (const e of c.env) rec(CFG_ENV, Buffer.from(e));
  rec(CFG_EXEC_PATH, Buffer.from(c.execPath));
  rec(CFG_CWD, Buffer.from(c.cwd));
  rec(CFG_HOSTNAME, Buffer.from(c.hostname));
  rec(CFG_MEMFILE_SIZE, u64(c.memFileSize));
  rec(CFG_MEM_LIMIT, u64(c.memLimit));
  rec(CFG_TASK_SIZE, u64(c.taskSize));
  rec(CFG_FLAGS, u32(c.flags));
  const stdio = Buffer.alloc(24);
  for (let i = 0; i < 3; i++) {
    stdio.writeInt32LE(c.stdio[i], 4 * i);
    stdio.writeInt32LE(c.stdioFlags[i], 12 + 4 * i);
  }
  rec(CFG_STDIO, stdio);
  rec(CFG_HWCAP, Buffer.concat([u64(c.hwcap), u64(c.hwcap2)]));
  rec(CFG_NCPU, u32(c.ncpu));
  rec(CFG_CPUINFO, Buffer.from(c.cpuinfo));
  return Buffer.concat(parts);
}
