#!/usr/bin/env node
// Assembles host/platform/stub/stub.S with GNU as and writes its bytes and symbols to
// host/platform/stub/stub_code.ts (committed, so that building wvisor needs no assembler).
// `node scripts/stub_code.js` rewrites the file; `--print` writes it to stdout instead
// (test/stub_code.test.ts compares the two).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dir = path.join(root, 'host/platform/stub');

export function stubCodeSource() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wvisor-stub-'));
  try {
    const obj = path.join(tmp, 'stub.o');
    const bin = path.join(tmp, 'stub.bin');
    execFileSync('as', ['--64', '-o', obj, path.join(dir, 'stub.S')]);
    execFileSync('objcopy', ['-O', 'binary', '-j', '.text', obj, bin]);
    const bytes = fs.readFileSync(bin);
    // The code must not need relocating: a rip-relative reference to a global symbol would
    // be left for the linker (objcopy does not apply it).
    const relocs = execFileSync('readelf', ['-r', obj], { encoding: 'utf8' });
    if (/Relocation section/.test(relocs)) throw new Error(`stub.S needs relocations:\n${relocs}`);
    const symbols = new Map();
    for (const line of execFileSync('nm', [obj], { encoding: 'utf8' }).split('\n')) {
      const [value, type, name] = line.trim().split(/\s+/);
      if (type === 'T' || type === 't') symbols.set(name, parseInt(value, 16));
    }
    const hex = (from, to) => {
      const lines = [];
      for (let i = from; i < to; i += 16) {
        const row = [...bytes.subarray(i, Math.min(i + 16, to))].map((b) => `0x${b.toString(16).padStart(2, '0')}`);
        lines.push(`  ${row.join(', ')},`);
      }
      return lines.join('\n');
    };
    const stubEnd = symbols.get('stub_end');
    const offsets = [...symbols]
      .filter(([name, v]) => name.startsWith('stub_') && v < stubEnd && name !== 'stub_entry')
      .concat([['app_filter', symbols.get('app_filter')]])
      .sort((a, b) => a[1] - b[1])
      .map(([name, v]) => `  ${name}: 0x${v.toString(16)},`)
      .join('\n');
    return `// Generated from stub.S by scripts/stub_code.js: do not edit (run the script).

/** The stub's code, from stub_entry to stub_end. */
export const STUB_CODE = [
${hex(0, stubEnd)}
];

/** Offsets of the stub's entry points and data within STUB_CODE. */
export const STUB_OFFSETS = {
${offsets}
};

/** The waker's code (position independent), from waker_entry to waker_end. */
export const WAKER_CODE = [
${hex(symbols.get('waker_entry'), symbols.get('waker_end'))}
];
`;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const src = stubCodeSource();
  if (process.argv.includes('--print')) process.stdout.write(src);
  else fs.writeFileSync(path.join(dir, 'stub_code.ts'), src);
}
