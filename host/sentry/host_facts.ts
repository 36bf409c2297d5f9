// Facts about the host that the kernel reports to apps as its own: CPU feature bits from the
// host's auxiliary vector and the CPU count.
import fs from 'node:fs';
import os from 'node:os';

const AT_HWCAP = 16n;
const AT_HWCAP2 = 26n;

export function hostHwcaps(): { hwcap: bigint; hwcap2: bigint } {
  const aux = fs.readFileSync('/proc/self/auxv');
  let hwcap = 0n;
  let hwcap2 = 0n;
  for (let i = 0; i + 16 <= aux.length; i += 16) {
    const key = aux.readBigUInt64LE(i);
    if (key === AT_HWCAP) hwcap = aux.readBigUInt64LE(i + 8);
    if (key === AT_HWCAP2) hwcap2 = aux.readBigUInt64LE(i + 8);
  }
  return { hwcap, hwcap2 };
}

export function hostCpuCount(): number {
  return os.availableParallelism();
}

/** The host's /proc/cpuinfo block for its first CPU, without the processor line: the kernel
 *  repeats it for every CPU it reports. */
export function hostCpuinfo(): string {
  const text = fs.readFileSync('/proc/cpuinfo', 'utf8');
  const first = text.split('\n\n')[0] ?? '';
  return first.split('\n').filter((l) => !l.startsWith('processor')).join('\n');
}
