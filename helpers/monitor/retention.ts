// The history stays small over a year of nightly runs. A run older than the detail window keeps
// its row (status, counts, wall time) and adds to its day's aggregates per API, requirement and
// endpoint; its per-test, per-requirement, per-check, per-endpoint and deviation rows are then
// deleted. The first runs of a profile keep their latency rows: "baseline × k" budgets are
// measured against them. Past the retention period runs, aggregates, alerts and superseded
// fingerprints go too. Each run is aggregated once (runs.detail_dropped), so a second pass adds
// nothing.
import type { History } from './history.ts';

export interface RetentionOptions {
  detailDays: number;
  retentionDays: number;
  /** The first runs of each profile whose latency rows stay (the budgets' baseline). */
  baselineRuns: number;
  now?: Date;
}

export interface RetentionResult {
  aggregatedRuns: number;
  deletedRuns: number;
  bytesBefore?: number;
}

const DETAIL_TABLES = ['test_results', 'requirement_results', 'api_results', 'checks', 'deviations'] as const;

export async function applyRetention(history: History, o: RetentionOptions): Promise<RetentionResult> {
  const now = o.now ?? new Date();
  const detailCutoff = new Date(now.getTime() - o.detailDays * 86_400_000).toISOString();
  const cutoff = new Date(now.getTime() - o.retentionDays * 86_400_000).toISOString();
  return history.transaction(async () => {
    const due = (await history.all('SELECT id FROM runs WHERE detail_dropped = 0 AND ended_at < ?', [detailCutoff])).map((r) => Number(r.id));
    if (due.length) {
      await history.run(`CREATE TEMP TABLE due AS SELECT id, profile, substr(ended_at, 1, 10) AS day FROM runs WHERE detail_dropped = 0 AND ended_at < ?`, [detailCutoff]);
      await history.run(`INSERT INTO daily_api (profile, day, api, runs, passed, failed, warned, deviates, inconclusive, skipped)
         SELECT d.profile, d.day, a.api, COUNT(*), SUM(a.passed), SUM(a.failed), SUM(a.warned), SUM(COALESCE(a.deviates, 0)), SUM(a.inconclusive), SUM(a.skipped)
         FROM api_results a JOIN due d ON d.id = a.run_id WHERE true GROUP BY d.profile, d.day, a.api
         ON CONFLICT (profile, day, api) DO UPDATE SET runs = daily_api.runs + excluded.runs, passed = daily_api.passed + excluded.passed, failed = daily_api.failed + excluded.failed,
           warned = daily_api.warned + excluded.warned, deviates = daily_api.deviates + excluded.deviates, inconclusive = daily_api.inconclusive + excluded.inconclusive, skipped = daily_api.skipped + excluded.skipped`);
      await history.run(`INSERT INTO daily_requirement (profile, day, requirement, api, level, runs, failed_runs)
         SELECT d.profile, d.day, r.requirement, MAX(r.api), MAX(r.level), COUNT(*), SUM(CASE WHEN r.verdict = 'failed' THEN 1 ELSE 0 END)
         FROM requirement_results r JOIN due d ON d.id = r.run_id WHERE true GROUP BY d.profile, d.day, r.requirement
         ON CONFLICT (profile, day, requirement) DO UPDATE SET runs = daily_requirement.runs + excluded.runs, failed_runs = daily_requirement.failed_runs + excluded.failed_runs`);
      await history.run(`INSERT INTO daily_endpoint (profile, day, endpoint, runs, samples, p95_max_ms, p95_sum_ms, budget_ms, over_budget_runs)
         SELECT d.profile, d.day, l.endpoint, COUNT(*), SUM(l.samples), MAX(l.p95_ms), SUM(l.p95_ms), MAX(l.budget_ms), SUM(COALESCE(l.over_budget, 0))
         FROM latency l JOIN due d ON d.id = l.run_id WHERE true GROUP BY d.profile, d.day, l.endpoint
         ON CONFLICT (profile, day, endpoint) DO UPDATE SET runs = daily_endpoint.runs + excluded.runs, samples = daily_endpoint.samples + excluded.samples,
           p95_max_ms = CASE WHEN excluded.p95_max_ms > daily_endpoint.p95_max_ms OR daily_endpoint.p95_max_ms IS NULL THEN excluded.p95_max_ms ELSE daily_endpoint.p95_max_ms END,
           p95_sum_ms = daily_endpoint.p95_sum_ms + excluded.p95_sum_ms,
           budget_ms = COALESCE(excluded.budget_ms, daily_endpoint.budget_ms), over_budget_runs = daily_endpoint.over_budget_runs + excluded.over_budget_runs`);
      for (const table of DETAIL_TABLES) await history.run(`DELETE FROM ${table} WHERE run_id IN (SELECT id FROM due)`);
      // The budgets' baseline: the first runs of each profile keep their latency rows.
      await history.run(`DELETE FROM latency WHERE run_id IN (SELECT id FROM due) AND run_id NOT IN (
         SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY profile ORDER BY id) AS n FROM runs WHERE status != 'error') ranked WHERE n <= ?)`, [o.baselineRuns]);
      await history.run('UPDATE runs SET detail_dropped = 1 WHERE id IN (SELECT id FROM due)');
      await history.run('DROP TABLE due');
    }
    // Past the retention period: the runs, their aggregates and alerts, and every fingerprint but
    // the latest per subject (the drift sentinel compares with it), with documents nobody refers to.
    const old = (await history.all('SELECT id FROM runs WHERE ended_at < ?', [cutoff])).map((r) => Number(r.id));
    if (old.length) {
      const day = cutoff.slice(0, 10);
      for (const table of ['daily_api', 'daily_requirement', 'daily_endpoint']) await history.run(`DELETE FROM ${table} WHERE day < ?`, [day]);
      await history.run('DELETE FROM alerts WHERE at < ?', [cutoff]);
      await history.run('DELETE FROM drift_events WHERE at < ?', [cutoff]);
      await history.run(`DELETE FROM fingerprints WHERE taken_at < ? AND id NOT IN (SELECT MAX(id) FROM fingerprints GROUP BY profile, subject, url)`, [cutoff]);
      await history.run('DELETE FROM documents WHERE sha256 NOT IN (SELECT sha256 FROM fingerprints WHERE sha256 IS NOT NULL)');
      await history.run(`DELETE FROM latency WHERE run_id IN (SELECT id FROM runs WHERE ended_at < ?)`, [cutoff]);
      for (const table of DETAIL_TABLES) await history.run(`DELETE FROM ${table} WHERE run_id IN (SELECT id FROM runs WHERE ended_at < ?)`, [cutoff]);
      await history.run('UPDATE alerts SET run_id = NULL WHERE run_id IN (SELECT id FROM runs WHERE ended_at < ?)', [cutoff]);
      await history.run('UPDATE fingerprints SET run_id = NULL WHERE run_id IN (SELECT id FROM runs WHERE ended_at < ?)', [cutoff]);
      await history.run('UPDATE drift_events SET run_id = NULL WHERE run_id IN (SELECT id FROM runs WHERE ended_at < ?)', [cutoff]);
      await history.run('DELETE FROM runs WHERE ended_at < ?', [cutoff]);
    }
    return { aggregatedRuns: due.length, deletedRuns: old.length };
  });
}
