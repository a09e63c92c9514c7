// The monitor's dashboard: one static page (reports/monitor/index.html) that opens from disk or any
// web server, with no network: Chart.js is inlined and the history's figures are embedded as JSON.
// Per profile: the newest runs in detail (their states, pass rate per API, drift), and over the
// whole history, day by day, the pass rate per API and the p95 per endpoint against its budget,
// the endpoints over budget first (from the runs kept in detail and the daily aggregates of older
// ones, retention.ts); the flaky tests and the drift timeline. Its size depends on the days kept
// and the routes, not on the number of runs.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { History } from './history.ts';

const require = createRequire(import.meta.url);

export interface DashboardData {
  generatedAt: string;
  flakyWindow: number;
  profiles: Array<{
    profile: string;
    runs: Array<{ id: number; at: string; status: string; reason?: string; failed: number; flaky: number; overBudget: number }>;
    passRate: Record<string, Array<number | null>>;
    /** Day by day over the whole history. */
    days: string[];
    dailyPassRate: Record<string, Array<number | null>>;
    /** The mean p95 per day and the budget, per endpoint; over budget on the last day first, then by days over budget. */
    latency: Record<string, { p95: Array<number | null>; budget: Array<number | null>; overDays: number; overLast: boolean }>;
    flaky: Array<{ test: string; api: string; flakyRuns: number; runs: number; lastFirstFailure: string }>;
    drift: Array<{ run: number | null; at: string; subject: string; kind: string; summary: string; diff: string }>;
  }>;
}

/** The figures the page draws, from the last `limit` runs of each profile. */
export async function dashboardData(history: History, o: { limit?: number; flakyWindow: number }): Promise<DashboardData> {
  const limit = o.limit ?? 90;
  const profiles = (await history.all('SELECT DISTINCT profile FROM runs ORDER BY profile')).map((r) => String(r.profile));
  return {
    generatedAt: new Date().toISOString(),
    flakyWindow: o.flakyWindow,
    profiles: await Promise.all(profiles.map(async (profile) => {
      // The newest runs in detail: those whose per-test rows are still kept (retention.ts).
      const runs = (await history.all('SELECT * FROM (SELECT id, ended_at, status, reason, failed, flaky, over_budget FROM runs WHERE profile = ? AND detail_dropped = 0 ORDER BY id DESC LIMIT ?) newest ORDER BY id', [profile, limit]))
        .map((r) => ({ id: Number(r.id), at: String(r.ended_at), status: String(r.status), reason: r.reason ? String(r.reason) : undefined, failed: Number(r.failed ?? 0), flaky: Number(r.flaky ?? 0), overBudget: Number(r.over_budget ?? 0) }));
      const index = new Map(runs.map((r, i) => [r.id, i]));
      const first = runs[0]?.id ?? 0;
      const series = () => runs.map((): number | null => null);
      const passRate: Record<string, Array<number | null>> = {};
      for (const a of await history.all('SELECT run_id, api, passed, failed, warned, inconclusive FROM api_results WHERE run_id >= ? AND run_id IN (SELECT id FROM runs WHERE profile = ?)', [first, profile])) {
        const judged = Number(a.passed) + Number(a.failed) + Number(a.warned) + Number(a.inconclusive);
        if (!judged) continue;
        (passRate[String(a.api)] ??= series())[index.get(Number(a.run_id))!] = Math.round((1000 * Number(a.passed)) / judged) / 10;
      }
      // Day by day: the runs still kept in detail, and the daily aggregates of the older ones.
      const dayRows = await history.all(
        `SELECT day, api, SUM(passed) AS passed, SUM(judged) AS judged FROM (
           SELECT substr(r.ended_at, 1, 10) AS day, a.api AS api, a.passed AS passed, a.passed + a.failed + a.warned + a.inconclusive AS judged
             FROM api_results a JOIN runs r ON r.id = a.run_id WHERE r.profile = ? AND r.detail_dropped = 0
           UNION ALL
           SELECT day, api, passed, passed + failed + warned + inconclusive FROM daily_api WHERE profile = ?) days
         GROUP BY day, api`,
        [profile, profile],
      );
      const endpointRows = await history.all(
        `SELECT day, endpoint, SUM(p95_sum) / SUM(runs) AS p95, MAX(budget) AS budget, SUM(over_runs) AS over FROM (
           SELECT substr(r.ended_at, 1, 10) AS day, l.endpoint AS endpoint, l.p95_ms AS p95_sum, 1 AS runs, l.budget_ms AS budget, COALESCE(l.over_budget, 0) AS over_runs
             FROM latency l JOIN runs r ON r.id = l.run_id WHERE r.profile = ? AND r.detail_dropped = 0
           UNION ALL
           SELECT day, endpoint, p95_sum_ms, runs, budget_ms, over_budget_runs FROM daily_endpoint WHERE profile = ?) days
         GROUP BY day, endpoint`,
        [profile, profile],
      );
      const days = [...new Set([...dayRows, ...endpointRows].map((r) => String(r.day)))].sort();
      const dayIndex = new Map(days.map((d, i) => [d, i]));
      const daily = () => days.map((): number | null => null);
      const dailyPassRate: Record<string, Array<number | null>> = {};
      for (const r of dayRows) {
        if (!Number(r.judged)) continue;
        (dailyPassRate[String(r.api)] ??= daily())[dayIndex.get(String(r.day))!] = Math.round((1000 * Number(r.passed)) / Number(r.judged)) / 10;
      }
      const latency: DashboardData['profiles'][number]['latency'] = {};
      for (const l of endpointRows) {
        const e = (latency[String(l.endpoint)] ??= { p95: daily(), budget: daily(), overDays: 0, overLast: false });
        const i = dayIndex.get(String(l.day))!;
        e.p95[i] = l.p95 === null ? null : Math.round(Number(l.p95));
        e.budget[i] = l.budget === null ? null : Number(l.budget);
        if (Number(l.over) > 0) {
          e.overDays += 1;
          if (i === days.length - 1) e.overLast = true;
        }
      }
      const window = runs.slice(-o.flakyWindow).map((r) => r.id);
      const flaky = window.length
        ? (
            await history.all(
              `SELECT MAX(title) AS title, MAX(api) AS api, SUM(flaky) AS flaky_runs, COUNT(*) AS runs, MAX(CASE WHEN flaky = 1 THEN first_failure END) AS first_failure
               FROM test_results WHERE run_id IN (${window.map(() => '?').join(',')}) GROUP BY test_key HAVING SUM(flaky) > 0 ORDER BY flaky_runs DESC, title`,
              window,
            )
          ).map((r) => ({ test: String(r.title), api: String(r.api ?? ''), flakyRuns: Number(r.flaky_runs), runs: Number(r.runs), lastFirstFailure: String(r.first_failure ?? '') }))
        : [];
      const drift = (await history.all('SELECT run_id, at, subject, kind, summary, diff FROM drift_events WHERE profile = ? ORDER BY id DESC LIMIT 200', [profile]))
        .map((d) => ({ run: d.run_id === null ? null : Number(d.run_id), at: String(d.at), subject: String(d.subject), kind: String(d.kind), summary: String(d.summary), diff: String(d.diff ?? '') }))
        .reverse();
      // The endpoints over budget first: on the last day, then by how many days.
      const sorted = Object.fromEntries(Object.entries(latency).sort(([a, x], [b, y]) => Number(y.overLast) - Number(x.overLast) || y.overDays - x.overDays || a.localeCompare(b)));
      return { profile, runs, passRate, days, dailyPassRate, latency: sorted, flaky, drift };
    })),
  };
}

// The page's own script: draws each chart from the embedded figures and marks the page ready.
const RENDER = String.raw`
const data = JSON.parse(document.getElementById('nhn-data').textContent);
const COLOURS = ['#1f6feb', '#d1242f', '#1a7f37', '#9a6700', '#8250df', '#bf3989', '#0a7ea4', '#57606a'];
const STATE = { passed: '#1a7f37', degraded: '#d4a72c', failed: '#d1242f', error: '#57606a' };
window.nhnCharts = [];
function chart(parent, title, config) {
  const figure = document.createElement('figure');
  figure.className = 'chart';
  figure.innerHTML = '<figcaption></figcaption><div class="canvas"><canvas></canvas></div>';
  figure.querySelector('figcaption').textContent = title;
  parent.appendChild(figure);
  const canvas = figure.querySelector('canvas');
  canvas.dataset.chart = title;
  config.options = Object.assign({ animation: false, responsive: true, maintainAspectRatio: false, plugins: { legend: { position: 'bottom' } } }, config.options || {});
  window.nhnCharts.push(new Chart(canvas, config));
}
function text(tag, content, className) {
  const el = document.createElement(tag);
  el.textContent = content;
  if (className) el.className = className;
  return el;
}
const root = document.getElementById('profiles');
if (!data.profiles.length) root.appendChild(text('p', 'No monitor runs yet: npm run monitor -- --profile <name> records the first.'));
for (const p of data.profiles) {
  const section = document.createElement('section');
  section.appendChild(text('h2', 'Profile ' + p.profile + ': the last ' + p.runs.length + ' run(s) in detail, ' + p.days.length + ' day(s) of trends'));
  const labels = p.runs.map((r) => '#' + r.id + ' ' + r.at.slice(0, 16).replace('T', ' '));
  const last = p.runs[p.runs.length - 1];
  if (last) section.appendChild(text('p', 'Last run #' + last.id + ' ' + last.status.toUpperCase() + (last.reason ? ': ' + last.reason : ''), 'state ' + last.status));
  const grid = document.createElement('div');
  grid.className = 'grid';
  section.appendChild(grid);
  chart(grid, 'Run state', { type: 'bar', data: { labels, datasets: [
    { label: 'failed tests', data: p.runs.map((r) => r.failed), backgroundColor: STATE.failed },
    { label: 'endpoints over budget', data: p.runs.map((r) => r.overBudget), backgroundColor: STATE.degraded },
    { label: 'flaky tests', data: p.runs.map((r) => r.flaky), backgroundColor: '#8250df' },
  ] }, options: { plugins: { tooltip: { callbacks: { afterTitle: (items) => p.runs[items[0].dataIndex].status } } } } });
  chart(grid, 'Pass rate per API (%)', { type: 'line', data: { labels, datasets: Object.entries(p.passRate).map(([api, values], i) => ({ label: api, data: values, borderColor: COLOURS[i % COLOURS.length], backgroundColor: COLOURS[i % COLOURS.length], spanGaps: true })) }, options: { scales: { y: { min: 0, max: 100 } } } });
  chart(grid, 'Pass rate per API per day (%)', { type: 'line', data: { labels: p.days, datasets: Object.entries(p.dailyPassRate).map(([api, values], i) => ({ label: api, data: values, borderColor: COLOURS[i % COLOURS.length], backgroundColor: COLOURS[i % COLOURS.length], spanGaps: true, pointRadius: p.days.length > 60 ? 0 : 3 })) }, options: { scales: { y: { min: 0, max: 100 } } } });
  chart(grid, 'Drift findings per run', { type: 'bar', data: { labels, datasets: [{ label: 'findings', data: p.runs.map((r) => p.drift.filter((d) => d.run === r.id).length), backgroundColor: '#0a7ea4' }] } });
  chart(grid, 'Flaky tests (last ' + data.flakyWindow + ' runs)', { type: 'bar', data: { labels: p.flaky.map((f) => f.test.slice(0, 40)), datasets: [{ label: 'flaky rate (%)', data: p.flaky.map((f) => Math.round(100 * f.flakyRuns / f.runs)), backgroundColor: '#8250df' }] }, options: { indexAxis: 'y', scales: { x: { min: 0, max: 100 } } } });
  section.appendChild(text('h3', 'p95 per endpoint per day against its budget (ms), over budget first'));
  const latency = document.createElement('div');
  latency.className = 'grid small';
  section.appendChild(latency);
  for (const [endpoint, l] of Object.entries(p.latency)) {
    const title = (l.overLast ? '⚠ over budget · ' : '') + endpoint + (l.overDays ? ' (' + l.overDays + ' day(s) over)' : '');
    chart(latency, title, { type: 'line', data: { labels: p.days, datasets: [
      { label: 'p95 (mean of the day)', data: l.p95, borderColor: '#1f6feb', backgroundColor: '#1f6feb', spanGaps: true, pointRadius: p.days.length > 60 ? 0 : 3 },
      { label: 'budget', data: l.budget, borderColor: '#d1242f', borderDash: [6, 4], pointRadius: 0, spanGaps: true },
    ] } });
  }
  if (p.flaky.length) {
    section.appendChild(text('h3', 'Flaky tests'));
    const table = document.createElement('table');
    table.innerHTML = '<tr><th>Test</th><th>API</th><th>Flaky runs</th><th>First failure (last time)</th></tr>';
    for (const f of p.flaky) {
      const row = table.insertRow();
      for (const v of [f.test, f.api, f.flakyRuns + ' of ' + f.runs, f.lastFirstFailure.split('\n')[0]]) row.insertCell().textContent = v;
    }
    section.appendChild(table);
  }
  section.appendChild(text('h3', 'Drift timeline'));
  const timeline = document.createElement('ol');
  timeline.className = 'timeline';
  if (!p.drift.length) timeline.appendChild(text('li', 'Nothing NHN publishes has changed since the first fingerprint.'));
  for (const d of p.drift) {
    const item = text('li', d.at.slice(0, 16).replace('T', ' ') + (d.run ? ' (run #' + d.run + ')' : '') + ' · ' + d.kind + ' · ' + d.summary, d.kind);
    if (d.diff) item.appendChild(text('pre', d.diff));
    timeline.appendChild(item);
  }
  section.appendChild(timeline);
  root.appendChild(section);
}
document.body.dataset.ready = 'true';
`;

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1f2328; }
h1 { font-size: 1.4rem; } h2 { margin-top: 2rem; border-bottom: 1px solid #d0d7de; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 1rem; }
.grid.small { grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); }
.chart { margin: 0; border: 1px solid #d0d7de; border-radius: 6px; padding: .5rem; }
.chart figcaption { font-weight: 600; font-size: .85rem; word-break: break-all; }
.chart .canvas { position: relative; height: 220px; }
.state { font-weight: 600; padding: .3rem .6rem; border-radius: 4px; display: inline-block; }
.state.passed { background: #dafbe1; } .state.degraded { background: #fff8c5; } .state.failed { background: #ffebe9; } .state.error { background: #eaeef2; }
table { border-collapse: collapse; } td, th { border: 1px solid #d0d7de; padding: .25rem .5rem; text-align: left; }
.timeline pre { background: #f6f8fa; padding: .4rem; margin: .2rem 0 .6rem; white-space: pre-wrap; }
`;

/** Writes the page; `<` is escaped in the embedded JSON so no figure can close the script. */
export function writeDashboard(file: string, data: DashboardData): void {
  // The package exports no path to its browser build: find it next to the resolved entry point.
  const chartJs = fs.readFileSync(path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.min.js'), 'utf8');
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>NHN conformance monitor</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${STYLE}</style></head>
<body><h1>NHN conformance monitor</h1><p>Generated ${data.generatedAt} from the monitor history.</p>
<div id="profiles"></div>
<script id="nhn-data" type="application/json">${json}</script>
<script>${chartJs.replace(/<\/script/gi, '<\\/script')}</script>
<script>${RENDER}</script>
</body></html>
`;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, html);
}
