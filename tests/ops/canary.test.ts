// The planted-secret run: every secret of a monitor run is a known canary (the twin lists each
// token, proof, assertion, authorization code, login cookie (a browser login's included),
// private key member, test-token key and AMQP
// password it hands out or is sent; the webhook URL is one we made), the tests that handle them
// are made to fail (faults planted in HelseID), the alert's delivery fails, and the reports are
// written (HTML, JUnit, Allure results and the single-file Allure report, summary.json, the
// monitor history and dashboard, a certification bundle, test-results). No canary may be found in
// any of them. A canary planted on purpose in a copy of one is found: the list is not empty talk.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { opsPort, run } from './support/run.ts';
import { chromiumPath } from '../../helpers/chromium.ts';

/** HelseID faults under which the tests that hold tokens, assertions, keys and proofs fail. */
const FAULTS = ['dpop-htu-unchecked', 'ca-alg-lenient', 'ttt-no-key-check', 'jwks-private-keys', 'exchange-subject-unchecked', 'attest-double-accepted'];

test('a failing monitor run with every secret a canary leaves no canary in any artefact', async ({}, info) => {
  test.setTimeout(300_000);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nhn-canary-'));
  const reports = path.join(root, 'reports');
  const canaries = path.join(root, 'canaries.jsonl');
  const webhook = http.createServer((req, res) => req.resume().on('end', () => res.writeHead(500).end()));
  await new Promise<void>((r) => webhook.listen(0, '127.0.0.1', r));
  const hookUrl = `http://127.0.0.1:${(webhook.address() as { port: number }).port}/services/CANARY-WEBHOOK-${randomBytes(8).toString('hex')}`;
  const env = {
    NHN_REPORT_DIR: reports,
    SANDBOX_PORT: String(opsPort(info.parallelIndex, 3)),
    SANDBOX_STATE_DIR: path.join(root, 'state'),
    SANDBOX_CANARY_LOG: canaries,
    SANDBOX_FAULTS: FAULTS.join(','),
    NHN_MONITOR_WEBHOOK_URL: hookUrl,
    NHN_MONITOR_ALERT_AFTER: '1',
    CI: '',
  };
  try {
    const monitor = await run('npm', ['run', '-s', 'monitor', '--', '--profile', 'local', '--', 'specs/helseid', 'specs/pit/access.spec.ts', 'specs/parek/events.spec.ts'], env, 240_000);
    expect(monitor.code, monitor.out.slice(-2000)).toBe(1);
    // The tests that hold the secrets failed, so their failure messages were written.
    const summary = JSON.parse(fs.readFileSync(path.join(reports, 'summary.json'), 'utf8')) as { tests: Array<{ title: string; verdict: string }> };
    const failed = summary.tests.filter((t) => t.verdict === 'failed').map((t) => t.title);
    expect(failed.length, 'the planted faults failed no test').toBeGreaterThanOrEqual(FAULTS.length);
    expect(monitor.out).toMatch(/alert delivery failed/i);
    expect(monitor.out).not.toContain('CANARY-WEBHOOK');

    // The monitor ran some spec files only: a partial run, certified as such.
    const certify = await run('npm', ['run', '-s', 'certify', '--', '--run', 'latest', '--partial'], env, 120_000);
    expect(certify.code, certify.out).toBe(0);
    fs.appendFileSync(canaries, `${JSON.stringify({ kind: 'webhook-url', value: hookUrl })}\n`);
    const kinds = new Set(fs.readFileSync(canaries, 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { kind: string }).kind));
    // Each value is listed once, under the kind it was first seen as.
    for (const kind of ['access_token', 'refresh_token', 'dpop', 'client_assertion', 'subject_token', 'code', 'cookie', 'ttt-api-key', 'private-jwk-d', 'amqp-password', 'webhook-url']) expect(kinds, `no ${kind} canary was listed`).toContain(kind);
    // The browser login (HID-CODE-006) ran in Chromium: its cookies, code and tokens are among the canaries above.
    if (fs.existsSync(chromiumPath())) {
      const logins = (JSON.parse(fs.readFileSync(path.join(reports, 'summary.json'), 'utf8')) as { logins?: Array<{ outcome: string }> }).logins ?? [];
      expect(logins.map((l) => l.outcome), 'no browser login ran in the planted-secret run').toContain('logged-in');
    }
    for (const artefact of ['html/index.html', 'junit.xml', 'summary.json', 'allure-results', 'allure-report/index.html', 'monitor/history.sqlite', 'monitor/index.html', 'certification', 'test-results']) {
      expect(fs.existsSync(path.join(reports, artefact)), `${artefact} was not written`).toBe(true);
    }
    // Allure's results, written in the background (helpers/evidence/allure-reporter.ts): every file
    // published whole, and the catalogue's labels and the failure class on the results.
    const allureDir = path.join(reports, 'allure-results');
    const allureFiles = fs.readdirSync(allureDir);
    expect(allureFiles.filter((f) => f.endsWith('.tmp')), 'a half-written Allure file was left').toEqual([]);
    const results = allureFiles.filter((f) => f.endsWith('-result.json')).map((f) => JSON.parse(fs.readFileSync(path.join(allureDir, f), 'utf8')) as { status: string; labels: Array<{ name: string; value: string }> });
    // One per attempt: the monitor runs a failed test again before it alerts.
    expect(results.length, 'Allure has fewer results than the run has tests').toBeGreaterThanOrEqual(summary.tests.length);
    const labelled = (r: (typeof results)[number], name: string) => r.labels.some((l) => l.name === name);
    expect(results.filter((r) => labelled(r, 'epic') && labelled(r, 'story') && labelled(r, 'severity')).length, 'no Allure result carries the catalogue labels').toBeGreaterThan(results.length / 2);
    expect(results.filter((r) => r.status === 'failed').every((r) => labelled(r, 'failureClass')), 'a failed Allure result has no failure class').toBe(true);

    const scan = await run('npm', ['run', '-s', 'audit:secrets', '--', '--canaries', canaries], env, 120_000);
    expect(scan.code, scan.out).toBe(0);
    const looked = Number(/(\d+) known secrets looked for/.exec(scan.out)?.[1]);
    expect(looked, scan.out).toBeGreaterThan(100);
    info.annotations.push({ type: 'canaries', description: scan.out.trim() });
    process.stdout.write(`${scan.out.trim()}\n`);

    // The positive control: one real canary of this run, planted in a copy of summary.json, is found.
    const token = fs.readFileSync(canaries, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { kind: string; value: string }).find((c) => c.kind === 'access_token')!.value;
    const planted = path.join(root, 'planted');
    fs.mkdirSync(planted);
    fs.writeFileSync(path.join(planted, 'summary.json'), fs.readFileSync(path.join(reports, 'summary.json'), 'utf8').replace('"title"', `"leak": "${token.split('.')[2]}", "title"`));
    const found = await run('npm', ['run', '-s', 'audit:secrets', '--', '--canaries', canaries, planted], env, 60_000);
    expect(found.code, found.out).toBe(1);
    expect(found.out).toContain('the signature of a token, proof or assertion of this run');
  } finally {
    webhook.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
});
