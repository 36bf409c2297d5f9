// Parsing sizes given on the command line: a number of bytes with an optional K, M, G or T
// suffix (powers of 1024).
const UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

export function parseSize(text: string): number {
  const m = /^(\d+)([kmgt]?)i?b?$/i.exec(text.trim());
  if (!m) throw new Error(`invalid size "${text}" (expected a number of bytes, e.g. 512M or 2G)`);
  return Number(m[1]) * UNITS[m[2].toLowerCase()];
}
