// The evidence bundle: certify a small recorded run, then prove that verify-evidence catches every
// kind of tampering (a file, one byte of one exchange, the manifest, the signature, another key),
// re-judges the verdicts from the exchanges (a changed answer re-signed by its holder is still
// caught, a check left out is missing), refuses expired waivers and counted backdoor results,
// and says why a twin run is not evidence.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '../../fixtures/base.ts';
import * as jose from 'jose';
import { entryDigests, evidenceCoverage, notEvidenceReasons, readZip, sha256, signDetached, signingKey, writeZip, MANIFEST, SIGNATURE, type Manifest } from '../../helpers/evidence/bundle.ts';
import { certify } from '../../helpers/evidence/certify.ts';
import { toHarEntry, type HarEntry, type HarLog } from '../../helpers/evidence/har.ts';
import { appendTestExchanges, HAR_FILE, joinExchanges, resetEvidenceDir } from '../../helpers/evidence/evidence-dir.ts';
import { automaticChecks, judge } from '../../helpers/evidence/oracles.ts';
import type { Exchange } from '../../helpers/http/client.ts';
import type { TestRecord } from '../../helpers/evidence/summary-reporter.ts';
import { identityDifferences, suiteIdentity } from '../../helpers/evidence/suite-identity.ts';
import { verifyBundle } from '../../helpers/evidence/verify.ts';

const BASE = 'http://127.0.0.1:4712/';
const OUTCOME = JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'login', diagnostics: 'no access token was presented' }] });

function answer(status: number, headers: Record<string, string>, body: string): Exchange['response'] {
  const b = Buffer.from(body);
  const values = (n: string) => (headers[n.toLowerCase()] === undefined ? [] : [headers[n.toLowerCase()]!]);
  return { status, headers, body: b, durationMs: 3, header: (n) => values(n)[0], headerValues: values, text: () => body, contentType: () => headers['content-type'] ?? '' };
}

/** One PIT search refused for want of a token, judged as the api fixture and a spec judge it. */
/** A token-shaped string, put together at run time: a literal would stand in the report's source snippets, where the secret scan rightly flags it. */
const FAKE_TOKEN = ['eyJhbGciOiJFUzI1NiJ9', 'eyJzdWIiOiJ4In0', 'c2ln'].join('.');

function refusedSearch(testId: string, token = FAKE_TOKEN): HarEntry {
  const exchange: Exchange = {
    request: { method: 'GET', url: `${BASE}v1/Patient?_count=5`, headers: { authorization: `DPoP ${token}` } },
    response: answer(401, { 'content-type': 'application/fhir+json; charset=utf-8', 'www-authenticate': 'DPoP error="invalid_token"' }, OUTCOME),
    startedAt: '2026-11-21T10:00:00.000Z',
  };
  const subject = { request: { method: 'GET', url: exchange.request.url, headers: exchange.request.headers ?? {} }, response: exchange.response! };
  const checks = [...automaticChecks('pit', 'GET', '/v1/Patient'), { oracle: 'operation-outcome' as const }, { oracle: 'challenge' as const, scheme: 'DPoP' as const, error: 'invalid_token' }].map((check) => ({ check, pass: judge(check, subject).pass }));
  return toHarEntry(exchange, { test: testId, service: 'pit', base: BASE, checks });
}

function record(id: string, o: Partial<TestRecord> = {}): TestRecord {
  return { id, title: `test ${id}`, file: 'specs/pit/access.spec.ts', project: 'local', api: 'pit', requirements: ['PIT-AUTH-001'], verdict: 'passed', backdoor: false, durationMs: 10, ...o };
}

interface Run {
  dir: string;
  tests: TestRecord[];
  entries: HarEntry[];
  waivers?: string;
}

function writeRun(run: Run, profile = { name: 'local', kind: 'twin', evidence: false, targets: [{ service: 'pit', url: BASE, source: 'twin' }], clientId: 'twin-client' }): void {
  fs.mkdirSync(path.join(run.dir, 'evidence'), { recursive: true });
  const summary = { run: { startedAt: '2026-11-21T10:00:00.000Z', endedAt: '2026-11-21T10:01:00.000Z', status: 'passed', profiles: [profile], suite: { dirty: false } }, counts: {}, tests: run.tests };
  fs.writeFileSync(path.join(run.dir, 'summary.json'), JSON.stringify(summary));
  fs.writeFileSync(path.join(run.dir, 'evidence', 'exchanges.har'), JSON.stringify({ log: { version: '1.2', creator: { name: 't', version: '0' }, entries: run.entries } }));
  fs.writeFileSync(path.join(run.dir, 'evidence', 'environment.json'), '[]');
}

async function bundle(run: Run): Promise<string> {
  writeRun(run);
  const root = run.waivers === undefined ? process.cwd() : fs.mkdtempSync(path.join(os.tmpdir(), 'nhn-root-'));
  if (run.waivers !== undefined) {
    // A root with this run's waivers, and the checkout's judging files.
    for (const f of ['package.json', 'schemas', 'specs', 'helpers', 'fixtures']) fs.cpSync(path.resolve(f), path.join(root, f), { recursive: true });
    fs.writeFileSync(path.join(root, 'schemas', 'waivers.yaml'), run.waivers);
  }
  const { file } = await certify({ reportDir: run.dir, outDir: path.join(run.dir, 'out'), root, key: await signingKey({}) });
  return file;
}

function newRun(): Run {
  return { dir: fs.mkdtempSync(path.join(os.tmpdir(), 'nhn-evidence-')), tests: [record('t1'), record('t2')], entries: [refusedSearch('t1'), refusedSearch('t2')] };
}

/** Rewrites one file of a bundle, leaving the manifest and signature as they were. */
function rewrite(file: string, name: string, change: (text: string) => string): void {
  const files = readZip(file);
  files[name] = new TextEncoder().encode(change(new TextDecoder().decode(files[name])));
  writeZip(file, files);
}

/** What the holder of the signing key could do: change a file and sign a fresh, consistent manifest. */
async function resign(file: string, name: string, change: (text: string) => string): Promise<void> {
  const files = readZip(file);
  files[name] = new TextEncoder().encode(change(new TextDecoder().decode(files[name])));
  const manifest = JSON.parse(new TextDecoder().decode(files[MANIFEST])) as Manifest;
  manifest.files[name] = sha256(files[name]!);
  if (name === 'exchanges.har') manifest.exchanges.sha256 = entryDigests(JSON.parse(new TextDecoder().decode(files[name])));
  const key = await signingKey({});
  manifest.files['signing-key.public.jwk.json'] = sha256(JSON.stringify(key.publicJwk, null, 2) + '\n');
  manifest.signer.thumbprint = key.thumbprint;
  files['signing-key.public.jwk.json'] = new TextEncoder().encode(`${JSON.stringify(key.publicJwk, null, 2)}\n`);
  files[MANIFEST] = new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`);
  files[SIGNATURE] = new TextEncoder().encode(await signDetached(files[MANIFEST]!, key));
  writeZip(file, files);
}

test.describe.configure({ mode: 'parallel' });

test('an intact bundle verifies, re-judges every recorded check, and says a twin run is not evidence', async () => {
  const file = await bundle(newRun());
  const report = await verifyBundle(file);
  expect(report.integrity).toEqual([]);
  expect(report.disagreements).toEqual([]);
  // Per PIT answer: our document, and the search oracle on the searches.
  expect(report.checks).toEqual({ judged: 8, agreed: 8, undecidable: 0, missing: 0 });
  expect(report.byApi.pit).toEqual({ tests: 2, withExchanges: 2, rejudged: 2 });
  // (a working tree with changes adds modified-suite; a clean checkout does not)
  expect(report.manifest!.notEvidence.map((n) => n.reason).filter((r) => r !== 'modified-suite')).toEqual(['twin']);
  // The token in the request never reaches the bundle.
  const har = new TextDecoder().decode(readZip(file)['exchanges.har']);
  expect(har.includes(FAKE_TOKEN)).toBe(false);
});

test('one changed byte of one response is traced to its exchange', async () => {
  const file = await bundle(newRun());
  rewrite(file, 'exchanges.har', (t) => t.replace('\\"code\\":\\"login\\"', '\\"code\\":\\"logim\\"'));
  const report = await verifyBundle(file);
  expect(report.integrity).toContain('exchanges.har: its SHA-256 differs from the manifest\'s (the file was changed)');
  expect(report.integrity.some((l) => /^exchange #1 \(GET \/v1\/Patient → 401\) of test t1 was changed after signing$/.test(l))).toBe(true);
  expect(report.integrity.filter((l) => l.includes('changed after signing'))).toHaveLength(1);
});

test('a changed result file, manifest or signature is caught', async () => {
  const summary = await bundle(newRun());
  rewrite(summary, 'results/summary.json', (t) => t.replace('"verdict":"passed"', '"verdict":"failed"'));
  expect((await verifyBundle(summary)).integrity).toContain("results/summary.json: its SHA-256 differs from the manifest's (the file was changed)");

  const manifest = await bundle(newRun());
  rewrite(manifest, MANIFEST, (t) => t.replace('"reason": "twin"', '"reason": "none"'));
  expect((await verifyBundle(manifest)).integrity.some((l) => l.startsWith('manifest.jws: the signature does not verify'))).toBe(true);

  const signature = await bundle(newRun());
  rewrite(signature, SIGNATURE, (t) => `${t.slice(0, -6)}${t.slice(-6, -5) === 'A' ? 'B' : 'A'}${t.slice(-5)}`);
  expect((await verifyBundle(signature)).integrity.some((l) => l.startsWith('manifest.jws:'))).toBe(true);

  const added = await bundle(newRun());
  const files = readZip(added);
  files['results/extra.json'] = new TextEncoder().encode('{}');
  writeZip(added, files);
  expect((await verifyBundle(added)).integrity).toContain('results/extra.json: in the bundle but not in the manifest');
});

test('a bundle re-signed with another key fails against the vendor\'s published key and thumbprint', async () => {
  const file = await bundle(newRun());
  const published = JSON.parse(new TextDecoder().decode(readZip(file)['signing-key.public.jwk.json'])) as jose.JWK;
  const thumbprint = await jose.calculateJwkThumbprint(published, 'sha256');
  await resign(file, 'results/summary.json', (t) => t);
  expect((await verifyBundle(file, { trustedKey: published })).integrity.some((l) => l.startsWith('manifest.jws: the signature does not verify'))).toBe(true);
  expect((await verifyBundle(file, { trustedThumbprint: thumbprint })).integrity.some((l) => l.startsWith('signed by key'))).toBe(true);
});

test('re-judging catches a changed answer even when the bundle is re-signed, and a check left out', async () => {
  const changed = await bundle(newRun());
  // The answer no longer is an OperationOutcome: the recorded "met" no longer holds, and the passed verdict falls.
  await resign(changed, 'exchanges.har', (t) => t.replace('\\"resourceType\\":\\"OperationOutcome\\"', '\\"resourceType\\":\\"Basic\\"'));
  const report = await verifyBundle(changed);
  expect(report.integrity).toEqual([]);
  expect(report.disagreements.some((l) => /^exchange #1 \(GET \/v1\/Patient → 401\) of "test t1": operation-outcome was met in the run, is not met now/.test(l))).toBe(true);
  expect(report.disagreements.some((l) => l.includes('the test passed, but operation-outcome is not met, which fails it'))).toBe(true);

  const dropped = await bundle(newRun());
  await resign(dropped, 'exchanges.har', (t) => {
    const har = JSON.parse(t) as { log: { entries: HarEntry[] } };
    har.log.entries[0]!._checks = har.log.entries[0]!._checks!.filter((c) => c.check.oracle !== 'openapi');
    return JSON.stringify(har);
  });
  expect((await verifyBundle(dropped)).disagreements).toContain('exchange #1 (GET /v1/Patient → 401) of "test t1": openapi(pit, searchPatients) applies to it but was not recorded');
});

test('an expired waiver applied, and a backdoor result counted, are disagreements', async () => {
  const run = newRun();
  const waiver = { requirement: 'PIT-AUTH-001', reason: 'known', owner: 'qa@example.org', expires: '2026-11-20' };
  run.tests = [record('t1', { verdict: 'failed', failureClass: 'contract', waiver }), record('t2')];
  run.waivers = `waivers:\n  - { requirement: PIT-AUTH-001, reason: known, owner: qa@example.org, expires: 2026-11-20 }\n`;
  const file = await bundle(run);
  expect((await verifyBundle(file)).disagreements).toContain('"test t1" is waived by PIT-AUTH-001, which expired on 2026-11-20, before the run ended (2026-11-21T10:01:00.000Z)');

  const backdoor = newRun();
  backdoor.tests = [record('t1', { backdoor: true }), record('t2', { verdict: 'failed', failureClass: 'contract' })];
  const counted = await bundle(backdoor);
  // Counting the backdoor pass would make the requirement look met.
  await resign(counted, 'results/evidence-coverage.json', (t) => t.replace('"verdict": "failed"', '"verdict": "passed"').replace('"tests": 1', '"tests": 2').replace('"backdoorExcluded": 1', '"backdoorExcluded": 0'));
  expect((await verifyBundle(counted)).disagreements.some((l) => l.startsWith('PIT-AUTH-001: the bundle\'s coverage says passed from 2 test(s), its results give failed from 1 test(s), 1 backdoor result(s) left out'))).toBe(true);
});

test('waived failures stay failures in the coverage; backdoor-only requirements are not counted', () => {
  const waiver = { requirement: 'PIT-AUTH-001', reason: 'r', owner: 'o', expires: '2099-01-01' };
  expect(evidenceCoverage([record('a', { verdict: 'failed', waiver }), record('b')])['PIT-AUTH-001']).toEqual({ verdict: 'waived', tests: 2, backdoorExcluded: 0 });
  expect(evidenceCoverage([record('a', { verdict: 'failed' }), record('b', { verdict: 'failed', waiver })])['PIT-AUTH-001']!.verdict).toBe('failed');
  expect(evidenceCoverage([record('a', { backdoor: true })])['PIT-AUTH-001']).toEqual({ verdict: 'backdoor only (not counted)', tests: 0, backdoorExcluded: 1 });
});

test('what is never evidence: the twin, non-NHN hosts, a backdoor profile, no test run, a modified suite', () => {
  const nhn = { name: 'test', kind: 'nhn', evidence: true, targets: [{ service: 'pit', url: 'https://api.pit.test.nhn.no', source: 'profile' }] };
  expect(notEvidenceReasons({ profiles: [nhn], executed: 3, dirty: false })).toEqual([]);
  const reasons = (o: Parameters<typeof notEvidenceReasons>[0]) => notEvidenceReasons(o).map((r) => r.reason);
  expect(reasons({ profiles: [{ ...nhn, targets: [{ service: 'pit', url: 'https://pit.example.org', source: 'environment' }] }], executed: 3, dirty: false })).toEqual(['non-nhn-host']);
  expect(reasons({ profiles: [{ ...nhn, name: 'test-backdoor', evidence: false }], executed: 3, dirty: false })).toEqual(['not-an-evidence-profile']);
  expect(reasons({ profiles: [nhn], executed: 0, dirty: true })).toEqual(['no-test-executed', 'modified-suite']);
});

test('a stale bundle names what changed: catalogue, documents or specs', () => {
  const here = suiteIdentity();
  const older = structuredClone(here);
  older.files.catalogue['schemas/requirements/pit.yaml'] = 'x';
  older.groups.catalogue = 'y';
  older.files.specs['specs/pit/gone.spec.ts'] = 'z';
  older.groups.specs = 'w';
  expect(identityDifferences(older, here)).toEqual([
    { group: 'catalogue', files: ['schemas/requirements/pit.yaml'] },
    { group: 'specs', files: ['specs/pit/gone.spec.ts (gone here)'] },
  ]);
});

test('a run whose API tests left no exchange is not certified: its evidence was lost', async () => {
  const run = newRun();
  run.entries = [];
  await expect(bundle(run)).rejects.toThrow(/executed 2 API test\(s\) but .*exchanges\.har holds no exchange: the evidence was lost/);
  // A run of the suite's own tests only (no API) has nothing to record, and is not refused for it.
  const own = newRun();
  own.entries = [];
  own.tests = [record('u1', { api: 'suite', file: 'tests/unit/x.test.ts' })];
  await expect(bundle(own)).resolves.toMatch(/\.zip$/);
});

test("the workers' pieces join into one HAR: every test's entries, in order, nothing altered", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nhn-evidence-'));
  try {
    resetEvidenceDir(dir);
    const entry = (url: string, text: string) => ({ startedDateTime: '2026-12-02T00:00:00.000Z', request: { method: 'GET', url }, response: { status: 200, content: { text } } }) as unknown as HarEntry;
    appendTestExchanges(dir, 0, [entry('http://twin/a', 'første'), entry('http://twin/b', '"]}\\n')]);
    appendTestExchanges(dir, 1, [entry('http://twin/c', 'ø'.repeat(1000))]);
    appendTestExchanges(dir, 0, [entry('http://twin/d', '')]);
    appendTestExchanges(dir, 1, []);
    expect(joinExchanges(dir, { name: 'suite', version: '0' })).toBe(4);
    const har = JSON.parse(fs.readFileSync(path.join(dir, HAR_FILE), 'utf8')) as HarLog;
    expect(har.log.creator).toEqual({ name: 'suite', version: '0' });
    expect(har.log.entries.map((e) => [e.request.url, (e.response as { content: { text: string } }).content.text])).toEqual([
      ['http://twin/a', 'første'],
      ['http://twin/b', '"]}\\n'],
      ['http://twin/d', ''],
      ['http://twin/c', 'ø'.repeat(1000)],
    ]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
