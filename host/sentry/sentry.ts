// Running one sandbox from the CLI: start its Gofer, run the Sentry on this thread, and turn
// the result into wvisor's exit code (the program's, or 128+signal, as runsc and shells
// report it).
import { SentryOptions } from './options.js';
import { startGofer } from './gofer_process.js';

const ENOEXEC = 8;
const EACCES = 13;

/** Exit code for a wait status (exit code, or 128 + terminating signal). */
export function exitCodeOf(status: number): number {
  const sig = status & 0x7f;
  return sig === 0 ? (status >> 8) & 0xff : 128 + sig;
}

/** Runs one sandbox whose root file system is the host's root served read-only by a Gofer. */
export async function runSentry(opts: Omit<SentryOptions, 'goferFd'>): Promise<number> {
  const gofer = startGofer('/', false);
  let m;
  try {
    // Loaded only now, so that the Gofer's start-up (a Node process: the longest step of a
    // sandbox's start) overlaps loading the platform and the kernel.
    const { runSandbox } = await import('./sandbox.js');
    m = runSandbox({ ...opts, goferFd: gofer.fd });
  } finally {
    gofer.stop();
  }
  if ('status' in m) return exitCodeOf(m.status);
  // The kernel already said why on stderr; exit as a shell does for a program that cannot be
  // executed.
  if ('startError' in m) return m.startError === ENOEXEC || m.startError === EACCES ? 126 : 127;
  process.stderr.write(`wvisor: sentry failed: ${m.error}\n`);
  return 128;
}
