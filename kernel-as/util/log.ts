// Log channels and small formatting helpers shared by strace and the debug log.
import { hostLog } from "../host";

export const LOG_DEBUG: i32 = 0;   // only with --debug
export const LOG_STRACE: i32 = 1;  // only with --strace
export const LOG_WARN: i32 = 2;    // always, to the debug log or stderr
export const LOG_PANIC: i32 = 3;

export function logLine(channel: i32, text: string): void {
  const buf = String.UTF8.encode(text);
  hostLog(channel, changetype<usize>(buf), buf.byteLength);
}

export function hex(v: u64): string {
  return "0x" + v.toString(16);
}

/** Quotes bytes the way strace does: printable ASCII as is, escapes for the rest. */
export function quoteBytes(ptr: usize, len: i32, max: i32): string {
  let s = "\"";
  const n = len < max ? len : max;
  for (let i = 0; i < n; i++) {
    const c = load<u8>(ptr + <usize>i);
    if (c == 0x0a) s += "\\n";
    else if (c == 0x09) s += "\\t";
    else if (c == 0x0d) s += "\\r";
    else if (c == 0x22) s += "\\\"";
    else if (c == 0x5c) s += "\\\\";
    else if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += "\\x" + (c < 16 ? "0" : "") + (<u32>c).toString(16);
  }
  s += "\"";
  if (len > max) s += "...";
  return s;
}
