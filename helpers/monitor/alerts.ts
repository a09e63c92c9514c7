// Alerts: which checks alert, remind or recover after a run, in which maintenance window they are
// held back, and their delivery to a webhook. A check alerts once it has failed N runs in a row,
// reminds every M runs while it stays failed, and recovers on its first good run after an alert.
// A drift finding alerts at once. Delivery is retried and logged; it never fails the run.
import fs from 'node:fs';
import { parse } from 'yaml';
import { ConfigurationError } from '../config/settings.ts';
import { redactText } from '../evidence/redact.ts';
import type { History } from './history.ts';

export type AlertKind = 'alert' | 'reminder' | 'recovery' | 'drift';

export interface CheckState {
  key: string;
  api?: string;
  requirement?: string;
  level?: string;
  state: 'ok' | 'failed' | 'degraded';
  failureClass?: string;
  detail?: string;
}

export interface Alert {
  kind: AlertKind;
  key: string;
  api?: string;
  requirement?: string;
  failureClass?: string;
  /** Failed runs in a row (alerts and reminders), or how many it took (recoveries). */
  runs?: number;
  detail?: string;
}

// ---- maintenance windows

export interface MaintenanceWindow {
  reason: string;
  profiles?: string[];
  /** Absolute: ISO instants. */
  from?: string;
  until?: string;
  /** Weekly: a day and UTC times of day. */
  weekly?: string;
}

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

export function loadMaintenance(file: string): MaintenanceWindow[] {
  if (!fs.existsSync(file)) return [];
  let doc: { windows?: unknown[] };
  try {
    doc = (parse(fs.readFileSync(file, 'utf8')) ?? {}) as typeof doc;
  } catch (e) {
    throw new ConfigurationError(`NHN_MONITOR_MAINTENANCE: cannot read ${file} (${(e as Error).message.split('\n')[0]})`);
  }
  return (doc.windows ?? []).map((raw, i) => {
    const w = raw as Omit<MaintenanceWindow, 'from' | 'until'> & { from?: unknown; until?: unknown };
    const where = `${file}: window #${i + 1}`;
    if (!w?.reason) throw new ConfigurationError(`${where}: a window needs a reason`);
    const from = w.from instanceof Date ? w.from.toISOString() : String(w.from ?? '');
    const until = w.until instanceof Date ? w.until.toISOString() : String(w.until ?? '');
    if (w.weekly !== undefined) {
      if (!DAYS.includes(String(w.weekly).toLowerCase())) throw new ConfigurationError(`${where}: weekly must be one of ${DAYS.join(', ')}`);
      if (!/^\d\d:\d\d$/.test(from) || !/^\d\d:\d\d$/.test(until)) throw new ConfigurationError(`${where}: a weekly window's from and until are UTC times, "HH:MM"`);
    } else if (Number.isNaN(Date.parse(from)) || Number.isNaN(Date.parse(until))) {
      throw new ConfigurationError(`${where}: from and until must be ISO instants (or give weekly: <day> with HH:MM times)`);
    }
    return { reason: w.reason, profiles: w.profiles, weekly: w.weekly?.toLowerCase(), from, until };
  });
}

/** The window open at `at` for this profile, if any. */
export function openWindow(windows: readonly MaintenanceWindow[], profile: string, at: Date): MaintenanceWindow | undefined {
  return windows.find((w) => {
    if (w.profiles && !w.profiles.includes(profile)) return false;
    if (!w.weekly) return at.getTime() >= Date.parse(w.from!) && at.getTime() < Date.parse(w.until!);
    if (DAYS[at.getUTCDay()] !== w.weekly) return false;
    const minutes = at.getUTCHours() * 60 + at.getUTCMinutes();
    const [fh, fm] = w.from!.split(':').map(Number);
    const [uh, um] = w.until!.split(':').map(Number);
    return minutes >= fh! * 60 + fm! && minutes < uh! * 60 + um!;
  });
}

// ---- what to send

/**
 * The alerts a run gives, from the history (this run's checks already stored). `open` means an
 * alert about the check went out and no recovery yet; a suppressed or undelivered one does not count.
 */
export async function decideAlerts(history: History, profile: string, runId: number, checks: readonly CheckState[], o: { alertAfter: number; remindEvery: number }): Promise<Alert[]> {
  const alerts: Alert[] = [];
  const runIds = (await history.all('SELECT id FROM runs WHERE profile = ? AND id <= ? ORDER BY id DESC', [profile, runId])).map((r) => Number(r.id));
  for (const c of checks) {
    const last = await history.one("SELECT kind, run_id FROM alerts WHERE profile = ? AND check_key = ? AND delivered = 1 AND kind IN ('alert', 'reminder', 'recovery') ORDER BY id DESC LIMIT 1", [profile, c.key]);
    const open = last !== undefined && last.kind !== 'recovery';
    // Failed runs in a row, this one included.
    const states = new Map((await history.all('SELECT run_id, state FROM checks WHERE check_key = ? AND run_id IN (SELECT id FROM runs WHERE profile = ?)', [c.key, profile])).map((r) => [Number(r.run_id), String(r.state)]));
    let streak = 0;
    for (const id of runIds) {
      const s = states.get(id);
      if (s === undefined || s === 'ok') break;
      streak += 1;
    }
    const base = { key: c.key, api: c.api, requirement: c.requirement, failureClass: c.failureClass, detail: c.detail };
    if (c.state !== 'ok') {
      if (!open && streak >= o.alertAfter) alerts.push({ kind: 'alert', runs: streak, ...base });
      else if (open) {
        const since = runIds.indexOf(Number(last!.run_id));
        if (since >= o.remindEvery) alerts.push({ kind: 'reminder', runs: streak, ...base });
      }
    } else if (open) {
      // How many failed runs came before this good one.
      let before = 0;
      for (const id of runIds.slice(1)) {
        const st = states.get(id);
        if (st === undefined || st === 'ok') break;
        before += 1;
      }
      alerts.push({ kind: 'recovery', runs: before, ...base });
    }
  }
  return alerts;
}

const HEADINGS: Record<AlertKind, string> = {
  alert: 'FAILING',
  reminder: 'STILL FAILING',
  recovery: 'RECOVERED',
  drift: 'DRIFT',
};

/** One line per alert: the API, the requirement (or test, or endpoint), the failure class. */
export function alertLine(a: Alert): string {
  const what = a.requirement ? `${a.api ?? 'suite'} · ${a.requirement}` : a.key;
  const klass = a.failureClass ? ` · ${a.failureClass} failure` : '';
  const runs = a.kind === 'recovery' ? ` (after ${a.runs} failed run${a.runs === 1 ? '' : 's'})` : a.runs ? ` (${a.runs} runs in a row)` : '';
  const detail = a.detail ? ` — ${a.detail.split('\n')[0]!.slice(0, 200)}` : '';
  return `${what}${klass}${runs}${detail}`;
}

/** The message for one kind of alert of one run: Slack's and Teams' incoming webhooks read `text`. */
export function alertMessage(kind: AlertKind, alerts: readonly Alert[], o: { profile: string; runId: number; report: string }) {
  const lines = alerts.map((a) => `• ${alertLine(a)}`);
  const text = redactText(`[NHN monitor · ${o.profile} · run #${o.runId}] ${HEADINGS[kind]}: ${alerts.length} check${alerts.length === 1 ? '' : 's'}\n${lines.join('\n')}\nReport: ${o.report}`);
  return { text, nhn: { kind, profile: o.profile, run: o.runId, report: o.report, checks: alerts.map((a) => ({ key: a.key, api: a.api, requirement: a.requirement, failureClass: a.failureClass, runs: a.runs })) } };
}

export interface Delivery {
  delivered: boolean;
  attempts: number;
  error?: string;
}

/** Posts JSON to the webhook, up to `attempts` times with a growing pause; never throws. */
export async function deliver(url: string, payload: unknown, o: { attempts?: number; pauseMs?: number; timeoutMs?: number } = {}): Promise<Delivery> {
  const attempts = o.attempts ?? 3;
  let error = '';
  for (let i = 1; i <= attempts; i++) {
    try {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload), signal: AbortSignal.timeout(o.timeoutMs ?? 5_000) });
      if (response.ok) return { delivered: true, attempts: i };
      error = `HTTP ${response.status}`;
    } catch (e) {
      // The URL is a secret: name the failure, never the address.
      error = (e as Error).name === 'TimeoutError' ? 'no answer in time' : ((e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message);
    }
    if (i < attempts) await new Promise((r) => setTimeout(r, (o.pauseMs ?? 500) * i));
  }
  return { delivered: false, attempts, error };
}
