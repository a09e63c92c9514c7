// What client-conformance mode leaves behind: a report (JSON and Markdown) of every CLIENT-*
// requirement with its verdict and violations, and an evidence bundle in the same signed format
// as a suite run's (the observed requests, redacted, as HAR), which verify-evidence checks.
import fs from 'node:fs';
import path from 'node:path';
import { certify, type CertifyResult } from '../../helpers/evidence/certify.ts';
import { toHarEntry } from '../../helpers/evidence/har.ts';
import type { TestRecord } from '../../helpers/evidence/summary-reporter.ts';
import type { HttpResponse } from '../../helpers/http/client.ts';
import type { ClientJudge, ClientReport } from './judge.ts';

export function writeClientReport(report: ClientReport, dir: string): { json: string; markdown: string } {
  fs.mkdirSync(dir, { recursive: true });
  const json = path.join(dir, 'client-conformance.json');
  const markdown = path.join(dir, 'client-conformance.md');
  fs.writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  const rows = report.requirements.map((r) => `| ${r.id} | ${r.verdict} | ${r.exercised} | ${r.text} |`);
  const details = report.requirements.flatMap((r) => r.violations.slice(0, 20).map((v) => `- **${r.id}** request #${v.seq} \`${v.request}\`: ${v.detail}`));
  fs.writeFileSync(markdown, [`# Client conformance`, '', `${report.requests} requests from ${report.clients.join(', ') || 'no identified client'}, judged ${report.generatedAt}.`, '', '| requirement | verdict | times exercised | rule |', '|---|---|---|---|', ...rows, '', details.length ? '## Violations' : '', ...details, ''].join('\n'));
  return { json, markdown };
}

function response(o: ClientJudge['seen'][number]): HttpResponse {
  const headers = Object.fromEntries(Object.entries(o.responseHeaders).map(([k, v]) => [k, Array.isArray(v) ? v.map(String) : String(v)]));
  const values = (n: string) => [headers[n.toLowerCase()] ?? []].flat();
  return { status: o.status, headers, body: o.responseBody, durationMs: 0, header: (n) => values(n).join(', ') || undefined, headerValues: values, text: () => o.responseBody.toString('utf8'), contentType: () => values('content-type')[0] ?? '' };
}

/** Writes the signed bundle of a client-conformance session; its "tests" are the CLIENT-* requirements. */
export async function writeClientBundle(judge: ClientJudge, urls: Record<string, string>, outDir: string, startedAt: string): Promise<CertifyResult> {
  const report = judge.report();
  const work = fs.mkdtempSync(path.join(outDir, '.session-'));
  try {
    const tests: TestRecord[] = report.requirements.map((r) => ({
      id: r.id,
      title: `${r.id}: ${r.text}`,
      file: 'sandbox/clients/judge.ts',
      project: 'judge-clients',
      api: 'client',
      requirements: [r.id],
      verdict: r.verdict === 'not exercised' ? 'skipped' : r.verdict,
      failureClass: r.verdict === 'failed' ? 'contract' : undefined,
      message: r.violations.length ? r.violations.slice(0, 5).map((v) => `#${v.seq} ${v.request}: ${v.detail}`).join('\n') : undefined,
      backdoor: false,
      durationMs: 0,
    }));
    // The exchanges below belong to the session as a whole.
    tests.push({ id: 'client-session', title: "the client's requests, as the twin received them", file: 'sandbox/clients/observe.ts', project: 'judge-clients', api: 'client', requirements: [], verdict: 'skipped', backdoor: false, durationMs: 0 });
    const profile = { name: 'judge-clients', kind: 'client-judge', evidence: true, targets: Object.entries(urls).map(([service, url]) => ({ service, url, source: 'twin' })), clientId: report.clients[0] };
    const summary = { run: { startedAt, endedAt: report.generatedAt, status: report.requirements.some((r) => r.verdict === 'failed') ? 'failed' : 'passed', profiles: [profile] }, counts: {}, clientConformance: report, tests };
    fs.mkdirSync(path.join(work, 'evidence'), { recursive: true });
    fs.writeFileSync(path.join(work, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    const entries = judge.seen.map((o) => {
      const exchange = { request: { method: o.method, url: `${(urls[o.service] ?? 'http://twin').replace(/\/$/, '')}${o.url}`, headers: o.headers as Record<string, string | string[]>, body: o.body.length ? o.body : undefined }, response: response(o), startedAt: new Date(o.at).toISOString() };
      return toHarEntry(exchange, { test: 'client-session' });
    });
    fs.writeFileSync(path.join(work, 'evidence', 'exchanges.har'), JSON.stringify({ log: { version: '1.2', creator: { name: 'nhn-twin client judge', version: '1' }, entries } }));
    fs.writeFileSync(path.join(work, 'evidence', 'environment.json'), '[]\n');
    return await certify({ reportDir: work, outDir });
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
