// wvisor's benchmark harness: `npm run bench`, `wvisor bench`, or
// `node dist/test/bench/main.js`. Measures the overhead of wvisor against the sandboxes a
// user would pick instead, on this machine, and writes a terminal table, a JSON file with
// every sample and a self-contained HTML report. See README.md in this folder.

import { mkdirSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { benchPaths, findHostTools, findRepoRoot, hostInfo, which } from './environment.js';
import { buildPrograms, prepareData } from './fixtures.js';
import { renderHtml } from './report_html.js';
import { renderJson } from './report_json.js';
import { renderTable, TerminalProgress } from './report_terminal.js';
import { runnerInfo, type BenchResult } from './results.js';
import { detectRunners, RUNNER_ORDER, selectRunners } from './runners.js';
import { runSession } from './session.js';
import { bigFileMiB, selectWorkloads, unitOf, WORKLOADS, type WorkloadContext } from './workloads.js';

export const USAGE = `usage: npm run bench -- [options]      (or: wvisor bench [options])

Runs each workload under each runner, several times, interleaved, and prints a table of
medians and ratios to native. Writes bench.json (every sample), bench.html (charts) and
bench.txt (the table) to the output folder.

options:
  --quick              a short check: 3 runs, 150 ms per micro run, smaller inputs
  --runs N             runs per workload and runner (default 5, --quick 3)
  --runners LIST       comma-separated runners or families (default: all installed):
                       native, bwrap, ptrace-floor, wvisor, wvisor-ptrace, wvisor-kvm,
                       runsc, runsc-ptrace, runsc-systrap  (native is always included)
  --workloads LIST     comma-separated workload ids, id prefixes, 'micro' or 'macro'
  --out DIR            output folder (default bench-results/<timestamp> in the checkout)
  --budget-ms MS       timed wall time of one micro run (default 500, --quick 150)
  --timeout S          a run taking longer fails as timed out (default 300, --quick 60)
  --no-warmup          skip the untimed native run before each workload's first round
  --list               show the runners found here and the workloads, then exit
  -h, --help           this text

exit status: 0 when the session completed and every workload ran natively, 1 when a
workload failed natively (its ratios are meaningless) or the harness could not start,
2 on a usage error.`;

function timestamp(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

function positiveNumber(name: string, text: string | undefined, integer: boolean): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (!(v > 0) || (integer && !Number.isInteger(v))) throw new Error(`--${name} needs a positive ${integer ? 'integer' : 'number'}, not '${text}'`);
  return v;
}

/** Where runBench writes: the table to out, progress and messages to err. */
export interface BenchIO {
  out: { write(text: string): unknown };
  /** A TTY here gets a redrawn progress bar; anything else gets one line per run. */
  err: { write(text: string): unknown; isTTY?: boolean; columns?: number };
}

/**
 * Runs the harness with the given arguments (without `node` and the script, or the
 * `wvisor bench` words). Returns the exit status.
 */
export async function runBench(argv: string[], io: BenchIO = { out: process.stdout, err: process.stderr }): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        quick: { type: 'boolean', default: false },
        runs: { type: 'string' },
        runners: { type: 'string' },
        workloads: { type: 'string' },
        out: { type: 'string' },
        'budget-ms': { type: 'string' },
        timeout: { type: 'string' },
        'no-warmup': { type: 'boolean', default: false },
        list: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      allowPositionals: false,
      strict: true,
    }).values;
  } catch (e) {
    io.err.write(`bench: ${(e as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    io.out.write(USAGE + '\n');
    return 0;
  }
  const quick = args.quick === true;
  let runs: number, budgetMs: number, timeoutS: number;
  let workloads;
  try {
    runs = positiveNumber('runs', args.runs, true) ?? (quick ? 3 : 5);
    budgetMs = positiveNumber('budget-ms', args['budget-ms'], false) ?? (quick ? 150 : 500);
    timeoutS = positiveNumber('timeout', args.timeout, false) ?? (quick ? 60 : 300);
    workloads = selectWorkloads(WORKLOADS, args.workloads);
  } catch (e) {
    io.err.write(`bench: ${(e as Error).message}\n`);
    return 2;
  }
  const log = (line: string): void => void io.err.write(`bench: ${line}\n`);

  const paths = benchPaths(findRepoRoot());
  const tools = findHostTools();
  if (!which(tools.gcc)) {
    log('the harness needs gcc to build its C programs (timeit, the micro workloads); none found on PATH');
    return 1;
  }
  try {
    const needed = new Set(['timeit', 'ptrace_floor', ...workloads.flatMap((w) => w.programs)]);
    const built = await buildPrograms(paths, [...needed], tools.gcc);
    if (built.length) log(`compiled ${built.join(', ')} into ${path.relative(process.cwd(), paths.binDir) || '.'}`);
  } catch (e) {
    log((e as Error).message);
    return 1;
  }
  const timeit = path.join(paths.binDir, 'timeit');
  const detected = await detectRunners({ paths, timeit, floorBin: path.join(paths.binDir, 'ptrace_floor'), log });
  let selection;
  try {
    selection = selectRunners(detected.runners, detected.missing, args.runners);
  } catch (e) {
    log((e as Error).message);
    return 2;
  }
  // table order: by family (RUNNER_ORDER), then as detected (platforms in their listed order)
  const runners = [...selection.runners].sort(
    (a, b) =>
      RUNNER_ORDER.indexOf(a.group) - RUNNER_ORDER.indexOf(b.group) ||
      detected.runners.indexOf(a) - detected.runners.indexOf(b),
  );
  const missing = [...detected.missing, ...selection.unavailable.filter((u) => !detected.missing.some((m) => m.id === u.id))];

  if (args.list) {
    const out = ['runners here:'];
    for (const r of detected.runners) out.push(`  ${r.id.padEnd(14)} ${r.description}${r.version ? ` (${r.version})` : ''}${r.notes.length ? `; ${r.notes.join('; ')}` : ''}`);
    for (const m of detected.missing) out.push(`  ${m.id.padEnd(14)} not available: ${m.reason}`);
    out.push('', 'workloads:');
    for (const w of WORKLOADS) out.push(`  ${w.id.padEnd(20)} ${w.kind}  ${w.what}`);
    io.out.write(out.join('\n') + '\n');
    return 0;
  }

  const data = prepareData(paths, bigFileMiB(quick));
  const ctx: WorkloadContext = { paths, tools, data, quick, budgetMs };
  const started = new Date();
  log(`${workloads.length} workloads × ${runners.length} runners (${runners.map((r) => r.id).join(', ')}), ${runs} runs each${quick ? ', --quick' : ''}`);
  const session = await runSession({
    workloads,
    runners,
    ctx,
    runs,
    timeoutMs: timeoutS * 1000,
    timeit,
    cwd: paths.scratchDir,
    warmup: !args['no-warmup'],
    progress: new TerminalProgress(io.err, runs),
  });
  removeLeftovers([paths.tmpfsDir, paths.scratchDir]);
  const finished = new Date();
  const result: BenchResult = {
    schema: 'wvisor-bench/1',
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    durationS: (finished.getTime() - started.getTime()) / 1000,
    host: hostInfo(),
    options: { quick, runs, budgetMs, timeoutS, workloads: args.workloads, runners: args.runners },
    runners: runners.map(runnerInfo),
    missing,
    workloads: workloads.map((w) => ({ id: w.id, kind: w.kind, what: w.what, unit: unitOf(w.kind) })),
    samples: session.samples,
    cells: session.cells,
  };

  const table = renderTable(result);
  const outDir = path.resolve(args.out ?? path.join(paths.repoRoot, 'bench-results', timestamp(started)));
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, 'bench.json'), renderJson(result));
  writeFileSync(path.join(outDir, 'bench.html'), renderHtml(result));
  writeFileSync(path.join(outDir, 'bench.txt'), table);
  io.out.write(table);
  log(`took ${result.durationS.toFixed(0)} s; wrote ${path.join(outDir, 'bench.json')}, bench.html, bench.txt`);
  const nativeFailed = session.cells.filter((c) => c.runner === 'native' && c.status === 'failed');
  if (nativeFailed.length) {
    log(`failed natively (the harness or the machine is at fault): ${nativeFailed.map((c) => c.workload).join(', ')}`);
    return 1;
  }
  return 0;
}

/**
 * Removes the files c/seqio.c leaves behind when a run is killed before its unlink
 * (seqio.<pid>.tmp, up to 256 MiB each, in RAM on tmpfs).
 */
function removeLeftovers(dirs: readonly string[]): void {
  for (const dir of dirs) {
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) if (/^seqio\.\d+\.tmp$/.test(name)) rmSync(path.join(dir, name), { force: true });
  }
}

function isMainModule(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (isMainModule()) {
  process.exitCode = await runBench(process.argv.slice(2));
}
