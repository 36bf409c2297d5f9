// runsc's global flags, as wvisor accepts them before the command word: runsc's names, in
// its single-dash Go style (-debug-log=FILE) as well as --debug-log FILE, so that tools
// written for runsc can drive wvisor.

/** runsc's global flags that take a value; those not listed here are booleans. */
const GLOBAL_VALUE_FLAGS = ['root', 'platform', 'network', 'debug-log', 'log', 'log-format', 'total-memory', 'debug-log-format', 'panic-log'];
const GLOBAL_BOOL_FLAGS = ['debug', 'strace', 'rootless', 'systemd-cgroup', 'alsologtostderr'];

export interface GlobalArgs {
  /** The arguments with Go-style single-dash global flags rewritten to the double-dash form. */
  args: string[];
  /** The first word that is neither a flag nor a flag's value: the command (undefined if none). */
  command: string | undefined;
}

/** Normalizes the global flags, up to the command word, and finds that word. */
export function normalizeGlobalFlags(argv: string[]): GlobalArgs {
  const args = [...argv];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('-')) return { args, command: a };
    const m = /^-{1,2}([a-z-]+)(=.*)?$/.exec(a);
    if (!m) continue;
    if (GLOBAL_VALUE_FLAGS.includes(m[1]) || GLOBAL_BOOL_FLAGS.includes(m[1])) {
      args[i] = `--${m[1]}${m[2] ?? ''}`;
      if (GLOBAL_VALUE_FLAGS.includes(m[1]) && m[2] === undefined) i++;
    }
  }
  return { args, command: undefined };
}
