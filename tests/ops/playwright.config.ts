// The operations phase of `npm test`: tests that run whole commands (the README's, the monitor,
// the drift sentinel, sharded runs and their merge, the dashboard in Chromium). They spawn
// processes and twins of their own, so they stay out of `npx playwright test`, whose budget is
// the suite itself; `npm run test:ops` runs them after it.
import path from 'node:path';
import { defineConfig } from '@playwright/test';
import { shardOf } from '../../helpers/config/profiles.ts';

const root = path.resolve(import.meta.dirname, '../..');

export default defineConfig({
  testDir: '.',
  testMatch: /.*\.test\.ts$/,
  fullyParallel: true,
  // npm test in a CI matrix (NHN_SHARD=i/n) runs its share of these too.
  shard: shardOf(),
  workers: 2,
  retries: 0,
  timeout: 120_000,
  forbidOnly: Boolean(process.env.CI),
  outputDir: path.join(root, process.env.NHN_REPORT_DIR ?? 'reports', 'ops-results'),
  reporter: [['list']],
  use: { trace: 'off', screenshot: 'off', video: 'off' },
});
