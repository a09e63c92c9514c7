// The kill matrix as one Playwright invocation: a project per fault, running the specs tagged
// with that fault's requirements against a twin with the fault planted (started in each worker's
// own process), and a clean project per twin setting that must pass. `npm run mutation` sets
// MUTATION_PLAN; the reporter prints a line per fault as soon as it is decided.
import path from 'node:path';
import { defineConfig, type PlaywrightTestProject } from '@playwright/test';
import { grepFor, plan } from './plan.ts';

const ids = JSON.parse(process.env.MUTATION_PLAN ?? '[]') as string[];
const { faults, cleans } = await plan(ids);
const environment = (faultIds: string[], twinEnv: Record<string, string> = {}) => ({ module: 'tests/mutation/twin-environment.ts', options: { faults: faultIds, twinEnv } });

const projects: PlaywrightTestProject[] = [
  ...cleans.map((c, i) => ({
    name: `clean:${i}`,
    testDir: '../../specs',
    testMatch: /.*\.spec\.ts$/,
    grep: grepFor(c.requirements),
    metadata: { profile: 'local', clean: c.key, environment: environment([], c.twinEnv) },
  })),
  ...faults.map((f) => ({
    name: `fault:${f.id}`,
    testDir: '../../specs',
    testMatch: /.*\.spec\.ts$/,
    grep: grepFor(f.requirements),
    metadata: { profile: 'local', failuresExpected: true, fault: f.id, requirements: [...f.requirements], environment: environment([f.id], { ...f.twinEnv }) },
  })),
];

export default defineConfig({
  // One worker (and one twin) per fault: its spec files run in the worker that started its twin.
  fullyParallel: false,
  retries: 0,
  workers: Number(process.env.MUTATION_WORKERS ?? 2),
  timeout: 30_000,
  expect: { timeout: 5_000 },
  outputDir: path.resolve(import.meta.dirname, '../..', process.env.NHN_REPORT_DIR ?? 'reports', 'mutation-results'),
  reporter: [['./reporter.ts', { outputFile: process.env.MUTATION_OUTPUT }]],
  use: { trace: 'off', screenshot: 'off', video: 'off' },
  projects,
});
