// `npm run monitor -- --profile <name> [--history <file>] [-- <Playwright arguments>]`: one
// monitor run (helpers/monitor/monitor.ts), its state on the last line.
import { PROFILES, type ProfileName } from '../config/profiles.ts';
import { ConfigurationError } from '../config/settings.ts';
import { monitorRun } from '../monitor/monitor.ts';
import { cliArgs } from './args.ts';

const usage = `usage: npm run monitor -- --profile <name> [--history <file>] [-- <Playwright arguments>]
  Runs the suite against a profile as a monitor: a failed test is retried once (passing on the
  retry makes it flaky, with its first failure kept), and the run goes into the history
  (reports/monitor/history.sqlite, or --history / NHN_MONITOR_HISTORY) with verdicts per test,
  requirement and API, latency per endpoint against schemas/monitor/budgets.yaml, and what the
  drift sentinel found. Then it alerts (NHN_MONITOR_WEBHOOK_URL; after NHN_MONITOR_ALERT_AFTER
  failed runs in a row, reminders, recoveries; schemas/monitor/maintenance.yaml holds them back),
  writes reports/monitor/metrics.prom (and pushes to NHN_MONITOR_PUSHGATEWAY_URL) and redraws
  reports/monitor/index.html. Against local it starts the twin itself.
  Playwright arguments narrow the run, e.g. -- specs/pit --grep @PIT-SEARCH
  exit 0 passed or degraded (over a latency budget), 1 failed, 2 the suite could not run or bad usage
`;
const { values, positionals } = cliArgs(usage, { profile: { type: 'string' }, history: { type: 'string' } }, true);
const profile = (values.profile as string | undefined) ?? process.env.NHN_PROFILE?.split(',')[0] ?? 'local';
if (!(profile in PROFILES)) {
  process.stderr.write(`--profile must be one of ${Object.keys(PROFILES).join(', ')}, got "${profile}"\n${usage}`);
  process.exit(2);
}
try {
  const r = await monitorRun({ profile: profile as ProfileName, history: values.history as string | undefined, playwrightArgs: positionals });
  for (const f of r.flaky) process.stdout.write(`[monitor] flaky (passed on its retry; flaky in ${f.rate}): ${f.title} — first failure ${f.firstFailure}\n`);
  for (const a of r.alerts) process.stdout.write(`[monitor] ${a.suppressed ? `suppressed (${a.suppressed})` : a.delivered ? 'sent' : `not sent (${a.error})`}:\n${a.text.replace(/^/gm, '    ')}\n`);
  process.stdout.write(
    `[monitor] run #${r.runId} (${profile}): ${r.status.toUpperCase()}${r.reason ? ` — ${r.reason}` : ''}; flaky: ${r.flaky.length}; drift: ${r.drift.length} finding(s); alerts: ${r.alerts.length}; suite ${(r.suiteMs / 1000).toFixed(1)} s, monitor ${(r.monitorMs / 1000).toFixed(1)} s; history ${(r.historyBytes / 1024).toFixed(0)} KiB → ${r.dashboard}\n`,
  );
  process.exitCode = r.status === 'failed' ? 1 : r.status === 'error' ? 2 : 0;
} catch (e) {
  process.stderr.write(`[monitor] ${e instanceof ConfigurationError ? e.message : `could not run: ${(e as Error).message}`}\n`);
  process.exitCode = 2;
}
