#!/usr/bin/env node
// Builds what wvisor runs: kernel-as/ to dist/kernel.wasm (AssemblyScript) and the
// TypeScript folders to dist/ (tsc). Run by `npm run build` and by npm's `prepare`.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });

run(bin('asc'), ['--config', 'asconfig.json', '--target', process.env.WVISOR_KERNEL_TARGET ?? 'release']);
run(bin('tsc'), ['-p', 'tsconfig.json']);
