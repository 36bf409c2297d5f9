#!/usr/bin/env node
// Builds what wvisor runs: kernel-as/ to dist/kernel.wasm (AssemblyScript), the TypeScript
// folders to dist/ (tsc), and the stub and waker executables dist/wvisor-stub, dist/wvisor-waker. Run by `npm run build`
// and by npm's `prepare` (so `npm ci` builds).
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });

run(bin('asc'), ['--config', 'asconfig.json', '--target', process.env.WVISOR_KERNEL_TARGET ?? 'release']);
run(bin('tsc'), ['-p', 'tsconfig.json']);
const { writeStubs } = await import(pathToFileURL(path.join(root, 'dist/host/platform/stub/stub_image.js')).href);
writeStubs(path.join(root, 'dist/wvisor-stub'), path.join(root, 'dist/wvisor-waker'));
