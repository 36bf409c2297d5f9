// The host primitives: everything kernel.wasm may ask of the outside world, and nothing more.
// host/kernel/primitives.ts implements each of them; the two files are the contract and change
// together. Addresses, offsets and lengths that may exceed 32 bits cross as f64 (exact below
// 2^53, and far cheaper than BigInt at the JS boundary). Every primitive is a small, dumb
// operation: the decisions (which pages, which protections, which errno) are the kernel's.

// ---- memory file: the memfd that holds all app memory --------------------------------------

/** Copies len bytes at memory-file offset off into kernel memory at dst. Precondition: the
 *  range lies inside the memory file (the kernel allocated it). */
@external("host", "mf_read")
export declare function mfRead(off: f64, dst: usize, len: i32): void;

/** Copies len bytes from kernel memory at src to memory-file offset off. */
@external("host", "mf_write")
export declare function mfWrite(off: f64, src: usize, len: i32): void;

/** Copies len bytes within the memory file from src to dst (ranges do not overlap). */
@external("host", "mf_copy")
export declare function mfCopy(dst: f64, src: f64, len: f64): void;

/** Compares the 32-bit word at memory-file offset off (4-aligned) with expected and, if
 *  equal, stores desired, in one atomic step against app threads running meanwhile (a locked
 *  cmpxchg on the host). Returns the word's old value. */
@external("host", "mf_cmpxchg32")
export declare function mfCmpxchg32(off: f64, expected: u32, desired: u32): u32;

/** Writes one byte per page of [off, off+len) of the memory file to kernel memory dst: 1 when
 *  the host holds the page, 0 for a hole. Offsets are page aligned. */
@external("host", "mf_resident")
export declare function mfResident(off: f64, len: f64, dst: usize): void;

/** Copies [src, src+len) to dst like mf_copy, but only the pages that hold data: holes stay
 *  holes, so a copy of a sparse range costs what the source really holds (fork). */
@external("host", "mf_clone")
export declare function mfClone(dst: f64, src: f64, len: f64): void;

/** Releases the pages of [off, off+len) back to the host (fallocate PUNCH_HOLE); they read as
 *  zeroes afterwards. Offsets are page aligned. */
@external("host", "mf_punch")
export declare function mfPunch(off: f64, len: f64): void;

// ---- address spaces: one stub process each ---------------------------------------------------

/** Creates an empty address space (a stopped stub process holding only the stub page).
 *  Returns the stub's host pid, which names the address space and its first thread, or -errno. */
@external("host", "as_create")
export declare function asCreate(): i32;

/** The address of the vDSO that every stub holds (above the app's address space: the host's
 *  own, whose time functions need no syscall), or 0 if the host could not map one. */
@external("host", "vdso_base")
export declare function vdsoBase(): f64;

/** Adds a host thread to the stub of the stopped stub thread `caller` (for a new app thread
 *  sharing the address space). Returns the new thread's host tid, stopped, or -errno. */
@external("host", "thread_create")
export declare function threadCreate(caller: i32): i32;

/** Ends one stopped host thread of a stub whose other threads live on (an app thread exited). */
@external("host", "thread_exit")
export declare function threadExit(tid: i32): void;

/** Interrupts the stub thread tid if it is running app code: it stops soon and the kernel's
 *  `kicked` export is called for it. Nothing happens to a thread that is stopped. */
@external("host", "task_kick")
export declare function taskKick(tid: i32): void;

/** Kills the stub and reaps it. The handle is invalid afterwards. */
@external("host", "as_destroy")
export declare function asDestroy(stub: i32): void;

/** Maps memory-file range [off, off+len) at addr with prot (MAP_SHARED|MAP_FIXED in the stub).
 *  addr, len and off are page aligned. The host may make this change (and as_unmap's and
 *  as_protect's) later, in order, but before any thread of the stub runs again. Returns 0 or
 *  -errno from the host. */
@external("host", "as_map")
export declare function asMap(stub: i32, addr: f64, len: f64, prot: i32, off: f64): i32;

/** Unmaps [addr, addr+len) in the stub. Returns 0 or -errno. */
@external("host", "as_unmap")
export declare function asUnmap(stub: i32, addr: f64, len: f64): i32;

/** Changes the protection of [addr, addr+len) in the stub. Returns 0 or -errno. */
@external("host", "as_protect")
export declare function asProtect(stub: i32, addr: f64, len: f64, prot: i32): i32;

/** Reads the stub thread's extended FPU state (the XSAVE area, PTRACE_GETREGSET
 *  NT_X86_XSTATE) into dst, which has room for FP_MAX bytes. Returns its size or -errno. */
@external("host", "fp_get")
export declare function fpGet(stub: i32, dst: usize): i32;

/** Loads the stub thread's extended FPU state from the len-byte XSAVE area at src. */
@external("host", "fp_set")
export declare function fpSet(stub: i32, src: usize, len: i32): i32;

// ---- host file descriptors (stdio and donated files) -----------------------------------------

/** Reads up to len bytes from host fd into memory-file offset off without blocking the
 *  Sentry: returns the count, 0 at end of file, -EAGAIN when nothing is ready, or -errno. */
@external("host", "fd_read")
export declare function hostRead(fd: i32, off: f64, len: i32): i32;

/** poll(2) of one host fd with a zero timeout: the revents, or -errno. */
@external("host", "fd_poll")
export declare function hostPoll(fd: i32, events: i32): i32;

/** Writes len bytes at memory-file offset off to host fd. Returns the count or -errno. */
@external("host", "fd_write")
export declare function hostWrite(fd: i32, off: f64, len: i32): i32;

/** Reads up to len bytes at file offset pos of host fd into memory-file offset off. */
@external("host", "fd_pread_mf")
export declare function hostPreadMf(fd: i32, off: f64, len: i32, pos: f64): i32;

/** Writes len bytes at memory-file offset off to file offset pos of host fd. */
@external("host", "fd_pwrite_mf")
export declare function hostPwriteMf(fd: i32, off: f64, len: i32, pos: f64): i32;

/** Reads up to len bytes at file offset pos of host fd into kernel memory at dst. */
@external("host", "fd_pread")
export declare function hostPread(fd: i32, dst: usize, len: i32, pos: f64): i32;

/** fstat(2) of a host fd into kernel memory (struct stat, 144 bytes). Returns 0 or -errno. */
@external("host", "fd_fstat")
export declare function hostFstat(fd: i32, dst: usize): i32;

/** ioctl(2) on a host fd whose argument is a buffer of kernel memory. The kernel allows only
 *  requests it has decoded (TCGETS, TIOCGWINSZ). Returns the result or -errno. */
@external("host", "fd_ioctl")
export declare function hostIoctl(fd: i32, req: i32, buf: usize): i32;

/** lseek(2) on a host fd. Returns the new offset or -errno. */
@external("host", "fd_lseek")
export declare function hostLseek(fd: i32, off: f64, whence: i32): f64;

/** close(2) of a host fd that no file description refers to any more. */
@external("host", "fd_close")
export declare function hostClose(fd: i32): void;

// ---- the Gofer (9P2000.L; the encoding and all protocol state live in the kernel) --------

/** Sends the request at [req, req+len) to the Gofer and receives one reply into [reply,
 *  reply+cap). Returns the reply's length, or -errno if the connection failed. A host fd
 *  donated with the reply is kept for p9_take_fd. */
@external("host", "p9_rpc")
export declare function p9Rpc(req: usize, len: i32, reply: usize, cap: i32): i32;

/** Sends the request at [req, req+len) without waiting for its reply, which the next p9_rpc
 *  reads and drops (the Gofer answers in order). Returns 0, or -errno if the connection
 *  failed. */
@external("host", "p9_post")
export declare function p9Post(req: usize, len: i32): i32;

/** The host fd donated with the last reply, or -1; the kernel owns it afterwards. */
@external("host", "p9_take_fd")
export declare function p9TakeFd(): i32;

// ---- time, randomness, logging ---------------------------------------------------------------

/** clock_gettime(2) of a host clock id (the kernel maps app clocks to host clock ids);
 *  writes {i64 sec, i64 nsec} to dst. Returns 0 or -errno. */
@external("host", "clock_get")
export declare function clockGet(clockid: i32, dst: usize): i32;

/** The CPU time of stub thread `stub` (perThread) or of the stub process that holds it;
 *  writes {i64 sec, i64 nsec} to dst. Returns 0 or -errno. */
@external("host", "cpu_time")
export declare function cpuTime(stub: i32, perThread: bool, dst: usize): i32;

/** clock_getres(2) of a host clock id; writes {i64 sec, i64 nsec} to dst. */
@external("host", "clock_res")
export declare function clockRes(clockid: i32, dst: usize): i32;

/** Fills len bytes of kernel memory with random bytes from the host. */
@external("host", "random")
export declare function hostRandom(dst: usize, len: i32): void;

/** Emits one UTF-8 line (no newline) on the given channel (LOG_* in util/log.ts). */
@external("host", "log")
export declare function hostLog(channel: i32, ptr: usize, len: i32): void;
