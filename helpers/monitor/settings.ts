// The monitor's variables. The webhook URL is a secret (it lets anyone post to the channel): the
// monitor registers it for redaction, and a malformed one is never shown.
import path from 'node:path';
import { intSetting, stringSetting, urlSetting } from '../config/settings.ts';
import { reportDir } from '../config/profiles.ts';
import { registerSecret } from '../evidence/redact.ts';
import { historyPassword, isPostgresUrl } from './history.ts';

export const MONITOR_SETTINGS = {
  history: stringSetting('NHN_MONITOR_HISTORY', 'the monitor history: a SQLite file (default <NHN_REPORT_DIR>/monitor/history.sqlite), or a postgres:// URL (its password is a secret; ?schema= names the schema, default nhn_monitor)'),
  webhook: urlSetting('NHN_MONITOR_WEBHOOK_URL', 'webhook for alerts (Slack- or Teams-compatible JSON with a text field); a secret', ['http:', 'https:'], { secret: true }),
  alertAfter: intSetting('NHN_MONITOR_ALERT_AFTER', 'failed runs in a row before a check alerts', { min: 1, max: 100, fallback: 2 }),
  remindEvery: intSetting('NHN_MONITOR_REMIND_EVERY', 'while a check stays failed, a reminder every this many runs', { min: 1, max: 1000, fallback: 6 }),
  flakyWindow: intSetting('NHN_MONITOR_FLAKY_WINDOW', 'how many recent runs flakiness rates are taken over', { min: 2, max: 1000, fallback: 20 }),
  detailDays: intSetting('NHN_MONITOR_DETAIL_DAYS', "days a run keeps its per-test, per-check and per-endpoint rows; older runs keep their day's aggregates", { min: 1, max: 3650, fallback: 30 }),
  retentionDays: intSetting('NHN_MONITOR_RETENTION_DAYS', 'days the history keeps runs and their daily aggregates at all', { min: 2, max: 36500, fallback: 400 }),
  reportUrl: urlSetting('NHN_MONITOR_REPORT_URL', 'where the monitor\'s reports are published (alerts link to it); default the local dashboard file'),
  pushgateway: urlSetting('NHN_MONITOR_PUSHGATEWAY_URL', 'a Prometheus Pushgateway the monitor pushes its metrics to (may carry credentials)', ['http:', 'https:'], { secret: true }),
  budgets: stringSetting('NHN_MONITOR_BUDGETS', 'latency budgets file (default schemas/monitor/budgets.yaml)', { fallback: 'schemas/monitor/budgets.yaml' }),
  maintenance: stringSetting('NHN_MONITOR_MAINTENANCE', 'maintenance windows file (default schemas/monitor/maintenance.yaml)', { fallback: 'schemas/monitor/maintenance.yaml' }),
};

export function monitorDir(): string {
  return path.join(reportDir(), 'monitor');
}

/** The history's location: a postgres:// URL as given (its password registered as a secret), or a file path. */
export function historyLocation(explicit?: string): string {
  const given = explicit ?? MONITOR_SETTINGS.history.read();
  if (given && isPostgresUrl(given)) {
    registerSecret(historyPassword(given));
    return given;
  }
  return path.resolve(given ?? path.join(monitorDir(), 'history.sqlite'));
}
