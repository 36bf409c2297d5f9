// The JSON report: the whole result, every sample included, for later analysis.
// Its shape is BenchResult (results.ts); `schema` names the version of that shape.

import type { BenchResult } from './results.js';

export function renderJson(result: BenchResult): string {
  return JSON.stringify(result, null, 2) + '\n';
}

/** Reads a report back, checking that it is one. */
export function parseJson(text: string): BenchResult {
  const value = JSON.parse(text) as BenchResult;
  if (value?.schema !== 'wvisor-bench/1') throw new Error(`not a wvisor bench report (schema ${String(value?.schema)})`);
  return value;
}
