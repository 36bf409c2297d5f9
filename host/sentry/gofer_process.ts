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

/** Starts a Gofer serving root (read-only unless readWrite).
 *
 *  WVISOR_GOFER_COMMAND, when set, names another 9P2000.L server to start instead, split at
 *  spaces, which gets its end of the socket as fd 3 and must serve `/` under the attach
 *  name "/" (the interoperability tests run diod this way: `diod -f -n -r 3 -w 3 -c CONF`).
 *  Such a server donates no fds, so file data goes through Tread. */
export function startGofer(root: string, readWrite: boolean): GoferHandle {
  const pair = new Int32Array(2);
  if (libc.socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
    throw new Error(`socketpair: errno ${libc.errno()}`);
  }
  const [sentryEnd, goferEnd] = [pair[0], pair[1]];
  const other = process.env.WVISOR_GOFER_COMMAND?.trim();
  let command = process.execPath;
  let args = [GOFER_MAIN, '--fd', '3', '--root', root];
  if (!readWrite) args.push('--ro');
  // Our Gofer reads no environment variable, and gets none: the user's environment is not its
  // business, and Node reads some of it at start (NODE_EXTRA_CA_CERTS makes Node 20 parse a
  // certificate bundle before any of our code runs: 70 ms here). Another server keeps the
  // environment (its command is looked up on PATH).
  let env: NodeJS.ProcessEnv = {};
  if (other) {
    [command, ...args] = other.split(/\s+/);
    env = process.env;
  }
  const child = spawn(command, args, { env, stdio: ['ignore', 'ignore', 'inherit', goferEnd] });
  child.unref();
  libc.close(goferEnd);
  return {
    fd: sentryEnd,
    stop: () => {
      libc.close(sentryEnd);
    },
  };
}
