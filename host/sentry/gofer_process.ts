// Starting the Gofer for a sandbox (DESIGN.md §4): a separate process serving the root file
// system over 9P on one end of a socket pair; the Sentry gets the other end. The Gofer exits
// when its end closes, so it never outlives the Sentry.
//
// The Gofer's start-up (a Node process) is the longest step of a sandbox's, so it is started
// first thing, before the CLI has loaded anything but this module (not even koffi): Node's
// own spawn makes the socket pair (libuv connects a 'pipe' stdio with a unix stream socket
// pair, close-on-exec on our side).
import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';

const GOFER_MAIN = fileURLToPath(new URL('../../gofer/main.js', import.meta.url));

export interface GoferHandle {
  /** The Sentry's end of the socket as Node holds it (non-blocking, close-on-exec), or -1
   *  if there is none (the spawn failed, or the Gofer already hung up). Node stops reading
   *  it: the Sentry works on a duplicate of its own (GoferTransport.adopt), made before Node's
   *  event loop runs again. */
  take(): number;
  /** Closes Node's end (the Gofer sees its connection end once the Sentry's is closed too). */
  stop(): void;
}

/** Starts a Gofer serving root (read-only unless readWrite).
 *
 *  WVISOR_GOFER_COMMAND, when set, names another 9P2000.L server to start instead, split at
 *  spaces, which gets its end of the socket as fd 3 and must serve `/` under the attach
 *  name "/" (the interoperability tests run diod this way: `diod -f -n -r 3 -w 3 -c CONF`).
 *  Such a server donates no fds, so file data goes through Tread. */
export function startGofer(root: string, readWrite: boolean): GoferHandle {
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
  const child = spawn(command, args, { env, stdio: ['ignore', 'ignore', 'inherit', 'pipe'] });
  child.unref();
  // A server that cannot be started ends its socket: the Sentry then fails to mount the root.
  child.on('error', (e) => process.stderr.write(`wvisor: cannot start the Gofer (${command}): ${e.message}\n`));
  const sock = child.stdio[3] as Socket | null;
  sock?.unref();
  type PipeHandle = { fd?: number; readStop?: () => number };
  return {
    take: () => {
      // A spawn that failed (no pid) has closed its socket, and a Gofer that exited at once
      // has had it destroyed on EOF: either way the fd number may name something else now.
      const handle = (sock as unknown as { _handle?: PipeHandle } | null)?._handle;
      if (child.pid === undefined || sock === null || sock.destroyed || handle?.fd === undefined || handle.fd < 0) return -1;
      handle.readStop?.();
      return handle.fd;
    },
    stop: () => sock?.destroy(),
  };
}
