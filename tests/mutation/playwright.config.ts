// The kill matrix as one Playwright invocation: a clean project per twin setting, which must pass,
// and a project per group of faults with disjoint tests, whose tests each plant their own fault
// in their worker slot's warm twin (twin-hosts.ts, twin-environment.ts) and must fail. `npm run
// mutation` hands it the plan (MUTATION_RESOLVED); a bare run makes it from MUTATION_PLAN (fault
// ids, default all). The reporter prints a line per fault as soon as it is decided.
import path from 'node:path';
import { defineConfig, type PlaywrightTestProject } from '@playwright/test';
import { grepFor, plan, SLOW_TAG, type Plan, type PlannedFault } from './plan.ts';
import { applyLocalDefaults } from '../../helpers/packs/index.ts';
import { matrixWorkers } from './twin-hosts.ts';

applyLocalDefaults();

// The plan (it lists the suite's tests, a second or two) is made once, in the runner; its
// workers inherit it through the environment, like the run's id.
process.env.MUTATION_RUN ??= `${Date.now()}-${process.pid}`;
process.env.MUTATION_RESOLVED ??= JSON.stringify(await plan(JSON.parse(process.env.MUTATION_PLAN ?? '[]') as string[]));
const { groups, cleans } = JSON.parse(process.env.MUTATION_RESOLVED) as Plan;

const outputDir = path.resolve(import.meta.dirname, '../..', process.env.NHN_REPORT_DIR ?? 'reports', 'mutation-results');
const environment = (options: { twinEnv?: Record<string, string> }) => ({ module: 'tests/mutation/twin-environment.ts', options });

const slowTag = new RegExp(`${SLOW_TAG}(?![\\w-])`);
const clean = (slow: boolean) =>
  cleans.map((c, i): PlaywrightTestProject => ({
    name: `clean:${i}${slow ? ':slow' : ''}`,
    testDir: '../../specs',
    testMatch: /.*\.spec\.ts$/,
    grep: slow ? new RegExp(`^(?=.*${slowTag.source})(?=.*${grepFor(c.requirements).source})`) : grepFor(c.requirements),
    ...(slow ? {} : { grepInvert: slowTag }),
    metadata: { profile: 'local', clean: c.key, environment: environment({ twinEnv: c.twinEnv }) },
  }));
const faulty = (faults: PlannedFault[], i: number): PlaywrightTestProject => ({
  name: `faults:${i}${faults.some((f) => f.slow) ? ':slow' : ''}`,
  // One worker per fault group: its tests re-plant one warm twin, and the groups run side by side
  // rather than each in turn on every worker, which cost a worker start per group and slot.
  workers: 1,
  testDir: '../../specs',
  testMatch: /.*\.spec\.ts$/,
  grep: grepFor(faults.flatMap((f) => f.requirements)),
  metadata: {
    profile: 'local',
    plantedFaults: { faults, killMarkers: path.join(outputDir, '.kills', process.env.MUTATION_RUN!) },
    environment: environment({}),
  },
});
const isSlow = (g: PlannedFault[]) => g.some((f) => f.slow);

// Longest first, so that no slow test finishes the run alone: Playwright hands out work in
// project order.
const projects: PlaywrightTestProject[] = [
  ...clean(true),
  ...groups.filter(isSlow).map(faulty),
  ...clean(false),
  ...groups.filter((g) => !isSlow(g)).map((g, i) => faulty(g, i + groups.filter(isSlow).length)),
];

export default defineConfig({
  // A test group is a file: its tests run in order in one worker, each planting its fault (a file
  // that declares its cases parallel, like the DPoP matrix, may spread them over the group's workers).
  fullyParallel: false,
  retries: 0,
  workers: matrixWorkers(),
  timeout: 30_000,
  expect: { timeout: 5_000 },
  outputDir,
  globalSetup: './twin-hosts.ts',
  reporter: [['./reporter.ts', { outputFile: process.env.MUTATION_OUTPUT }]],
  use: { trace: 'off', screenshot: 'off', video: 'off' },
  projects,
});
