// Kernel-wide state set once at boot: the memory file and the limits the sandbox runs under.
// Everything else hangs off tasks and their thread groups.
import { MemoryFile } from "../mm/memfile";

/** The allocator of the memory file (its size is the host's reservation). */
export let memoryFile: MemoryFile = new MemoryFile(0);
/** Bytes of app memory the sandbox may hold at once; beyond it mmap and brk fail (ENOMEM). */
export let memoryLimit: u64 = 0;

/** A page of the memory file that is never written: the source of zeroes for holes. */
export let zeroPage: u64 = 0;

/** A memory-file buffer for copies between two files (sendfile, copy_file_range). */
export let scratch: u64 = 0;
export const SCRATCH_SIZE: i32 = 65536;

export function initMemory(fileSize: u64, limit: u64): void {
  memoryFile = new MemoryFile(fileSize);
  memoryLimit = limit < fileSize ? limit : fileSize;
  zeroPage = <u64>memoryFile.alloc(4096);
  scratch = <u64>memoryFile.alloc(<u64>SCRATCH_SIZE);
}
