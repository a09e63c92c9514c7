// The monitor's figures for existing stacks: Prometheus text (reports/monitor/metrics.prom, for
// node_exporter's textfile collector) and, when NHN_MONITOR_PUSHGATEWAY_URL is set, a push to a
// Pushgateway, both through prom-client. An operator's Grafana takes over from there.
import fs from 'node:fs';
import path from 'node:path';
import client from 'prom-client';

export interface RunFigures {
  profile: string;
  runId: number;
  status: 'passed' | 'degraded' | 'failed' | 'error';
  endedAt: string;
  wallMs: number;
  byApi: Record<string, Record<string, number>>;
  failedRequirements: Array<{ requirement: string; api?: string; level?: string }>;
  latency: Array<{ endpoint: string; p95: number; budgetMs?: number }>;
  flaky: number;
  drift: number;
  certificates: Array<{ origin: string; expires: string }>;
}

export function metricsRegistry(f: RunFigures): client.Registry {
  const registry = new client.Registry();
  const gauge = (name: string, help: string, labelNames: string[] = []) => new client.Gauge({ name, help, labelNames: ['profile', ...labelNames], registers: [registry] });
  const p = { profile: f.profile };
  const status = gauge('nhn_monitor_run_status', 'The last run\'s state: 1 for the state it is in, 0 for the others', ['status']);
  for (const s of ['passed', 'degraded', 'failed', 'error']) status.set({ ...p, status: s }, s === f.status ? 1 : 0);
  gauge('nhn_monitor_run_id', 'The last run\'s number in the history').set(p, f.runId);
  gauge('nhn_monitor_last_run_timestamp_seconds', 'When the last run ended').set(p, Date.parse(f.endedAt) / 1000);
  gauge('nhn_monitor_run_duration_seconds', 'Wall time of the last run').set(p, f.wallMs / 1000);
  const tests = gauge('nhn_monitor_tests', 'Tests of the last run by API and verdict', ['api', 'verdict']);
  for (const [api, counts] of Object.entries(f.byApi)) for (const [verdict, n] of Object.entries(counts)) tests.set({ ...p, api, verdict }, n);
  const failed = gauge('nhn_monitor_requirement_failed', 'Requirements the last run found broken (1 each)', ['requirement', 'api', 'level']);
  for (const r of f.failedRequirements) failed.set({ ...p, requirement: r.requirement, api: r.api ?? '', level: r.level ?? '' }, 1);
  const p95 = gauge('nhn_monitor_endpoint_latency_p95_seconds', 'p95 latency per endpoint in the last run', ['endpoint']);
  const budget = gauge('nhn_monitor_endpoint_budget_p95_seconds', 'The p95 budget per endpoint', ['endpoint']);
  for (const l of f.latency) {
    p95.set({ ...p, endpoint: l.endpoint }, l.p95 / 1000);
    if (l.budgetMs !== undefined) budget.set({ ...p, endpoint: l.endpoint }, l.budgetMs / 1000);
  }
  gauge('nhn_monitor_flaky_tests', 'Tests that passed only on their retry in the last run').set(p, f.flaky);
  gauge('nhn_monitor_drift_findings', 'What the drift sentinel found changed in the last run').set(p, f.drift);
  const expiry = gauge('nhn_monitor_certificate_expiry_timestamp_seconds', 'When each host\'s TLS certificate expires', ['origin']);
  for (const c of f.certificates) expiry.set({ ...p, origin: c.origin }, Date.parse(c.expires) / 1000);
  return registry;
}

export async function writeMetrics(file: string, registry: client.Registry): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // The textfile collector reads whole files: write aside, then rename.
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, await registry.metrics());
  fs.renameSync(tmp, file);
}

/** Pushes to a Pushgateway under job nhn_monitor and the profile; never throws. */
export async function pushMetrics(url: string, registry: client.Registry, profile: string): Promise<string | undefined> {
  try {
    const gateway = new client.Pushgateway(url, { timeout: 5_000 }, registry);
    await gateway.pushAdd({ jobName: 'nhn_monitor', groupings: { profile } });
    return undefined;
  } catch (e) {
    // The URL may carry credentials: name the failure only.
    return (e as { code?: string }).code ?? (e as Error).message.replace(/https?:\/\/\S+/g, '<pushgateway>');
  }
}
