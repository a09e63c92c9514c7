// `npm run verify-evidence -- <bundle>`: checks an evidence bundle offline and re-judges its verdicts.
import fs from 'node:fs';
import type { JWK } from 'jose';
import { namedNhnDocuments } from '../validation/openapi/nhn-documents.ts';
import { verifyBundle } from '../evidence/verify.ts';
import { cliArgs } from './args.ts';

const usage = `usage: npm run verify-evidence -- <bundle.zip> [--key <public-jwk-file>] [--thumbprint <sha256 thumbprint>] [--strict]
  Needs no network. Checks the detached JWS over the manifest, the SHA-256 of every file and of
  every exchange, that the suite that made it matches this checkout (else: stale, and what changed),
  that no expired waiver was applied and no backdoor result counted, and re-judges every check the
  run recorded on its exchanges with this checkout's oracles (OpenAPI, FHIR layers and profiles,
  OperationOutcome, ProblemDetails, WWW-Authenticate, the MHD search oracle). One line per
  disagreement.
  --key <file>         the signer's public JWK as the vendor published it (default: the bundle's own)
  --thumbprint <t>     the signer's published JWK thumbprint
  --strict             a stale bundle fails too
  exit 0 verified, 1 tampered or a disagreement (or stale with --strict), 2 bad usage
`;
const { values, positionals } = cliArgs(usage, { key: { type: 'string' }, thumbprint: { type: 'string' }, strict: { type: 'boolean' } }, true);
const file = positionals[0];
if (!file || positionals.length > 1) {
  process.stderr.write(`name one bundle\n${usage}`);
  process.exit(2);
}
if (!fs.existsSync(file)) {
  process.stderr.write(`${file} does not exist\n`);
  process.exit(2);
}
let trustedKey: JWK | undefined;
if (values.key) {
  try {
    trustedKey = JSON.parse(fs.readFileSync(values.key as string, 'utf8')) as JWK;
  } catch (e) {
    process.stderr.write(`--key ${String(values.key)} is not a readable JWK file: ${(e as Error).message}\n`);
    process.exit(2);
  }
  if ('d' in trustedKey) {
    process.stderr.write(`--key ${String(values.key)} holds a private key; give the public JWK only\n`);
    process.exit(2);
  }
}

const started = performance.now();
const report = await verifyBundle(file, { trustedKey, trustedThumbprint: values.thumbprint as string | undefined, context: { nhnDocuments: await namedNhnDocuments() } });
const out: string[] = [];
for (const line of report.integrity) out.push(`TAMPERED  ${line}`);
for (const line of report.disagreements) out.push(`DISAGREE  ${line}`);
for (const line of report.stale) out.push(`STALE     ${line}`);
const m = report.manifest;
if (m) {
  out.push(`bundle: ${m.run.profiles.map((p) => p.name).join('+') || 'no profile'}, ${m.run.tests} tests, ${m.exchanges.count} exchanges, made ${m.createdAt} by ${m.suite.name} ${m.suite.version} (${m.suite.commit.slice(0, 12)})`);
  out.push(m.notEvidence.length ? `not certification evidence: ${m.notEvidence.map((n) => n.detail).join('; ')}` : 'certification evidence (an NHN environment, no overridden hosts, an unmodified suite)');
}
out.push(`signed by key ${report.signer ?? 'unknown'}${values.key || values.thumbprint ? '' : ' (the bundle\'s own key: compare this thumbprint with the one the vendor published)'}`);
const c = report.checks;
out.push(`re-judged ${c.judged} recorded checks offline: ${c.agreed} agree, ${c.judged - c.agreed} disagree, ${c.undecidable} not decidable here, ${c.missing} missing`);
for (const [api, s] of Object.entries(report.byApi).sort()) {
  out.push(`  ${api.padEnd(12)} ${String(s.rejudged).padStart(4)} of ${String(s.tests).padStart(4)} verdicts re-judged from their exchanges (${s.tests ? Math.round((100 * s.rejudged) / s.tests) : 0}%; ${s.withExchanges} rest on exchanges)`);
}
const failed = report.integrity.length + report.disagreements.length + (values.strict ? report.stale.length : 0);
out.push(`${failed ? 'NOT VERIFIED' : report.stale.length ? 'verified, but STALE: made by another version of the suite' : 'verified'} in ${Math.round(performance.now() - started)} ms`);
process.stdout.write(`${out.join('\n')}\n`);
process.exit(failed ? 1 : 0);
