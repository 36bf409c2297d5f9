// The HTML report: one self-contained file (inline CSS and SVG, no script, no network)
// with a bar chart of ratio-to-native per workload and runner, and the full table.

import type { BenchResult, Cell } from './results.js';
import { footnotes, formatNs, formatRatio, formatSpread } from './report_terminal.js';
import type { WorkloadKind } from './workloads.js';

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#b07aa1', '#76b7b2', '#edc948', '#9c755f', '#ff9da7'];

/** A colour per non-native runner, stable within one report. */
function colours(result: BenchResult): Map<string, string> {
  const m = new Map<string, string>();
  result.runners.filter((r) => r.id !== 'native').forEach((r, i) => m.set(r.id, PALETTE[i % PALETTE.length]));
  return m;
}

const LABEL_W = 170;
const PLOT_W = 560;
const RIGHT_W = 190;
const BAR_H = 14;
const BAR_GAP = 3;
const GROUP_GAP = 12;
const AXIS_H = 28;

/**
 * The chart of one kind of workload: for each workload a group of horizontal bars, one per
 * runner other than native, of median / native median on a log scale (the line at ×1 is
 * native). A failed cell is a red box saying "failed [n]", n numbering its error in the
 * list under the charts (the full error is also its tooltip). n/a cells (a runner that
 * cannot run that workload, such as ptrace-floor) are left out of the chart.
 */
export function renderChart(result: BenchResult, kind: WorkloadKind, note: (error: string) => number = footnotes().note): string {
  const workloads = result.workloads.filter((w) => w.kind === kind);
  const runners = result.runners.filter((r) => r.id !== 'native');
  if (workloads.length === 0 || runners.length === 0) return '';
  const colour = colours(result);
  const cells = (w: string): Cell[] => runners.map((r) => result.cells.find((c) => c.workload === w && c.runner === r.id)!);
  const ratios = workloads.flatMap((w) => cells(w.id)).filter((c) => c?.status === 'ok' && c.ratio).map((c) => c.ratio as number);
  const lo = Math.min(0.5, ...ratios.map((r) => r / 1.5));
  const hi = Math.max(10, ...ratios.map((r) => r * 1.5));
  const x = (r: number): number => LABEL_W + ((Math.log10(r) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * PLOT_W;
  const rowsOf = (w: string): { r: (typeof runners)[number]; c: Cell | undefined }[] =>
    runners.map((r, i) => ({ r, c: cells(w)[i] })).filter(({ c }) => c !== undefined && c.status !== 'n/a');
  const groupH = (w: string): number => Math.max(1, rowsOf(w).length) * (BAR_H + BAR_GAP) - BAR_GAP;
  const height = AXIS_H + workloads.reduce((sum, w) => sum + groupH(w.id) + GROUP_GAP, 0) + 4;
  const width = LABEL_W + PLOT_W + RIGHT_W;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="ratio to native, ${kind} workloads">`);
  // axis: powers of ten, and the native line at ×1
  for (let p = Math.ceil(Math.log10(lo)); p <= Math.floor(Math.log10(hi)); p++) {
    const v = 10 ** p;
    const xv = x(v).toFixed(1);
    parts.push(`<line x1="${xv}" y1="${AXIS_H - 6}" x2="${xv}" y2="${height}" class="${p === 0 ? 'one' : 'grid'}"/>`);
    parts.push(`<text x="${xv}" y="${AXIS_H - 10}" class="tick">×${v >= 1 ? v.toFixed(0) : v}</text>`);
  }
  let y0 = AXIS_H;
  for (const w of workloads) {
    const gh = groupH(w.id);
    parts.push(`<text x="${LABEL_W - 8}" y="${(y0 + gh / 2 + 4).toFixed(1)}" class="wl">${escapeHtml(w.id)}</text>`);
    rowsOf(w.id).forEach(({ r, c }, ri) => {
      const y = y0 + ri * (BAR_H + BAR_GAP);
      const ty = (y + BAR_H - 3).toFixed(1);
      if (c!.status === 'failed') {
        const err = c!.error ?? 'failed';
        parts.push(
          `<g class="failed"><title>${escapeHtml(`${r.id} / ${w.id}: FAILED: ${err}`)}</title>` +
            `<rect x="${(x(1) + 1).toFixed(1)}" y="${y}" width="14" height="${BAR_H}" class="failbox"/>` +
            `<text x="${(x(1) + 4.5).toFixed(1)}" y="${ty}" class="failx">✗</text>` +
            `<text x="${(x(1) + 20).toFixed(1)}" y="${ty}" class="failtext">${escapeHtml(r.id)}: failed [${note(err)}]</text></g>`,
        );
        return;
      }
      const ratio = c!.ratio ?? NaN;
      const s = c!.summary!;
      const tip = `${r.id} / ${w.id}: median ${formatNs(s.median)}, ${formatRatio(ratio)} native, ${formatSpread(s.spread)} over ${s.n} runs`;
      if (!Number.isFinite(ratio)) {
        parts.push(`<text x="${(x(1) + 4).toFixed(1)}" y="${ty}" class="na"><title>${escapeHtml(tip)}</title>${escapeHtml(r.id)}: ${formatNs(s.median)} (native failed: no ratio)</text>`);
        return;
      }
      const x1 = Math.min(x(1), x(ratio));
      const w2 = Math.max(1, Math.abs(x(ratio) - x(1)));
      // whisker: the fastest and the slowest run, relative to native's median
      const base = s.median / ratio;
      const wLo = x(Math.max(lo, s.min / base));
      const wHi = x(Math.min(hi, s.max / base));
      const wy = (y + BAR_H / 2).toFixed(1);
      parts.push(
        `<g><title>${escapeHtml(tip)}</title><rect x="${x1.toFixed(1)}" y="${y}" width="${w2.toFixed(1)}" height="${BAR_H}" fill="${colour.get(r.id)}"/>` +
          `<line x1="${wLo.toFixed(1)}" y1="${wy}" x2="${wHi.toFixed(1)}" y2="${wy}" class="whisker"/>` +
          `<text x="${(Math.max(x(1), x(ratio), wHi) + 4).toFixed(1)}" y="${ty}" class="val">${formatRatio(ratio)} ${escapeHtml(r.id)}</text></g>`,
      );
    });
    y0 += gh + GROUP_GAP;
  }
  parts.push('</svg>');
  return parts.join('\n');
}

function cellHtml(c: Cell | undefined): string {
  if (!c) return '<td></td>';
  if (c.status === 'n/a') return '<td class="na">n/a</td>';
  if (c.status === 'failed') return `<td class="failed"><b>FAILED</b><br><small>${escapeHtml(c.error ?? '')}</small></td>`;
  const s = c.summary!;
  const ratio = c.runner === 'native' ? '' : ` <b>${formatRatio(c.ratio)}</b>`;
  return `<td title="min ${formatNs(s.min)}, q1 ${formatNs(s.q1)}, q3 ${formatNs(s.q3)}, max ${formatNs(s.max)}, n=${s.n}">${formatNs(s.median)}${ratio} <small>${formatSpread(s.spread)}</small></td>`;
}

/** The whole report as one HTML document. */
export function renderHtml(result: BenchResult): string {
  const colour = colours(result);
  const notes = footnotes();
  const microChart = renderChart(result, 'micro', notes.note);
  const macroChart = renderChart(result, 'macro', notes.note);
  const failures = notes.list.length
    ? `<h2>Failures</h2>\n<ol class="failures">\n${notes.list.map((e) => `<li>${escapeHtml(e)}</li>`).join('\n')}\n</ol>`
    : '';
  const h = result.host;
  const o = result.options;
  const table = [
    '<table><thead><tr><th>workload</th>',
    ...result.runners.map((r) => `<th>${escapeHtml(r.id)}</th>`),
    '<th>what</th></tr></thead><tbody>',
    ...result.workloads.map(
      (w) =>
        `<tr><th>${escapeHtml(w.id)}</th>${result.runners
          .map((r) => cellHtml(result.cells.find((c) => c.workload === w.id && c.runner === r.id)))
          .join('')}<td class="what">${w.kind}: ${escapeHtml(w.what)}</td></tr>`,
    ),
    '</tbody></table>',
  ].join('\n');
  const runnerList = result.runners
    .map(
      (r) =>
        `<li><span class="sw" style="background:${colour.get(r.id) ?? '#222'}"></span><b>${escapeHtml(r.id)}</b>: ${escapeHtml(r.description)}` +
        (r.version ? ` <small>(${escapeHtml(r.version)})</small>` : '') +
        `<br><code>${escapeHtml(r.example.join(' '))}</code>` +
        (r.notes.length ? `<br><small>${escapeHtml(r.notes.join('; '))}</small>` : '') +
        '</li>',
    )
    .join('\n');
  const missing = result.missing.length
    ? `<p>Not run here: ${result.missing.map((m) => `<b>${escapeHtml(m.id)}</b> (${escapeHtml(m.reason)})`).join(', ')}.</p>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>wvisor bench ${escapeHtml(result.startedAt)}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; max-width: 1200px; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 1.6em; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border: 1px solid #ccc; padding: 3px 6px; text-align: right; vertical-align: top; }
th:first-child, td.what { text-align: left; } td.what { color: #555; }
td.failed { background: #fde8e8; color: #a00; text-align: left; max-width: 240px; }
td.na, text.na { color: #999; fill: #999; }
code { font-size: 12px; background: #f4f4f4; padding: 1px 3px; }
.sw { display: inline-block; width: 12px; height: 12px; margin-right: 6px; vertical-align: -1px; }
svg text { font: 12px system-ui, sans-serif; }
svg .wl { text-anchor: end; } svg .tick { text-anchor: middle; fill: #555; }
svg .grid { stroke: #ddd; } svg .one { stroke: #222; stroke-width: 1.5; }
svg .val { fill: #222; } svg .whisker { stroke: #222; stroke-width: 1.5; } svg .failbox { fill: #d62728; } svg .failx { fill: #fff; font-weight: bold; }
svg .failtext { fill: #a00; }
ol.failures li { color: #a00; font-family: monospace; font-size: 12px; }
</style>
</head>
<body>
<h1>wvisor bench</h1>
<p>${escapeHtml(result.startedAt)} · ${escapeHtml(`${h.cpus} × ${h.cpuModel}, ${h.memGiB} GiB, ${h.kernel}, Node ${h.node}`)}<br>
${o.quick ? '<b>--quick</b> · ' : ''}${o.runs} interleaved runs per cell · micro budget ${o.budgetMs} ms per run · timeout ${o.timeoutS} s · took ${result.durationS.toFixed(0)} s</p>
<p>Bars: median time under a runner divided by the median native time (log scale; the black line is native, ×1);
the thin line across a bar spans its fastest to its slowest run.
Micro workloads are timed per operation inside the program, so sandbox start-up is excluded;
macro workloads are the wall time of the whole process. Hover a bar for the figures.
A red box is a workload that failed under that runner, with its error.</p>
<h2>Micro workloads: ratio to native</h2>
${microChart}
<h2>Macro workloads: ratio to native</h2>
${macroChart}
${failures}
<h2>Table</h2>
<p>Median, ratio to native (<b>×N</b>) and spread (<small>±N%</small>: the farthest run from the median).</p>
${table}
<h2>Runners</h2>
<ul>
${runnerList}
</ul>
${missing}
</body>
</html>
`;
}
