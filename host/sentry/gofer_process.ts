// Starting the Gofer for a sandbox (DESIGN.md §4): a separate process serving the root file
// system over 9P on one end of a socket pair; the Sentry gets the other end. The Gofer exits
// when its end closes, so it never outlives the Sentry.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as libc from '../platform/ptrace/libc.js';

const AF_UNIX = 1;
const SOCK_STREAM = 1;
const SOCK_CLOEXEC = 0x80000;
const GOFER_MAIN = fileURLToPath(new URL('../../gofer/main.js', import.meta.url));

export interface GoferHandle {
  /** The Sentry's end of the socket. */
  fd: number;
  stop(): void;
}

/** Starts a Gofer serving root (read-only unless readWrite). */
export function startGofer(root: string, readWrite: boolean): GoferHandle {
  const pair = new Int32Array(2);
  if (libc.socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
    throw new Error(`socketpair: errno ${libc.errno()}`);
  }
  const [sentryEnd, goferEnd] = [pair[0], pair[1]];
  const args = [GOFER_MAIN, '--fd', '3', '--root', root];
  if (!readWrite) args.push('--ro');
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit', goferEnd] });
  child.unref();
  libc.close(goferEnd);
  return {
    fd: sentryEnd,
    stop: () => {
      libc.close(sentryEnd);
    },
  };
}
