import os from 'node:os';
import path from 'node:path';
import { defineConfig, type PlaywrightTestProject } from '@playwright/test';
import { loadDotEnv, PROFILES, resolveProfile, selectProfiles } from './helpers/config/profiles.ts';
import { ensureRunDir } from './helpers/evidence/run-dir.ts';
import { applyLocalDefaults } from './helpers/packs/index.ts';
import { EVIDENCE_DIR_VARIABLE } from './helpers/evidence/evidence-dir.ts';

loadDotEnv();
// Profiles come from NHN_PROFILE or --project; `local` by default. Written back to the
// environment so the workers, which inherit it, build the same project list.
const profiles = selectProfiles(process.argv);
ensureRunDir();

const reportDir = process.env.NHN_REPORT_DIR ?? 'reports';
// Every exchange of the run, with the checks judged on it, goes to <report dir>/evidence/ for `npm run certify`.
process.env[EVIDENCE_DIR_VARIABLE] ??= path.resolve(reportDir, 'evidence');
// The local profile and the twin it starts share the packs' local defaults (the twin's short clocks).
if (profiles.includes('local')) applyLocalDefaults();
const local = profiles.includes('local') ? resolveProfile('local') : undefined;

const profileProjects: PlaywrightTestProject[] = profiles.map((name) => {
  const def = PROFILES[name];
  return {
    name,
    testDir: 'specs',
    testMatch: /.*\.spec\.ts$/,
    grep: def.onlyTags ? new RegExp(def.onlyTags.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')) : undefined,
    metadata: { profile: name, evidence: def.evidence },
  };
});

export default defineConfig({
  fullyParallel: true,
  // At least two workers even on two cores: much of a run is waiting on the network and the
  // twin (queues, caches, events), which a second worker overlaps.
  workers: Math.max(2, Math.floor(os.availableParallelism() / 2)),
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 5_000 },
  outputDir: `${reportDir}/test-results`,
  globalSetup: './helpers/evidence/global-setup.ts',
  reporter: [
    ['list'],
    ['html', { outputFolder: `${reportDir}/html`, open: 'never' }],
    ['junit', { outputFile: `${reportDir}/junit.xml` }],
    ['allure-playwright', { resultsDir: `${reportDir}/allure-results`, detail: false, suiteTitle: false }],
    ['./helpers/evidence/summary-reporter.ts', { outputFile: `${reportDir}/summary.json` }],
  ],
  // API mode only: no browser, no traces (a trace would hold tokens and proofs unredacted).
  use: { trace: 'off', screenshot: 'off', video: 'off' },
  projects: [{ name: 'unit', testDir: 'tests/unit', testMatch: /.*\.test\.ts$/ }, ...profileProjects],
  webServer:
    local && !process.env.NHN_TWIN_EXTERNAL
      ? {
          command: 'node --import tsx sandbox/main.ts',
          url: `${local.urls.helseid}/.well-known/openid-configuration`,
          reuseExistingServer: !process.env.CI,
          timeout: 30_000,
          stdout: 'pipe',
          stderr: 'pipe',
        }
      : undefined,
});
