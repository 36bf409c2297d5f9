// The waker (DESIGN.md §3): a tiny static program that lets the Sentry's single tracer thread
// wait for timers and host fds while it also waits for stubs. It holds, as fd 0, an epoll set
// that the Sentry fills (its timerfd and the host fds the kernel watches), loops on
// epoll_wait, and raises SIGUSR1 on itself when something is ready: being traced, its signal
// stop wakes the tracer's waitpid. It asks for SIGKILL when its parent dies, and stops itself
// first so that the tracer can seize it.
import fs from 'node:fs';
import { elfImage, SELF_STOP_PROLOGUE } from './stub_image.js';

const WAKER_BASE = 0x400000;

const CODE = [
  ...SELF_STOP_PROLOGUE,
  // loop:
  0x31, 0xff, //                          xor edi, edi (the epoll fd)
  0x48, 0x8d, 0x74, 0x24, 0xc0, //        lea rsi, [rsp - 64] (room for one event)
  0xba, 0x01, 0x00, 0x00, 0x00, //        mov edx, 1
  0x41, 0xba, 0xff, 0xff, 0xff, 0xff, //  mov r10d, -1 (no timeout)
  0xb8, 0xe8, 0x00, 0x00, 0x00, //        mov eax, 232 (epoll_wait)
  0x0f, 0x05, //                          syscall
  0xb8, 0x27, 0x00, 0x00, 0x00, //        mov eax, 39 (getpid)
  0x0f, 0x05, //                          syscall
  0x89, 0xc7, //                          mov edi, eax
  0xbe, 0x0a, 0x00, 0x00, 0x00, //        mov esi, 10 (SIGUSR1)
  0xb8, 0x3e, 0x00, 0x00, 0x00, //        mov eax, 62 (kill)
  0x0f, 0x05, //                          syscall
  0xeb, 0xd0, //                          jmp loop
];

export function writeWaker(path: string): void {
  fs.writeFileSync(path, elfImage(WAKER_BASE, CODE), { mode: 0o755 });
}
