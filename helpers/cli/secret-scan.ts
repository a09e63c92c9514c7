// `npm run audit:secrets`: fails when any artefact of the last run holds a token, a DPoP proof, an
// assertion, private key material, or a secret the run is known to have had.
import { historyPassword } from '../monitor/history.ts';
import { MONITOR_SETTINGS } from '../monitor/settings.ts';
import fs from 'node:fs';
import path from 'node:path';
import { scanArtefacts } from '../evidence/secret-scan.ts';
import { reportDir as configuredReportDir } from '../config/profiles.ts';
import { TWIN_SETTINGS } from '../config/twin-layout.ts';
import { cliArgs } from './args.ts';

const usage = `usage: npm run audit:secrets [-- --canaries <file>] [-- <folder or file> ...]
  Fails (exit 1) when an artefact in <NHN_REPORT_DIR> (or the folders and files named) holds a
  token, a DPoP proof, an assertion, private key material or a secret the run is known to have
  had. It opens what a reader would: the Playwright HTML report's embedded zip, the single-file
  Allure report's embedded data and the Allure results, JUnit, summary.json, the monitor history
  (SQLite), the certification bundles (zips), test-results and traces, gzip, and base64 in text.
  Known secrets: the twin's (its test-token key, its clients' private keys, its AMQP passwords, when
  a twin left its state behind), the password of a PostgreSQL NHN_MONITOR_HISTORY, and, with --canaries, a JSON-lines file of {"kind", "value"}
  (SANDBOX_CANARY_LOG: every token, proof, assertion and credential the twin saw or issued).
`;
const { values, positionals } = cliArgs(usage, { canaries: { type: 'string' } }, true);
const targets = positionals.length ? positionals : [configuredReportDir()];
const known: { values: string[]; jwts: string[]; labels: Map<string, string> } = { values: [], jwts: [], labels: new Map() };

// The twin's own secrets of this machine, if a twin left its state behind.
const stateDir = TWIN_SETTINGS.stateDir.read() ?? '.sandbox';
if (fs.existsSync(stateDir)) {
  for (const f of fs.readdirSync(stateDir).filter((n) => n.endsWith('.json'))) {
    try {
      const state = JSON.parse(fs.readFileSync(path.join(stateDir, f), 'utf8')) as { tttApiKey?: string; clients?: Record<string, { privateJwk?: { d?: string } }>; packs?: { parek?: { amqp?: { accounts?: Record<string, { password?: string }> } } } };
      if (state.tttApiKey) known.values.push(state.tttApiKey);
      for (const c of Object.values(state.clients ?? {})) if (c.privateJwk?.d) known.values.push(c.privateJwk.d);
      for (const a of Object.values(state.packs?.parek?.amqp?.accounts ?? {})) if (a.password) known.values.push(a.password);
    } catch {
      // A half-written state file of a twin that is starting: nothing to learn from it.
    }
  }
}
// The monitor history's PostgreSQL password, when the history is kept there.
const historySecret = historyPassword(MONITOR_SETTINGS.history.read());
if (historySecret) known.values.push(historySecret);
if (values.canaries) {
  const file = values.canaries as string;
  if (!fs.existsSync(file)) {
    process.stderr.write(`--canaries ${file}: no such file\n`);
    process.exit(2);
  }
  for (const line of fs.readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
    const { kind, value } = JSON.parse(line) as { kind: string; value: string };
    known.labels.set(value, kind);
    if (/^eyJ[\w-]+\.[\w-]*\.[\w-]+$/.test(value)) known.jwts.push(value);
    else known.values.push(value);
  }
}
const started = performance.now();
const report = await scanArtefacts(targets, known);
const scanned = `${report.files.toLocaleString('en')} files, ${report.inner.toLocaleString('en')} entries, tables and embedded blobs, ${(report.bytes / 1024 / 1024).toFixed(1)} MB of text in ${((performance.now() - started) / 1000).toFixed(1)} s; ${known.values.length + known.jwts.length} known secrets looked for`;
if (report.finds.length) {
  process.stderr.write(`secret scan FAILED: ${report.finds.length} find(s) in ${targets.join(', ')} (${scanned})\n${report.finds.slice(0, 30).map((f) => `  ${f.file}:${f.line}: ${f.what}`).join('\n')}\n`);
  process.exit(1);
}
process.stdout.write(`secret scan passed: no tokens, proofs, assertions, private keys or known secrets in ${targets.join(', ')} (${scanned})\n`);
