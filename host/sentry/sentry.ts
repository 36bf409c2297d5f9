// Running one sandbox from the CLI: run the Sentry on this thread, and turn the result into
// wvisor's exit code (the program's, or 128+signal, as runsc and shells report it).
import { SentryOptions } from './options.js';
import { runSandbox } from './sandbox.js';

const ENOEXEC = 8;
const EACCES = 13;

/** Exit code for a wait status (exit code, or 128 + terminating signal). */
export function exitCodeOf(status: number): number {
  const sig = status & 0x7f;
  return sig === 0 ? (status >> 8) & 0xff : 128 + sig;
}

/** Runs one sandbox whose root file system the Gofer at the other end of opts.goferFd serves. */
export function runSentry(opts: SentryOptions): number {
  const m = runSandbox(opts);
  if ('status' in m) return exitCodeOf(m.status);
  // The kernel already said why on stderr; exit as a shell does for a program that cannot be
  // executed.
  if ('startError' in m) return m.startError === ENOEXEC || m.startError === EACCES ? 126 : 127;
  process.stderr.write(`wvisor: sentry failed: ${m.error}\n`);
  return 128;
}
