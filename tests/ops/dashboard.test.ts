// The monitor's dashboard in a real browser (Debian's Chromium, which .ci/run installs): from a
// seeded history it draws every chart with a point per run or day, the budget lines, the flaky
// tests and the drift timeline, and nothing on the page fails; after months of simulated nightly
// runs the page stays small and quick, with the endpoints over budget first. Screenshots are
// attached to the results.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { chromiumMissing, launchChromium } from '../../helpers/chromium.ts';
import { dashboardData, writeDashboard } from '../../helpers/monitor/dashboard.ts';
import { History } from '../../helpers/monitor/history.ts';
import { simulateYear, type NightFigures } from '../bench/monitor-year.ts';
import { HISTORY_BACKENDS } from '../support/histories.ts';

const RUNS = 5;

async function seededHistory(location: string): Promise<History> {
  const h = await History.open(location);
  const statuses = ['passed', 'passed', 'passed', 'degraded', 'failed'];
  for (let i = 0; i < RUNS; i++) {
    const at = new Date(Date.UTC(2026, 10, 17 + i, 2, 0)).toISOString();
    const id = await h.insert('runs', { profile: 'test', started_at: at, ended_at: at, status: statuses[i], reason: i === 4 ? '1 test(s) failed' : undefined, tests: 40, passed: 40 - (i === 4 ? 1 : 0), failed: i === 4 ? 1 : 0, flaky: i === 2 ? 1 : 0, over_budget: i === 3 ? 1 : 0 });
    await h.insert('api_results', { run_id: id, api: 'pit', passed: 20 - (i === 4 ? 1 : 0), failed: i === 4 ? 1 : 0, warned: 0, inconclusive: 0, skipped: 0 });
    await h.insert('api_results', { run_id: id, api: 'person', passed: 20, failed: 0, warned: 0, inconclusive: 0, skipped: 2 });
    await h.insert('latency', { run_id: id, endpoint: 'pit GET /v1/Patient', samples: 30, p50_ms: 80, p95_ms: i === 3 ? 900 : 120 + i, max_ms: 950, budget_ms: i < 3 ? null : 480, budget_rule: 'baseline × 4', over_budget: i === 3 ? 1 : 0 });
    await h.insert('latency', { run_id: id, endpoint: 'helseid POST /connect/token', samples: 12, p50_ms: 200, p95_ms: 260, max_ms: 300, budget_ms: 3000, budget_rule: '3000 ms', over_budget: 0 });
    await h.insert('test_results', { run_id: id, test_key: `test › specs/pit/paging.spec.ts › traversal`, title: 'PIT keyset pagination › traversal', api: 'pit', verdict: 'passed', flaky: i === 2 ? 1 : 0, first_failure: i === 2 ? 'infrastructure: socket hang up' : undefined });
  }
  await h.insert('drift_events', { run_id: 4, profile: 'test', at: new Date(Date.UTC(2026, 10, 20, 2, 0)).toISOString(), subject: 'HelseID JWKS', url: 'https://helseid-sts.test.nhn.no/.well-known/openid-configuration/jwks', kind: 'changed', summary: 'HelseID JWKS changed: 1 difference', diff: 'key added: next-2026 (RSA, RS256, sig)' });
  return h;
}

for (const backend of HISTORY_BACKENDS) test(`the dashboard draws a point per run for every chart in Chromium (${backend.name} history)`, async ({}, info) => {
  test.skip(Boolean(chromiumMissing()), chromiumMissing());
  test.skip(Boolean(backend.skip), backend.skip);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nhn-dashboard-'));
  const location = backend.location(dir, 'dashboard');
  const history = await seededHistory(location);
  const page = path.join(dir, 'index.html');
  try {
    writeDashboard(page, await dashboardData(history, { flakyWindow: 20 }));
  } finally {
    await history.close();
    await History.discard(location);
  }

  const browser = await launchChromium();
  try {
    const tab = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const problems: string[] = [];
    tab.on('pageerror', (e) => problems.push(e.message));
    tab.on('console', (m) => (m.type() === 'error' ? problems.push(m.text()) : undefined));
    await tab.goto(`file://${page}`);
    await expect(tab.locator('body')).toHaveAttribute('data-ready', 'true');
    const charts = await tab.evaluate(() =>
      (window as unknown as { nhnCharts: Array<{ canvas: HTMLCanvasElement; data: { labels: unknown[]; datasets: Array<{ label: string; data: Array<number | null> }> } }> }).nhnCharts.map((c) => {
        const { width, height } = c.canvas;
        const pixels = c.canvas.getContext('2d')!.getImageData(0, 0, width, height).data;
        let inked = 0;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) inked += 1;
        return { title: c.canvas.dataset.chart!, labels: c.data.labels.length, series: Object.fromEntries(c.data.datasets.map((d) => [d.label, d.data.filter((v) => v !== null).length])), inked, width, height };
      }),
    );
    expect(problems).toEqual([]);
    const byTitle = Object.fromEntries(charts.map((c) => [c.title, c]));
    // The endpoint over budget (on one day) comes first.
    expect(Object.keys(byTitle)).toEqual(['Run state', 'Pass rate per API (%)', 'Pass rate per API per day (%)', 'Drift findings per run', 'Flaky tests (last 20 runs)', 'pit GET /v1/Patient (1 day(s) over)', 'helseid POST /connect/token']);
    expect(byTitle['Pass rate per API (%)']!.labels).toBe(RUNS);
    expect(byTitle['Pass rate per API (%)']!.series).toEqual({ pit: RUNS, person: RUNS });
    // One run a day: as many days as runs.
    expect(byTitle['Pass rate per API per day (%)']!.series).toEqual({ pit: RUNS, person: RUNS });
    expect(byTitle['pit GET /v1/Patient (1 day(s) over)']!.series).toEqual({ 'p95 (mean of the day)': RUNS, budget: 2 });
    expect(byTitle['Flaky tests (last 20 runs)']!.labels).toBe(1);
    for (const c of charts) {
      expect(c.width, `${c.title} has a size`).toBeGreaterThan(100);
      // Axes, lines and bars: a drawn chart inks a fair share of its canvas.
      expect(c.inked, `${c.title} is drawn`).toBeGreaterThan(c.width * c.height * 0.01);
    }
    await expect(tab.locator('.state.failed')).toHaveText('Last run #5 FAILED: 1 test(s) failed');
    await expect(tab.locator('.timeline li.changed')).toContainText('HelseID JWKS changed: 1 difference');
    await expect(tab.locator('table')).toContainText('infrastructure: socket hang up');
    const shot = info.outputPath(`dashboard-${backend.name}.png`);
    await tab.screenshot({ path: shot, fullPage: true });
    await info.attach('dashboard', { path: shot, contentType: 'image/png' });
    process.stdout.write(`[ops] dashboard screenshot: ${shot}\n`);
  } finally {
    await browser.close();
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

for (const backend of HISTORY_BACKENDS) test(`after a quarter of nightly runs the dashboard stays under 2 MB, renders in under 2 s and puts the endpoints over budget first (${backend.name} history)`, async ({}, info) => {
  test.skip(Boolean(chromiumMissing()), chromiumMissing());
  test.skip(Boolean(backend.skip), backend.skip);
  test.setTimeout(180_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nhn-dashboard-year-'));
  const page = path.join(dir, 'index.html');
  const nights = 90;
  const location = backend.location(dir, 'quarter');
  let last: NightFigures | undefined;
  try {
    await simulateYear(location, page, nights, (f) => void (last = f));
  } finally {
    await History.discard(location);
  }
  expect(last!.dashboardBytes, 'the dashboard grew past 2 MB').toBeLessThan(2 * 1024 * 1024);
  expect(last!.series, 'the endpoint series grew with the runs').toBe(22);
  const browser = await launchChromium();
  try {
    const tab = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const problems: string[] = [];
    tab.on('pageerror', (e) => problems.push(e.message));
    const started = performance.now();
    await tab.goto(`file://${page}`);
    await expect(tab.locator('body')).toHaveAttribute('data-ready', 'true');
    const renderMs = performance.now() - started;
    expect(problems).toEqual([]);
    expect(renderMs, 'the dashboard took over 2 s to render').toBeLessThan(2000);
    const titles = await tab.locator('.grid.small figcaption').allTextContents();
    const over = titles.map((t) => /day\(s\) over/.test(t));
    // Every endpoint that went over budget comes before every one that never did.
    expect(over.indexOf(false) === -1 || !over.slice(over.indexOf(false)).includes(true), titles.join(' | ')).toBe(true);
    expect(over.filter(Boolean).length).toBeGreaterThan(0);
    info.annotations.push({ type: `dashboard after 90 nights (${backend.name} history)`, description: `${(last!.dashboardBytes / 1024).toFixed(0)} KiB, rendered in ${renderMs.toFixed(0)} ms, history ${(last!.historyBytes / 1048576).toFixed(1)} MiB` });
    const shot = info.outputPath(`dashboard-90-nights-${backend.name}.png`);
    await tab.screenshot({ path: shot, fullPage: false });
    await info.attach('dashboard after 90 nights', { path: shot, contentType: 'image/png' });
  } finally {
    await browser.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
