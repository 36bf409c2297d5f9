// The initial stack of a new program, laid out as Linux's create_elf_tables() and
// copy_strings() do (fs/binfmt_elf.c, fs/exec.c), from the top down:
//   execfn string, envp strings, argv strings, the platform string, 16 random bytes (AT_RANDOM),
//   padding to 16 bytes, then auxv (pairs, AT_NULL last), envp pointers + NULL,
//   argv pointers + NULL, argc  <- rsp, 16-byte aligned as the x86-64 ABI requires.
import { hostRandom, vdsoBase } from "../host";
import { E2BIG } from "../abi/errno";
import { MM } from "../mm/mm";
import { LoadedImage } from "./elf";
import { Credentials } from "../kernel/cred";

const AT_NULL: u64 = 0;
const AT_PHDR: u64 = 3;
const AT_PHENT: u64 = 4;
const AT_PHNUM: u64 = 5;
const AT_PAGESZ: u64 = 6;
const AT_BASE: u64 = 7;
const AT_FLAGS: u64 = 8;
const AT_ENTRY: u64 = 9;
const AT_UID: u64 = 11;
const AT_EUID: u64 = 12;
const AT_GID: u64 = 13;
const AT_EGID: u64 = 14;
const AT_PLATFORM: u64 = 15;
const AT_HWCAP: u64 = 16;
const AT_CLKTCK: u64 = 17;
const AT_SECURE: u64 = 23;
const AT_RANDOM: u64 = 25;
const AT_HWCAP2: u64 = 26;
const AT_EXECFN: u64 = 31;
const AT_SYSINFO_EHDR: u64 = 33;
const AT_MINSIGSTKSZ: u64 = 51;

/** USER_HZ, the unit of times(2) and AT_CLKTCK. */
export const USER_HZ: u64 = 100;

/** Builds the stack below mm.stackTop and returns the initial rsp, or -errno (E2BIG when the
 *  strings take more than a quarter of the stack limit, as Linux's bprm limits). */
export function buildInitialStack(mm: MM, argv: string[], envp: string[], execFn: string,
                                  img: LoadedImage, cred: Credentials, hwcap: u64, hwcap2: u64,
                                  stackLimit: u64): i64 {
  // Encode all strings first to learn the size of the string area.
  const strs: ArrayBuffer[] = [];
  strs.push(String.UTF8.encode(execFn, true));
  for (let i = envp.length - 1; i >= 0; i--) strs.push(String.UTF8.encode(envp[i], true));
  for (let i = argv.length - 1; i >= 0; i--) strs.push(String.UTF8.encode(argv[i], true));
  strs.push(String.UTF8.encode("x86_64", true));
  let strBytes: u64 = 16; // AT_RANDOM bytes
  for (let i = 0; i < strs.length; i++) strBytes += <u64>strs[i].byteLength;
  const nAux = 21;
  const words = 1 + <u64>argv.length + 1 + <u64>envp.length + 1 + <u64>(nAux * 2);
  const total = ((strBytes + 15) & ~15) + words * 8 + 16;
  if (strBytes > stackLimit / 4 || total > stackLimit) return -E2BIG;

  const top = mm.stackTop;
  const sp = (top - total) & ~(<u64>15);
  const size = <i32>(top - sp);
  const buf = new ArrayBuffer(size);
  const base = changetype<usize>(buf);
  // Address in the app of byte k of buf is sp + k.

  // Strings, from the top down.
  let p = top;
  const addrs: u64[] = [];
  for (let i = 0; i < strs.length; i++) {
    const s = strs[i];
    p -= <u64>s.byteLength;
    memory.copy(base + <usize>(p - sp), changetype<usize>(s), <usize>s.byteLength);
    addrs.push(p);
  }
  p -= 16;
  const randomAt = p;
  hostRandom(base + <usize>(p - sp), 16);
  const execFnAt = addrs[0];
  // argv strings lie lowest and back to back, then the envp strings, then execfn.
  mm.argStart = argv.length > 0 ? addrs[addrs.length - 2] : execFnAt;
  mm.envStart = envp.length > 0 ? addrs[envp.length] : execFnAt;
  mm.argEnd = mm.envStart;
  mm.envEnd = execFnAt;
  const platformAt = addrs[addrs.length - 1];

  // Pointer area, from sp up.
  let w = base;
  store<u64>(w, <u64>argv.length);
  w += 8;
  for (let i = 0; i < argv.length; i++) {
    store<u64>(w, addrs[addrs.length - 2 - i]);
    w += 8;
  }
  store<u64>(w, 0);
  w += 8;
  for (let i = 0; i < envp.length; i++) {
    store<u64>(w, addrs[envp.length - i]);
    w += 8;
  }
  store<u64>(w, 0);
  w += 8;
  const aux: u64[] = [
    // The host's vDSO, which the platform maps into every stub (0: none, and glibc then makes
    // the syscalls itself).
    AT_SYSINFO_EHDR, <u64>vdsoBase(),
    AT_HWCAP, hwcap,
    AT_MINSIGSTKSZ, 2048,
    AT_PAGESZ, 4096,
    AT_CLKTCK, USER_HZ,
    AT_PHDR, img.phdr,
    AT_PHENT, 56,
    AT_PHNUM, img.phnum,
    AT_BASE, img.base,
    AT_FLAGS, 0,
    AT_ENTRY, img.entry,
    AT_UID, <u64>cred.uid,
    AT_EUID, <u64>cred.euid,
    AT_GID, <u64>cred.gid,
    AT_EGID, <u64>cred.egid,
    AT_SECURE, 0,
    AT_RANDOM, randomAt,
    AT_HWCAP2, hwcap2,
    AT_EXECFN, execFnAt,
    AT_PLATFORM, platformAt,
    AT_NULL, 0,
  ];
  assert(aux.length == nAux * 2, "auxv size");
  for (let i = 0; i < aux.length; i++) {
    store<u64>(w, aux[i]);
    w += 8;
  }
  mm.auxv = aux;
  const r = mm.copyOut(sp, base, <u64>size);
  if (r < 0) return r;
  return <i64>sp;
}
