// Builds the C conformance programs in test/conformance/ with the system gcc.
//
// buildC('hello', 'static') compiles test/conformance/hello.c into
// test/build/static/hello (test/build/ is git-ignored) and returns that path. It rebuilds
// only when the source (or a header next to it) is newer than the binary. Two test
// processes may build the same program at once: each compiles to its own temporary name
// and renames it into place, which is atomic.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './wvisor.js';

export type Variant = 'static' | 'static-pie';

export const conformanceDir = path.join(repoRoot, 'test', 'conformance');
export const buildDir = path.join(repoRoot, 'test', 'build');

const FLAGS: Record<Variant, string[]> = {
  static: ['-static'],
  'static-pie': ['-static-pie', '-fPIE'],
};

function mtime(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}

export function buildC(name: string, variant: Variant = 'static'): string {
  const src = path.join(conformanceDir, `${name}.c`);
  const out = path.join(buildDir, variant, name);
  const srcTime = mtime(src);
  if (srcTime < 0) throw new Error(`no such conformance program: ${src}`);
  const headers = readdirSync(conformanceDir).filter((f) => f.endsWith('.h'));
  const newest = Math.max(srcTime, ...headers.map((h) => mtime(path.join(conformanceDir, h))));
  if (mtime(out) >= newest) return out;

  mkdirSync(path.dirname(out), { recursive: true });
  const tmp = `${out}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    execFileSync('gcc', ['-O1', ...FLAGS[variant], '-o', tmp, src], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    renameSync(tmp, out);
  } catch (e) {
    rmSync(tmp, { force: true });
    const err = e as { stderr?: Buffer; message: string };
    throw new Error(`gcc failed for ${name} (${variant}): ${err.stderr?.toString() ?? err.message}`);
  }
  return out;
}
