// What the workloads need before the first run: the C programs compiled (statically, with
// the system gcc, into test/build/bench/bin, rebuilt only when a source is newer than its
// binary) and the input files generated (into test/build/bench/data, once).

import { createHash, randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { BenchPaths } from './environment.js';

const execFileAsync = promisify(execFile);

function mtimeMs(p: string): number {
  try {
    return statSync(p).mtimeMs;
  } catch {
    return -1;
  }
}

/**
 * Compiles the named C programs (`gcc -O2 -static`), two at a time, skipping any whose
 * binary is newer than both its source and bench.h. Returns the names it compiled.
 * Throws with gcc's message when one does not compile.
 */
export async function buildPrograms(paths: BenchPaths, names: readonly string[], gcc = 'gcc'): Promise<string[]> {
  mkdirSync(paths.binDir, { recursive: true });
  const header = mtimeMs(path.join(paths.cDir, 'bench.h'));
  const stale = names.filter((name) => {
    const src = path.join(paths.cDir, `${name}.c`);
    if (!existsSync(src)) throw new Error(`no C source ${src}`);
    return mtimeMs(path.join(paths.binDir, name)) <= Math.max(mtimeMs(src), header);
  });
  const queue = [...stale];
  const worker = async (): Promise<void> => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      const src = path.join(paths.cDir, `${name}.c`);
      const out = path.join(paths.binDir, name);
      const tmp = `${out}.tmp${process.pid}`;
      try {
        await execFileAsync(gcc, ['-O2', '-static', '-Wall', '-o', tmp, src, '-lpthread'], { timeout: 120_000 });
      } catch (e) {
        const err = e as { stderr?: string; message: string };
        rmSync(tmp, { force: true });
        throw new Error(`gcc failed on ${src}: ${(err.stderr ?? '').trim() || err.message}`);
      }
      // rename only after success, so an interrupted build never leaves a fresh-looking binary
      renameSync(tmp, out);
    }
  };
  await Promise.all([worker(), worker()]);
  return stale;
}

/** The inputs of the workloads, all under test/build/bench/data unless noted. */
export interface BenchData {
  /** A 100-byte file (open+read+close, stat). */
  smallFile: string;
  /** A large file of random bytes (sha256sum) and its expected digest. */
  bigFile: string;
  bigFileSha256: string;
  /** A directory tree of about 1000 files (tar), relative to treeParent. */
  treeParent: string;
  treeName: string;
  /** A small C file that includes libc headers (gcc -c). */
  cFile: string;
  /** A small make project: 8 C files and a Makefile (make -j2). */
  makeProject: string;
  /** The python json+sqlite job (checked in, in test/bench/fixtures). */
  pythonJob: string;
}

const MiB = 1 << 20;

/** Creates the inputs that are missing; bigMiB is the size of the sha256sum input. */
export function prepareData(paths: BenchPaths, bigMiB: number): BenchData {
  mkdirSync(paths.dataDir, { recursive: true });
  mkdirSync(paths.scratchDir, { recursive: true });
  const d = paths.dataDir;

  const smallFile = path.join(d, 'small.txt');
  if (!existsSync(smallFile)) writeFileSync(smallFile, 'wvisor bench: a small file to open, read and close.'.padEnd(99, '.') + '\n');

  const bigFile = path.join(d, `big-${bigMiB}MiB.bin`);
  const digestFile = `${bigFile}.sha256`;
  if (!existsSync(digestFile) || !existsSync(bigFile) || statSync(bigFile).size !== bigMiB * MiB) {
    const hash = createHash('sha256');
    const fd = openSync(`${bigFile}.tmp`, 'w');
    for (let i = 0; i < bigMiB; i++) {
      const block = randomBytes(MiB);
      hash.update(block);
      writeSync(fd, block);
    }
    closeSync(fd);
    renameSync(`${bigFile}.tmp`, bigFile);
    writeFileSync(digestFile, hash.digest('hex') + '\n');
  }
  const bigFileSha256 = readFileSync(digestFile, 'utf8').trim();

  const treeName = 'tree';
  const treeDone = path.join(d, 'tree.done');
  if (!existsSync(treeDone)) {
    rmSync(path.join(d, treeName), { recursive: true, force: true });
    for (let i = 0; i < 40; i++) {
      const dir = path.join(d, treeName, `d${String(i).padStart(2, '0')}`);
      mkdirSync(dir, { recursive: true });
      for (let j = 0; j < 25; j++) {
        const size = 512 + ((i * 25 + j) * 7919) % (16 * 1024);
        writeFileSync(path.join(dir, `f${String(j).padStart(2, '0')}.dat`), randomBytes(size));
      }
    }
    writeFileSync(treeDone, '1000 files\n');
  }

  const cFile = path.join(d, 'compile-me.c');
  if (!existsSync(cFile)) writeFileSync(cFile, cSource('compile_me', 12, true));

  const makeProject = path.join(d, 'make-project');
  const makefile = path.join(makeProject, 'Makefile');
  if (!existsSync(makefile)) {
    mkdirSync(makeProject, { recursive: true });
    const units = Array.from({ length: 8 }, (_, i) => `unit${i}`);
    for (const u of units) writeFileSync(path.join(makeProject, `${u}.c`), cSource(u, 10, false));
    writeFileSync(
      path.join(makeProject, 'main.c'),
      units.map((u) => `int ${u}_f0(int);`).join('\n') +
        '\nint main(void) {\n  int s = 0;\n' +
        units.map((u) => `  s += ${u}_f0(s);`).join('\n') +
        '\n  return s == 12345678;\n}\n',
    );
    writeFileSync(makefile, MAKEFILE);
  }

  return {
    smallFile,
    bigFile,
    bigFileSha256,
    treeParent: d,
    treeName,
    cFile,
    makeProject,
    pythonJob: path.join(paths.fixturesDir, 'json_sqlite.py'),
  };
}

/** A C translation unit with `count` small functions; with libc headers when `headers`. */
function cSource(prefix: string, count: number, headers: boolean): string {
  const lines: string[] = [];
  if (headers) lines.push('#include <stdio.h>', '#include <stdlib.h>', '#include <string.h>', '');
  for (let i = 0; i < count; i++) {
    lines.push(
      `int ${prefix}_f${i}(int x) {`,
      `  int acc = ${i};`,
      `  for (int k = 0; k < x % 97; k++) acc = acc * 31 + (k ^ ${i * 13});`,
      `  switch (acc & 3) { case 0: acc += ${i}; break; case 1: acc -= x; break; default: acc ^= 0x5a5a; }`,
      `  return acc;`,
      `}`,
    );
  }
  if (headers) {
    lines.push(
      'int main(int argc, char **argv) {',
      '  char buf[64];',
      `  snprintf(buf, sizeof buf, "%d", ${prefix}_f0(argc));`,
      '  return (int)strlen(buf) + (argv[0] == NULL ? EXIT_FAILURE : 0);',
      '}',
    );
  }
  return lines.join('\n') + '\n';
}

// OUT is where objects go (the scratch folder): the project folder itself stays read-only.
const MAKEFILE = `# make -j2 workload of the wvisor bench harness. Usage: make -B -j2 OUT=dir
OUT ?= out
CC ?= gcc
SRCS := $(sort $(wildcard *.c))
OBJS := $(SRCS:%.c=$(OUT)/%.o)

$(OUT)/app: $(OBJS)
\t$(CC) -o $@ $(OBJS)

$(OUT)/%.o: %.c | $(OUT)
\t$(CC) -O2 -c $< -o $@

$(OUT):
\tmkdir -p $@
`;
