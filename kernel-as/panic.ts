// The kernel's abort handler (asconfig `use: abort=...`): a broken invariant inside the
// Sentry is a bug, reported loudly with where it happened, then the WASM instance traps and
// the host ends the sandbox with that message. Nothing an app does may lead here.
import { hostLog } from "./host";

export function kernelAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  const text = "sentry panic: " + (message ? message : "abort") + " at " +
    (fileName ? fileName : "?") + ":" + line.toString() + ":" + column.toString();
  const buf = String.UTF8.encode(text);
  hostLog(3, changetype<usize>(buf), buf.byteLength);
  unreachable();
}
