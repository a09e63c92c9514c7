// The fuzzer finds a planted bug (PTS crashing on an out-of-range delayDays: 500, an HTML page
// and a stack trace), shrinks it to the boundary and saves a case that --replay re-sends; the
// same case is answered as documented by the clean twin. And it refuses what it must: prod
// always, an NHN environment unless named twice, more requests than the cap.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { opsPort, run } from './support/run.ts';

const fuzz = (args: string[], env: NodeJS.ProcessEnv) => run('npm', ['run', '-s', 'fuzz', '--', ...args], env);

test('the fuzzer finds the planted crash, shrinks it, and its replay file fails on the broken twin and passes on the clean one', async ({}, info) => {
  test.setTimeout(180_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nhn-fuzz-'));
  const env = { SANDBOX_PORT: String(opsPort(info.parallelIndex)), NHN_REPORT_DIR: dir };
  const planted = await fuzz(['--api', 'pts', '--requests', '400', '--seed', '3'], { ...env, SANDBOX_FAULTS: 'pts-crash-on-out-of-range-delay' });
  expect(planted.code, planted.out).toBe(1);
  expect(planted.out).toMatch(/FAIL pts createRestriction · out-of-range: answered 500: a server error; answered an HTML page \(text\/html\); the answer holds a stack trace/);
  const file = path.join(dir, 'fuzz', 'failures', 'pts-createRestriction-out-of-range.json');
  const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as { case: { body: string; note: string }; problems: string[] };
  // Shrunk to the boundary: the first value below the minimum of 0.
  expect(JSON.parse(saved.case.body).delayDays).toBe(-1);
  expect(saved.case.note).toBe('body delayDays = -1, out of range');
  // A replay file holds no credential: the runner signs a case when it sends it.
  expect(fs.readFileSync(file, 'utf8')).not.toMatch(/eyJ[\w-]{10,}\./);
  const summary = JSON.parse(fs.readFileSync(path.join(dir, 'fuzz', 'summary.json'), 'utf8')) as { requests: number; failures: unknown[] };
  expect(summary.requests).toBeGreaterThanOrEqual(400);
  expect(summary.failures.length).toBe(2); // the current and the legacy create route

  const broken = await fuzz(['--replay', file], { ...env, SANDBOX_FAULTS: 'pts-crash-on-out-of-range-delay' });
  expect(broken.code, broken.out).toBe(1);
  expect(broken.out).toContain('still failing: answered 500');
  const clean = await fuzz(['--replay', file], env);
  expect(clean.code, clean.out).toBe(0);
  expect(clean.out).toMatch(/→ 400 application\/problem\+json[\s\S]*answered as documented/);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a read-only run, as against NHN, sends GET operations only, spread over the APIs, and never more than asked', async ({}, info) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nhn-fuzz-ro-'));
  const r = await fuzz(['--read-only', '--requests', '60', '--seed', '3'], { SANDBOX_PORT: String(opsPort(info.parallelIndex, 1)), NHN_REPORT_DIR: dir });
  expect(r.code, r.out).toBe(0);
  const summary = JSON.parse(fs.readFileSync(path.join(dir, 'fuzz', 'summary.json'), 'utf8')) as { requests: number; byApi: Record<string, unknown> };
  expect(summary.requests, 'the cap is the number asked, with six properties in flight').toBe(60);
  // PTS has POST operations only: a read-only run leaves it alone.
  expect(Object.keys(summary.byApi)).not.toContain('pts');
  expect(Object.keys(summary.byApi).length, 'the budget reached one API only').toBeGreaterThanOrEqual(3);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the fuzzer refuses prod always, an NHN environment unless named twice, and more than the cap', async () => {
  const prod = await fuzz(['--profile', 'prod'], {});
  expect(prod.code).toBe(2);
  expect(prod.out).toContain('refused: the prod profile never sends patient data or malformed writes');
  const unasked = await fuzz(['--profile', 'test'], {});
  expect(unasked.code).toBe(2);
  expect(unasked.out).toContain('name it twice: --profile test --allow-nhn test');
  const wrongName = await fuzz(['--profile', 'test', '--allow-nhn', 'test-backdoor'], {});
  expect(wrongName.code).toBe(2);
  const over = await fuzz(['--profile', 'test', '--allow-nhn', 'test', '--requests', '1000'], {});
  expect(over.code).toBe(2);
  expect(over.out).toContain('over the cap of 300');
});
