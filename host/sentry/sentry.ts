// Running one sandbox from the CLI's thread: start the Sentry's worker and turn its result
// into wvisor's exit code (the program's, or 128+signal, as runsc and shells report it).
import { Worker } from 'node:worker_threads';
import { SentryOptions } from './options.js';
import { startGofer } from './gofer_process.js';
import type { SentryResult } from './sentry_worker.js';

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
  try {
    return await runWorker({ ...opts, goferFd: gofer.fd });
  } finally {
    gofer.stop();
  }
}

function runWorker(opts: SentryOptions): Promise<number> {
  const worker = new Worker(new URL('./sentry_worker.js', import.meta.url), { workerData: opts });
  return new Promise((resolve) => {
    let settled = false;
    worker.on('message', (m: SentryResult) => {
      settled = true;
      if ('status' in m) {
        resolve(exitCodeOf(m.status));
      } else if ('startError' in m) {
        // The kernel already said why on stderr; exit as a shell does for a program that
        // cannot be executed.
        resolve(m.startError === ENOEXEC || m.startError === EACCES ? 126 : 127);
      } else {
        process.stderr.write(`wvisor: sentry failed: ${m.error}\n`);
        resolve(128);
      }
    });
    worker.on('error', (e) => {
      if (settled) return;
      settled = true;
      process.stderr.write(`wvisor: sentry failed: ${e.stack ?? e}\n`);
      resolve(128);
    });
    worker.on('exit', () => {
      if (!settled) {
        settled = true;
        process.stderr.write('wvisor: sentry exited without a result\n');
        resolve(128);
      }
    });
  });
}
