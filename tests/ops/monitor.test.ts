// The monitor end to end on the twin, as `npm run monitor` runs it: three clean runs give a
// dashboard with three points; a slow backend gives a degraded run; a broken rule gives failed
// runs and, after N of them in a row, an alert to a webhook (which refuses the first delivery,
// so the retry is proven too); the fault removed, a recovery message.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { History, historyPassword } from '../../helpers/monitor/history.ts';
import { opsPort, run } from './support/run.ts';
import { HISTORY_BACKENDS } from '../support/histories.ts';

interface Received {
  status: number;
  body: { text: string; nhn: { kind: string; profile: string; checks: Array<{ requirement?: string; api?: string; failureClass?: string }> } };
}

function webhookReceiver(): Promise<{ url: string; received: Received[]; close(): void }> {
  const received: Received[] = [];
  let posts = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      posts += 1;
      // The first delivery ever is refused: the monitor must retry it.
      const status = posts === 1 ? 503 : 200;
      received.push({ status, body: JSON.parse(body) as Received['body'] });
      res.writeHead(status).end();
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hooks/secret-token`, received, close: () => server.close() })));
}

for (const backend of HISTORY_BACKENDS) test(`three runs, then degraded, failed, an alert after two failures and a recovery (${backend.name} history)`, async ({}, info) => {
  test.skip(Boolean(backend.skip), backend.skip);
  test.setTimeout(240_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nhn-monitor-'));
  const hook = await webhookReceiver();
  const historyFile = backend.location(dir, 'monitor');
  const password = historyPassword(historyFile);
  const monitor = async (faults = '') => {
    // The history's location through its variable, as a nightly job gives a PostgreSQL URL.
    const r = await run('npm', ['run', '-s', 'monitor', '--', '--profile', 'local', '--', 'specs/pit/search.spec.ts'], {
      NHN_MONITOR_HISTORY: historyFile,
      NHN_REPORT_DIR: dir,
      SANDBOX_PORT: String(opsPort(info.parallelIndex)),
      SANDBOX_FAULTS: faults,
      NHN_MONITOR_WEBHOOK_URL: hook.url,
      NHN_MONITOR_ALERT_AFTER: '2',
      NHN_MONITOR_REPORT_URL: 'https://reports.example.invalid/nightly',
      CI: '',
    });
    times.push(r.ms);
    if (password) expect(r.out, 'the history URL\'s password is a secret').not.toContain(password);
    const last = r.out.trim().split('\n').filter((l) => l.startsWith('[monitor] run #')).at(-1) ?? r.out.slice(-1500);
    return { ...r, last };
  };
  const sizes: number[] = [];
  const times: number[] = [];
  const history = async () => {
    const h = await History.open(historyFile);
    try {
      const runs = await h.all('SELECT id, status, reason FROM runs ORDER BY id');
      sizes.push(await h.save());
      return runs;
    } finally {
      await h.close();
    }
  };

  for (let i = 1; i <= 3; i++) {
    const r = await monitor();
    expect(r.code, r.last).toBe(0);
    expect(r.last).toContain(`run #${i} (local): PASSED`);
    await history();
  }
  // The dashboard's embedded figures: three runs, each with its pass rate per API.
  const page = fs.readFileSync(path.join(dir, 'monitor', 'index.html'), 'utf8');
  const data = JSON.parse(/<script id="nhn-data" type="application\/json">(.*?)<\/script>/s.exec(page)![1]!);
  expect(data.profiles[0].runs).toHaveLength(3);
  expect(data.profiles[0].passRate.pit).toEqual([100, 100, 100]);
  expect(hook.received, 'no alert while everything passes').toEqual([]);

  const degraded = await monitor('pit-slow-search');
  expect(degraded.code, degraded.last).toBe(0);
  expect(degraded.last).toMatch(/run #4 \(local\): DEGRADED — 1 endpoint\(s\) over their latency budget/);

  const failed1 = await monitor('pit-sort-ignored');
  expect(failed1.code).toBe(1);
  expect(failed1.last).toContain('run #5 (local): FAILED');
  expect(hook.received, 'one failure is not yet an alert').toEqual([]);

  const failed2 = await monitor('pit-sort-ignored');
  expect(failed2.code).toBe(1);
  expect(failed2.last).toContain('run #6 (local): FAILED');
  // Refused once (503), delivered on the retry: the same message twice.
  expect(hook.received.map((r) => r.status)).toEqual([503, 200]);
  const alert = hook.received[1]!.body;
  expect(alert.nhn.kind).toBe('alert');
  // The sort test fails, and so may any other search the PIT search oracle finds out of order.
  expect(alert.text).toMatch(/^\[NHN monitor · local · run #6\] FAILING: \d+ checks?\n• /);
  expect(alert.text).toContain('• pit · PIT-SORT-001 · contract failure (2 runs in a row) — ');
  expect(alert.text).toContain('Report: https://reports.example.invalid/nightly');
  expect(alert.nhn.checks).toEqual(expect.arrayContaining([expect.objectContaining({ api: 'pit', requirement: 'PIT-SORT-001', failureClass: 'contract' })]));
  for (const c of alert.nhn.checks as Array<{ api: string; failureClass: string }>) expect(c).toMatchObject({ api: 'pit', failureClass: 'contract' });
  expect(alert.text, 'the webhook URL is a secret').not.toContain('secret-token');
  expect(failed2.out).not.toContain('secret-token');

  const recovered = await monitor();
  expect(recovered.code, recovered.last).toBe(0);
  expect(recovered.last).toContain('run #7 (local)');
  const recovery = hook.received.at(-1)!.body;
  expect(recovery.nhn.kind).toBe('recovery');
  expect(recovery.text).toMatch(/^\[NHN monitor · local · run #7\] RECOVERED: \d+ checks?\n• /);
  expect(recovery.text).toContain('• pit · PIT-SORT-001 (after 2 failed runs)');

  const runs = await history();
  expect(runs.map((r) => r.status)).toEqual(['passed', 'passed', 'passed', 'degraded', 'failed', 'failed', runs[6]!.status]);
  expect(['passed', 'degraded']).toContain(runs[6]!.status);
  // The figures for the record: history size per run, the alert texts as delivered.
  if (password) expect(fs.readFileSync(path.join(dir, 'monitor', 'index.html'), 'utf8')).not.toContain(password);
  process.stdout.write(`[ops] ${backend.name} history size after runs 1, 2, 3 and 7 (bytes): ${sizes.join(', ')}\n`);
  process.stdout.write(`[ops] monitor wall per run (ms): ${times.join(', ')}\n`);
  for (const r of hook.received.filter((x) => x.status === 200)) process.stdout.write(`[ops] delivered:\n${r.body.text}\n`);
  hook.close();
  await History.discard(historyFile);
  fs.rmSync(dir, { recursive: true, force: true });
});
