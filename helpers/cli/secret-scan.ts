// `npm run audit:secrets`: fails when a report, log or attachment of the last run holds a token,
// a DPoP proof, an assertion or private key material.
import fs from 'node:fs';
import path from 'node:path';
import { scanForSecrets } from '../evidence/secret-scan.ts';
import { reportDir as configuredReportDir } from '../config/profiles.ts';
import { TWIN_SETTINGS } from '../config/twin-layout.ts';
import { cliArgs } from './args.ts';

cliArgs(`usage: npm run audit:secrets
  Fails (exit 1) when a report, log or attachment in <NHN_REPORT_DIR> holds a token, a DPoP proof,
  an assertion, private key material or a secret the twin generated.
`, {});
const reportDir = configuredReportDir();
// The twin's own secrets of this machine, if a twin left its state behind.
const extra: string[] = [];
const stateDir = TWIN_SETTINGS.stateDir.read() ?? '.sandbox';
if (fs.existsSync(stateDir)) {
  for (const f of fs.readdirSync(stateDir).filter((n) => n.endsWith('.json'))) {
    const state = JSON.parse(fs.readFileSync(path.join(stateDir, f), 'utf8')) as { tttApiKey?: string; clients?: Record<string, { privateJwk?: { d?: string } }> };
    if (state.tttApiKey) extra.push(state.tttApiKey);
    for (const c of Object.values(state.clients ?? {})) if (c.privateJwk?.d) extra.push(c.privateJwk.d);
  }
}
const finds = scanForSecrets(reportDir, extra);
if (finds.length) {
  process.stderr.write(`secret scan FAILED: ${finds.length} find(s) in ${reportDir}\n${finds.slice(0, 20).map((f) => `  ${f.file}:${f.line}: ${f.what}`).join('\n')}\n`);
  process.exit(1);
}
process.stdout.write(`secret scan passed: no tokens, proofs or private keys in ${reportDir}\n`);
