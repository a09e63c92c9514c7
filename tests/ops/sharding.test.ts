// A sharded run merged from its blob reports gives the same summary as the same tests unsharded:
// which tests ran and their verdicts, the requirements' verdicts, the token ledger and which
// measurements each test took (they travel in the test results, not in a run folder).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { summaryDifferences } from '../../helpers/evidence/summary-compare.ts';
import { opsPort, run } from './support/run.ts';

// Token requests (suite, refused and exchanged), a measurement, a load of requirements.
const FILES = ['specs/helseid/', 'specs/pit/submit.spec.ts', 'specs/pit/search.spec.ts'];

test('two shards merged give the summary of the unsharded run', async ({}, info) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nhn-shards-'));
  const env = { SANDBOX_PORT: String(opsPort(info.parallelIndex)), CI: '' };
  const playwright = (reportDir: string, ...args: string[]) => run('npx', ['playwright', 'test', '--project=local', ...FILES, ...args], { ...env, NHN_REPORT_DIR: reportDir });
  const whole = await playwright(path.join(dir, 'whole'));
  expect(whole.code, whole.out.slice(-1500)).toBe(0);
  for (const shard of ['1/2', '2/2']) {
    const r = await playwright(path.join(dir, `shard-${shard[0]}`), `--shard=${shard}`);
    expect(r.code, r.out.slice(-1500)).toBe(0);
  }
  const blobs = path.join(dir, 'blobs');
  fs.mkdirSync(blobs);
  for (const shard of ['1', '2']) for (const f of fs.readdirSync(path.join(dir, `shard-${shard}`, 'blob'))) fs.copyFileSync(path.join(dir, `shard-${shard}`, 'blob', f), path.join(blobs, f));
  // The merge runs where no twin is up, on another port even: the targets come from the blobs.
  const merged = await run('npx', ['playwright', 'merge-reports', '--config', 'playwright.config.ts', blobs], { NHN_REPORT_DIR: path.join(dir, 'merged'), SANDBOX_PORT: '' });
  expect(merged.code, merged.out.slice(-1500)).toBe(0);
  const read = (d: string) => JSON.parse(fs.readFileSync(path.join(dir, d, 'summary.json'), 'utf8'));
  const a = read('whole');
  const b = read('merged');
  expect(a.tests.length).toBeGreaterThan(50);
  expect(a.tokens.requests, 'the tests asked for tokens').toBeGreaterThan(10);
  expect(a.measurements.length, 'a test measured something').toBeGreaterThan(0);
  // Each shard alone holds part of the ledger; only the merge holds all of it.
  expect(read('shard-1').tokens.requests).toBeLessThan(a.tokens.requests);
  expect(summaryDifferences(a, b)).toEqual([]);
  fs.rmSync(dir, { recursive: true, force: true });
});
