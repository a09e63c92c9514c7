// The summary reporter on its own: a retry that passes keeps its first failure (flaky, never
// silently green), the token ledger comes from the tests' results, and a run in which every test
// was skipped fails with the reasons.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '../../fixtures/base.ts';
import type { FullResult, TestCase, TestResult } from '@playwright/test/reporter';
import SummaryReporter from '../../helpers/evidence/summary-reporter.ts';
import { LEDGER_ATTACHMENT } from '../../helpers/evidence/token-ledger.ts';

function fakeTest(id: string, title: string, retries = 1): TestCase {
  return {
    id,
    title,
    retries,
    tags: ['@PIT-SORT-001'],
    annotations: [],
    location: { file: path.resolve('specs/pit/search.spec.ts'), line: 1, column: 1 },
    titlePath: () => ['', 'local', 'specs/pit/search.spec.ts', title],
    parent: { project: () => ({ name: 'local', metadata: {} }) },
  } as unknown as TestCase;
}

function result(status: TestResult['status'], retry: number, extra: Partial<TestResult> = {}): TestResult {
  return { status, retry, duration: 5, errors: status === 'failed' ? [{ message: 'Error: socket hang up' }] : [], annotations: [], attachments: [], ...extra } as unknown as TestResult;
}

async function summarise(feed: (r: SummaryReporter) => void) {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nhn-summary-')), 'summary.json');
  // Its own folders: the run this test is part of keeps its exchanges and its token cache.
  const reporter = new SummaryReporter({ outputFile: file, evidenceDir: null, runDir: fs.mkdtempSync(path.join(os.tmpdir(), 'nhn-summary-run-')) });
  reporter.onBegin({ projects: [] } as never, { suites: [] } as never);
  feed(reporter);
  const write = process.stdout.write;
  const stderr = process.stderr.write;
  let printed = '';
  process.stdout.write = (() => true) as never;
  process.stderr.write = ((s: string) => ((printed += s), true)) as never;
  let outcome;
  try {
    outcome = await reporter.onEnd({ status: 'passed', startTime: new Date(), duration: 10 } as FullResult);
  } finally {
    process.stdout.write = write;
    process.stderr.write = stderr;
  }
  return { summary: JSON.parse(fs.readFileSync(file, 'utf8')), outcome, printed };
}

test('a test that passes on its retry is flaky with its first failure kept; the ledger comes from every attempt', async () => {
  const ledger = (outcome: string) => ({ name: LEDGER_ATTACHMENT, contentType: 'application/json', body: Buffer.from(JSON.stringify({ at: '2026-11-22T00:00:00Z', tuple: { issuer: 'i', clientId: 'c', grant: 'client_credentials', audience: 'a', scopes: ['s'], jkt: 'k' }, outcome, httpCalls: 1, nonceChallenges: 0, cached: true })) });
  const t = fakeTest('t1', 'sorts');
  const { summary } = await summarise((r) => {
    r.onTestEnd(t, result('failed', 0, { attachments: [ledger('granted')] }));
    r.onTestEnd(t, result('passed', 1, { attachments: [ledger('refused')] }));
  });
  expect(summary.tests).toHaveLength(1);
  expect(summary.tests[0].verdict).toBe('passed');
  expect(summary.tests[0].flaky).toEqual({ attempts: 2, firstFailure: { class: 'contract', message: 'Error: socket hang up' } });
  expect(summary.flaky).toHaveLength(1);
  expect(summary.tokens).toMatchObject({ requests: 2, granted: 1, refused: 1 });
});

test('a run in which every test was skipped fails, naming why they skipped', async () => {
  const { summary, outcome, printed } = await summarise((r) => {
    for (const i of [1, 2, 3]) r.onTestEnd(fakeTest(`s${i}`, `t${i}`, 0), result('skipped', 0, { annotations: [{ type: 'skip', description: 'profile test has no HelseID client (set HELSEID_CLIENT_ID and HELSEID_CLIENT_JWK or HELSEID_CLIENT_JWK_FILE)' }] }));
  });
  expect(outcome).toEqual({ status: 'failed' });
  expect(summary.run.status).toBe('failed');
  expect(summary.run.allSkipped).toBe(true);
  expect(printed).toContain('every one of the 3 tests was skipped, so this run proved nothing and fails');
  expect(printed).toContain('3 × profile test has no HelseID client (set HELSEID_CLIENT_ID');
});

test('a test of a serial group that did not run is recorded once, however many attempts its group had', async () => {
  const failing = fakeTest('g1', 'first of the group');
  const after = fakeTest('g2', 'second of the group');
  const { summary } = await summarise((r) => {
    r.onTestEnd(failing, result('failed', 0));
    r.onTestEnd(after, result('skipped', 0));
    r.onTestEnd(failing, result('failed', 1));
    r.onTestEnd(after, result('skipped', 1));
  });
  expect(summary.tests.map((t: { id: string; verdict: string }) => `${t.id} ${t.verdict}`)).toEqual(['g1 failed', 'g2 skipped']);
  expect(summary.counts).toMatchObject({ failed: 1, skipped: 1 });
});
