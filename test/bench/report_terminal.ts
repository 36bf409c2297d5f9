// The terminal report: the results table, and the progress display while a session runs
// (a bar redrawn in place when stderr is a terminal, one plain line per run otherwise).

import type { BenchResult, Cell, Sample } from './results.js';
import type { Slot } from './schedule.js';
import type { ProgressSink } from './session.js';

/** A duration in ns, in the unit that keeps 3 significant digits: 215ns, 17.7µs, 1.23s. */
export function formatNs(ns: number): string {
  const fmt = (v: number, unit: string): string => `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)}${unit}`;
  if (ns < 1e3) return fmt(ns, 'ns');
  if (ns < 1e6) return fmt(ns / 1e3, 'µs');
  if (ns < 1e9) return fmt(ns / 1e6, 'ms');
  return fmt(ns / 1e9, 's');
}

/** A ratio to native: ×1.04, ×12.3, ×104. */
export function formatRatio(r: number | null | undefined): string {
  if (r === null || r === undefined || !Number.isFinite(r)) return '×?';
  return `×${r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r.toFixed(2)}`;
}

/** The spread as ±percent of the median. */
export function formatSpread(spread: number): string {
  const pct = spread * 100;
  return `±${pct >= 10 ? pct.toFixed(0) : pct.toFixed(1)}%`;
}

/** Numbers distinct error messages 1, 2, … in order of first use. */
export function footnotes(): { note: (error: string) => number; list: string[] } {
  const list: string[] = [];
  return {
    list,
    note: (error) => {
      const i = list.indexOf(error);
      if (i >= 0) return i + 1;
      list.push(error);
      return list.length;
    },
  };
}

/** One table cell's text; failures get a footnote number from `note`. */
export function cellText(cell: Cell | undefined, note: (error: string) => number): string {
  if (!cell) return '';
  if (cell.status === 'n/a') return 'n/a';
  if (cell.status === 'failed') return `FAILED [${note(cell.error ?? 'unknown error')}]`;
  const s = cell.summary!;
  const value = formatNs(s.median);
  if (cell.runner === 'native') return `${value} ${formatSpread(s.spread)}`;
  return `${value} ${formatRatio(cell.ratio)} ${formatSpread(s.spread)}`;
}

/**
 * The results table: a row per workload, a column per runner. A cell reads
 * "median ×ratio-to-native ±spread"; failed cells point to a numbered error below.
 */
export function renderTable(result: BenchResult): string {
  const runners = result.runners.map((r) => r.id);
  const { note, list: notes } = footnotes();
  const rows: string[][] = [];
  const header = ['workload', ...runners];
  let lastKind = '';
  const kindRows: number[] = [];
  for (const w of result.workloads) {
    if (w.kind !== lastKind) {
      kindRows.push(rows.length);
      lastKind = w.kind;
    }
    rows.push([w.id, ...runners.map((r) => cellText(result.cells.find((c) => c.workload === w.id && c.runner === r), note))]);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cols: string[]): string => cols.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const out: string[] = [];
  out.push(line(header), rule);
  rows.forEach((row, i) => {
    if (kindRows.includes(i)) {
      const kind = result.workloads[i].kind;
      if (i > 0) out.push('');
      out.push(kind === 'micro' ? '[micro: time per operation, measured inside the program]' : '[macro: wall time of the whole process, start-up included]');
    }
    out.push(line(row));
  });
  out.push('');
  out.push(
    `median of ${result.options.runs} interleaved runs; ×N = median / native median; ±N% = farthest run from the median.`,
  );
  if (notes.length) {
    out.push('', 'failed:');
    notes.forEach((n, i) => out.push(`  [${i + 1}] ${n}`));
  }
  if (result.missing.length) {
    out.push('', 'not run here:');
    for (const m of result.missing) out.push(`  ${m.id}: ${m.reason}`);
  }
  const runnerNotes = result.runners.filter((r) => r.notes.length);
  if (runnerNotes.length) {
    out.push('', 'runner notes:');
    for (const r of runnerNotes) out.push(`  ${r.id}: ${r.notes.join('; ')}`);
  }
  return out.join('\n') + '\n';
}

function formatEta(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '?';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.round(s)}s`;
}

/**
 * Progress on a stream: when it is a TTY, a bar redrawn in place
 * ("[#######.......] 34/96  runsc-ptrace fork-exec 2/3  ETA 41s"); otherwise one line per
 * finished run, so logs stay readable.
 */
export class TerminalProgress implements ProgressSink {
  private total = 0;
  private t0 = 0;
  private readonly tty: boolean;

  constructor(
    private readonly stream: { write(text: string): unknown; isTTY?: boolean; columns?: number } = process.stderr,
    private readonly runs = 1,
  ) {
    this.tty = Boolean(stream.isTTY);
  }

  start(total: number): void {
    this.total = total;
    this.t0 = performance.now();
  }

  begin(done: number, slot: Slot): void {
    if (!this.tty) return;
    const width = 24;
    const filled = this.total ? Math.round((done / this.total) * width) : 0;
    const elapsed = (performance.now() - this.t0) / 1000;
    const eta = done > 0 ? (elapsed / done) * (this.total - done) : NaN;
    const text = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${this.total}  ${slot.runner} ${slot.workload} ${slot.run}/${this.runs}  ETA ${formatEta(eta)}`;
    const cols = this.stream.columns || 100;
    this.stream.write(`\r\x1b[2K${text.slice(0, cols - 1)}`);
  }

  end(done: number, slot: Slot, sample: Sample | undefined): void {
    if (this.tty) {
      if (sample && !sample.ok && sample.run === 1) {
        // keep failures visible above the bar
        this.stream.write(`\r\x1b[2K${slot.runner} ${slot.workload}: FAILED: ${sample.error}\n`);
      }
      return;
    }
    if (!sample) return;
    const what = sample.ok ? formatNs(sample.value!) : `FAILED: ${sample.error}`;
    this.stream.write(`bench [${done}/${this.total}] ${slot.runner} ${slot.workload} run ${slot.run}: ${what}\n`);
  }

  finish(): void {
    if (this.tty) this.stream.write('\r\x1b[2K');
  }
}
