// `npm run certify`: after a run, writes the signed evidence bundle of it (helpers/evidence/bundle.ts).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { reportDir as configuredReportDir } from '../config/profiles.ts';
import { ConfigurationError } from '../config/settings.ts';
import { certify, EvidenceInputError } from '../evidence/certify.ts';
import { cliArgs } from './args.ts';
import { resolveRun, RunNotFound, type KeptRun } from '../evidence/runs.ts';

const usage = `usage: npm run certify [-- --run <id>] [--partial] [--out <dir>] [--no-html]
  Writes the signed evidence bundle of a kept run (default: the newest whole run) to
  <NHN_REPORT_DIR>/certification/<client>-<profile>-<UTC time>.zip: the manifest (suite version and
  commit, hashes of the catalogue, documents, FHIR rules and specs, the specifications, profiles,
  target URLs and their sources, the client id, times, the environment fingerprint), summary.json,
  the requirement coverage without backdoor results, every exchange redacted as HAR, the waivers,
  the single-file Allure report, and a detached JWS over the manifest.
  Signing key: NHN_EVIDENCE_SIGNING_JWK or NHN_EVIDENCE_SIGNING_JWK_FILE (a private JWK); without
  one a key is made for this bundle and its thumbprint printed, to publish.
  --run <id>   the run to certify (npm run runs lists them; a unique prefix will do)
  --partial    allow a partial run (filtered by --grep, files, a shard): its filter goes in the manifest
  --out <dir>  where to write the bundle
  --no-html    leave the Allure report out (it is generated when missing or older than the run)
  exit 0 written (evidence or not: the output says which), 1 no run to certify, 2 bad usage or key
`;
const { values } = cliArgs(usage, { out: { type: 'string' }, 'no-html': { type: 'boolean' }, run: { type: 'string' }, partial: { type: 'boolean' } });
const root = configuredReportDir();
const outDir = (values.out as string | undefined) ?? path.join(root, 'certification');
let run: KeptRun;
try {
  run = resolveRun(root, values.run as string | undefined);
} catch (e) {
  if (!(e instanceof RunNotFound)) throw e;
  process.stderr.write(`${e.message}\n`);
  process.exit(1);
}
if (run.partial && !values.partial) {
  process.stderr.write(`run ${run.id} is partial (${run.partial}): a bundle of it would not cover the whole suite. Certify a whole run, or say --partial to certify this one with its filter in the manifest\n`);
  process.exit(1);
}
const reportDir = run.dir;
process.stdout.write(`certifying run ${run.id} (${run.partial ? `partial: ${run.partial}` : 'whole'}, ${run.profiles.join(', ')})\n`);

let htmlReport: string | undefined;
if (!values['no-html']) {
  htmlReport = path.join(reportDir, 'allure-report', 'index.html');
  const summary = path.join(reportDir, 'summary.json');
  const stale = !fs.existsSync(htmlReport) || (fs.existsSync(summary) && fs.statSync(htmlReport).mtimeMs < fs.statSync(summary).mtimeMs);
  if (stale && fs.existsSync(summary)) {
    process.stdout.write('generating the single-file Allure report…\n');
    const generated = spawnSync(process.execPath, ['--import', 'tsx', path.resolve('helpers/cli/report.ts'), '--run', run.id], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (generated.status !== 0) process.stdout.write('the Allure report could not be generated; the bundle goes without it\n');
  }
}

try {
  const started = performance.now();
  const { file, manifest, key, bytes } = await certify({ reportDir, outDir, htmlReport, run: { id: run.id, partial: run.partial } });
  const lines = [
    `evidence bundle: ${file} (${(bytes / 1024 / 1024).toFixed(1)} MiB, ${manifest.exchanges.count} exchanges, ${manifest.run.tests} tests, ${Object.keys(manifest.files).length + 2} files, ${Math.round(performance.now() - started)} ms)`,
    manifest.notEvidence.length
      ? `NOT CERTIFICATION EVIDENCE: ${[...new Set(manifest.notEvidence.map((n) => n.reason))].join(', ')}\n${manifest.notEvidence.map((n) => `  - ${n.detail}`).join('\n')}`
      : 'certification evidence: an NHN environment, no overridden hosts, tests executed, an unmodified suite',
    manifest.backdoorResultsExcluded ? `${manifest.backdoorResultsExcluded} backdoor result(s) are in the results and left out of the coverage` : '',
    `signed ${key.alg} by key ${key.thumbprint}${key.generated ? ' (made for this bundle: publish this thumbprint; its public JWK is in the bundle)' : ''}`,
    `check it with: npm run verify-evidence -- ${file}`,
  ];
  process.stdout.write(`${lines.filter(Boolean).join('\n')}\n`);
} catch (e) {
  if (e instanceof EvidenceInputError) {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  }
  if (e instanceof ConfigurationError) {
    process.stderr.write(`${e.message}\n`);
    process.exit(2);
  }
  throw e;
}
