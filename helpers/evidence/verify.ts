// Verifies an evidence bundle offline: the signature over the manifest, every file's hash and
// every exchange's, the suite version against this checkout (stale: what changed), the waivers
// and backdoor rules, and the verdicts themselves, re-judged from the recorded exchanges with this
// checkout's oracles. Every disagreement is one line.
import type { JWK } from 'jose';
import { entryDigests, evidenceCoverage, readZip, sha256, verifyDetached, BUNDLE_FORMAT, COVERAGE, MANIFEST, PUBLIC_KEY, SIGNATURE, type Manifest } from './bundle.ts';
import { HAR_FILE } from './evidence-dir.ts';
import { entryTitle, fromHarEntry, type HarEntry, type HarLog } from './har.ts';
import { automaticChecks, describeCheck, judge, UndecidableCheck, type OracleContext } from './oracles.ts';
import { identityDifferences, suiteIdentity } from './suite-identity.ts';
import type { Summary } from './certify.ts';
import type { TestRecord } from './summary-reporter.ts';
import { parseWaivers, waiverApplies } from './waivers.ts';
import { calculateJwkThumbprint } from 'jose';

export interface VerifyOptions {
  /** The signer's public JWK as the vendor published it; without it the bundle's own key is used and its thumbprint shown. */
  trustedKey?: JWK;
  /** The thumbprint the vendor published. */
  trustedThumbprint?: string;
  context?: OracleContext;
  root?: string;
}

export interface ApiShare {
  tests: number;
  /** Tests whose verdict rests on recorded exchanges at all. */
  withExchanges: number;
  /** Tests every one of whose answered exchanges was re-judged by at least one oracle, all agreeing. */
  rejudged: number;
}

export interface VerifyReport {
  /** Tampering, a bad signature, a broken rule: the bundle cannot be trusted. */
  integrity: string[];
  /** A verdict or check the re-judgement does not reproduce. */
  disagreements: string[];
  /** What changed between the suite that made the bundle and this checkout. */
  stale: string[];
  notes: string[];
  checks: { judged: number; agreed: number; undecidable: number; missing: number };
  byApi: Record<string, ApiShare>;
  manifest?: Manifest;
  signer?: string;
}

const decoder = new TextDecoder();

export async function verifyBundle(file: string, o: VerifyOptions = {}): Promise<VerifyReport> {
  const report: VerifyReport = { integrity: [], disagreements: [], stale: [], notes: [], checks: { judged: 0, agreed: 0, undecidable: 0, missing: 0 }, byApi: {} };
  let files: Record<string, Uint8Array>;
  try {
    files = readZip(file);
  } catch (e) {
    report.integrity.push(`${file} is not a readable zip archive: ${(e as Error).message}`);
    return report;
  }
  const manifestBytes = files[MANIFEST];
  const signature = files[SIGNATURE];
  if (!manifestBytes || !signature) {
    report.integrity.push(`the bundle lacks ${!manifestBytes ? MANIFEST : SIGNATURE}`);
    return report;
  }

  // 1. The signature, by the trusted key or the bundle's own.
  let publicJwk: JWK | undefined = o.trustedKey;
  if (!publicJwk) {
    try {
      publicJwk = JSON.parse(decoder.decode(files[PUBLIC_KEY] ?? new Uint8Array())) as JWK;
    } catch {
      report.integrity.push(`the bundle's ${PUBLIC_KEY} is not a JWK`);
      return report;
    }
  }
  const thumbprint = await calculateJwkThumbprint(publicJwk, 'sha256').catch(() => 'unreadable key');
  report.signer = thumbprint;
  if (o.trustedThumbprint && o.trustedThumbprint !== thumbprint) report.integrity.push(`signed by key ${thumbprint}, not by the trusted ${o.trustedThumbprint}`);
  const signed = await verifyDetached(decoder.decode(signature), manifestBytes, publicJwk);
  if (!signed.ok) report.integrity.push(`${SIGNATURE}: ${signed.reason} (the manifest or the signature was changed)`);

  let manifest: Manifest;
  try {
    manifest = JSON.parse(decoder.decode(manifestBytes)) as Manifest;
  } catch {
    report.integrity.push(`${MANIFEST} is not JSON`);
    return report;
  }
  report.manifest = manifest;
  if (manifest.format !== BUNDLE_FORMAT) report.integrity.push(`${MANIFEST}: format ${String(manifest.format)}, this checkout reads ${BUNDLE_FORMAT}`);
  if (manifest.signer?.thumbprint && manifest.signer.thumbprint !== thumbprint) report.integrity.push(`${MANIFEST} names signing key ${manifest.signer.thumbprint}, the signature was checked with ${thumbprint}`);

  // 2. Every file's hash; nothing unlisted.
  for (const [name, digest] of Object.entries(manifest.files ?? {})) {
    const data = files[name];
    if (!data) report.integrity.push(`${name}: listed in the manifest, missing from the bundle`);
    else if (sha256(data) !== digest) report.integrity.push(`${name}: its SHA-256 differs from the manifest's (the file was changed)`);
  }
  for (const name of Object.keys(files)) {
    if (name !== MANIFEST && name !== SIGNATURE && !(name in (manifest.files ?? {}))) report.integrity.push(`${name}: in the bundle but not in the manifest`);
  }

  // 3. Every exchange's hash, so a changed byte is traced to its exchange.
  let har: HarLog | undefined;
  try {
    har = JSON.parse(decoder.decode(files[HAR_FILE] ?? new Uint8Array())) as HarLog;
  } catch {
    report.integrity.push(`${HAR_FILE} is not JSON`);
  }
  const entries: HarEntry[] = har?.log?.entries ?? [];
  if (har) {
    const digests = entryDigests(har);
    const recorded = manifest.exchanges?.sha256 ?? [];
    if (digests.length !== recorded.length) report.integrity.push(`${HAR_FILE}: ${digests.length} exchanges, the manifest lists ${recorded.length}`);
    digests.forEach((d, i) => {
      if (recorded[i] !== undefined && recorded[i] !== d) report.integrity.push(`${entryTitle(entries[i]!, i + 1)} of test ${entries[i]!._test} was changed after signing`);
    });
  }

  // 4. Stale: the suite that made the bundle against this checkout.
  const here = suiteIdentity(o.root);
  if (manifest.suite) {
    if (manifest.suite.version !== here.version) report.stale.push(`suite version ${manifest.suite.version} in the bundle, ${here.version} here`);
    if (manifest.suite.commit !== here.commit) report.stale.push(`commit ${manifest.suite.commit.slice(0, 12)} in the bundle, ${here.commit.slice(0, 12)} here`);
    for (const d of identityDifferences(manifest.suite, here)) report.stale.push(`${d.group} changed: ${d.files.slice(0, 8).join(', ')}${d.files.length > 8 ? ` and ${d.files.length - 8} more` : ''}`);
  }

  // 5. Waivers and backdoor results, from the bundle's own files.
  let summary: Summary | undefined;
  try {
    summary = JSON.parse(decoder.decode(files['results/summary.json'] ?? new Uint8Array())) as Summary;
  } catch {
    report.integrity.push('results/summary.json is not JSON');
  }
  const tests = summary?.tests ?? [];
  const runEnd = new Date(summary?.run.endedAt ?? manifest.run?.endedAt ?? manifest.createdAt);
  let waivers: ReturnType<typeof parseWaivers> = [];
  try {
    waivers = parseWaivers(decoder.decode(files['waivers.yaml'] ?? new TextEncoder().encode('waivers: []')), 'waivers.yaml');
  } catch (e) {
    report.integrity.push((e as Error).message);
  }
  for (const t of tests.filter((x) => x.waiver)) {
    const w = t.waiver!;
    const listed = waivers.find((x) => x.requirement === w.requirement && x.expires === w.expires && x.owner === w.owner);
    if (!listed) report.disagreements.push(`"${t.title}" is waived by ${w.requirement} (${w.owner}, until ${w.expires}), which waivers.yaml does not hold`);
    else if (!waiverApplies(w, runEnd)) report.disagreements.push(`"${t.title}" is waived by ${w.requirement}, which expired on ${w.expires}, before the run ended (${runEnd.toISOString()})`);
    if (!t.requirements.includes(w.requirement)) report.disagreements.push(`"${t.title}" is waived by ${w.requirement}, a requirement it does not test`);
    if (t.verdict !== 'failed') report.disagreements.push(`"${t.title}" carries a waiver but its verdict is ${t.verdict}: only failures are waived`);
  }
  const coverageBytes = files[`results/${COVERAGE}`];
  if (coverageBytes && summary) {
    const recorded = JSON.parse(decoder.decode(coverageBytes)) as ReturnType<typeof evidenceCoverage>;
    const recomputed = evidenceCoverage(tests);
    for (const id of new Set([...Object.keys(recorded), ...Object.keys(recomputed)])) {
      const a = recorded[id];
      const b = recomputed[id];
      if (JSON.stringify(a) !== JSON.stringify(b)) report.disagreements.push(`${id}: the bundle's coverage says ${a ? `${a.verdict} from ${a.tests} test(s)` : 'nothing'}, its results give ${b ? `${b.verdict} from ${b.tests} test(s), ${b.backdoorExcluded} backdoor result(s) left out` : 'nothing'}`);
    }
  }
  if (manifest.backdoorResultsExcluded !== tests.filter((t) => t.backdoor).length) report.disagreements.push(`the manifest says ${manifest.backdoorResultsExcluded} backdoor result(s) were left out; the results hold ${tests.filter((t) => t.backdoor).length}`);

  // 6. The verdicts, re-judged from the exchanges.
  rejudge(entries, tests, report, o.context ?? {});
  return report;
}

function rejudge(entries: HarEntry[], tests: TestRecord[], report: VerifyReport, context: OracleContext): void {
  const byTest = new Map<string, Array<{ entry: HarEntry; index: number }>>();
  entries.forEach((entry, i) => {
    const list = byTest.get(entry._test) ?? [];
    list.push({ entry, index: i + 1 });
    byTest.set(entry._test, list);
  });
  const known = new Set(tests.map((t) => t.id));
  for (const id of byTest.keys()) if (!known.has(id)) report.disagreements.push(`exchanges name test ${id}, which the results do not hold`);

  for (const test of tests) {
    const share = (report.byApi[test.api] ??= { tests: 0, withExchanges: 0, rejudged: 0 });
    share.tests += 1;
    const list = byTest.get(test.id) ?? [];
    const answered = list.filter(({ entry }) => entry.response.status !== 0);
    if (answered.length) share.withExchanges += 1;
    let allJudged = answered.length > 0;
    let allAgree = true;
    for (const { entry, index } of list) {
      const title = `${entryTitle(entry, index)} of "${test.title}"`;
      if (entry._truncated) {
        allJudged = false;
        continue;
      }
      const { request, response } = fromHarEntry(entry);
      const recorded = entry._checks ?? [];
      // The checks that apply by themselves must all be there: a bundle cannot leave one out.
      if (entry._service && entry._base && response) {
        const base = new URL(entry._base);
        const pathname = new URL(entry.request.url).pathname.slice(base.pathname.replace(/\/$/, '').length) || '/';
        for (const check of automaticChecks(entry._service, entry.request.method, pathname)) {
          if (!recorded.some((r) => JSON.stringify(r.check) === JSON.stringify(check))) {
            report.checks.missing += 1;
            allAgree = false;
            report.disagreements.push(`${title}: ${describeCheck(check)} applies to it but was not recorded`);
          }
        }
      }
      let judgedHere = 0;
      for (const r of recorded) {
        let verdict;
        try {
          verdict = judge(r.check, { request, response, pointer: r.pointer }, context);
        } catch (e) {
          if (!(e instanceof UndecidableCheck)) throw e;
          report.checks.undecidable += 1;
          continue;
        }
        report.checks.judged += 1;
        judgedHere += 1;
        if (verdict.pass === r.pass) report.checks.agreed += 1;
        else {
          allAgree = false;
          report.disagreements.push(`${title}: ${describeCheck(r.check)} was ${r.pass ? 'met' : 'not met'} in the run, is ${verdict.pass ? 'met' : 'not met'} now${verdict.message ? ` (${verdict.message.split('\n').slice(0, 2).join('; ')})` : ''}`);
        }
        const wanted = !r.negated;
        if (verdict.pass !== wanted && (test.verdict === 'passed' || test.verdict === 'warned' || test.verdict === 'deviates')) {
          allAgree = false;
          report.disagreements.push(`${title}: the test ${test.verdict}, but ${describeCheck(r.check)} is ${verdict.pass ? 'met' : 'not met'}, which fails it`);
        }
      }
      if (response && judgedHere === 0) allJudged = false;
    }
    if (allJudged && allAgree) share.rejudged += 1;
  }
}
