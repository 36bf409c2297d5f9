// The wvisor command line, shaped like runsc's: `wvisor [global flags] COMMAND [flags] ARGS`.
// Global flags use runsc's names and accept its single-dash Go style (-debug-log=FILE) as
// well as --debug-log FILE, so that tools written for runsc can drive wvisor.
import fs from 'node:fs';
import os from 'node:os';
import { Command, CommanderError, Option } from 'commander';
import { runSentry } from '../sentry/sentry.js';
import { ResolveError, resolveProgram } from './resolve.js';
import { parseSize } from './size.js';
import { describeSyscalls } from './help_syscalls.js';
import { DEFAULT_PLATFORM, PLATFORMS, PlatformName } from '../platform/names.js';

/** runsc's global flags that take a value; those not listed here are booleans. */
const GLOBAL_VALUE_FLAGS = ['root', 'platform', 'network', 'debug-log', 'log', 'log-format', 'total-memory', 'debug-log-format', 'panic-log'];
const GLOBAL_BOOL_FLAGS = ['debug', 'strace', 'rootless', 'systemd-cgroup', 'alsologtostderr'];

/** Rewrites Go-style single-dash global flags (-strace, -debug-log=f) to the double-dash form,
 *  up to the first word that is not a flag (the command). */
export function normalizeGlobalFlags(args: string[]): string[] {
  const out = [...args];
  for (let i = 0; i < out.length; i++) {
    const a = out[i];
    if (!a.startsWith('-')) break;
    const m = /^-{1,2}([a-z-]+)(=.*)?$/.exec(a);
    if (!m) continue;
    if (GLOBAL_VALUE_FLAGS.includes(m[1]) || GLOBAL_BOOL_FLAGS.includes(m[1])) {
      out[i] = `--${m[1]}${m[2] ?? ''}`;
      if (GLOBAL_VALUE_FLAGS.includes(m[1]) && m[2] === undefined) i++;
    }
  }
  return out;
}

interface GlobalOptions {
  root?: string;
  platform: string;
  network: string;
  debug?: boolean;
  debugLog?: string;
  strace?: boolean;
  rootless?: boolean;
  totalMemory?: string;
}

function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('wvisor');
  program
    .description('Run untrusted Linux programs inside a user-space kernel (runsc-compatible CLI)')
    .enablePositionalOptions()
    .option('--root <dir>', 'root directory for container state', '/var/run/wvisor')
    .addOption(new Option('--platform <name>', 'platform that runs app code').choices([...PLATFORMS]).default(DEFAULT_PLATFORM))
    .addOption(new Option('--network <mode>', 'network mode').choices(['none', 'sandbox', 'host']).default('none'))
    .option('--debug', 'write debug messages to the debug log')
    .option('--debug-log <file>', 'file for debug and strace output (default: stderr)')
    .option('--strace', 'trace every syscall of the app')
    .option('--rootless', 'run without root on the host')
    .option('--total-memory <size>', 'memory the sandbox may use (default: the host\'s memory)')
    .option('--log <file>', 'file for runtime logs (accepted for OCI clients)')
    .option('--log-format <format>', 'log format (accepted for OCI clients)')
    .option('--systemd-cgroup', 'use systemd for cgroups (accepted for OCI clients)')
    .exitOverride();

  program
    .command('do')
    .description('run a command in a new sandbox with the host root, read-only')
    .option('--cwd <dir>', 'working directory of the command (default: the current one)')
    .argument('<program>', 'program to run (looked up in PATH)')
    .argument('[args...]', 'its arguments')
    .passThroughOptions()
    .action(async (prog: string, args: string[], cmdOpts: { cwd?: string }) => {
      setExit(await runDo(program.opts<GlobalOptions>(), prog, args, cmdOpts.cwd ?? process.cwd()));
    });

  const help = program.command('help').description('show help on a topic');
  help
    .command('syscalls')
    .description('list every amd64 syscall with its support level in wvisor')
    .action(() => {
      const lines: string[] = [];
      describeSyscalls((line) => lines.push(line));
      writeStdout(lines.join('\n') + '\n');
      setExit(0);
    });

  program
    .command('bench')
    .description('measure wvisor against native, gVisor and the ptrace floor (see README)')
    .allowUnknownOption()
    .allowExcessArguments()
    .helpOption(false)
    .action(async (_opts: unknown, cmd: Command) => {
      const { runBench } = await import('../../test/bench/main.js');
      setExit(await runBench(cmd.args));
    });
  return program;
}

/** Writes all of text to stdout synchronously; a reader that went away (EPIPE) is not an error. */
function writeStdout(text: string): void {
  try {
    fs.writeSync(1, text);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPIPE') throw e;
  }
}

async function runDo(g: GlobalOptions, prog: string, args: string[], cwd: string): Promise<number> {
  let execPath: string;
  let memLimit: number;
  try {
    execPath = resolveProgram(prog, process.env.PATH, cwd);
    memLimit = g.totalMemory ? parseSize(g.totalMemory) : os.totalmem();
  } catch (e) {
    if (e instanceof ResolveError) {
      process.stderr.write(`wvisor: ${e.message}\n`);
      return e.exitCode;
    }
    process.stderr.write(`wvisor: ${(e as Error).message}\n`);
    return 2;
  }
  const env = Object.entries(process.env).map(([k, v]) => `${k}=${v}`);
  return runSentry({
    argv: [prog, ...args],
    env,
    cwd,
    execPath,
    hostname: 'wvisor',
    memLimit,
    strace: !!g.strace,
    debug: !!g.debug,
    debugLog: g.debugLog,
    platform: g.platform as PlatformName,
  });
}

/** Runs the CLI with process.argv-style arguments; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = buildProgram((c) => {
    code = c;
  });
  try {
    await program.parseAsync([argv[0], argv[1], ...normalizeGlobalFlags(argv.slice(2))]);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    throw e;
  }
  return code;
}
