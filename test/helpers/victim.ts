// Throw-away host processes for tests that check a sandboxed program cannot signal the host
// (nohost, stub_escape): the program is given a victim's pid and the test checks it lives.
import { spawn, type ChildProcess } from 'node:child_process';

export function spawnVictim(): ChildProcess {
  return spawn('/bin/sleep', ['60'], { stdio: 'ignore' });
}

export function alive(p: ChildProcess): boolean {
  if (p.exitCode !== null || p.signalCode !== null) return false;
  try {
    process.kill(p.pid!, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves when p has exited, or after ms. */
export const waitExit = (p: ChildProcess, ms: number) =>
  new Promise<void>((resolve) => {
    if (p.exitCode !== null || p.signalCode !== null) return resolve();
    const timer = setTimeout(resolve, ms);
    p.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });

/** The value of a "key=value" line of a program's output. */
export const field = (out: string, key: string) => new RegExp(`^${key.replace(/[()]/g, '\\$&')}=(.*)$`, 'm').exec(out)?.[1];
