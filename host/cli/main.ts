// The wvisor command line, shaped like runsc's: `wvisor [global flags] COMMAND [flags] ARGS`.
// This module is the entry point and imports only what starting a Gofer needs: a `do`
// command's Gofer (a second Node process, the longest step of a sandbox's start) is started
// before the rest of the CLI, the kernel and the platform are loaded, so that the two
// start-ups overlap on the host's cores.
import { GoferHandle, startGofer } from '../sentry/gofer_process.js';
import { normalizeGlobalFlags } from './global_flags.js';

/** Runs the CLI with process.argv-style arguments; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const { args, command } = normalizeGlobalFlags(argv.slice(2));
  // `do` serves the host's root read-only. If the command line turns out to be wrong, the
  // Gofer exits when its socket closes below.
  const gofer: GoferHandle | undefined = command === 'do' ? startGofer('/', false) : undefined;
  try {
    const { runCommands } = await import('./commands.js');
    return await runCommands(argv[0], argv[1], args, gofer);
  } finally {
    gofer?.stop();
  }
}
