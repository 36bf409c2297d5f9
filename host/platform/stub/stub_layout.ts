// Where the stub keeps its code, the bell page and the per-thread regions, and the fields of
// each (the Sentry's side of stub.S, which states the same numbers).

/** The stub's code page: above every address the app may use. */
export const STUB_BASE = 0x7ff000000000;
export const PAGE = 0x1000;
/** The bell page, shared by every stub, the waker and the Sentry: word BELL_COUNT. */
export const STUB_BELL_ADDR = STUB_BASE + 0x1000;
/** The Sentry's page, read-only in the stubs: word SENTRY_SLEEPING. */
export const STUB_SENTRY_ADDR = STUB_BASE + 0x2000;
/** The waker's page in the stub memfd (never mapped in a stub): word WAKER_FLAG. */
export const WAKER_PAGE_OFFSET = 0x3000;
/** Where the host's vDSO and its data pages are mapped (ARCH_MAP_VDSO_64), up to the regions. */
export const STUB_VDSO_ADDR = STUB_BASE + 0x10000;
/** Per-thread regions (a context page, then the thread's signal stack) start here. */
export const STUB_REGIONS_ADDR = STUB_BASE + 0x100000;
export const REGION_SIZE = 0x10000;
/** How many regions the stub memfd holds (sparse: only used pages cost memory). */
export const REGION_MAX = 16383;
/** The stub memfd's size: an address above STUB_BASE is at that offset in it. */
export const STUB_MEMFD_SIZE = STUB_REGIONS_ADDR - STUB_BASE + REGION_MAX * REGION_SIZE;
/** The stub's fd for the memory file (posix_spawn puts it at 0 and closes the rest). */
export const STUB_MEMFILE_FD = 0;
/** The stub's fd for the stub memfd (at 1). */
export const STUB_MEMFD_FD = 1;
/** The stub's fd for the eventfd its mm thread reports batches done to (at 2). */
export const STUB_EVENTFD_FD = 2;
/** The factory's fd for the eventfd its own mm thread reports to (at 3; its children close it). */
export const FACTORY_EVENTFD_FD = 3;

/** The address of region i in every stub (and its offset in the stub memfd, less STUB_BASE). */
export const regionAddr = (i: number): number => STUB_REGIONS_ADDR + i * REGION_SIZE;

// Context page fields (byte offsets).
export const CTX_STATE = 0;
export const CTX_SIGNO = 8;
export const CTX_CODE = 12;
export const CTX_ADDR = 16;
export const CTX_UCONTEXT = 24;
export const CTX_COMMAND = 32;
export const CTX_NR = 40;
export const CTX_RESULT = 96;
export const CTX_START_ALTSTACK = 104;
export const CTX_START_SECCOMP = 112;
/** A word cleared by the host kernel when the region's thread has exited (CLONE_CHILD_CLEARTID). */
export const CTX_TID = 120;
/** How many `pause` rounds the handler spins for an answer before it sleeps. */
export const CTX_SPIN = 128;
/** si_arch of a SIGSYS. */
export const CTX_ARCH = 132;
/** The pid of the thread's process, which the thread writes before it first reports. */
export const CTX_PID = 136;

// CTX_STATE values.
export const ST_APP = 0;
export const ST_EVENT = 1;
export const ST_ANSWER = 2;
export const ST_SLEEP = 3;
/** Set by the Sentry over ST_EVENT when the task blocks: the thread sleeps without spinning. */
export const ST_PARK = 4;
// CTX_COMMAND bits.
export const CMD_RUN = 1;
export const CMD_RESUME = 2;

// Words of the bell, Sentry and waker pages.
export const BELL_COUNT = 0;
export const SENTRY_SLEEPING = 0;
export const WAKER_FLAG = 0;

/** The batch page (stub.S): the sequence number of the last batch given to the mm thread,
 *  a count, then entries of eight 64-bit words (byte offsets). */
export const BATCH_SEQ = 0;
export const BATCH_COUNT = 8;
export const BATCH_ENTRIES = 16;
export const BATCH_MAX = (PAGE - BATCH_ENTRIES) >> 6;
/** What an mm thread adds to the eventfd when its batch was made, or stopped at a failure. */
export const BATCH_DONE = 1;
export const BATCH_FAILED = 2;
