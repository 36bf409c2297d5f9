// The gofer's command line: one process per container, serving one directory.
//
//   node dist/gofer/main.js --fd 3 --root DIR [--ro]       serve the inherited socket fd 3
//   node dist/gofer/main.js --listen SOCK --root DIR [--ro] accept connections on SOCK
//
// With --fd the process exits (0) when the peer closes its end; with --listen it serves until
// killed. Exit 2 for bad arguments, 1 when the root or the socket cannot be set up.
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { DEFAULT_MSIZE, Server } from './server.js';
import { listenUnix, serve } from './transport.js';
import { MIN_MSIZE } from './session.js';
import { SIGHUP, SIGINT, SIGTERM, SIG_DFL, S_IFMT, S_IFSOCK, signal } from './host/libc.js';
import { statFd } from './dentry.js';

function integer(min: number, max: number) {
  return (v: string): number => {
    if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new InvalidArgumentError(`expected an integer in [${min}, ${max}]`);
    return Number(v);
  };
}

interface Options {
  fd?: number;
  listen?: string;
  root: string;
  ro?: boolean;
  msize: number;
  debug?: boolean;
}

export function main(argv: string[]): number {
  const program = new Command('wvisor-gofer')
    .description('Serve a directory tree over 9P2000.L (and 9P2000.L.wvisor, which donates open files)')
    .option('--fd <n>', 'serve this inherited, connected unix stream socket', integer(0, 1 << 30))
    .option('--listen <path>', 'listen on a unix socket at this path and serve every connection')
    .requiredOption('--root <dir>', 'the directory to serve')
    .option('--ro', 'read-only: every modifying request is answered EROFS')
    .option('--msize <bytes>', 'largest message size accepted', integer(MIN_MSIZE, 64 << 20), DEFAULT_MSIZE)
    .option('--debug', 'log every request and its outcome to stderr')
    .exitOverride();
  try {
    program.parse(argv);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    throw e;
  }
  const opts = program.opts<Options>();
  if ((opts.fd === undefined) === (opts.listen === undefined)) {
    process.stderr.write('wvisor-gofer: give exactly one of --fd and --listen\n');
    return 2;
  }

  // Modes arrive from the client already masked by the app's umask; ours must not mask again.
  process.umask(0);
  let server: Server;
  let listenFd = -1;
  try {
    server = new Server({ root: opts.root, readOnly: opts.ro ?? false, maxMsize: opts.msize, debug: opts.debug });
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
