// Finding the program to run the way execvp(3) and `runsc do` do: a name with a slash is a
// path, anything else is looked up in PATH.
import fs from 'node:fs';
import path from 'node:path';

export class ResolveError extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
  }
}

export function resolveProgram(name: string, envPath: string | undefined, cwd: string): string {
  if (name.length === 0) throw new ResolveError('empty program name', 127);
  const candidates = name.includes('/')
    ? [path.resolve(cwd, name)]
    : (envPath ?? '/usr/local/bin:/usr/bin:/bin').split(':').map((d) => path.resolve(cwd, d || '.', name));
  let sawNonExecutable = false;
  for (const c of candidates) {
    let st: fs.Stats;
    try {
      st = fs.statSync(c);
    } catch {
      continue;
    }
    if (!st.isFile()) {
      sawNonExecutable = true;
      continue;
    }
    try {
      fs.accessSync(c, fs.constants.X_OK);
      return c;
    } catch {
      sawNonExecutable = true;
    }
  }
  if (sawNonExecutable) throw new ResolveError(`${name}: permission denied`, 126);
  throw new ResolveError(`${name}: no such file or directory`, 127);
}
