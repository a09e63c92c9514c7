// `npm run bench:spine`: start-up and run-time figures of the spine, printed (not asserted).
// Twin start: process spawn to "ready" (and the twin's own measure); a local conformance run:
// wall time and token requests from its summary.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cliArgs } from '../../helpers/cli/args.ts';

cliArgs("usage: npm run bench:spine\n  Prints twin start-up (spawn to ready), the local run's wall time and its token requests. BENCH_RUNS sets the runs (default 5).\n", {});

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

const reportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nhn-bench-report-'));
const walls: number[] = [];
let summary: { counts: Record<string, number>; tokens: { suiteTokens: { requests: number; distinctTuples: number }; granted: number; httpCalls: number; oneRequestPerTuple: boolean } } | undefined;
for (let i = 0; i < Math.min(RUNS, 3); i++) {
  const started = performance.now();
  const run = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/@playwright/test/cli.js'), 'test', '--project=local', '--reporter=./helpers/evidence/summary-reporter.ts'], {
    cwd: ROOT,
    env: { ...process.env, NHN_REPORT_DIR: reportDir, SANDBOX_PORT: '4920', NHN_PROFILE: 'local' },
    encoding: 'utf8',
  });
  walls.push(performance.now() - started);
  if (run.status !== 0) throw new Error(`local run failed:\n${run.stdout}\n${run.stderr}`);
  summary = JSON.parse(fs.readFileSync(path.join(reportDir, 'summary.json'), 'utf8'));
}
fs.rmSync(reportDir, { recursive: true, force: true });
const t = summary!.tokens;
process.stdout.write(
  `local conformance run (${walls.length} runs, ${os.availableParallelism()} cores): median ${(median(walls) / 1000).toFixed(1)} s wall, twin start included; ` +
    `${Object.entries(summary!.counts).map(([k, n]) => `${n} ${k}`).join(', ')}\n`,
);
process.stdout.write(`tokens per run: ${t.suiteTokens.requests} suite requests for ${t.suiteTokens.distinctTuples} distinct tuples (one per tuple: ${t.oneRequestPerTuple}), ${t.granted} granted in all, ${t.httpCalls} HTTP calls to the token endpoint\n`);
