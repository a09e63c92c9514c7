// `npm run bench:spine`: start-up and run-time figures of the spine, printed (not asserted).
// Twin start: process spawn to "ready" (and the twin's own measure); the main job (the unit
// tests and the local project, as `npx playwright test` runs them): wall time against the budget
// and the goal, where the time went, and token requests from its summary.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cliArgs } from '../../helpers/cli/args.ts';

cliArgs("usage: npm run bench:spine\n  Prints twin start-up (spawn to ready), then runs the main job (npx playwright test) and prints its wall time against the 60 s budget and the 40 s goal, with where the time went: before the first test, each worker and project, after the last test, the slowest tests, the browser login. BENCH_RUNS sets the runs (default 5; at most 3 of the main job).\n", {});

const ROOT = path.resolve(import.meta.dirname, '../..');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function twinStart(port: number): Promise<{ spawnToReady: number; internal: number }> {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nhn-bench-'));
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'sandbox/main.ts')], {
    cwd: ROOT,
    env: { ...process.env, SANDBOX_PORT: String(port), SANDBOX_STATE_DIR: stateDir },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('NHN twin ready')) resolve(out);
    });
    child.on('exit', (code) => reject(new Error(`twin exited ${code}`)));
  });
  const spawnToReady = performance.now() - started;
  child.removeAllListeners('exit');
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  fs.rmSync(stateDir, { recursive: true, force: true });
  return { spawnToReady, internal: Number(/ready in (\d+) ms/.exec(line)?.[1] ?? NaN) };
}

const starts = [];
for (let i = 0; i < RUNS; i++) starts.push(await twinStart(4900));
process.stdout.write(`twin start (${RUNS} runs): median ${median(starts.map((s) => s.spawnToReady)).toFixed(0)} ms from spawn to ready (node + tsx + twin), twin itself ${median(starts.map((s) => s.internal)).toFixed(0)} ms\n`);

const BUDGET_S = 60;
const GOAL_S = 40;

interface JsonResult { startTime: string; duration: number; workerIndex: number; status: string }
interface JsonSpec { title: string; tests: Array<{ projectName: string; results: JsonResult[] }> }
interface JsonSuite { file?: string; specs?: JsonSpec[]; suites?: JsonSuite[] }
interface Row { start: number; end: number; worker: number; project: string; file: string; title: string }

function rowsOf(report: { suites: JsonSuite[] }): Row[] {
  const rows: Row[] = [];
  const walk = (s: JsonSuite, file: string) => {
    for (const spec of s.specs ?? []) for (const t of spec.tests) for (const r of t.results) {
      const start = Date.parse(r.startTime);
      rows.push({ start, end: start + r.duration, worker: r.workerIndex, project: t.projectName, file: s.file ?? file, title: spec.title });
    }
    for (const c of s.suites ?? []) walk(c, s.file ?? file);
  };
  for (const s of report.suites) walk(s, s.file ?? '');
  return rows;
}

const reportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nhn-bench-report-'));
const walls: number[] = [];
let summary: { counts: Record<string, number>; tokens: { suiteTokens: { requests: number; distinctTuples: number }; granted: number; httpCalls: number; oneRequestPerTuple: boolean }; logins?: Array<{ totalMs: number; steps: Array<{ name: string; ms: number }> }> } | undefined;
let breakdown: { startedAt: number; duration: number; rows: Row[] } | undefined;
for (let i = 0; i < Math.min(RUNS, 3); i++) {
  const started = performance.now();
  // The main job as a user runs it (`npx playwright test`: the unit tests and the local project),
  // with Playwright's JSON report beside the suite's summary for the breakdown.
  const timeline = path.join(reportDir, 'timeline.json');
  const run = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/@playwright/test/cli.js'), 'test'], {
    cwd: ROOT,
    env: { ...process.env, NHN_REPORT_DIR: reportDir, NHN_BENCH_TIMELINE: timeline, SANDBOX_PORT: '4920', NHN_PROFILE: '', CI: '' },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  walls.push(performance.now() - started);
  if (run.status !== 0) throw new Error(`the main job failed:\n${run.stdout.slice(-3000)}\n${run.stderr.slice(-3000)}`);
  const report = JSON.parse(fs.readFileSync(timeline, 'utf8')) as { stats: { startTime: string; duration: number }; suites: JsonSuite[] };
  breakdown = { startedAt: Date.parse(report.stats.startTime), duration: report.stats.duration, rows: rowsOf(report) };
  summary = JSON.parse(fs.readFileSync(path.join(reportDir, 'latest', 'summary.json'), 'utf8'));
  process.stdout.write(`  run ${i + 1}: ${(walls.at(-1)! / 1000).toFixed(1)} s from the command to its exit\n`);
}
fs.rmSync(reportDir, { recursive: true, force: true });
const t = summary!.tokens;
const wall = median(walls) / 1000;
process.stdout.write(
  `main job, npx playwright test (${walls.length} runs, ${os.availableParallelism()} cores): median ${wall.toFixed(1)} s from the command to its exit; ` +
    `${(wall / BUDGET_S).toFixed(2)} of the ${BUDGET_S} s budget, ${(wall / GOAL_S).toFixed(2)} of the ${GOAL_S} s goal; ` +
    `${Object.entries(summary!.counts).filter(([, n]) => n).map(([k, n]) => `${n} ${k}`).join(', ')}\n`,
);
// Where the last run's time went.
const b = breakdown!;
const at = (ms: number) => `${((ms - b.startedAt) / 1000).toFixed(1)} s`;
const first = Math.min(...b.rows.map((r) => r.start));
process.stdout.write(`breakdown of the last run (Playwright's own ${(b.duration / 1000).toFixed(1)} s):\n`);
process.stdout.write(`  before the first test: ${at(first)} (configuration, global setup; the twin starts in the background meanwhile)\n`);
const byWorker = new Map<number, Row[]>();
for (const r of b.rows) byWorker.set(r.worker, [...(byWorker.get(r.worker) ?? []), r]);
for (const [w, rows] of [...byWorker].sort((x, y) => x[0] - y[0])) {
  const busy = rows.reduce((n, r) => n + r.end - r.start, 0);
  const from = Math.min(...rows.map((r) => r.start));
  const to = Math.max(...rows.map((r) => r.end));
  process.stdout.write(`  worker ${w} (${rows[0]!.project}): ${at(from)} → ${at(to)}, ${rows.length} tests, busy ${(busy / 1000).toFixed(1)} s, between tests ${((to - from - busy) / 1000).toFixed(1)} s\n`);
}
for (const project of [...new Set(b.rows.map((r) => r.project))]) {
  const rows = b.rows.filter((r) => r.project === project);
  process.stdout.write(`  project ${project}: ${at(Math.min(...rows.map((r) => r.start)))} → ${at(Math.max(...rows.map((r) => r.end)))}, test time ${(rows.reduce((n, r) => n + r.end - r.start, 0) / 1000).toFixed(1)} s over ${rows.length} tests\n`);
}
process.stdout.write(`  after the last test: ${((b.startedAt + b.duration - Math.max(...b.rows.map((r) => r.end))) / 1000).toFixed(1)} s (reports)\n`);
process.stdout.write('  slowest tests:\n');
for (const r of [...b.rows].sort((x, y) => y.end - y.start - (x.end - x.start)).slice(0, 10)) process.stdout.write(`    ${((r.end - r.start) / 1000).toFixed(2).padStart(5)} s  ${r.file} › ${r.title.slice(0, 90)}\n`);
for (const l of summary!.logins ?? []) process.stdout.write(`  browser login (HID-CODE-006): ${l.totalMs} ms (${l.steps.map((s) => `${s.name} ${s.ms} ms`).join(', ')}); Chromium's start is outside it\n`);
process.stdout.write(`tokens per run: ${t.suiteTokens.requests} suite requests for ${t.suiteTokens.distinctTuples} distinct tuples (one per tuple: ${t.oneRequestPerTuple}), ${t.granted} granted in all, ${t.httpCalls} HTTP calls to the token endpoint\n`);
