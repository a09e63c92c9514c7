import os from 'node:os';
import path from 'node:path';
import { defineConfig, type PlaywrightTestProject } from '@playwright/test';
import { ConfigurationError, loadDotEnv, PROFILES, resolveProfile, selectProfiles, shardOf, type ProfileName } from './helpers/config/profiles.ts';
import { profileTargets, type ProfileTargets } from './helpers/evidence/summary-reporter.ts';
import { suiteVersion } from './helpers/evidence/suite-identity.ts';
import { ensureRunDir } from './helpers/evidence/run-dir.ts';
import { applyLocalDefaults } from './helpers/packs/index.ts';
import { EVIDENCE_DIR_VARIABLE } from './helpers/evidence/evidence-dir.ts';
import { newRunId, partialFilter, REPORT_ROOT_VARIABLE, RUN_ID_VARIABLE, stagingDir } from './helpers/evidence/runs.ts';

loadDotEnv();
// Profiles come from NHN_PROFILE or --project; `local` by default. Written back to the
// environment so the workers, which inherit it, build the same project list.
let profiles: ProfileName[];
try {
  profiles = selectProfiles(process.argv);
  // Every pack's and the suite's variables, checked before anything is written.
  for (const name of profiles) resolveProfile(name);
} catch (e) {
  if (e instanceof ConfigurationError) process.stderr.write(`[runs] wrote nothing: a configuration error (${e.message})\n`);
  throw e;
}
ensureRunDir();

// Each run writes into a staging folder of its own under <report dir>/runs/; the summary reporter
// keeps it as runs/<id> when the run executed tests, and drops it otherwise (helpers/evidence/runs.ts).
// The main process picks the id; the workers inherit it, and the report root, through the environment.
const reportRoot = process.env[REPORT_ROOT_VARIABLE] || process.env.NHN_REPORT_DIR || 'reports';
process.env[REPORT_ROOT_VARIABLE] = reportRoot;
process.env[RUN_ID_VARIABLE] ||= newRunId(profiles);
const runId = process.env[RUN_ID_VARIABLE]!;
const reportDir = stagingDir(reportRoot, runId);
process.env.NHN_REPORT_DIR = reportDir;
const merging = process.argv.includes('merge-reports');
// A shard from the command line (--shard=i/n) or from NHN_SHARD (npm test in a CI matrix).
const envShard = shardOf();
const sharded = process.argv.map((a, i, all) => (a.startsWith('--shard=') ? a.slice(8) : a === '--shard' ? all[i + 1] : undefined)).find(Boolean) ?? (envShard ? `${envShard.current}/${envShard.total}` : undefined);
// Every exchange of the run, with the checks judged on it, goes to <report dir>/evidence/ for `npm run certify`.
process.env[EVIDENCE_DIR_VARIABLE] ??= path.resolve(reportDir, 'evidence');
// The local profile and the twin it starts share the packs' local defaults (the twin's short clocks).
if (profiles.includes('local')) applyLocalDefaults();

function targetsOf(name: ProfileName): ProfileTargets | undefined {
  try {
    return profileTargets(name);
  } catch {
    return undefined; // the profile's tests fail with the reason
  }
}

/** Allure's environment panel: the profiles, every URL with where it came from, the suite's version and commit. */
function allureEnvironment(): Record<string, string> {
  const suite = suiteVersion();
  const info: Record<string, string> = { profiles: profiles.join(', '), suite: `${suite.name} ${suite.version}`, commit: `${suite.commit ?? 'unknown'}${suite.dirty ? ' (uncommitted changes)' : ''}` };
  for (const name of profiles) {
    for (const t of targetsOf(name)?.targets ?? []) info[`${name}.${t.service}`] = `${t.url} (${t.source})`;
  }
  return info;
}

// At least two workers per environment even on two cores: much of a run against an environment is
// waiting on the network and the twin (queues, caches, events), which a second worker overlaps.
// The unit tests wait on nothing but the CPU; they get workers of their own beside those, so that
// they fill the environment's waits instead of running first while it is idle. An environment
// sees no more concurrent tests than before: the limit is per project. Unit tests run alone
// (--project=unit) have the environment's share too.
const environmentWorkers = Math.max(2, Math.floor(os.availableParallelism() / 2));
const unitWorkers = profiles.length ? Math.max(1, Math.floor(environmentWorkers / 2)) : environmentWorkers;

const profileProjects: PlaywrightTestProject[] = profiles.map((name) => {
  const def = PROFILES[name];
  return {
    name,
    testDir: 'specs',
    testMatch: /.*\.spec\.ts$/,
    grep: def.onlyTags ? new RegExp(def.onlyTags.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')) : undefined,
    // Where this profile's tests go, resolved here so that the targets travel with a shard's blob
    // report and a merge reports where the run went, not where the merge happens.
    metadata: { profile: name, evidence: def.evidence, targets: targetsOf(name) },
    workers: environmentWorkers,
  };
});

export default defineConfig({
  fullyParallel: true,
  shard: envShard,
  workers: profiles.length ? environmentWorkers + unitWorkers : unitWorkers,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 5_000 },
  outputDir: `${reportDir}/test-results`,
  globalSetup: './helpers/evidence/global-setup.ts',
  reporter: [
    ['list'],
    // A shard (--shard=i/n) also leaves a blob report; `npx playwright merge-reports --config
    // playwright.config.ts <folder of blobs>` then runs every reporter below over the whole run.
    ...(sharded ? [['blob', { outputDir: `${reportRoot}/blob`, fileName: `shard-${sharded.replace('/', '-of-')}.zip` }] as const] : []),
    ['html', { outputFolder: `${reportDir}/html`, open: 'never' }],
    // npm run bench:spine: Playwright's JSON report, for where the time went.
    ...(process.env.NHN_BENCH_TIMELINE ? [['json', { outputFile: process.env.NHN_BENCH_TIMELINE }] as const] : []),
    ['junit', { outputFile: `${reportDir}/junit.xml` }],
    // Each shard writes its own Allure results (Allure reads several folders); a merge does not redo them.
    ...(merging ? [] : [['./helpers/evidence/allure-reporter.ts', { resultsDir: `${reportDir}/allure-results`, detail: false, suiteTitle: false, environmentInfo: process.env.TEST_WORKER_INDEX ? undefined : allureEnvironment() }] as const]),
    [
      './helpers/evidence/summary-reporter.ts',
      { outputFile: `${reportDir}/summary.json`, run: { root: reportRoot, id: runId, command: process.argv.slice(2).join(' '), partial: merging ? undefined : partialFilter(process.argv), shard: sharded } },
    ],
  ],
  // API mode only: no browser, no traces (a trace would hold tokens and proofs unredacted).
  use: { trace: 'off', screenshot: 'off', video: 'off' },
  projects: [{ name: 'unit', testDir: 'tests/unit', testMatch: /.*\.test\.ts$/, workers: unitWorkers }, ...profileProjects],
});
