// The monitor's parts on their own: the history's versioned schema, latency budgets (fixed, and
// baseline × k once the baseline runs are in), maintenance windows, and which checks alert,
// remind and recover.
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { alertLine, decideAlerts, deliver, loadMaintenance, openWindow } from '../../helpers/monitor/alerts.ts';
import { judgeLatency, loadBudgets } from '../../helpers/monitor/budgets.ts';
import { History, MIGRATIONS } from '../../helpers/monitor/history.ts';
import { latencyOf, percentile } from '../../helpers/monitor/latency.ts';
import { metricsRegistry } from '../../helpers/monitor/metrics.ts';
import { applyRetention } from '../../helpers/monitor/retention.ts';
import { MONITOR_SETTINGS } from '../../helpers/monitor/settings.ts';
import { HISTORY_BACKENDS } from '../support/histories.ts';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'nhn-monitor-unit-'));

test('the history migrates once, in order, and refuses a newer schema', async () => {
  const file = path.join(tmp(), 'h.sqlite');
  const h = await History.open(file);
  expect((await h.version())).toBe(MIGRATIONS.length);
  expect((await h.all('SELECT version FROM schema_migrations ORDER BY version')).map((r) => r.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  await h.insert('runs', { profile: 'local', started_at: 'a', ended_at: 'b', status: 'passed' });
  await h.save();
  await h.close();
  const again = await History.open(file);
  expect((await again.all('SELECT COUNT(*) AS n FROM runs'))[0]!.n).toBe(1);
  await again.run(`PRAGMA user_version = ${MIGRATIONS.length + 1}`);
  await again.save();
  await again.close();
  await expect(History.open(file)).rejects.toThrow(/newer than this suite knows/);
});

test('a PostgreSQL history migrates once, in order, in a schema of its own, and refuses a newer schema', async () => {
  const backend = HISTORY_BACKENDS.find((b) => b.name === 'postgres')!;
  test.skip(Boolean(backend.skip), backend.skip);
  const location = backend.location(tmp(), 'migrations');
  const h = await History.open(location);
  try {
    expect(h.kind).toBe('postgres');
    expect(h.location, 'the shown location has no password').not.toContain(`:${new URL(location).password}@`);
    expect(await h.version()).toBe(MIGRATIONS.length);
    expect((await h.all('SELECT version FROM schema_migrations ORDER BY version')).map((r) => r.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(await h.insert('runs', { profile: 'local', started_at: 'a', ended_at: 'b', status: 'passed' })).toBe(1);
    expect(await h.insert('runs', { profile: 'local', started_at: 'c', ended_at: 'd', status: 'passed' })).toBe(2);
  } finally {
    await h.close();
  }
  const again = await History.open(location);
  expect((await again.one('SELECT COUNT(*) AS n FROM runs'))!.n).toBe(2);
  await again.run('INSERT INTO schema_migrations VALUES (?, ?)', [MIGRATIONS.length + 1, 'later']);
  await again.close();
  await expect(History.open(location)).rejects.toThrow(/newer than this suite knows/);
  await History.discard(location);
});

test('a history URL that cannot be reached is named without its password', async () => {
  await expect(History.open('postgres://monitor:s3cret-pw@127.0.0.1:1/nhn')).rejects.toThrow(/^the monitor history at postgres:\/\/monitor@127\.0\.0\.1:1\/nhn could not be opened: (?![\s\S]*s3cret-pw)/);
  await expect(History.open('postgres://monitor@127.0.0.1/nhn?schema=Drop;Table')).rejects.toThrow(/schema "Drop;Table" must be a lower-case SQL name/);
});

test('budgets: fixed, baseline × k after the baseline runs, a floor, too few samples, and clear errors', () => {
  const dir = tmp();
  const file = path.join(dir, 'b.yaml');
  fs.writeFileSync(file, 'baselineRuns: 3\nminSamples: 5\nprofiles:\n  p:\n    default: { p95: baseline × 2, atLeast: 100 }\n    endpoints:\n      "pit GET *": { p95: 300 }\n');
  const b = loadBudgets(file);
  expect(judgeLatency(b, 'p', 'pit GET /v1/Patient', { p95: 301, samples: 9 }, [])).toMatchObject({ state: 'over', budgetMs: 300 });
  expect(judgeLatency(b, 'p', 'pts GET /x', { p95: 900, samples: 9 }, [10, 20])).toMatchObject({ state: 'baseline' });
  expect(judgeLatency(b, 'p', 'pts GET /x', { p95: 250, samples: 9 }, [100, 120, 400])).toMatchObject({ state: 'over', budgetMs: 240 });
  expect(judgeLatency(b, 'p', 'pts GET /x', { p95: 90, samples: 9 }, [10, 20, 30])).toMatchObject({ state: 'within', budgetMs: 100 });
  expect(judgeLatency(b, 'p', 'pts GET /x', { p95: 900, samples: 4 }, [10, 20, 30])).toMatchObject({ state: 'few-samples' });
  expect(judgeLatency(b, 'other', 'pts GET /x', { p95: 900, samples: 9 }, [])).toEqual({ state: 'none' });
  fs.writeFileSync(file, 'profiles:\n  p:\n    default: { p95: fast }\n');
  expect(() => loadBudgets(file)).toThrow(/profiles\.p\.default: p95 must be a number of ms or "baseline × k", got "fast"/);
});

test('latency per endpoint folds ids into the document\'s path and takes the nearest-rank p95', () => {
  expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10);
  expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).toBe(5);
  const entry = (url: string, time: number, service = 'parek') => ({ time, request: { method: 'GET', url } as never, response: { status: 200 } as never, _service: service, _base: 'http://h/' });
  const l = latencyOf([entry('http://h/v1/ServiceRequest/abc', 10), entry('http://h/v1/ServiceRequest/def', 30), entry('http://h/connect/session/123456', 5, 'helseid')]);
  expect(l.map((x) => x.endpoint)).toEqual(['helseid GET /connect/session/{id}', 'parek GET /{version}/ServiceRequest/{id}']);
  expect(l[1]).toMatchObject({ samples: 2, p95: 30, max: 30 });
});

test('maintenance windows: absolute and weekly (UTC), per profile; a window without a reason is refused', () => {
  const file = path.join(tmp(), 'm.yaml');
  fs.writeFileSync(file, 'windows:\n  - { from: 2026-12-01T22:00:00Z, until: 2026-12-02T02:00:00Z, reason: release, profiles: [test] }\n  - { weekly: sun, from: "01:00", until: "03:00", reason: patching }\n');
  const w = loadMaintenance(file);
  expect(openWindow(w, 'test', new Date('2026-12-01T23:00:00Z'))?.reason).toBe('release');
  expect(openWindow(w, 'prod', new Date('2026-12-01T23:00:00Z'))).toBeUndefined();
  expect(openWindow(w, 'prod', new Date('2026-11-22T02:30:00Z'))?.reason).toBe('patching'); // a Sunday
  expect(openWindow(w, 'prod', new Date('2026-11-23T02:30:00Z'))).toBeUndefined();
  fs.writeFileSync(file, 'windows:\n  - { weekly: sun, from: "01:00", until: "03:00" }\n');
  expect(() => loadMaintenance(file)).toThrow(/window #1: a window needs a reason/);
});

test('a check alerts after N failed runs, reminds every M, and recovers once; an undelivered alert is sent again', async () => {
  const h = await History.open(path.join(tmp(), 'a.sqlite'));
  const o = { alertAfter: 2, remindEvery: 3 };
  const kinds: string[] = [];
  const states = ['failed', 'failed', 'failed', 'failed', 'failed', 'failed', 'failed', 'ok', 'ok'];
  for (const [i, state] of states.entries()) {
    const runId = await h.insert('runs', { profile: 'test', started_at: String(i), ended_at: String(i), status: state });
    await h.insert('checks', { run_id: runId, check_key: 'requirement:PIT-SORT-001', state });
    const alerts = await decideAlerts(h, 'test', runId, [{ key: 'requirement:PIT-SORT-001', api: 'pit', requirement: 'PIT-SORT-001', state: state as 'ok' | 'failed', failureClass: state === 'ok' ? undefined : 'contract' }], o);
    // The first alert's delivery fails: it must come again on the next run.
    for (const a of alerts) await h.insert('alerts', { run_id: runId, profile: 'test', at: String(i), check_key: a.key, kind: a.kind, text: alertLine(a), delivered: i === 1 ? 0 : 1, attempts: 3 });
    kinds.push(alerts.map((a) => `${a.kind}${a.runs ?? ''}`).join(',') || '-');
  }
  expect(kinds).toEqual(['-', 'alert2', 'alert3', '-', '-', 'reminder6', '-', 'recovery7', '-']);
});

test('a malformed webhook URL is refused without being shown', () => {
  expect(() => MONITOR_SETTINGS.webhook.read({ NHN_MONITOR_WEBHOOK_URL: 'hooks.example/secret-token' })).toThrow(/^NHN_MONITOR_WEBHOOK_URL must be an absolute http or https URL \(its value is a secret and is not shown\)$/);
});

test('delivery retries, never throws, and never names the webhook', async () => {
  const r = await deliver('http://127.0.0.1:1/hooks/secret-token', { text: 'x' }, { attempts: 2, pauseMs: 10, timeoutMs: 500 });
  expect(r).toMatchObject({ delivered: false, attempts: 2 });
  expect(r.error).not.toContain('secret-token');
});

test('endpoints are route templates: 1,000 logins over a year of nightly runs keep the series the documented routes fix', async () => {
  const entry = (service: string, base: string, method: string, url: string) => ({ time: 12, request: { method, url } as never, response: { status: 200 } as never, _service: service, _base: base });
  const issuer = 'https://helseid-sts.test.nhn.no';
  const opaque = () => randomBytes(24).toString('base64url');
  const run = (logins: number) => {
    const entries = [
      entry('helseid', issuer, 'GET', `${issuer}/.well-known/openid-configuration`),
      entry('helseid', issuer, 'POST', `${issuer}/connect/token`),
      entry('pit', 'https://api.pit.test.nhn.no/', 'GET', `https://api.pit.test.nhn.no/v1/Patient/${randomUUID()}`),
      entry('parek', 'https://test.parek.nhn.no/', 'GET', `https://test.parek.nhn.no/v1/ServiceRequest/${opaque()}`),
    ];
    for (let i = 0; i < logins; i++) {
      const [login, consent] = [opaque(), opaque()];
      entries.push(
        entry('helseid', issuer, 'POST', `${issuer}/connect/par`),
        entry('helseid', issuer, 'GET', `${issuer}/connect/authorize?client_id=c&request_uri=urn:x`),
        entry('helseid', issuer, 'GET', `${issuer}/interaction/${login}`),
        entry('helseid', issuer, 'POST', `${issuer}/interaction/${login}/login`),
        entry('helseid', issuer, 'GET', `${issuer}/connect/authorize/${login}`),
        entry('helseid', issuer, 'GET', `${issuer}/interaction/${consent}`),
        entry('helseid', issuer, 'POST', `${issuer}/interaction/${consent}/consent`),
        entry('helseid', issuer, 'GET', `${issuer}/connect/authorize/${consent}`),
        // A path outside every document and route: its opaque segments fold.
        entry('helseid', issuer, 'GET', `${issuer}/connect/session/${opaque()}/state/${randomUUID()}`),
      );
    }
    return latencyOf(entries).map((l) => l.endpoint);
  };
  const first = run(3);
  const series = new Set(first);
  // 365 nightly runs, 1,000 logins among them.
  for (let night = 0; night < 365; night++) for (const e of run(night < 270 ? 3 : 2)) series.add(e);
  expect([...series].sort()).toEqual([...first].sort());
  expect(series.size).toBe(10);
  expect(series).toContain('helseid GET /connect/authorize/{uid}');
  expect(series).toContain('helseid POST /interaction/{uid}/{step}');
  expect(series).toContain('helseid GET /connect/session/{id}/state/{id}');
  // metrics.prom names each endpoint of a run once, by template.
  const text = await metricsRegistry({ profile: 'test', runId: 365, status: 'passed', endedAt: new Date().toISOString(), wallMs: 1, byApi: {}, failedRequirements: [], latency: first.map((endpoint) => ({ endpoint, p95: 0.1 })), flaky: 0, drift: 0, certificates: [] }).metrics();
  expect(text.split('\n').filter((l) => l.startsWith('nhn_monitor_endpoint_latency_p95_seconds{')).length).toBe(10);
});

for (const backend of HISTORY_BACKENDS) test(`retention: past the detail window a run leaves its day's aggregates, once; past the retention period it goes; the baseline runs keep their latency (${backend.name} history)`, async () => {
  test.skip(Boolean(backend.skip), backend.skip);
  const location = backend.location(tmp(), 'retention');
  const history = await History.open(location);
  const day0 = Date.parse('2026-01-01T02:00:00Z');
  const at = (d: number) => new Date(day0 + d * 86_400_000).toISOString();
  for (let d = 0; d < 100; d++) {
    await history.transaction(async () => {
      const id = await history.insert('runs', { profile: 'test', started_at: at(d), ended_at: at(d), status: d % 10 === 3 ? 'failed' : 'passed', tests: 3, passed: 3, failed: 0 });
      for (const t of ['a', 'b', 'c']) await history.insert('test_results', { run_id: id, test_key: t, title: t, api: 'pit', verdict: 'passed' });
      await history.insert('requirement_results', { run_id: id, requirement: 'PIT-1', api: 'pit', level: 'MUST', verdict: d % 10 === 3 ? 'failed' : 'passed' });
      await history.insert('api_results', { run_id: id, api: 'pit', passed: 2, failed: d % 10 === 3 ? 1 : 0, warned: 0, deviates: 0, inconclusive: 0, skipped: 0 });
      await history.insert('latency', { run_id: id, endpoint: 'pit GET /v1/Patient', samples: 10, p50_ms: 20, p95_ms: 40 + d, max_ms: 90, budget_ms: 500, over_budget: 0 });
      await history.insert('checks', { run_id: id, check_key: 'requirement:PIT-1', state: 'ok' });
    });
  }
  // A year's retention: 70 runs past 30 days aggregated, none removed; the first three keep their latency (the budgets' baseline).
  expect(await applyRetention(history, { detailDays: 30, retentionDays: 365, baselineRuns: 3, now: new Date(at(100)) })).toEqual({ aggregatedRuns: 70, deletedRuns: 0 });
  expect(Number((await history.one('SELECT COUNT(*) AS n FROM latency'))!.n)).toBe(30 + 3);
  expect(Number((await history.one('SELECT COUNT(*) AS n FROM test_results'))!.n)).toBe(30 * 3);
  const options = { detailDays: 30, retentionDays: 60, baselineRuns: 3, now: new Date(at(100)) };
  expect(await applyRetention(history, options)).toEqual({ aggregatedRuns: 0, deletedRuns: 40 });
  // A second pass adds nothing and deletes nothing.
  expect(await applyRetention(history, options)).toEqual({ aggregatedRuns: 0, deletedRuns: 0 });
  expect(Number((await history.one('SELECT COUNT(*) AS n FROM runs'))!.n)).toBe(60);
  expect(Number((await history.one('SELECT COUNT(*) AS n FROM test_results'))!.n)).toBe(30 * 3);
  expect(String((await history.one('SELECT MIN(day) AS d FROM daily_api'))!.d)).toBe(at(40).slice(0, 10));
  const aggregated = (await history.all('SELECT runs, failed FROM daily_api ORDER BY day'));
  expect(aggregated).toHaveLength(30);
  expect(aggregated.reduce((n, r) => n + Number(r.failed), 0)).toBe(3);
  expect((await history.one("SELECT SUM(failed_runs) AS f, SUM(runs) AS r FROM daily_requirement WHERE requirement = 'PIT-1'"))).toEqual({ f: 3, r: 30 });
  expect((await history.one('SELECT MAX(p95_max_ms) AS m FROM daily_endpoint'))!.m).toBe(40 + 69);
  // The first three runs (the budgets' baseline) are past the retention period: gone with their runs; the latency of the days kept in detail stays.
  expect(Number((await history.one('SELECT COUNT(*) AS n FROM latency'))!.n)).toBe(30);
  await history.close();
  await History.discard(location);
});

test('migration 6 turns the endpoints a history recorded before templates into their templates, merged per run', async () => {
  const file = path.join(tmp(), 'old.sqlite');
  const h = await History.open(file);
  const run = await h.insert('runs', { profile: 'test', started_at: '2026-11-01T02:00:00Z', ended_at: '2026-11-01T02:01:00Z', status: 'passed' });
  for (const [i, uid] of ['x9iHdEQ7vMQoX2cHTcPVj_3HR', 'Kq2mZ8rT4vB7nC1xL5pW9yD3f'].entries()) {
    await h.insert('latency', { run_id: run, endpoint: `helseid GET /connect/authorize/${uid}`, samples: 1, p50_ms: 10, p95_ms: 10 + i, max_ms: 12, over_budget: 0 });
    await h.insert('checks', { run_id: run, check_key: `latency:helseid GET /connect/authorize/${uid}`, state: i ? 'degraded' : 'ok' });
  }
  await h.insert('latency', { run_id: run, endpoint: 'pit GET /v1/Patient', samples: 5, p50_ms: 20, p95_ms: 30, max_ms: 40, over_budget: 0 });
  // As a history written before migration 6 was.
  await h.run('DELETE FROM schema_migrations WHERE version = 6');
  await h.run('PRAGMA user_version = 5');
  await h.save();
  await h.close();
  const again = await History.open(file);
  expect((await again.version())).toBe(MIGRATIONS.length);
  expect((await again.all('SELECT endpoint, samples, p95_ms FROM latency ORDER BY endpoint'))).toEqual([
    { endpoint: 'helseid GET /connect/authorize/{uid}', samples: 2, p95_ms: 11 },
    { endpoint: 'pit GET /v1/Patient', samples: 5, p95_ms: 30 },
  ]);
  expect((await again.all('SELECT check_key, state FROM checks'))).toEqual([{ check_key: 'latency:helseid GET /connect/authorize/{uid}', state: 'degraded' }]);
  await again.close();
});
