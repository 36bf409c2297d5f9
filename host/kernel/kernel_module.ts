// Loading kernel.wasm and the typed view of its exports. This is the host half of the
// kernel contract; kernel-as/index.ts is the other half, kernel-as/host.ts lists the imports.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface KernelExports {
  memory: WebAssembly.Memory;
  regs_block(): number;
  config_buffer(len: number): number;
  boot(len: number): number;
  start(): number;
  syscall(stub: number): number;
  fault(stub: number, signo: number, code: number, addr: number): number;
  foreign_syscall(stub: number): number;
  stub_died(stub: number, signo: number): void;
  kicked(stub: number): number;
  next_runnable(): number;
  next_deadline(): number;
  expire(now: number): void;
  poll_count(): number;
  poll_fd(i: number): number;
  poll_events(i: number): number;
  fd_ready(fd: number, revents: number): void;
  sandbox_status(): number;
  describe_syscalls(): void;
}

/** Actions returned by syscall() and fault() (kernel-as/syscalls/dispatch.ts). */
export const ACT_RESUME = 0;
export const ACT_PARK = 1;
export const ACT_GONE = 2;

const wasmPath = fileURLToPath(new URL('../../kernel.wasm', import.meta.url));

let compiled: WebAssembly.Module | undefined;

/** Compiles kernel.wasm (once per thread) and instantiates it with the host primitives. */
export function loadKernel(imports: WebAssembly.ModuleImports): KernelExports {
  compiled ??= new WebAssembly.Module(fs.readFileSync(wasmPath));
  const instance = new WebAssembly.Instance(compiled, { host: imports });
  return instance.exports as unknown as KernelExports;
}
