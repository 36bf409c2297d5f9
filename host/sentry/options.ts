// What the CLI hands to the Sentry for one sandbox.
import { PlatformName } from '../platform/names.js';

export interface SentryOptions {
  /** The program's argv; argv[0] as the user wrote it. */
  argv: string[];
  env: string[];
  cwd: string;
  /** Host path of the executable, resolved through PATH. */
  execPath: string;
  hostname: string;
  /** Bytes of app memory the sandbox may hold. */
  memLimit: number;
  strace: boolean;
  debug: boolean;
  /** The Sentry's end of the socket to the Gofer that serves the root file system. */
  goferFd: number;
  /** File for debug and strace output instead of stderr. */
  debugLog?: string;
  /** What runs app code (runsc's --platform). */
  platform: PlatformName;
}
