// One monitor run: the suite against a profile with one retry per failed test, then the run goes
// into the history with its verdicts per test, requirement and API, failure classes, flaky tests,
// latency per endpoint against its budget and the drift sentinel's findings. Alerts go to the
// webhook, the metrics to metrics.prom (and a Pushgateway), and the dashboard is redrawn.
//
// Against `local` the monitor starts the twin itself, so the drift sentinel can look at it while
// it is up; against NHN it looks at NHN.
import type { RunningTwin } from '../../sandbox/twin.ts';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { reportDir, resolveProfile, type ProfileName } from '../config/profiles.ts';
import { applyLocalDefaults } from '../packs/index.ts';
import { HAR_FILE } from '../evidence/evidence-dir.ts';
import { registerSecret } from '../evidence/redact.ts';
import { alertMessage, decideAlerts, deliver, loadMaintenance, openWindow, type Alert, type AlertKind, type CheckState } from './alerts.ts';
import { judgeLatency, loadBudgets } from './budgets.ts';
import { dashboardData, writeDashboard } from './dashboard.ts';
import { observe, recordDrift, type DriftFinding, type Observation } from './drift.ts';
import { History, type NewRow } from './history.ts';
import { latencyFromHar } from './latency.ts';
import { applyRetention } from './retention.ts';
import { metricsRegistry, pushMetrics, writeMetrics } from './metrics.ts';
import { historyLocation, monitorDir, MONITOR_SETTINGS } from './settings.ts';
import { ConfigurationError } from '../config/settings.ts';
import type { TestRecord } from '../evidence/summary-reporter.ts';

export type RunStatus = 'passed' | 'degraded' | 'failed' | 'error';

export interface MonitorOptions {
  profile: ProfileName;
  /** Arguments for Playwright after the monitor's own (a grep, files). */
  playwrightArgs?: readonly string[];
  history?: string;
  /** Where the suite's output goes (default: this process's stdout, as it comes). */
  output?: (chunk: string) => void;
  log?: (line: string) => void;
}

export interface MonitorResult {
  runId: number;
  status: RunStatus;
  reason?: string;
  alerts: Array<{ kind: AlertKind; text: string; delivered: boolean; suppressed?: string; error?: string }>;
  drift: DriftFinding[];
  /** Tests that passed only on their retry, with their flaky rate over the window. */
  flaky: Array<{ title: string; firstFailure: string; rate: string }>;
  historyBytes: number;
  suiteMs: number;
  monitorMs: number;
  dashboard: string;
}

interface Summary {
  run: { status: string; startedAt: string; endedAt: string; wallTimeMs: number; suite: { version: string; commit?: string }; profiles: unknown[]; allSkipped?: boolean };
  counts: Record<string, number>;
  byApi: Record<string, Record<string, number>>;
  byRequirement: Record<string, { level?: string; verdict: string; tests: Array<{ title: string }> }>;
  tests: TestRecord[];
}

/** Starts the twin for `local` unless one is running already; answers how to stop it. */
export async function environmentFor(profile: ProfileName, log: (line: string) => void): Promise<{ close(): Promise<void>; twin?: RunningTwin }> {
  if (profile !== 'local' || process.env.NHN_TWIN_EXTERNAL) return { close: async () => undefined };
  applyLocalDefaults();
  const { startTwin } = await import('../../sandbox/twin.ts');
  const { twinBasePort } = await import('../config/twin-layout.ts');
  const twin = await startTwin({ basePort: twinBasePort() }).catch((e: NodeJS.ErrnoException) => {
    // Another twin (a second fuzz, monitor or test run) holds the ports: say which setting moves this one.
    if (e.code === 'EADDRINUSE') throw new ConfigurationError(`the twin could not start: port ${(e as { port?: number }).port ?? twinBasePort()} is taken (another twin running?); set SANDBOX_PORT to move this one`);
    throw e;
  });
  log(`twin up in ${Math.round(twin.startMs)} ms on port ${twinBasePort()}${twin.faults.length ? ` with fault(s) ${twin.faults.map((f) => f.id).join(', ')}` : ''}`);
  process.env.NHN_TWIN_EXTERNAL = '1';
  return {
    twin,
    async close() {
      delete process.env.NHN_TWIN_EXTERNAL;
      await twin.close();
    },
  };
}

function runSuite(profile: string, args: readonly string[], output: (chunk: string) => void): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn('npx', ['playwright', 'test', `--project=${profile}`, '--retries=1', ...args], { env: { ...process.env, NHN_PROFILE: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d: Buffer) => output(d.toString()));
    child.stderr.on('data', (d: Buffer) => output(d.toString()));
    child.on('error', () => resolve(null));
    child.on('exit', (code) => resolve(code));
  });
}

/** The folder reports/latest points at, if any. */
function keptRunOf(reports: string): string | undefined {
  try {
    return fs.realpathSync(path.join(reports, 'latest'));
  } catch {
    return undefined;
  }
}

function readSummary(file: string): Summary | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Summary;
  } catch {
    return undefined;
  }
}

const firstLine = (s?: string) => s?.split('\n').find((l) => l.trim())?.trim().slice(0, 300);

export async function monitorRun(o: MonitorOptions): Promise<MonitorResult> {
  const started = performance.now();
  const log = o.log ?? ((line: string) => process.stdout.write(`[monitor] ${line}\n`));
  const output = o.output ?? ((chunk: string) => process.stdout.write(chunk));
  // Every setting is read before anything runs: a bad one stops here, named.
  const budgets = loadBudgets(path.resolve(MONITOR_SETTINGS.budgets.read()!));
  const windows = loadMaintenance(path.resolve(MONITOR_SETTINGS.maintenance.read()!));
  const webhook = MONITOR_SETTINGS.webhook.read();
  const pushgateway = MONITOR_SETTINGS.pushgateway.read();
  registerSecret(webhook);
  registerSecret(pushgateway);
  const alertAfter = MONITOR_SETTINGS.alertAfter.read();
  const remindEvery = MONITOR_SETTINGS.remindEvery.read();
  const flakyWindow = MONITOR_SETTINGS.flakyWindow.read();
  const detailDays = MONITOR_SETTINGS.detailDays.read();
  const retentionDays = MONITOR_SETTINGS.retentionDays.read();
  const dir = monitorDir();
  const dashboard = path.join(dir, 'index.html');
  const report = MONITOR_SETTINGS.reportUrl.read() ?? pathToFileURL(path.resolve(dashboard)).href;
  const location = historyLocation(o.history);
  // A history that cannot be opened (a wrong URL, a schema newer than this suite) fails the run
  // before the suite spends its time; it is opened again once the suite is done.
  await (await History.open(location)).close();
  const reports = reportDir();
  const summaryFile = path.join(reports, 'summary.json');
  const harFile = path.join(process.env.NHN_EVIDENCE_DIR || path.join(reports, 'evidence'), HAR_FILE);

  const environment = await environmentFor(o.profile, log);
  let observations: Observation[] = [];
  let summary: Summary | undefined;
  let exitCode: number | null = null;
  let runFolder: string | undefined;
  const suiteStarted = performance.now();
  try {
    // The drift sentinel's fingerprints are taken while the suite starts and runs: a few reads of
    // what the environment publishes, which the suite's verdicts do not depend on.
    log(`fingerprinting what ${o.profile} publishes, and running the suite against it (a failed test is retried once)`);
    const observing = observe(resolveProfile(o.profile));
    observing.catch(() => undefined);
    const before = keptRunOf(reports);
    exitCode = await runSuite(o.profile, o.playwrightArgs ?? [], output);
    observations = (await observing).observations;
    // The run's own folder, when it was kept: the history refers to it.
    runFolder = keptRunOf(reports);
    if (runFolder === before) runFolder = undefined;
    summary = runFolder ? readSummary(summaryFile) : undefined;
  } finally {
    await environment.close();
  }
  const suiteMs = Math.round(performance.now() - suiteStarted);

  const history = await History.open(location);
  try {
    const endedAt = new Date();
    const latency = summary ? latencyFromHar(harFile) : [];
    const counts = summary?.counts ?? {};
    const failedTests = (summary?.tests ?? []).filter((t) => t.verdict === 'failed' && !t.waiver);
    const flaky = (summary?.tests ?? []).filter((t) => t.flaky);
    let reason: string | undefined;
    let status: RunStatus;
    if (!summary) {
      status = 'error';
      reason = `the suite left no summary (Playwright exit code ${exitCode ?? 'none: it did not start'})`;
    } else if (failedTests.length || summary.run.status === 'failed') {
      status = 'failed';
      reason = summary.run.allSkipped ? 'every test was skipped' : `${failedTests.length} test(s) failed`;
    } else status = 'passed';

    const result = await history.transaction(async () => {
      const runId = await history.insert('runs', {
        profile: o.profile,
        started_at: summary?.run.startedAt ?? new Date(Date.now() - suiteMs).toISOString(),
        ended_at: endedAt.toISOString(),
        status,
        reason,
        suite_version: summary?.run.suite.version,
        suite_commit: summary?.run.suite.commit,
        targets: summary ? JSON.stringify(summary.run.profiles) : undefined,
        report,
        wall_ms: Math.round(summary?.run.wallTimeMs ?? suiteMs),
        tests: summary?.tests.length ?? 0,
        passed: counts.passed ?? 0,
        failed: counts.failed ?? 0,
        warned: counts.warned ?? 0,
        deviates: counts.deviates ?? 0,
        run_folder: runFolder ? path.relative(reports, runFolder) : undefined,
        inconclusive: counts.inconclusive ?? 0,
        skipped: counts.skipped ?? 0,
        flaky: flaky.length,
      });
      const checks: CheckState[] = [];
      const rows: Record<'test_results' | 'deviations' | 'requirement_results', NewRow[]> = { test_results: [], deviations: [], requirement_results: [] };
      for (const t of summary?.tests ?? []) {
        rows.test_results.push({
          run_id: runId,
          test_key: `${t.project} › ${t.file} › ${t.title}`,
          title: t.title,
          api: t.api,
          verdict: t.verdict,
          failure_class: t.failureClass,
          message: t.message?.slice(0, 2000),
          flaky: t.flaky ? 1 : 0,
          first_failure: t.flaky ? `${t.flaky.firstFailure.class ?? 'contract'}: ${firstLine(t.flaky.firstFailure.message) ?? ''}` : undefined,
          duration_ms: Math.round(t.durationMs),
        });
        for (const d of t.deviations ?? []) rows.deviations.push({ run_id: runId, test_key: `${t.project} › ${t.file} › ${t.title}`, point: d.point, variant: d.variant, expected: d.expected?.slice(0, 500), seen: d.seen?.slice(0, 500) });
        if (!t.requirements.length && t.verdict === 'failed') checks.push({ key: `test:${t.title}`, api: t.api, state: 'failed', failureClass: t.failureClass, detail: firstLine(t.message) });
      }
      const apiOf = new Map<string, string>();
      for (const t of summary?.tests ?? []) for (const r of t.requirements) apiOf.set(r, t.api);
      for (const [id, r] of Object.entries(summary?.byRequirement ?? {})) {
        rows.requirement_results.push({ run_id: runId, requirement: id, api: apiOf.get(id), level: r.level, verdict: r.verdict });
        if (r.verdict !== 'failed' && r.verdict !== 'passed' && r.verdict !== 'warned' && r.verdict !== 'deviates') continue; // not exercised: says nothing either way
        const failure = failedTests.find((t) => t.requirements.includes(id));
        checks.push({ key: `requirement:${id}`, api: apiOf.get(id), requirement: id, level: r.level, state: r.verdict === 'failed' && failure ? 'failed' : 'ok', failureClass: failure?.failureClass, detail: failure ? `${failure.title}: ${firstLine(failure.message) ?? ''}` : undefined });
      }
      for (const [table, list] of Object.entries(rows)) await history.insertMany(table, list);
      await history.insertMany('api_results', Object.entries(summary?.byApi ?? {}).map(([api, c]) => ({ run_id: runId, api, passed: c.passed, failed: c.failed, warned: c.warned, deviates: c.deviates ?? 0, inconclusive: c.inconclusive, skipped: c.skipped })));
      if (status === 'error') checks.push({ key: `run:${o.profile}`, state: 'failed', failureClass: 'infrastructure', detail: reason });
      else checks.push({ key: `run:${o.profile}`, state: 'ok' });

      let overBudget = 0;
      const judged: Array<{ endpoint: string; p95: number; budgetMs?: number }> = [];
      for (const l of latency) {
        const baseline = (
          await history.all("SELECT p95_ms FROM latency WHERE endpoint = ? AND samples >= ? AND run_id < ? AND run_id IN (SELECT id FROM runs WHERE profile = ? AND status != 'error') ORDER BY run_id LIMIT ?", [l.endpoint, budgets.minSamples, runId, o.profile, budgets.baselineRuns])
        ).map((r) => Number(r.p95_ms));
        const v = judgeLatency(budgets, o.profile, l.endpoint, l, baseline);
        const over = v.state === 'over';
        if (over) overBudget += 1;
        judged.push({ endpoint: l.endpoint, p95: l.p95, budgetMs: v.budgetMs });
        await history.insert('latency', { run_id: runId, endpoint: l.endpoint, samples: l.samples, p50_ms: l.p50, p95_ms: l.p95, max_ms: l.max, budget_ms: v.budgetMs, budget_rule: v.rule, over_budget: over ? 1 : 0 });
        if (v.state === 'over' || v.state === 'within') {
          checks.push({ key: `latency:${l.endpoint}`, api: l.endpoint.split(' ')[0], state: over ? 'degraded' : 'ok', failureClass: over ? 'latency' : undefined, detail: over ? `p95 ${Math.round(l.p95)} ms over its budget of ${v.budgetMs} ms (${v.rule}; ${l.samples} samples)` : undefined });
        }
      }
      if (status === 'passed' && overBudget) {
        status = 'degraded';
        reason = `${overBudget} endpoint(s) over their latency budget`;
      }
      await history.run('UPDATE runs SET status = ?, reason = ?, over_budget = ? WHERE id = ?', [status, reason ?? null, overBudget, runId]);
      await history.insertMany('checks', checks.map((c) => ({ run_id: runId, check_key: c.key, api: c.api, requirement: c.requirement, level: c.level, state: c.state, failure_class: c.failureClass, detail: c.detail })));
      return { runId, checks, judged };
    });

    const { runId, checks, judged } = result;
    const drift = observations.length ? await recordDrift(history, o.profile, runId, observations, endedAt) : [];
    const decided = await decideAlerts(history, o.profile, runId, checks, { alertAfter, remindEvery });
    const driftAlerts: Alert[] = drift.map((f) => ({ kind: 'drift', key: `drift:${f.subject} ${f.url}`, api: f.subject, failureClass: 'drift', detail: [f.summary, ...(f.diff ?? []).slice(0, 12)].join('\n') }));

    // Alerts, one message per kind; a maintenance window holds them back (recorded as suppressed).
    const window = openWindow(windows, o.profile, endedAt);
    const sent: MonitorResult['alerts'] = [];
    const byKind = new Map<AlertKind, Alert[]>();
    for (const a of [...decided, ...driftAlerts]) byKind.set(a.kind, [...(byKind.get(a.kind) ?? []), a]);
    for (const [kind, alerts] of byKind) {
      const message = alertMessage(kind, kind === 'drift' ? alerts.map((a) => ({ ...a, detail: a.detail?.replace(/\n/g, '\n   ') })) : alerts, { profile: o.profile, runId, report });
      let delivery: { delivered: boolean; attempts: number; error?: string } = { delivered: false, attempts: 0, error: 'no NHN_MONITOR_WEBHOOK_URL' };
      if (window) delivery = { delivered: false, attempts: 0 };
      else if (webhook) delivery = await deliver(webhook, message);
      if (webhook && !window && !delivery.delivered) log(`alert delivery failed after ${delivery.attempts} attempt(s): ${delivery.error}; recorded, the run goes on`);
      sent.push({ kind, text: message.text, delivered: delivery.delivered, suppressed: window?.reason, error: delivery.error });
      await history.transaction(async () => {
        for (const a of alerts) {
          await history.insert('alerts', { run_id: runId, profile: o.profile, at: new Date().toISOString(), check_key: a.key, kind, text: message.text, delivered: delivery.delivered ? 1 : 0, attempts: delivery.attempts, suppressed: window?.reason, error: delivery.error });
        }
      });
    }

    // Metrics, the dashboard and the history file.
    const registry = metricsRegistry({
      profile: o.profile,
      runId,
      status,
      endedAt: endedAt.toISOString(),
      wallMs: summary?.run.wallTimeMs ?? suiteMs,
      byApi: summary?.byApi ?? {},
      failedRequirements: checks.filter((c) => c.requirement && c.state === 'failed').map((c) => ({ requirement: c.requirement!, api: c.api, level: c.level })),
      latency: judged,
      flaky: flaky.length,
      drift: drift.length,
      certificates: observations.filter((x) => x.expires).map((x) => ({ origin: x.url, expires: x.expires! })),
    });
    await writeMetrics(path.join(dir, 'metrics.prom'), registry);
    if (pushgateway) {
      const error = await pushMetrics(pushgateway, registry, o.profile);
      log(error ? `Pushgateway push failed (${error}); the run goes on` : 'metrics pushed to the Pushgateway');
    }
    // Retention: past the detail window a run leaves its day's aggregates; past the retention period it goes.
    const kept = await applyRetention(history, { detailDays, retentionDays, baselineRuns: budgets.baselineRuns, now: endedAt });
    if (kept.aggregatedRuns || kept.deletedRuns) {
      await history.vacuum();
      log(`history: ${kept.aggregatedRuns} run(s) past ${detailDays} days kept as daily aggregates${kept.deletedRuns ? `, ${kept.deletedRuns} past ${retentionDays} days removed` : ''}`);
    }
    const data = await dashboardData(history, { flakyWindow });
    writeDashboard(dashboard, data);
    const rates = new Map((data.profiles.find((p) => p.profile === o.profile)?.flaky ?? []).map((f) => [f.test, `${f.flakyRuns} of the last ${f.runs} runs`]));
    const flakyNow = flaky.map((t) => ({ title: t.title, firstFailure: `${t.flaky!.firstFailure.class ?? 'contract'}: ${firstLine(t.flaky!.firstFailure.message) ?? ''}`, rate: rates.get(t.title) ?? '1 run' }));
    const historyBytes = await history.save();
    const monitorMs = Math.round(performance.now() - started);
    return { runId, status, reason, alerts: sent, drift, flaky: flakyNow, historyBytes, suiteMs, monitorMs, dashboard };
  } finally {
    await history.close();
  }
}
