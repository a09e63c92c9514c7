// `npm run bench:mutation`: faults per minute of the kill matrix, the first runner (a twin
// process and a Playwright process per fault, two at a time) against the current one (one
// Playwright invocation in which faults with disjoint tests share a project and each test plants
// its fault in a warm twin host), on the same faults, side by side in one run. Prints its
// figures; asserts nothing.
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { selectFaults } from '../mutation/plan.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const usage = `usage: npm run bench:mutation -- [--every n] [fault-id ...]
  Runs the same faults through the first kill-matrix runner (process per fault) and the current
  one (one Playwright invocation) and prints faults per minute for each, and the ratio.
  --every n   sample every n-th fault (default 6); fault ids name the sample instead
`;
const { values, positionals } = parseArgs({ options: { every: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true });
if (values.help) {
  process.stdout.write(usage);
  process.exit(0);
}
const every = Number(values.every ?? 6);
const all = await selectFaults(positionals);
const sample = positionals.length ? all : all.filter((_, i) => i % every === 0);
const ids = sample.map((f) => f.id);
process.stdout.write(`bench:mutation: ${ids.length} faults on ${os.availableParallelism()} cores: ${ids.join(', ')}\n`);

function run(label: string, script: string): { seconds: number; score: string } {
  process.stdout.write(`${label}: running…\n`);
  const started = performance.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, script), ...ids], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NHN_PROFILE: 'local' }, maxBuffer: 64 * 1024 * 1024 });
  const seconds = (performance.now() - started) / 1000;
  const score = /mutation score: (\d+\/\d+)/.exec(r.stdout)?.[1] ?? `none (exit ${r.status}): ${r.stderr.slice(-300)}`;
  process.stdout.write(`${label}: ${seconds.toFixed(1)} s, score ${score}\n`);
  return { seconds, score };
}

const before = run('process per fault (first runner)', 'tests/mutation/process-per-fault.ts');
const after = run('one Playwright invocation (current)', 'tests/mutation/run.ts');
const perMinute = (s: number) => (ids.length / s) * 60;
process.stdout.write(
  [
    '',
    '| runner | wall time | faults per minute | seconds per fault | score |',
    '|---|---|---|---|---|',
    `| process per fault | ${before.seconds.toFixed(1)} s | ${perMinute(before.seconds).toFixed(1)} | ${(before.seconds / ids.length).toFixed(2)} | ${before.score} |`,
    `| one invocation | ${after.seconds.toFixed(1)} s | ${perMinute(after.seconds).toFixed(1)} | ${(after.seconds / ids.length).toFixed(2)} | ${after.score} |`,
    '',
    `speed-up per fault: ${(before.seconds / after.seconds).toFixed(2)}×`,
    '',
  ].join('\n'),
);
