// A year of nightly monitor runs, simulated into a history: each night records what a real run
// records (about 700 test results, 300 requirement results, the APIs, the templated endpoints'
// latency with budgets, the checks, a few deviations and, now and then, a failure, a flaky test,
// a slow day or a drift finding), then retention, the dashboard and the save, as monitorRun does.
// Used by `npm run bench:monitor -- --runs 365` and by the dashboard's ops test.
import { History } from '../../helpers/monitor/history.ts';
import { applyRetention } from '../../helpers/monitor/retention.ts';
import { dashboardData, writeDashboard } from '../../helpers/monitor/dashboard.ts';
import fs from 'node:fs';

const APIS = ['pit', 'phr', 'parek', 'pts', 'person', 'helseid'];
const ENDPOINTS = [
  'helseid POST /connect/token', 'helseid POST /connect/par', 'helseid GET /connect/authorize', 'helseid GET /connect/authorize/{uid}', 'helseid GET /interaction/{uid}',
  'helseid POST /interaction/{uid}/{step}', 'helseid GET /.well-known/openid-configuration', 'pit GET /v1/Patient', 'pit POST /v1/Patient', 'pit GET /v1/Patient/{id}',
  'phr POST /R4/fhir/DocumentReference/_search', 'phr GET /R4/fhir/Binary/{id}', 'parek GET /{version}/ServiceRequest', 'parek POST /{version}/ServiceRequest',
  'parek GET /{version}/ServiceRequest/{id}', 'parek POST /{version}/Specimen', 'pts POST /v0.5/access-restrictions/patient-safety/_search',
  'pts POST /v0.5/access-restrictions/patient-safety', 'person POST /api/v3/full-access/person/get-by-nin', 'person GET /api/v3/full-access/person/{id}',
  'person GET /api/v3/full-access/event/latest', 'person GET /api/v2/person/{id}',
];

/** A small deterministic random source, so that two simulations are the same year. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32);
}

export interface NightFigures {
  night: number;
  /** Recording the run, retention, the dashboard and the save, as the monitor does after the suite. */
  overheadMs: number;
  historyBytes: number;
  dashboardBytes: number;
  series: number;
}

/** Simulates `nights` nightly runs from `start`; calls `at` after each night with its figures. */
export async function simulateYear(location: string, dashboard: string, nights: number, at: (f: NightFigures, history: History) => Promise<void> | void, start = Date.UTC(2026, 0, 1, 2, 0)): Promise<void> {
  await History.discard(location);
  const rnd = random(20261202);
  for (let night = 1; night <= nights; night++) {
    const ended = new Date(start + (night - 1) * 86_400_000 + Math.floor(rnd() * 600_000));
    const began = performance.now();
    const history = await History.open(location);
    const slowDay = rnd() < 0.03;
    const failures = rnd() < 0.08 ? 1 + Math.floor(rnd() * 4) : 0;
    await history.transaction(async () => {
      const id = await history.insert('runs', { profile: 'test', started_at: new Date(ended.getTime() - 60_000).toISOString(), ended_at: ended.toISOString(), status: failures ? 'failed' : slowDay ? 'degraded' : 'passed', reason: failures ? `${failures} test(s) failed` : undefined, wall_ms: 55_000 + Math.floor(rnd() * 10_000), tests: 700, passed: 690 - failures, failed: failures, warned: 0, deviates: 3, inconclusive: 0, skipped: 10, flaky: rnd() < 0.1 ? 1 : 0, over_budget: slowDay ? 2 : 0, run_folder: `runs/${ended.toISOString()}-test` });
      const tests = [];
      for (let t = 0; t < 700; t++) {
        const api = APIS[t % APIS.length]!;
        const failed = t < failures;
        tests.push({ run_id: id, test_key: `test › specs/${api}/spec-${t % 40}.spec.ts › test ${t}`, title: `${api} test ${t}`, api, verdict: failed ? 'failed' : t % 70 === 0 ? 'skipped' : 'passed', failure_class: failed ? 'contract' : undefined, message: failed ? `expected 200, got 500 at ${api}` : undefined, flaky: 0, duration_ms: 20 + Math.floor(rnd() * 400) });
      }
      await history.insertMany('test_results', tests);
      await history.insertMany('requirement_results', Array.from({ length: 300 }, (_, r) => ({ run_id: id, requirement: `${APIS[r % APIS.length]!.toUpperCase()}-REQ-${r}`, api: APIS[r % APIS.length], level: 'MUST', verdict: r < failures ? 'failed' : 'passed' })));
      for (const api of APIS) await history.insert('api_results', { run_id: id, api, passed: 115, failed: api === 'pit' ? failures : 0, warned: 0, deviates: api === 'pts' ? 3 : 0, inconclusive: 0, skipped: 2 });
      const latency = [];
      const checks = [];
      for (const [i, endpoint] of ENDPOINTS.entries()) {
        const p95 = (80 + i * 7) * (slowDay && i % 7 === 0 ? 6 : 1) * (0.8 + rnd() * 0.4);
        latency.push({ run_id: id, endpoint, samples: 10 + Math.floor(rnd() * 60), p50_ms: p95 / 2, p95_ms: p95, max_ms: p95 * 1.5, budget_ms: 500 + i * 20, budget_rule: 'baseline × 4', over_budget: p95 > 500 + i * 20 ? 1 : 0 });
        checks.push({ run_id: id, check_key: `latency:${endpoint}`, api: endpoint.split(' ')[0], state: p95 > 500 + i * 20 ? 'degraded' : 'ok' });
      }
      for (let r = 0; r < 300; r++) checks.push({ run_id: id, check_key: `requirement:REQ-${r}`, state: r < failures ? 'failed' : 'ok' });
      await history.insertMany('latency', latency);
      await history.insertMany('checks', checks);
      for (let d = 0; d < 3; d++) await history.insert('deviations', { run_id: id, test_key: `test › specs/pts/search.spec.ts › ${d}`, point: 'pts.search-shape', variant: 'pts-search-wrapped', expected: 'a bare array', seen: 'a wrapped list' });
      if (rnd() < 0.02) await history.insert('drift_events', { run_id: id, profile: 'test', at: ended.toISOString(), subject: 'HelseID JWKS', url: 'https://helseid-sts.test.nhn.no/.well-known/openid-configuration/jwks', kind: 'changed', summary: 'HelseID JWKS changed: 1 difference', diff: 'key added' });
    });
    const kept = await applyRetention(history, { detailDays: 30, retentionDays: 400, baselineRuns: 3, now: ended });
    if (kept.aggregatedRuns || kept.deletedRuns) await history.vacuum();
    writeDashboard(dashboard, await dashboardData(history, { flakyWindow: 20 }));
    const historyBytes = await history.save();
    const overheadMs = performance.now() - began;
    const series = Number((await history.one('SELECT COUNT(DISTINCT endpoint) AS n FROM (SELECT endpoint FROM latency UNION SELECT endpoint FROM daily_endpoint) routes'))!.n);
    try {
      await at({ night, overheadMs, historyBytes, dashboardBytes: fs.statSync(dashboard).size, series }, history);
    } finally {
      await history.close();
    }
  }
}
