// Builds the evidence bundle of the last run (see bundle.ts for its format): reads the report
// folder, adds the single-file Allure report, hashes everything, signs the manifest.
import fs from 'node:fs';
import path from 'node:path';
import { entryDigests, evidenceCoverage, notEvidenceReasons, sha256, signDetached, signingKey, writeZip, BUNDLE_FORMAT, COVERAGE, MANIFEST, PUBLIC_KEY, SIGNATURE, type Manifest, type SigningKey } from './bundle.ts';
import { ENVIRONMENT_FILE, HAR_FILE } from './evidence-dir.ts';
import type { HarLog } from './har.ts';
import { SPECIFICATIONS, suiteIdentity } from './suite-identity.ts';
import type { ProfileTargets, TestRecord } from './summary-reporter.ts';
import { WAIVERS_FILE } from './waivers.ts';
import { calibrationFile } from './calibration.ts';

export class EvidenceInputError extends Error {
  override name = 'EvidenceInputError';
}

export interface Summary {
  run: { startedAt?: string; endedAt?: string; status?: string; profiles?: ProfileTargets[]; suite?: { commit?: string; dirty?: boolean }; backdoorResults?: number };
  counts: Record<string, number>;
  tests: TestRecord[];
}

export interface CertifyOptions {
  reportDir: string;
  outDir: string;
  root?: string;
  /** A single-file HTML report to include (the Allure report). */
  htmlReport?: string;
  /** The kept run certified, and its filter when it is partial (the manifest says so). */
  run?: { id: string; partial?: string };
  key?: SigningKey;
  now?: Date;
}

export interface CertifyResult {
  file: string;
  manifest: Manifest;
  key: SigningKey;
  bytes: number;
}

/** Each assumption point a deviation was seen at, with the variant and how many tests saw it. */
function deviationTally(tests: readonly TestRecord[]): Array<{ point: string; variant: string; tests: number }> {
  const tally = new Map<string, number>();
  for (const t of tests) for (const d of t.deviations ?? []) tally.set(`${d.point}\n${d.variant}`, (tally.get(`${d.point}\n${d.variant}`) ?? 0) + 1);
  return [...tally].map(([k, n]) => ({ point: k.split('\n')[0]!, variant: k.split('\n')[1]!, tests: n })).sort((a, b) => a.point.localeCompare(b.point));
}

const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60);

function readRequired(file: string, what: string): Buffer {
  if (!fs.existsSync(file)) throw new EvidenceInputError(`${what} is missing (${file}): run the suite first (npx playwright test)`);
  return fs.readFileSync(file);
}

export async function certify(o: CertifyOptions): Promise<CertifyResult> {
  const root = o.root ?? process.cwd();
  const summaryBytes = readRequired(path.join(o.reportDir, 'summary.json'), 'summary.json');
  const summary = JSON.parse(summaryBytes.toString('utf8')) as Summary;
  if (!Array.isArray(summary.tests)) throw new EvidenceInputError(`${path.join(o.reportDir, 'summary.json')} has no test records: it was written by an older suite; run the suite again`);
  const evidence = path.join(o.reportDir, 'evidence');
  const harBytes = readRequired(path.join(evidence, HAR_FILE), 'the recorded exchanges');
  const environment = readRequired(path.join(evidence, ENVIRONMENT_FILE), 'the environment fingerprint');
  const har = JSON.parse(harBytes.toString('utf8')) as HarLog;
  const key = o.key ?? (await signingKey());

  const files: Record<string, Uint8Array> = {
    'results/summary.json': summaryBytes,
    [`results/${COVERAGE}`]: Buffer.from(`${JSON.stringify(evidenceCoverage(summary.tests), null, 2)}\n`),
    [HAR_FILE]: harBytes,
    [ENVIRONMENT_FILE]: environment,
    'waivers.yaml': fs.existsSync(path.join(root, WAIVERS_FILE)) ? fs.readFileSync(path.join(root, WAIVERS_FILE)) : Buffer.from('waivers: []\n'),
    [PUBLIC_KEY]: Buffer.from(`${JSON.stringify(key.publicJwk, null, 2)}\n`),
  };
  // A calibration pins assumption points for a profile: handed in with the run, so a reader knows which behaviours were hard checks.
  const calibrations: string[] = [];
  for (const p of summary.run.profiles ?? []) {
    const file = calibrationFile(p.name);
    if (fs.existsSync(file)) {
      files[`calibration/${p.name}.yaml`] = fs.readFileSync(file);
      calibrations.push(p.name);
    }
  }
  const coverageFile = path.join(o.reportDir, 'requirements-coverage.json');
  if (fs.existsSync(coverageFile)) files['results/requirements-coverage.json'] = fs.readFileSync(coverageFile);
  if (o.htmlReport && fs.existsSync(o.htmlReport)) files['results/allure-report.html'] = fs.readFileSync(o.htmlReport);

  const profiles = summary.run.profiles ?? [];
  const executed = summary.tests.filter((t) => t.verdict !== 'skipped' && t.verdict !== 'inconclusive').length;
  // Tests that ran against the APIs and left no exchange: the evidence was lost on the way (a
  // reporter that removed the run folder mid-run did once), and a bundle of it would prove nothing.
  const apiTests = summary.tests.filter((t) => t.verdict !== 'skipped' && t.verdict !== 'inconclusive' && (t as { api?: string }).api !== 'suite').length;
  if (apiTests > 0 && har.log.entries.length === 0) {
    throw new EvidenceInputError(`the run executed ${apiTests} API test(s) but ${path.join(evidence, HAR_FILE)} holds no exchange: the evidence was lost; run the suite again`);
  }
  const suite = suiteIdentity(root);
  const manifest: Manifest = {
    format: BUNDLE_FORMAT,
    createdAt: (o.now ?? new Date()).toISOString(),
    suite,
    specifications: SPECIFICATIONS,
    run: { ...(o.run ? { id: o.run.id, ...(o.run.partial ? { partial: o.run.partial } : {}) } : {}), startedAt: summary.run.startedAt, endedAt: summary.run.endedAt, status: summary.run.status, profiles, tests: summary.tests.length },
    notEvidence: notEvidenceReasons({ profiles, executed, dirty: Boolean(summary.run.suite?.dirty) || suite.dirty }),
    backdoorResultsExcluded: summary.tests.filter((t) => t.backdoor).length,
    verdicts: summary.counts,
    deviations: deviationTally(summary.tests),
    calibrations,
    files: Object.fromEntries(Object.entries(files).map(([name, data]) => [name, sha256(data)])),
    exchanges: { file: HAR_FILE, count: har.log.entries.length, sha256: entryDigests(har) },
    signer: { alg: key.alg, thumbprint: key.thumbprint, generated: key.generated },
  };
  const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
  files[MANIFEST] = manifestBytes;
  files[SIGNATURE] = Buffer.from(`${await signDetached(manifestBytes, key)}\n`);

  const stamp = manifest.createdAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const client = safe(profiles.find((p) => p.clientId)?.clientId ?? 'no-client');
  const profile = safe(profiles.map((p) => p.name).join('+') || 'no-profile');
  fs.mkdirSync(o.outDir, { recursive: true });
  const file = path.join(o.outDir, `${client}-${profile}-${stamp}.zip`);
  writeZip(file, files);
  return { file, manifest, key, bytes: fs.statSync(file).size };
}
