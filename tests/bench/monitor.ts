// `npm run bench:monitor`: what monitoring costs. The same tests as a plain run
// (`npx playwright test --project=local`) and as a monitor run (`npm run monitor -- --profile
// local`), alternated BENCH_RUNS times, with the history's size after each monitor run. Printed,
// not asserted. BENCH_SPECS narrows both runs (default: the whole local project).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cliArgs } from '../../helpers/cli/args.ts';

cliArgs(`usage: npm run bench:monitor
  Alternates a plain local run and a monitor run of the same tests BENCH_RUNS times (default 2) and
  prints their wall times, the monitor's overhead and the history's size after each run.
  BENCH_SPECS (space separated) narrows both runs to those spec files or folders.
`, {});

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
const history = path.join(dir, 'history.sqlite');
for (let i = 1; i <= RUNS; i++) {
  const p = await timed('npx', ['playwright', 'test', '--project=local', ...SPECS]);
  plain.push(p.ms);
  const m = await timed('npm', ['run', '-s', 'monitor', '--', '--profile', 'local', '--history', history, ...(SPECS.length ? ['--', ...SPECS] : [])]);
  monitored.push(m.ms);
  sizes.push(fs.statSync(history).size);
  process.stdout.write(`run ${i}/${RUNS}: plain ${(p.ms / 1000).toFixed(1)} s (exit ${p.code}), monitor ${(m.ms / 1000).toFixed(1)} s (exit ${m.code}), history ${(sizes.at(-1)! / 1024).toFixed(0)} KiB\n`);
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
const growth = sizes.slice(1).map((s, i) => s - sizes[i]!);
process.stdout.write(
  `tests: ${SPECS.length ? SPECS.join(' ') : 'the whole local project'}\n` +
    `plain run median ${(median(plain) / 1000).toFixed(1)} s; monitor run median ${(median(monitored) / 1000).toFixed(1)} s; overhead ${((median(monitored) - median(plain)) / 1000).toFixed(1)} s (${Math.round((100 * (median(monitored) - median(plain))) / median(plain))}%)\n` +
    `history: ${(sizes[0]! / 1024).toFixed(0)} KiB after the first run (the published documents are stored once)${growth.length ? `, then +${(median(growth) / 1024).toFixed(0)} KiB per run` : ''}\n`,
);
fs.rmSync(dir, { recursive: true, force: true });
