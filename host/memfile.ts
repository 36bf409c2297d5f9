// The memory file (DESIGN.md §3): one memfd that holds all app memory. Stubs map ranges of
// it MAP_SHARED; the Sentry maps all of it once and reaches it through 1 GiB ArrayBuffer
// windows (koffi.view), so a copy to or from app memory is a memory copy, not a syscall. The
// kernel decides which offsets hold what; this file only moves bytes and releases pages.
import * as libc from './platform/ptrace/libc.js';

const WINDOW = 1 << 30;
const MFD_CLOEXEC = 1;
const PROT_READ_WRITE = 3;
const MAP_SHARED_NORESERVE = 0x01 | 0x4000;
const FALLOC_FL_KEEP_SIZE = 1;
const FALLOC_FL_PUNCH_HOLE = 2;
const SEEK_DATA = 3;
const SEEK_HOLE = 4;
/** Copies of at least this many bytes within the file use pwrite (see copy). */
const PWRITE_MIN = 16384;

export class MemoryFile {
  readonly fd: number;
  /** Address of the whole file mapped in the Sentry. */
  readonly base: number;
  private readonly windows: (Uint8Array | undefined)[] = [];
  private readonly wordWindows: (Int32Array | undefined)[] = [];
  private readonly mincoreVec = new Uint8Array(1);

  /** Creates a sparse memfd of size bytes: pages exist only once written. */
  constructor(readonly size: number) {
    this.fd = libc.memfdCreate('wvisor-memory', MFD_CLOEXEC);
    if (this.fd < 0) throw new Error(`memfd_create: errno ${libc.errno()}`);
    if (libc.ftruncate(this.fd, size) < 0) throw new Error(`ftruncate memory file: errno ${libc.errno()}`);
    const base = libc.mmap(0, size, PROT_READ_WRITE, MAP_SHARED_NORESERVE, this.fd, 0) as number;
    if (base === -1 || base === 0xffffffffffffffff) throw new Error(`mmap memory file: errno ${libc.errno()}`);
    this.base = base;
  }

  private window(i: number): Uint8Array {
    let w = this.windows[i];
    if (!w) {
      const len = Math.min(WINDOW, this.size - i * WINDOW);
      w = new Uint8Array(libc.koffi.view(this.base + i * WINDOW, len));
      this.windows[i] = w;
    }
    return w;
  }

  /** compare-and-exchange of the 32-bit word at off (4-aligned): Atomics on a view of the
   *  Sentry's shared mapping are locked instructions, atomic against the stubs' threads that
   *  map the same pages. Returns the old value. */
  cmpxchg32(off: number, expected: number, desired: number): number {
    const i = Math.floor(off / WINDOW);
    let w = this.wordWindows[i];
    if (!w) {
      const bytes = this.window(i);
      w = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2);
      this.wordWindows[i] = w;
    }
    return Atomics.compareExchange(w, (off - i * WINDOW) >> 2, expected | 0, desired | 0);
  }

  /** Copies len bytes at offset off into dst[dstOff...]. */
  read(off: number, dst: Uint8Array, dstOff: number, len: number): void {
    while (len > 0) {
      const i = Math.floor(off / WINDOW);
      const o = off - i * WINDOW;
      const n = Math.min(len, WINDOW - o);
      dst.set(this.window(i).subarray(o, o + n), dstOff);
      off += n;
      dstOff += n;
      len -= n;
    }
  }

  /** Copies len bytes of src[srcOff...] to offset off. */
  write(off: number, src: Uint8Array, srcOff: number, len: number): void {
    while (len > 0) {
      const i = Math.floor(off / WINDOW);
      const o = off - i * WINDOW;
      const n = Math.min(len, WINDOW - o);
      this.window(i).set(src.subarray(srcOff, srcOff + n), o);
      off += n;
      srcOff += n;
      len -= n;
    }
  }

  /** Copies len bytes within the file from src to dst. A large copy to pages the file does
   *  not hold yet (a file or buffer growing) goes through pwrite from the Sentry's mapping of
   *  src: the host kernel allocates them as it copies, where a memory copy would take one
   *  page fault for each (twice as slow here). A copy to pages that exist is a memory copy. */
  copy(dst: number, src: number, len: number): void {
    while (len >= PWRITE_MIN && !this.resident(dst)) {
      const n = libc.pwrite(this.fd, this.base + src, len, dst) as number;
      if (n <= 0) break;
      src += n;
      dst += n;
      len -= n;
    }
    while (len > 0) {
      const si = Math.floor(src / WINDOW);
      const so = src - si * WINDOW;
      const di = Math.floor(dst / WINDOW);
      const d0 = dst - di * WINDOW;
      const n = Math.min(len, WINDOW - so, WINDOW - d0);
      this.window(di).set(this.window(si).subarray(so, so + n), d0);
      src += n;
      dst += n;
      len -= n;
    }
  }

  /** Whether the page at offset off is in the file already. */
  private resident(off: number): boolean {
    this.residency(off - (off % 4096), 4096, this.mincoreVec);
    return this.mincoreVec[0] === 1;
  }

  /** One byte per page of [off, off+len) (page aligned) into out: 1 when the file holds the
   *  page, 0 for a hole. mincore(2) of the Sentry's shared mapping tells the file's own pages
   *  (whether or not the Sentry ever touched them). */
  residency(off: number, len: number, out: Uint8Array): void {
    if (libc.mincore(this.base + off, len, out) !== 0) out.fill(0, 0, len / 4096);
    for (let i = 0; i < len / 4096; i++) out[i] &= 1;
  }

  /** Copies only the data extents of [src, src+len) to dst (SEEK_DATA / SEEK_HOLE). */
  cloneRange(dst: number, src: number, len: number): void {
    const end = src + len;
    let pos = src;
    while (pos < end) {
      const data = libc.lseek(this.fd, pos, SEEK_DATA) as number;
      if (data < 0 || data >= end) return;
      let hole = libc.lseek(this.fd, data, SEEK_HOLE) as number;
      if (hole < 0 || hole > end) hole = end;
      this.copy(dst + (data - src), data, hole - data);
      pos = hole;
    }
  }

  /** Releases the pages of [off, off+len) to the host; they read as zeroes afterwards. */
  punch(off: number, len: number): void {
    libc.fallocate(this.fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, len);
  }

  /** The Sentry-side address of offset off, for host I/O straight into the file. */
  address(off: number): number {
    return this.base + off;
  }
}
