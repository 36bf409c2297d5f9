// The wvisor commands, parsed with commander (main.ts loads this module once the Gofer of a
// `do` is on its way).
import fs from 'node:fs';
import os from 'node:os';
import { Command, CommanderError, Option } from 'commander';
import { runSentry } from '../sentry/sentry.js';
import { GoferHandle } from '../sentry/gofer_process.js';
import { ResolveError, resolveProgram } from './resolve.js';
import { parseSize } from './size.js';
import { describeSyscalls } from './help_syscalls.js';
import { DEFAULT_PLATFORM, PLATFORMS, PlatformName } from '../platform/names.js';

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

function buildProgram(gofer: GoferHandle | undefined, setExit: (code: number) => void): Command {
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
    .action((prog: string, args: string[], cmdOpts: { cwd?: string }) => {
      // main.ts finds the command word with the same normalized arguments commander sees.
      if (gofer === undefined) throw new Error('internal error: no Gofer was started for do');
      setExit(runDo(program.opts<GlobalOptions>(), gofer, prog, args, cmdOpts.cwd ?? process.cwd()));
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

/** The environment of `do`'s program: the CLI's own, as runsc do gives it, with the variable
 *  bin/wvisor moved aside for Node's start put back under its name. */
export function appEnvironment(env: NodeJS.ProcessEnv): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(env)) {
    if (k === 'WVISOR_APP_NODE_EXTRA_CA_CERTS') out.push(`NODE_EXTRA_CA_CERTS=${v}`);
    else out.push(`${k}=${v}`);
  }
  return out;
}

function runDo(g: GlobalOptions, gofer: GoferHandle, prog: string, args: string[], cwd: string): number {
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
  const goferFd = gofer.take();
  if (goferFd < 0) {
    // A failed spawn's own error says why (gofer_process.ts).
    process.stderr.write('wvisor: the Gofer is not running\n');
    return 1;
  }
  return runSentry({
    goferFd,
    argv: [prog, ...args],
    env: appEnvironment(process.env),
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

/** Runs the CLI: argv0 and script as process.argv has them, then the arguments with global
 *  flags normalized. gofer is the Gofer main.ts started for a `do` command. Returns the exit
 *  code. */
export async function runCommands(argv0: string, script: string, args: string[], gofer: GoferHandle | undefined): Promise<number> {
  let code = 0;
  const program = buildProgram(gofer, (c) => {
    code = c;
  });
  try {
    await program.parseAsync([argv0, script, ...args]);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    throw e;
  }
  return code;
}
