// Where the Sentry's log lines go: strace and debug lines to --debug-log (or stderr), warnings
// and panics always to stderr too. Writes are synchronous: the Sentry's thread never returns
// to an event loop while the sandbox runs.
import fs from 'node:fs';

export const LOG_DEBUG = 0;
export const LOG_STRACE = 1;
export const LOG_WARN = 2;
export const LOG_PANIC = 3;

export class SentryLog {
  private readonly fd: number;

  constructor(private readonly debug: boolean, private readonly strace: boolean, path?: string) {
    this.fd = path ? fs.openSync(path, 'a') : 2;
  }

  line(channel: number, text: string): void {
    if (channel === LOG_DEBUG && !this.debug) return;
    if (channel === LOG_STRACE && !this.strace) return;
    const prefix = channel === LOG_PANIC ? 'wvisor: ' : channel === LOG_WARN ? 'wvisor: ' : '';
    const out = prefix + text + '\n';
    fs.writeSync(this.fd, out);
    if ((channel === LOG_WARN || channel === LOG_PANIC) && this.fd !== 2) fs.writeSync(2, out);
  }

  close(): void {
    if (this.fd !== 2) fs.closeSync(this.fd);
  }
}
