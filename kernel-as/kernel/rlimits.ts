// Resource limits of a thread group (getrlimit/setrlimit/prlimit64), with Linux's defaults
// for a process started by init on a typical system (include/asm-generic/resource.h
// INIT_RLIMITS; RLIMIT_NOFILE as systemd and container runtimes set it).
import { RLIMIT_CORE, RLIMIT_MEMLOCK, RLIMIT_MSGQUEUE, RLIMIT_NOFILE, RLIMIT_NPROC, RLIMIT_SIGPENDING, RLIMIT_STACK, RLIM_INFINITY, RLIM_NLIMITS } from "../abi/linux";

export class Rlimits {
  cur: StaticArray<u64> = new StaticArray<u64>(RLIM_NLIMITS);
  max: StaticArray<u64> = new StaticArray<u64>(RLIM_NLIMITS);

  constructor() {
    for (let i = 0; i < RLIM_NLIMITS; i++) {
      this.cur[i] = RLIM_INFINITY;
      this.max[i] = RLIM_INFINITY;
    }
    this.cur[RLIMIT_STACK] = 8 << 20;
    this.cur[RLIMIT_CORE] = 0;
    this.cur[RLIMIT_NOFILE] = 1024;
    this.max[RLIMIT_NOFILE] = 1048576;
    this.cur[RLIMIT_NPROC] = 63936;
    this.max[RLIMIT_NPROC] = 63936;
    this.cur[RLIMIT_SIGPENDING] = 63936;
    this.max[RLIMIT_SIGPENDING] = 63936;
    this.cur[RLIMIT_MEMLOCK] = 8 << 20;
    this.max[RLIMIT_MEMLOCK] = 8 << 20;
    this.cur[RLIMIT_MSGQUEUE] = 819200;
    this.max[RLIMIT_MSGQUEUE] = 819200;
  }
}
