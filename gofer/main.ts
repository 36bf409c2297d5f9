// The gofer's command line: one process per container, serving one directory.
//
//   node dist/gofer/main.js --fd 3 --root DIR [--ro]       serve the inherited socket fd 3
//   node dist/gofer/main.js --listen SOCK --root DIR [--ro] accept connections on SOCK
//
// With --fd the process exits (0) when the peer closes its end; with --listen it serves until
// killed. Exit 2 for bad arguments, 1 when the root or the socket cannot be set up.
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_MSIZE, Server } from './server.js';
import { listenUnix, serve } from './transport.js';
import { MIN_MSIZE } from './session.js';
import { SIGHUP, SIGINT, SIGTERM, SIG_DFL, S_IFMT, S_IFSOCK, signal } from './host/libc.js';
import { statFd } from './dentry.js';

const USAGE = `usage: wvisor-gofer (--fd N | --listen SOCK) --root DIR [--ro] [--msize BYTES] [--debug]

Serve a directory tree over 9P2000.L (and 9P2000.L.wvisor, which donates open files).
  --fd <n>         serve this inherited, connected unix stream socket
  --listen <path>  listen on a unix socket at this path and serve every connection
  --root <dir>     the directory to serve
  --ro             read-only: every modifying request is answered EROFS
  --msize <bytes>  largest message size accepted (default ${DEFAULT_MSIZE})
  --debug          log every request and its outcome to stderr
`;

class UsageError extends Error {}

function integer(name: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new UsageError(`option '--${name} <n>' argument '${v}' is invalid: expected an integer in [${min}, ${max}]`);
  }
  return Number(v);
}

interface Options {
  fd?: number;
  listen?: string;
  root: string;
  ro: boolean;
  msize: number;
  debug: boolean;
}

/** The options, or a UsageError. node:util's parser, not commander as the wvisor CLI uses:
 *  the Gofer starts once per sandbox and commander's load time is on that path. */
function parseOptions(argv: string[]): Options | 'help' {
  const { values } = parseArgs({
    args: argv.slice(2),
    strict: true,
    options: {
      fd: { type: 'string' },
      listen: { type: 'string' },
      root: { type: 'string' },
      ro: { type: 'boolean' },
      msize: { type: 'string' },
      debug: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  if (values.root === undefined) throw new UsageError("required option '--root <dir>' not specified");
  const fd = integer('fd', values.fd, 0, 1 << 30);
  if ((fd === undefined) === (values.listen === undefined)) throw new UsageError('give exactly one of --fd and --listen');
  return {
    fd,
    listen: values.listen,
    root: values.root,
    ro: values.ro ?? false,
    msize: integer('msize', values.msize, MIN_MSIZE, 64 << 20) ?? DEFAULT_MSIZE,
    debug: values.debug ?? false,
  };
}

export function main(argv: string[]): number {
  let opts: Options;
  try {
    const parsed = parseOptions(argv);
    if (parsed === 'help') {
      process.stdout.write(USAGE);
      return 0;
    }
    opts = parsed;
  } catch (e) {
    // parseArgs throws TypeErrors with a code for unknown options and missing values.
    if (!(e instanceof UsageError) && !(e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) throw e;
    process.stderr.write(`wvisor-gofer: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }

  // Modes arrive from the client already masked by the app's umask; ours must not mask again.
  process.umask(0);
  let server: Server;
  let listenFd = -1;
  try {
    server = new Server({ root: opts.root, readOnly: opts.ro, maxMsize: opts.msize, debug: opts.debug });
    if (opts.fd !== undefined && (statFd(opts.fd).stx_mode & S_IFMT) !== S_IFSOCK) {
      throw new Error(`fd ${opts.fd} is not a socket`);
    }
    if (opts.listen !== undefined) {
      // A socket left by an earlier run is replaced; any other file is an error (bind says so).
      if (fs.lstatSync(opts.listen, { throwIfNoEntry: false })?.isSocket()) fs.unlinkSync(opts.listen);
      listenFd = listenUnix(opts.listen);
    }
  } catch (e) {
    process.stderr.write(`wvisor-gofer: ${(e as Error).message}\n`);
    return 1;
  }
  // The serving loop never returns to Node's event loop, so a JavaScript signal handler (one
  // that a preloaded module may have installed) would never run: termination signals get
  // their default action back.
  for (const sig of [SIGHUP, SIGINT, SIGTERM]) signal(sig, SIG_DFL);
  serve(server, listenFd >= 0 ? { listenFd } : { fds: [opts.fd!] });
  server.close();
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = main(process.argv);
}
