// The seccomp filter of the threads that run app code under the systrap platform
// (host/platform/systrap/). Every syscall the app makes becomes SIGSYS (SECCOMP_RET_TRAP),
// which the stub's handler hands to the Sentry. Only the stub's own code page may make real
// syscalls, and only those its signal handler needs: futex (the mailbox), rt_sigreturn
// (back to the app), exit (a thread's end) and arch_prctl's ARCH_SET_FS/ARCH_SET_GS (the
// thread pointer the Sentry keeps for the app). An app that jumps into the stub to make
// anything else is trapped just the same; a syscall of another ABI kills the process.
import { AUDIT_ARCH_X86_64, BpfProgram, SECCOMP_DATA, SECCOMP_RET_ALLOW, SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_TRAP } from './bpf.js';

const SYS_RT_SIGRETURN = 15;
const SYS_EXIT = 60;
const SYS_ARCH_PRCTL = 158;
const SYS_FUTEX = 202;
const ARCH_SET_GS = 0x1001;
const ARCH_SET_FS = 0x1002;

/** The filter for app threads whose stub code occupies [codeStart, codeStart + codeSize),
 *  a range that must not cross a 4 GiB boundary. */
export function appThreadFilter(codeStart: number, codeSize: number): Buffer {
  const high = Math.floor(codeStart / 0x100000000);
  const low = codeStart % 0x100000000;
  if (Math.floor((codeStart + codeSize - 1) / 0x100000000) !== high) throw new Error('app filter: the stub code crosses 4 GiB');
  return new BpfProgram()
    .load(SECCOMP_DATA.arch)
    .jeq(AUDIT_ARCH_X86_64, undefined, 'kill')
    .load(SECCOMP_DATA.ipHigh)
    .jeq(high, undefined, 'trap')
    .load(SECCOMP_DATA.ipLow)
    .jge(low, undefined, 'trap')
    .jge(low + codeSize, 'trap')
    .load(SECCOMP_DATA.nr)
    .jeq(SYS_FUTEX, 'allow')
    .jeq(SYS_RT_SIGRETURN, 'allow')
    .jeq(SYS_EXIT, 'allow')
    .jeq(SYS_ARCH_PRCTL, undefined, 'trap')
    .load(SECCOMP_DATA.argHigh(0))
    .jeq(0, undefined, 'trap')
    .load(SECCOMP_DATA.argLow(0))
    .jeq(ARCH_SET_FS, 'allow')
    .jeq(ARCH_SET_GS, 'allow', 'trap')
    .label('trap')
    .ret(SECCOMP_RET_TRAP)
    .label('allow')
    .ret(SECCOMP_RET_ALLOW)
    .label('kill')
    .ret(SECCOMP_RET_KILL_PROCESS)
    .assemble();
}
