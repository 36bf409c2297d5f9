// What a platform does for the Sentry (runsc's --platform): run app code in stub processes
// and bring its syscalls, faults and interruptions back to the kernel. host/kernel/
// primitives.ts calls these for the kernel; sandbox.ts runs the loop.
import { KernelExports } from '../kernel/kernel_module.js';
import { PtracePlatform } from './ptrace/platform.js';
import { SystrapPlatform } from './systrap/platform.js';
import { PlatformName } from './names.js';

export interface Platform {
  attach(kernel: KernelExports): void;
  /** A new address space with one thread that waits for registers: its id, or -errno. */
  createStub(): number;
  /** A new thread in the address space of the stopped thread caller: its tid, or -errno. */
  createThread(caller: number): number;
  exitThread(tid: number): void;
  /** Interrupts a thread that runs app code, so that the kernel sees it (kicked). */
  kick(tid: number): void;
  destroyStub(id: number): void;
  /** mmap, munmap or mprotect in the address space id. */
  changeAddressSpace(id: number, nr: number, ...args: number[]): number;
  /** The XSAVE area of a stopped thread, from or into buf: its size, or -errno. */
  fpRegs(tid: number, buf: Uint8Array, set: boolean): number;
  /** The vDSO's address in every stub, or 0. */
  vdsoBase(): number;
  /** CPU time in ns of thread id (perThread) or of the process holding id; or -errno. */
  cpuTime(id: number, perThread: boolean): number;
  /** Runs the sandbox until its init exits: init's wait status. */
  run(): number;
  destroyAll(): void;
}

export function makePlatform(name: PlatformName, stubPath: string, memfileFd: number, wakerPath: string): Platform {
  return name === 'systrap' ? new SystrapPlatform(stubPath, memfileFd, wakerPath) : new PtracePlatform(stubPath, memfileFd, wakerPath);
}
