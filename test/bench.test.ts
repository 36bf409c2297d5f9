// Tests of the benchmark harness itself: its statistics, its schedule, its reports, and
// that a workload which fails is reported failed with its error, never timed.

import t from 'tap';
import path from 'node:path';
import { benchPaths, findHostTools, findRepoRoot } from './bench/environment.js';
import { buildPrograms, type BenchData } from './bench/fixtures.js';
import { errorLine, judge, parseKeyValues, runMeasured, type RunOutcome } from './bench/measure.js';
import { renderHtml, escapeHtml } from './bench/report_html.js';
import { parseJson, renderJson } from './bench/report_json.js';
import { formatNs, formatRatio, renderTable } from './bench/report_terminal.js';
import { buildCells, cellOf, runnerInfo, type BenchResult, type Sample } from './bench/results.js';
import { nativeRunner, parsePlatformChoices, ptraceFloorRunner, selectRunners, type Runner } from './bench/runners.js';
import { interleave } from './bench/schedule.js';
import { runSession } from './bench/session.js';
import { median, quantile, ratio, summarize } from './bench/stats.js';
import { selectWorkloads, unitOf, WORKLOADS, type Workload, type WorkloadContext } from './bench/workloads.js';
import { runBench } from './bench/main.js';

t.test('stats: median and quantiles', async (t) => {
  t.equal(median([5]), 5);
  t.equal(median([3, 1, 2]), 2);
  t.equal(median([4, 1, 3, 2]), 2.5, 'even count: mean of the middle two');
  t.equal(quantile([1, 2, 3, 4, 5], 0.25), 2);
  t.equal(quantile([1, 2, 3, 4], 0.25), 1.75, 'linear interpolation (type 7)');
  t.equal(quantile([10, 20], 0), 10);
  t.equal(quantile([10, 20], 1), 20);
  const input = [3, 1, 2];
  median(input);
  t.same(input, [3, 1, 2], 'does not sort the caller\'s array');
  t.throws(() => median([]), RangeError);
  t.throws(() => quantile([1], 1.5), RangeError);
});

t.test('stats: summary and spread', async (t) => {
  const s = summarize([100, 90, 130, 110, 95]);
  t.equal(s.n, 5);
  t.equal(s.median, 100);
  t.equal(s.min, 90);
  t.equal(s.max, 130);
  t.equal(s.q1, 95);
  t.equal(s.q3, 110);
  t.equal(s.iqr, 15);
  t.equal(s.spread, 0.3, 'farthest run (130) is 30% from the median');
  t.equal(summarize([7]).spread, 0, 'one sample has no spread');
  t.throws(() => summarize([]), RangeError);
});

t.test('stats: ratio', async (t) => {
  t.equal(ratio(300, 100), 3);
  t.equal(ratio(50, 100), 0.5);
  t.equal(ratio(1, 0), null, 'no ratio to a zero baseline');
  t.equal(ratio(1, NaN), null);
  t.equal(ratio(Infinity, 1), null);
});

t.test('schedule: runs alternate between runners, one workload at a time', async (t) => {
  const slots = interleave(['w1', 'w2'], ['A', 'B'], 3);
  t.same(
    slots.map((s) => `${s.workload}:${s.runner}${s.run}`),
    ['w1:A1', 'w1:B1', 'w1:A2', 'w1:B2', 'w1:A3', 'w1:B3', 'w2:A1', 'w2:B1', 'w2:A2', 'w2:B2', 'w2:A3', 'w2:B3'],
  );
  const partial = interleave(['getpid', 'stat'], ['native', 'floor'], 2, (w, r) => r !== 'floor' || w === 'getpid');
  t.same(
    partial.map((s) => `${s.workload}:${s.runner}`),
    ['getpid:native', 'getpid:floor', 'getpid:native', 'getpid:floor', 'stat:native', 'stat:native'],
    'unsupported (workload, runner) pairs are left out',
  );
  t.throws(() => interleave(['w'], ['A'], 0), RangeError);
});

t.test('measure: parsing program output and picking the error line', async (t) => {
  t.same(parseKeyValues('ns_per_op=12.5\niters=100\nname=abc\n'), { ns_per_op: 12.5, iters: 100 });
  t.same(parseKeyValues('wall_ns=123 exit=0 signal=0 utime_us=5\n'), { wall_ns: 123, exit: 0, signal: 0, utime_us: 5 });
  const nodeCrash = [
    'node:internal/modules/esm/resolve:283',
    '    throw new ERR_MODULE_NOT_FOUND(',
    '          ^',
    '',
    "Error [ERR_MODULE_NOT_FOUND]: Cannot find module '/x/dist/host/cli/main.js'",
    '    at finalizeResolution (node:internal/modules/esm/resolve:283:11)',
  ].join('\n');
  t.equal(errorLine(nodeCrash), "Error [ERR_MODULE_NOT_FOUND]: Cannot find module '/x/dist/host/cli/main.js'");
  t.equal(errorLine('\n  just one line  \n'), 'just one line', 'first non-empty line when none reads like an error');
  t.equal(errorLine(''), undefined);
});

const outcome = (o: Partial<RunOutcome>): RunOutcome => ({
  exitCode: 0, signal: null, timedOut: false, wallNs: 1e6, rusage: {}, stdout: '', stderr: '', ...o,
});

t.test('measure: judging a run', async (t) => {
  t.same(judge('micro', outcome({ stdout: 'ns_per_op=17.5\n' }), 1000), { ok: true, value: 17.5, metrics: { ns_per_op: 17.5 } });
  t.match(judge('macro', outcome({ wallNs: 2500 }), 1000), { ok: true, value: 2500 });
  t.match(judge('micro', outcome({ exitCode: 3, stdout: 'ns_per_op=1\n', stderr: 'boom: broke\n' }), 1000), {
    ok: false,
    error: 'exit 3: boom: broke',
  }, 'non-zero exit fails even with a figure printed');
  t.match(judge('macro', outcome({ exitCode: null, signal: 'SIGSEGV' }), 1000), { ok: false, error: 'killed by SIGSEGV' });
  t.match(judge('macro', outcome({ timedOut: true, exitCode: null, signal: 'SIGTERM' }), 2500), { ok: false, error: 'timed out after 2.5 s' });
  t.match(judge('micro', outcome({ stdout: 'hello\n' }), 1000), { ok: false, error: /no ns_per_op line.*hello/ });
  t.match(judge('macro', outcome({ stdout: 'bad' }), 1000, (out) => (out === 'good' ? undefined : 'wrong output')), {
    ok: false,
    error: 'wrong output',
  });
  t.match(judge('macro', outcome({ spawnError: 'ENOENT' }), 1000), { ok: false, error: 'could not start: ENOENT' });
});

t.test('workload and runner selection', async (t) => {
  t.same(selectWorkloads(WORKLOADS, 'fork').map((w) => w.id), ['fork-exit', 'fork-exec']);
  t.ok(selectWorkloads(WORKLOADS, 'macro').every((w) => w.kind === 'macro'));
  t.equal(selectWorkloads(WORKLOADS, undefined).length, WORKLOADS.length);
  t.throws(() => selectWorkloads(WORKLOADS, 'nonesuch'), /no workload matches 'nonesuch'/);
  t.equal(new Set(WORKLOADS.map((w) => w.id)).size, WORKLOADS.length, 'workload ids are unique');
  t.same(WORKLOADS.filter((w) => w.floor).map((w) => w.id), ['getpid'], 'ptrace-floor runs getpid only');

  const fake = (id: string, group: string): Runner => ({ ...nativeRunner(), id, group });
  const available = [nativeRunner(), fake('runsc-ptrace', 'runsc'), fake('bwrap', 'bwrap')];
  const missing = [{ id: 'runsc-systrap', reason: 'no systrap' }];
  t.same(selectRunners(available, missing, 'runsc').runners.map((r) => r.id), ['native', 'runsc-ptrace'], 'a family name; native always kept');
  t.same(selectRunners(available, missing, 'runsc-systrap').unavailable, missing);
  t.same(selectRunners(available, [], 'wvisor').unavailable.map((u) => u.id), ['wvisor'], 'known but absent');
  t.throws(() => selectRunners(available, missing, 'docker'), /unknown runner 'docker'/);

  const help = [
    '  --root <dir>       root directory (default:',
    '                     "/var/run/wvisor")',
    '  --platform <name>  platform that runs app code (choices:',
    '                     "ptrace", "kvm", default: "ptrace")',
    '  --network <mode>   network mode (choices: "none", "host")',
  ].join('\n');
  t.same(parsePlatformChoices(help), ['ptrace', 'kvm'], 'wvisor platforms from its --help, across wrapped lines');
  t.same(parsePlatformChoices('  --platform <name>  (choices: "ptrace", default: "ptrace")'), ['ptrace']);
  t.same(parsePlatformChoices('Usage: wvisor'), []);
});

// A session with real processes, run through the real c/timeit.
const repoRoot = findRepoRoot();
const paths = benchPaths(repoRoot);
const timeit = path.join(paths.binDir, 'timeit');
const ctx: WorkloadContext = {
  paths,
  tools: findHostTools(),
  data: {} as BenchData,
  quick: true,
  budgetMs: 10,
};
const sh = (id: string, kind: 'micro' | 'macro', script: string, extra: Partial<Workload> = {}): Workload => ({
  id, kind, what: script, programs: [], argv: () => ['/bin/sh', '-c', script], ...extra,
});
const workloads: Workload[] = [
  sh('ok-micro', 'micro', 'echo ns_per_op=42.5; echo iters=10'),
  sh('ok-macro', 'macro', 'exit 0'),
  sh('exits-3', 'macro', 'echo "boom: the workload broke" >&2; exit 3'),
  sh('no-figure', 'micro', 'echo all fine'),
  sh('killed', 'macro', 'kill -SEGV $$'),
  sh('wrong-output', 'macro', 'echo 41', { check: (out) => (out.trim() === '42' ? undefined : `expected 42, got ${out.trim()}`) }),
  sh('slow', 'macro', 'sleep 10'),
];
/** A second runner that runs things through env(1): a sandbox that is no sandbox. */
const envRunner: Runner = { ...nativeRunner(), id: 'env', group: 'env', description: 'through /usr/bin/env', wrap: (argv) => ['/usr/bin/env', ...argv] };
const floor = ptraceFloorRunner('/nonexistent/ptrace_floor');

let sessionResult: Promise<BenchResult> | undefined;
/** The session above, run once and shared by the tests that read it. */
function session(): Promise<BenchResult> {
  sessionResult ??= runTestSession();
  return sessionResult.then((r) => structuredClone(r));
}

async function runTestSession(): Promise<BenchResult> {
  await buildPrograms(paths, ['timeit']);
  const runners = [nativeRunner(), envRunner, floor];
  const s = await runSession({ workloads, runners, ctx, runs: 3, timeoutMs: 1500, timeit, cwd: repoRoot, warmup: false });
  return {
    schema: 'wvisor-bench/1',
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:10.000Z',
    durationS: 10,
    host: { hostname: 'h', cpus: 2, cpuModel: 'cpu', memGiB: 1, kernel: 'Linux', node: process.version },
    options: { quick: true, runs: 3, budgetMs: 10, timeoutS: 1.5 },
    runners: runners.map(runnerInfo),
    missing: [{ id: 'runsc-systrap', reason: 'no systrap platform' }],
    workloads: workloads.map((w) => ({ id: w.id, kind: w.kind, what: w.what, unit: unitOf(w.kind) })),
    samples: s.samples,
    cells: s.cells,
  };
}

t.test('a session reports failures as failures, with their errors', async (t) => {
  const result = await session();
  const cell = (w: string, r = 'native') => cellOf(result, w, r)!;

  t.match(cell('ok-micro'), { status: 'ok', attempts: 3, ratio: 1 });
  t.equal(cell('ok-micro').summary!.median, 42.5, 'micro figure is the program\'s ns_per_op');
  t.match(cell('ok-micro', 'env'), { status: 'ok', ratio: 1 });
  t.match(cell('ok-macro'), { status: 'ok', attempts: 3 });
  t.ok(cell('ok-macro').summary!.median > 0, 'macro figure is a wall time');

  t.match(cell('exits-3'), { status: 'failed', error: 'exit 3: boom: the workload broke', attempts: 1 },
    'a workload exiting non-zero is failed with its first stderr line, and not run again');
  t.equal(cell('exits-3').summary, undefined, 'a failed cell has no timing');
  t.match(cell('exits-3', 'env'), { status: 'failed', error: 'exit 3: boom: the workload broke' });
  t.match(cell('no-figure'), { status: 'failed', error: /no ns_per_op line/ });
  t.match(cell('killed'), { status: 'failed', error: /^killed by SIGSEGV/ });
  t.match(cell('wrong-output'), { status: 'failed', error: 'expected 42, got 41' });
  t.match(cell('slow'), { status: 'failed', error: 'timed out after 1.5 s' });
  t.match(cell('slow', 'env'), { status: 'failed', error: 'timed out after 1.5 s' });
  t.match(cell('ok-micro', 'ptrace-floor'), { status: 'n/a', attempts: 0 }, 'a runner that cannot run a workload is n/a, not failed');

  const failedSamples = result.samples.filter((s) => !s.ok);
  t.ok(failedSamples.every((s) => s.value === undefined && s.error), 'failed samples carry an error and no value');
  t.match(result.samples.find((s) => s.workload === 'exits-3')!, { exitCode: 3, stderrTail: /boom/ });

  const table = renderTable(result);
  t.match(table, /exits-3\s+FAILED \[(\d)\]\s+FAILED \[\1\]/, 'the table shows the failure under both runners');
  t.match(table, /\[\d\] exit 3: boom: the workload broke/, 'and its error under the table');
  t.match(table, /ok-micro\s+42\.5ns ±0\.0%\s+42\.5ns ×1\.00 ±0\.0%\s+n\/a/);
  t.match(table, /runsc-systrap: no systrap platform/, 'runners not run here are listed');

  const html = renderHtml(result);
  t.match(html, /env: failed \[\d\]/, 'the chart marks failed cells');
  t.match(html, /<li>exit 3: boom: the workload broke<\/li>/, 'and lists their errors');
  t.match(html, /<td class="failed"><b>FAILED<\/b><br><small>timed out after 1\.5 s<\/small><\/td>/);

  const back = parseJson(renderJson(result));
  t.equal(back.samples.length, result.samples.length, 'the JSON file holds every sample');
  t.same(back.cells, result.cells);
});

t.test('HTML report is self-contained and escapes what it shows', async (t) => {
  const result = await session();
  result.cells.find((c) => c.status === 'failed')!.error = '<script>alert(1)</script> & "quotes"';
  const html = renderHtml(result);
  t.notMatch(html, /<script/i, 'no script, and the error text is escaped');
  t.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; &quot;quotes&quot;/);
  t.notMatch(html, /\b(src|href)=|url\(|@import/i, 'nothing loaded from elsewhere');
  t.equal((html.match(/https?:\/\//g) ?? []).length, (html.match(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g) ?? []).length,
    'the only URLs are SVG namespace names');
  t.match(html, /<svg [^>]*>[\s\S]*<rect [^>]*fill="#[0-9a-f]{6}"/, 'inline SVG bars');
  t.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
});

t.test('cells from samples', async (t) => {
  const w = sh('w', 'micro', '');
  const native = nativeRunner();
  const other: Runner = { ...native, id: 'other' };
  const s = (runner: string, run: number, value?: number, error?: string): Sample => ({
    workload: 'w', runner, run, ok: error === undefined, value, metrics: {}, exitCode: error ? 1 : 0, signal: null, timedOut: false, error, startedAtS: 0,
  });
  const cells = buildCells([w], [native, other], [s('native', 1, 100), s('other', 1, 900), s('native', 2, 110), s('other', 2, 1200), s('native', 3, 90), s('other', 3, 1000)]);
  t.equal(cells[1].ratio, 10, 'ratio of medians: 1000 / 100');
  const failedNative = buildCells([w], [native, other], [s('native', 1, undefined, 'exit 1: x'), s('other', 1, 5)]);
  t.match(failedNative[0], { status: 'failed', error: 'exit 1: x' });
  t.equal(failedNative[1].ratio, null, 'no ratio when native failed');
  const late = buildCells([w], [native], [s('native', 1, 100), s('native', 2, undefined, 'exit 2: late failure')]);
  t.match(late[0], { status: 'failed', error: 'exit 2: late failure' }, 'one failed run fails the cell');
});

t.test('formatting', async (t) => {
  t.equal(formatNs(123), '123ns');
  t.equal(formatNs(17_700), '17.7µs');
  t.equal(formatNs(1_234_000_000), '1.23s');
  t.equal(formatRatio(1.042), '×1.04');
  t.equal(formatRatio(123.4), '×123');
  t.equal(formatRatio(null), '×?');
});

t.test('runMeasured reports exit status, wall time and stderr', async (t) => {
  await buildPrograms(paths, ['timeit']);
  const o = await runMeasured(timeit, ['/bin/sh', '-c', 'echo out; echo err >&2; exit 4'], { cwd: repoRoot, timeoutMs: 10_000 });
  t.match(o, { exitCode: 4, signal: null, timedOut: false, stdout: 'out\n', stderr: 'err\n' });
  t.ok(o.wallNs! > 0);
  const missing = await runMeasured(timeit, ['/nonexistent/program'], { cwd: repoRoot, timeoutMs: 10_000 });
  t.match(judge('macro', missing, 10_000), { ok: false, error: 'exit 127: timeit: exec /nonexistent/program: No such file or directory' });
});

t.test('runBench command line', async (t) => {
  const text: string[] = [];
  const io = { out: { write: (s: string) => text.push(s) }, err: { write: (s: string) => text.push(s) } };
  t.equal(await runBench(['--help'], io), 0);
  t.match(text.join(''), /usage: npm run bench/);
  t.equal(await runBench(['--bogus'], io), 2);
  t.equal(await runBench(['--runs', '0'], io), 2);
  t.equal(await runBench(['--workloads', 'nonesuch'], io), 2);
  t.match(text.join(''), /no workload matches 'nonesuch'/);
});
