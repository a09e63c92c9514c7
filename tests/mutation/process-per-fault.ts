// The kill matrix's first runner, kept as the baseline `npm run bench:mutation` measures the
// current one against: for each fault it spawns a twin process and a Playwright process, one
// after the other, in a pool of two. It decides kills with the same classifier as the current
// runner. Not used by `npm test`.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { classifyResult, isKill } from '../../helpers/evidence/outcome.ts';
import { loadFaults } from '../../sandbox/core/faults.ts';
import { grepFor } from './plan.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const PLAYWRIGHT = path.join(ROOT, 'node_modules/@playwright/test/cli.js');
const FIRST_PORT = Number(process.env.MUTATION_PORT ?? 4800);
const PARALLEL = Math.max(1, Number(process.env.MUTATION_PARALLEL ?? Math.min(2, os.availableParallelism())));

interface TestOutcome {
  title: string;
  tags: string[];
  status: string;
  kill: boolean;
  clean: boolean;
}

/** Every twin this run started, so none outlives it whatever happens. */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

interface Twin {
  process: ChildProcess;
  stateDir: string;
  port: number;
}

async function startTwin(port: number, faults: string[], twinEnv: Record<string, string> = {}): Promise<Twin> {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nhn-mutation-twin-'));
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'sandbox/main.ts')], {
    cwd: ROOT,
    env: { ...process.env, ...twinEnv, SANDBOX_PORT: String(port), SANDBOX_FAULTS: faults.join(','), SANDBOX_STATE_DIR: stateDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.on('exit', () => running.delete(child));
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`twin on ${port} not ready after 20 s:\n${output}`)), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      output += d.toString();
      if (output.includes('NHN twin ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`twin on ${port} exited with ${code}:\n${output}`));
    });
  });
  child.removeAllListeners('exit');
  return { process: child, stateDir, port };
}

async function stopTwin(twin: Twin): Promise<void> {
  await new Promise<void>((resolve) => {
    if (twin.process.exitCode !== null) return resolve();
    twin.process.once('exit', () => resolve());
    twin.process.kill('SIGTERM');
    setTimeout(() => twin.process.kill('SIGKILL'), 3_000).unref();
  });
  fs.rmSync(twin.stateDir, { recursive: true, force: true });
}

interface Annotation {
  type: string;
}

interface JsonSuite {
  specs?: Array<{
    title: string;
    tags?: string[];
    tests: Array<{ annotations?: Annotation[]; results: Array<{ status: string; annotations?: Annotation[]; errors?: Array<{ message?: string; stack?: string }> }> }>;
  }>;
  suites?: JsonSuite[];
}

async function runSpecs(twin: Twin, requirements: readonly string[], twinEnv: Record<string, string> = {}): Promise<TestOutcome[]> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'nhn-mutation-run-'));
  const runDir = path.join(work, 'run');
  fs.mkdirSync(runDir, { mode: 0o700 });
  const child = spawn(process.execPath, [PLAYWRIGHT, 'test', '--project=local', '--reporter=json', '--workers=1', '--grep', grepFor(requirements).source], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...twinEnv,
      NHN_PROFILE: 'local',
      NHN_TWIN_EXTERNAL: '1',
      SANDBOX_PORT: String(twin.port),
      SANDBOX_STATE_DIR: twin.stateDir,
      NHN_REPORT_DIR: work,
      NHN_RUN_DIR: runDir,
      PLAYWRIGHT_JSON_OUTPUT_NAME: path.join(work, 'results.json'),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  await new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const file = path.join(work, 'results.json');
  if (!fs.existsSync(file)) throw new Error(`playwright wrote no results: ${stderr}`);
  const report = JSON.parse(fs.readFileSync(file, 'utf8')) as { suites: JsonSuite[]; errors?: Array<{ message: string }> };
  fs.rmSync(work, { recursive: true, force: true });
  // No test with these tags: the fault cannot be killed, which the caller reports as such.
  if (report.errors?.length && report.errors.every((e) => /No tests found/.test(e.message))) return [];
  if (report.errors?.length) throw new Error(`playwright failed to run: ${report.errors.map((e) => e.message).join('\n')}`);
  const out: TestOutcome[] = [];
  const walk = (s: JsonSuite) => {
    for (const spec of s.specs ?? []) {
      for (const t of spec.tests) {
        const last = t.results[t.results.length - 1];
        const annotations = [...(t.annotations ?? []), ...(last?.annotations ?? [])];
        const outcome = classifyResult({ status: (last?.status ?? 'failed') as 'failed', errors: last?.errors ?? [] }, annotations);
        out.push({
          title: spec.title,
          tags: (spec.tags ?? []).map((x) => x.replace(/^@?/, '@')),
          status: last?.status ?? 'unknown',
          kill: isKill(outcome),
          clean: outcome.verdict === 'passed' || outcome.verdict === 'skipped' || outcome.verdict === 'inconclusive',
        });
      }
    }
    s.suites?.forEach(walk);
  };
  report.suites.forEach(walk);
  return out;
}

function touches(test: TestOutcome, requirements: readonly string[]): boolean {
  return test.tags.some((t) => requirements.includes(t.slice(1)));
}

async function pool<T, R>(items: T[], size: number, work: (item: T, slot: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(size, items.length) }, async (_, slot) => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i]!, slot);
      }
    }),
  );
  return results;
}

async function main(): Promise<number> {
  const started = performance.now();
  const FAULTS = Object.fromEntries(await loadFaults());
  const only = process.argv.slice(2);
  const ids = only.length ? only : Object.keys(FAULTS);
  for (const id of ids) if (!(id in FAULTS)) throw new Error(`unknown fault ${id}`);
  const union = [...new Set(ids.flatMap((id) => FAULTS[id]!.requirements))];
  const envOf = (id: string): Record<string, string> => ({ ...FAULTS[id]!.twinEnv });

  // Clean baselines: every spec the matrix relies on passes against a twin without faults, one
  // baseline per twin setting the faults need (e.g. resource servers that want nonces).
  const baselines = new Map<string, TestOutcome[]>();
  for (const key of new Set(ids.map((id) => JSON.stringify(envOf(id))))) {
    const twinEnv = JSON.parse(key) as Record<string, string>;
    const requirements = [...new Set(ids.filter((id) => JSON.stringify(envOf(id)) === key).flatMap((id) => FAULTS[id]!.requirements))];
    const clean = await startTwin(FIRST_PORT, [], twinEnv);
    try {
      baselines.set(key, await runSpecs(clean, requirements, twinEnv));
    } finally {
      await stopTwin(clean);
    }
  }
  const baseline = [...baselines.values()].flat();

  const lines = await pool(ids, PARALLEL, async (id, slot) => {
    const fault = FAULTS[id]!;
    const cleanTests = baselines.get(JSON.stringify(envOf(id)))!.filter((t) => touches(t, fault.requirements));
    const cleanFailures = cleanTests.filter((t) => !t.clean);
    const twin = await startTwin(FIRST_PORT + 20 * (slot + 1), [id], envOf(id));
    let faulty: TestOutcome[];
    try {
      faulty = await runSpecs(twin, fault.requirements, envOf(id));
    } finally {
      await stopTwin(twin);
    }
    const kills = faulty.filter((t) => t.kill);
    const infra = faulty.filter((t) => !t.kill && t.status !== 'passed' && t.status !== 'skipped').length;
    const killed = kills.length > 0 && cleanTests.length > 0 && cleanFailures.length === 0;
    const what = `${id.padEnd(28)} (${fault.requirements.join(', ')})`;
    const detail = !cleanTests.length
      ? 'no test carries these requirement tags'
      : cleanFailures.length
        ? `clean twin fails ${cleanFailures.length}: ${cleanFailures.map((t) => t.title).join('; ')}`
        : `${kills.length}/${faulty.length} tests caught it${infra ? `, ${infra} infrastructure failures not counted` : ''}; clean: ${cleanTests.filter((t) => t.status === 'passed').length} passed`;
    return { killed, line: `${killed ? 'KILLED  ' : 'SURVIVED'} ${what}  ${detail}` };
  });

  for (const l of lines) process.stdout.write(`${l.line}\n`);
  const score = lines.filter((l) => l.killed).length;
  process.stdout.write(`kill matrix: ${ids.length} faults, ${union.length} requirements, ${baseline.length} clean tests, ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  process.stdout.write(`mutation score: ${score}/${ids.length}\n`);
  return score === ids.length ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`kill matrix could not run: ${error.message}\n`);
    process.exit(2);
  },
);
