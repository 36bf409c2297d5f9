// The seccomp filter of the threads that run app code under the systrap platform
// (host/platform/systrap/). Every syscall the app makes becomes SIGSYS (SECCOMP_RET_TRAP),
// which the stub's handler hands to the Sentry. Only the stub's own code page may make real
// syscalls, and only those its signal handler needs: futex WAIT and WAKE (the mailbox; no
// requeue, which could move the Sentry's or the waker's waiters), rt_sigreturn (back to the
// app), exit (a thread's end) and arch_prctl's ARCH_SET_FS/ARCH_SET_GS (the thread pointer
// the Sentry keeps for the app). An app that jumps into the stub to make anything else is
// trapped just the same, as is a syscall of another ABI (int 0x80), which the Sentry tells
// by its si_arch.
import { AUDIT_ARCH_X86_64, BpfProgram, SECCOMP_DATA, SECCOMP_RET_ALLOW, SECCOMP_RET_TRAP } from './bpf.js';

const SYS_RT_SIGRETURN = 15;
const SYS_EXIT = 60;
const SYS_ARCH_PRCTL = 158;
const SYS_FUTEX = 202;
const ARCH_SET_GS = 0x1001;
const ARCH_SET_FS = 0x1002;
const FUTEX_WAIT = 0;
const FUTEX_WAKE = 1;
/** seccomp_data.instruction_pointer is the address after the 2-byte `syscall`. */
const SYSCALL_SIZE = 2;

/** Jumps to 'allow' if argument i is a or b, else to 'trap'. */
function argIs(prog: BpfProgram, i: number, a: number, b: number): BpfProgram {
  return prog
    .load(SECCOMP_DATA.argHigh(i))
    .jeq(0, undefined, 'trap')
    .load(SECCOMP_DATA.argLow(i))
    .jeq(a, 'allow')
    .jeq(b, 'allow', 'trap');
}

/** The filter for app threads whose stub code occupies [codeStart, codeStart + codeSize),
 *  a range that must not reach a 4 GiB boundary. */
export function appThreadFilter(codeStart: number, codeSize: number): Buffer {
  const high = Math.floor(codeStart / 0x100000000);
  const low = codeStart % 0x100000000;
  if (Math.floor((codeStart + codeSize + SYSCALL_SIZE) / 0x100000000) !== high) throw new Error('app filter: the stub code crosses 4 GiB');
  const prog = new BpfProgram()
    .load(SECCOMP_DATA.arch)
    .jeq(AUDIT_ARCH_X86_64, undefined, 'trap')
    .load(SECCOMP_DATA.ipHigh)
    .jeq(high, undefined, 'trap')
    .load(SECCOMP_DATA.ipLow)
    .jge(low + SYSCALL_SIZE, undefined, 'trap')
    .jge(low + codeSize + SYSCALL_SIZE, 'trap')
    .load(SECCOMP_DATA.nr)
    .jeq(SYS_FUTEX, 'futex')
    .jeq(SYS_RT_SIGRETURN, 'allow')
    .jeq(SYS_EXIT, 'allow')
    .jeq(SYS_ARCH_PRCTL, undefined, 'trap');
  argIs(prog, 0, ARCH_SET_FS, ARCH_SET_GS).label('futex');
  argIs(prog, 1, FUTEX_WAIT, FUTEX_WAKE);
  return prog.label('trap').ret(SECCOMP_RET_TRAP).label('allow').ret(SECCOMP_RET_ALLOW).assemble();
}
