// `npm run bench:monitor`: what monitoring costs. The same tests as a plain run
// (`npx playwright test --project=local`) and as a monitor run (`npm run monitor -- --profile
// local`), alternated BENCH_RUNS times, with the history's size after each monitor run. Printed,
// not asserted. BENCH_SPECS narrows both runs (default: the whole local project).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cliArgs } from '../../helpers/cli/args.ts';
import { History, isPostgresUrl, shownLocation } from '../../helpers/monitor/history.ts';

const { values } = cliArgs(`usage: npm run bench:monitor [-- --runs <nights>] [--postgres <url>]
  Alternates a plain local run and a monitor run of the same tests BENCH_RUNS times (default 2) and
  prints their wall times, the monitor's overhead and the history's size after each run.
  BENCH_SPECS (space separated) narrows both runs to those spec files or folders.
  --runs <nights>  instead, simulates that many nightly runs into a history (--runs 365: a year) and
                   prints at days 1, 30, 90 and 365: the history's size, one run's monitor overhead
                   (recording, retention, dashboard, save), the dashboard's size and its render time
                   in Chromium (CHROMIUM_PATH, default /usr/bin/chromium), and the endpoint series.
  --postgres <url> keeps the history in that PostgreSQL database instead of a SQLite file, in a
                   schema of the bench's own (nhn_bench_<pid>), dropped at the end.
`, { runs: { type: 'string' }, postgres: { type: 'string' } });

/** Where this bench keeps its history: a file in `dir`, or a schema of its own in the PostgreSQL given. */
function benchHistory(dir: string): string {
  const given = values.postgres as string | undefined;
  if (!given) return path.join(dir, 'history.sqlite');
  if (!isPostgresUrl(given)) {
    process.stderr.write('--postgres takes a postgres:// URL\n');
    process.exit(2);
  }
  const url = new URL(given);
  url.searchParams.set('schema', `nhn_bench_${process.pid}`);
  return url.href;
}

async function historyBytes(location: string): Promise<number> {
  const h = await History.open(location);
  try {
    return await h.save();
  } finally {
    await h.close();
  }
}

if (values.runs !== undefined) {
  const nights = Number(values.runs);
  if (!Number.isInteger(nights) || nights < 1 || nights > 3650) {
    process.stderr.write('--runs takes a number of nights from 1 to 3650\n');
    process.exit(2);
  }
  await simulate(nights);
  process.exit(0);
}

async function simulate(nights: number): Promise<void> {
  const { simulateYear } = await import('./monitor-year.ts');
  const { chromiumMissing, launchChromium } = await import('../../helpers/chromium.ts');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'nhn-bench-year-'));
  const browser = chromiumMissing() ? undefined : await launchChromium();
  const checkpoints = new Set([1, 30, 90, 365, nights].filter((d) => d <= nights));
  const rows: string[] = [];
  const dashboard = path.join(work, 'index.html');
  const started = performance.now();
  const location = benchHistory(work);
  await simulateYear(location, dashboard, nights, async (f) => {
    if (f.night % 30 === 0) process.stdout.write(`  night ${f.night}/${nights}: history ${(f.historyBytes / 1048576).toFixed(1)} MiB, overhead ${f.overheadMs.toFixed(0)} ms\n`);
    if (!checkpoints.has(f.night)) return;
    let render = 'no Chromium';
    if (browser) {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      const t = performance.now();
      await page.goto(`file://${dashboard}`);
      await page.locator('body[data-ready="true"]').waitFor({ timeout: 30_000 });
      render = `${(performance.now() - t).toFixed(0)} ms`;
      await page.close();
    }
    rows.push(`${String(f.night).padStart(5)}  ${`${(f.historyBytes / 1048576).toFixed(2)} MiB`.padStart(10)}  ${`${f.overheadMs.toFixed(0)} ms`.padStart(9)}  ${`${(f.dashboardBytes / 1048576).toFixed(2)} MiB`.padStart(10)}  ${render.padStart(9)}  ${String(f.series).padStart(6)}`);
  });
  await browser?.close();
  await History.discard(location);
  process.stdout.write(`\na simulated year: ${nights} nightly runs of about 700 tests each in ${((performance.now() - started) / 1000).toFixed(0)} s (detail kept 30 days, aggregates 400), history in ${shownLocation(location)}\n`);
  process.stdout.write('  day     history   overhead   dashboard     render  series\n');
  for (const r of rows) process.stdout.write(`${r}\n`);
  fs.rmSync(work, { recursive: true, force: true });
}

const ROOT = path.resolve(import.meta.dirname, '../..');
const RUNS = Number(process.env.BENCH_RUNS ?? 2);
const SPECS = (process.env.BENCH_SPECS ?? '').split(/\s+/).filter(Boolean);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nhn-bench-monitor-'));
const env = { ...process.env, NHN_REPORT_DIR: dir, SANDBOX_PORT: process.env.SANDBOX_PORT ?? '5900', NHN_PROFILE: '', CI: '' };

function timed(command: string, args: string[]): Promise<{ ms: number; code: number | null }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('exit', (code) => resolve({ ms: Math.round(performance.now() - started), code }));
  });
}

const plain: number[] = [];
const monitored: number[] = [];
const sizes: number[] = [];
const history = benchHistory(dir);
for (let i = 1; i <= RUNS; i++) {
  const p = await timed('npx', ['playwright', 'test', '--project=local', ...SPECS]);
  plain.push(p.ms);
  const m = await timed('npm', ['run', '-s', 'monitor', '--', '--profile', 'local', '--history', history, ...(SPECS.length ? ['--', ...SPECS] : [])]);
  monitored.push(m.ms);
  sizes.push(await historyBytes(history));
  process.stdout.write(`run ${i}/${RUNS}: plain ${(p.ms / 1000).toFixed(1)} s (exit ${p.code}), monitor ${(m.ms / 1000).toFixed(1)} s (exit ${m.code}), history ${(sizes.at(-1)! / 1024).toFixed(0)} KiB\n`);
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
const growth = sizes.slice(1).map((s, i) => s - sizes[i]!);
process.stdout.write(
  `tests: ${SPECS.length ? SPECS.join(' ') : 'the whole local project'}; history in ${shownLocation(history)}\n` +
    `plain run median ${(median(plain) / 1000).toFixed(1)} s; monitor run median ${(median(monitored) / 1000).toFixed(1)} s; overhead ${((median(monitored) - median(plain)) / 1000).toFixed(1)} s (${Math.round((100 * (median(monitored) - median(plain))) / median(plain))}%)\n` +
    `history: ${(sizes[0]! / 1024).toFixed(0)} KiB after the first run (the published documents are stored once)${growth.length ? `, then +${(median(growth) / 1024).toFixed(0)} KiB per run` : ''}\n`,
);
await History.discard(history);
fs.rmSync(dir, { recursive: true, force: true });
