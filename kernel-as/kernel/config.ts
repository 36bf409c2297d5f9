// The boot configuration the host hands over once: what to run and under which limits.
// Wire format (written by host/sentry/boot_config.ts): a sequence of records, each
// {u32 tag, u32 length, bytes}, little endian. Strings are UTF-8 without a terminator.

export const CFG_ARG: u32 = 1;          // one argv string, in order
export const CFG_ENV: u32 = 2;          // one "NAME=value" string, in order
export const CFG_EXEC_PATH: u32 = 4;    // the program's path in the sandbox (also AT_EXECFN)
export const CFG_CWD: u32 = 5;
export const CFG_HOSTNAME: u32 = 6;
export const CFG_MEMFILE_SIZE: u32 = 7; // u64: bytes of the memory file the host reserved
export const CFG_MEM_LIMIT: u32 = 8;    // u64: bytes of app memory allowed
export const CFG_TASK_SIZE: u32 = 9;    // u64: end of the app's address range (stub above it)
export const CFG_FLAGS: u32 = 10;       // u32: CFG_FLAG_*
export const CFG_STDIO: u32 = 11;       // 6 x i32: host fds for the app's fds 0, 1, 2, then their F_GETFL flags
export const CFG_HWCAP: u32 = 12;       // 2 x u64: AT_HWCAP, AT_HWCAP2 of the host CPU
export const CFG_NCPU: u32 = 13;        // u32: CPUs the sandbox reports
export const CFG_CPUINFO: u32 = 15;     // the host's /proc/cpuinfo block for one CPU


export const CFG_FLAG_STRACE: u32 = 1;
export const CFG_FLAG_DEBUG: u32 = 2;

export class BootConfig {
  argv: string[] = [];
  envp: string[] = [];
  execPath: string = "";
  cwd: string = "/";
  hostname: string = "wvisor";
  memFileSize: u64 = 0;
  memLimit: u64 = 0;
  taskSize: u64 = 0;
  flags: u32 = 0;
  stdio: StaticArray<i32> = [0, 1, 2];
  stdioFlags: StaticArray<i32> = [0, 1, 1];
  hwcap: u64 = 0;
  hwcap2: u64 = 0;
  ncpu: u32 = 1;
  cpuinfo: string = "";
}

export let config: BootConfig = new BootConfig();

/** Parses the records at [ptr, ptr+len). Returns false on a malformed blob (a host bug). */
export function parseConfig(ptr: usize, len: usize): bool {
  const c = new BootConfig();
  let p = ptr;
  const end = ptr + len;
  while (p < end) {
    if (end - p < 8) return false;
    const tag = load<u32>(p);
    const n = <usize>load<u32>(p + 4);
    const v = p + 8;
    if (end - v < n) return false;
    if (tag == CFG_ARG) c.argv.push(String.UTF8.decodeUnsafe(v, n));
    else if (tag == CFG_ENV) c.envp.push(String.UTF8.decodeUnsafe(v, n));
    else if (tag == CFG_EXEC_PATH) c.execPath = String.UTF8.decodeUnsafe(v, n);
    else if (tag == CFG_CWD) c.cwd = String.UTF8.decodeUnsafe(v, n);
    else if (tag == CFG_HOSTNAME) c.hostname = String.UTF8.decodeUnsafe(v, n);
    else if (tag == CFG_MEMFILE_SIZE) c.memFileSize = load<u64>(v);
    else if (tag == CFG_MEM_LIMIT) c.memLimit = load<u64>(v);
    else if (tag == CFG_TASK_SIZE) c.taskSize = load<u64>(v);
    else if (tag == CFG_FLAGS) c.flags = load<u32>(v);
    else if (tag == CFG_STDIO) {
      for (let i = 0; i < 3; i++) {
        c.stdio[i] = load<i32>(v + <usize>(i * 4));
        c.stdioFlags[i] = load<i32>(v + <usize>(i * 4 + 12));
      }
    } else if (tag == CFG_HWCAP) {
      c.hwcap = load<u64>(v);
      c.hwcap2 = load<u64>(v + 8);
    } else if (tag == CFG_NCPU) c.ncpu = load<u32>(v);
    else if (tag == CFG_CPUINFO) c.cpuinfo = String.UTF8.decodeUnsafe(v, n);
    else return false;
    p = v + ((n + 3) & ~3);
  }
  config = c;
  return true;
}

@inline export function straceEnabled(): bool { return (config.flags & CFG_FLAG_STRACE) != 0; }
@inline export function debugEnabled(): bool { return (config.flags & CFG_FLAG_DEBUG) != 0; }
