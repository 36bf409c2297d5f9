// One sandbox on the calling thread, which becomes the Sentry's tracer thread: it owns the
// stubs (ptrace requests must come from the thread that seized them), runs kernel.wasm, and
// loops until the sandbox's init exits. The CLI calls it on Node's main thread: a Worker
// would cost its start-up (a new isolate, every module and koffi loaded again) on the path
// of every `wvisor do`, and the main thread has nothing else to do while the sandbox runs.
// Its waitpid(-1, __WNOTHREAD) may also reap the Gofer (a child of this thread) if it dies;
// the platform ignores pids that are not stubs.
import { fileURLToPath } from 'node:url';
import * as libc from '../platform/ptrace/libc.js';
import { makePlatform } from '../platform/platform.js';
import { STUB_BASE } from '../platform/stub/stub_layout.js';
import { KernelExports, loadKernel } from '../kernel/kernel_module.js';
import { hostPrimitives } from '../kernel/primitives.js';
import { MemoryFile } from '../memfile.js';
import { CFG_FLAG_DEBUG, CFG_FLAG_STRACE, encodeBootConfig } from './boot_config.js';
import { GoferTransport } from '../gofer_client/transport.js';
import { hostCpuCount, hostCpuinfo, hostHwcaps } from './host_facts.js';
import { SentryOptions } from './options.js';
import { SentryLog } from './sentry_log.js';

const F_GETFL = 3;
const STUB_PATH = fileURLToPath(new URL('../../wvisor-stub', import.meta.url));
const WAKER_PATH = fileURLToPath(new URL('../../wvisor-waker', import.meta.url));

export type SentryResult = { status: number } | { startError: number } | { error: string };

function runWithLog(opts: SentryOptions, log: SentryLog): SentryResult {
  // Room for the memory limit plus the page-granular slack of many small mappings.
  const memFileSize = Math.ceil((opts.memLimit + (1 << 30)) / (1 << 30)) * (1 << 30);
  const memfile = new MemoryFile(memFileSize);
  const platform = makePlatform(opts.platform, STUB_PATH, memfile.fd, WAKER_PATH);
  let kernel: KernelExports | undefined;
  const gofer = GoferTransport.adopt(opts.goferFd);
  const primitives = hostPrimitives({
    memfile,
    platform,
    gofer,
    memory: () => kernel!.memory,
    log: (channel, line) => log.line(channel, line),
  });
  kernel = loadKernel(primitives);
  platform.attach(kernel);

  try {
    const { hwcap, hwcap2 } = hostHwcaps();
    const stdioFlags = [0, 1, 2].map((fd) => libc.fcntl(fd, F_GETFL, 0) as number) as [number, number, number];
    const config = encodeBootConfig({
      argv: opts.argv,
      env: opts.env,
      execPath: opts.execPath,
      cwd: opts.cwd,
      hostname: opts.hostname,
      memFileSize,
      memLimit: opts.memLimit,
      taskSize: STUB_BASE,
      flags: (opts.strace ? CFG_FLAG_STRACE : 0) | (opts.debug ? CFG_FLAG_DEBUG : 0),
      stdio: [0, 1, 2],
      stdioFlags,
      hwcap,
      hwcap2,
      ncpu: hostCpuCount(),
      cpuinfo: hostCpuinfo(),
    });
    const ptr = kernel.config_buffer(config.length);
    new Uint8Array(kernel.memory.buffer).set(config, ptr);
    if (kernel.boot(config.length) < 0) throw new Error('kernel rejected the boot configuration');
    const r = kernel.start();
    if (r < 0) return { startError: -r };
    return { status: platform.run() };
  } finally {
    platform.destroyAll();
    gofer.drain();
    gofer.close();
  }
}

/** Runs one sandbox to its end: init's wait status, or why it could not start. */
export function runSandbox(opts: SentryOptions): SentryResult {
  const log = new SentryLog(opts.debug, opts.strace, opts.debugLog);
  try {
    return runWithLog(opts, log);
  } catch (e) {
    return { error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  } finally {
    log.close();
  }
}
