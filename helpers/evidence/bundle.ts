// The certification evidence bundle: one zip with the run's results, every exchange (redacted,
// HAR), the environment fingerprint, the waivers in force, and a manifest that holds the SHA-256
// of every other file (and of every exchange, so a changed byte is traced to its exchange),
// signed with a detached JWS (RFC 7515 appendix F). Built by `npm run certify`, checked by
// `npm run verify-evidence`.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { unzipSync, zipSync } from 'fflate';
import * as jose from 'jose';
import { ConfigurationError, stringSetting, type Env } from '../config/settings.ts';
import type { HarLog } from './har.ts';
import { SPECIFICATIONS, type SuiteIdentity } from './suite-identity.ts';
import type { ProfileTargets, TestRecord } from './summary-reporter.ts';
import { requirementVerdict } from './summary-reporter.ts';

export const BUNDLE_FORMAT = 'nhn-conformance-evidence/1';
export const MANIFEST = 'manifest.json';
export const SIGNATURE = 'manifest.jws';
export const PUBLIC_KEY = 'signing-key.public.jwk.json';
export const COVERAGE = 'evidence-coverage.json';

export const EVIDENCE_SETTINGS = {
  signingJwk: stringSetting('NHN_EVIDENCE_SIGNING_JWK', 'the private JWK that signs evidence bundles, inline JSON (never commit it); without it a key is made per bundle'),
  signingJwkFile: stringSetting('NHN_EVIDENCE_SIGNING_JWK_FILE', 'a file holding the private JWK that signs evidence bundles'),
};

/** Hosts that are NHN's: a run whose targets are elsewhere is not evidence about NHN. */
export const NHN_HOST = /(^|\.)nhn\.no$/i;

export interface NotEvidence {
  reason: 'twin' | 'non-nhn-host' | 'no-test-executed' | 'not-an-evidence-profile' | 'modified-suite';
  detail: string;
}

export interface Manifest {
  format: typeof BUNDLE_FORMAT;
  createdAt: string;
  suite: SuiteIdentity;
  specifications: typeof SPECIFICATIONS;
  run: { id?: string; partial?: string; startedAt?: string; endedAt?: string; status?: string; profiles: ProfileTargets[]; tests: number };
  /** Empty when the bundle is certification evidence; otherwise every reason it is not. */
  notEvidence: NotEvidence[];
  /** Backdoor results in the run: reported, never counted in the coverage. */
  backdoorResultsExcluded: number;
  /** Tests per verdict; `deviates` never makes a bundle fail, it says where the environment met an assumption another way. */
  verdicts?: Record<string, number>;
  /** The assumption points where the run saw another behaviour than the twin's reading. */
  deviations?: Array<{ point: string; variant: string; tests: number }>;
  /** The calibration files handed in with the run (schemas/calibration/<profile>.yaml), by profile. */
  calibrations?: string[];
  files: Record<string, string>;
  exchanges: { file: string; count: number; sha256: string[] };
  signer: { alg: string; thumbprint: string; generated: boolean };
}

export const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');

/** The SHA-256 of each HAR entry, as its JSON text: an edit anywhere in the file is traced to the exchange. */
export function entryDigests(har: HarLog): string[] {
  return har.log.entries.map((e) => sha256(JSON.stringify(e)));
}

/** Requirement verdicts for certification: backdoor results left out, waived failures shown as waived. */
export function evidenceCoverage(tests: readonly TestRecord[]): Record<string, { verdict: string; tests: number; backdoorExcluded: number }> {
  const out: Record<string, { verdict: string; tests: number; backdoorExcluded: number; list: Array<{ verdict: TestRecord['verdict']; waived?: boolean }> }> = {};
  for (const t of tests) {
    for (const id of t.requirements) {
      const entry = (out[id] ??= { verdict: 'skipped', tests: 0, backdoorExcluded: 0, list: [] });
      if (t.backdoor) entry.backdoorExcluded += 1;
      else {
        entry.tests += 1;
        entry.list.push({ verdict: t.verdict, waived: t.waiver ? true : undefined });
      }
    }
  }
  return Object.fromEntries(
    Object.entries(out)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([id, e]) => [id, { verdict: e.list.length ? requirementVerdict(e.list) : 'backdoor only (not counted)', tests: e.tests, backdoorExcluded: e.backdoorExcluded }]),
  );
}

/** Every reason a run is not certification evidence (none: it is). */
export function notEvidenceReasons(o: { profiles: readonly ProfileTargets[]; executed: number; dirty: boolean }): NotEvidence[] {
  const out: NotEvidence[] = [];
  for (const p of o.profiles) {
    if (p.kind === 'twin') out.push({ reason: 'twin', detail: `profile ${p.name} ran against the local twin, not NHN` });
    else if (!p.evidence) out.push({ reason: 'not-an-evidence-profile', detail: `profile ${p.name} is never certification evidence (backdoor identity)` });
    for (const t of p.targets) {
      const host = new URL(t.url).hostname;
      if (p.kind !== 'twin' && !NHN_HOST.test(host)) out.push({ reason: 'non-nhn-host', detail: `${t.service} went to ${host} (${t.source}), not an NHN host` });
    }
  }
  if (!o.profiles.length) out.push({ reason: 'twin', detail: 'the run names no profile' });
  if (o.executed === 0) out.push({ reason: 'no-test-executed', detail: 'the run executed no test' });
  if (o.dirty) out.push({ reason: 'modified-suite', detail: 'the suite had local changes to its catalogue, documents, specs or judging code' });
  return out;
}

export interface SigningKey {
  privateKey: jose.CryptoKey | Uint8Array;
  publicJwk: jose.JWK;
  alg: string;
  thumbprint: string;
  generated: boolean;
}

function readSigningJwk(env: Env): { jwk: jose.JWK; source: string } | undefined {
  const inline = EVIDENCE_SETTINGS.signingJwk.read(env);
  const file = EVIDENCE_SETTINGS.signingJwkFile.read(env);
  if (!inline && file && !fs.existsSync(file)) throw new ConfigurationError(`NHN_EVIDENCE_SIGNING_JWK_FILE names ${file}, which does not exist`);
  const text = inline ?? (file ? fs.readFileSync(file, 'utf8') : undefined);
  if (!text) return undefined;
  const source = inline ? 'NHN_EVIDENCE_SIGNING_JWK' : 'the file named by NHN_EVIDENCE_SIGNING_JWK_FILE';
  let jwk: jose.JWK;
  try {
    jwk = JSON.parse(text) as jose.JWK;
  } catch {
    throw new ConfigurationError(`${source} is not valid JSON`);
  }
  if (!jwk || typeof jwk !== 'object' || !jwk.kty || !jwk.d) throw new ConfigurationError(`${source} must hold a private JWK (with "kty" and "d")`);
  if (jwk.kty === 'oct') throw new ConfigurationError(`${source} holds a symmetric key; evidence is signed with an asymmetric key so anyone can verify it`);
  return { jwk, source };
}

function algorithmFor(jwk: jose.JWK): string {
  if (jwk.alg) return jwk.alg;
  if (jwk.kty === 'EC') return { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' }[jwk.crv ?? ''] ?? 'ES256';
  if (jwk.kty === 'OKP') return 'EdDSA';
  return 'PS256';
}

/** The key from the environment, or a new ES256 key for this bundle (its public half goes in the bundle). */
export async function signingKey(env: Env = process.env): Promise<SigningKey> {
  const given = readSigningJwk(env);
  if (given) {
    const alg = algorithmFor(given.jwk);
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = given.jwk;
    let privateKey: SigningKey['privateKey'];
    try {
      privateKey = await jose.importJWK(given.jwk, alg);
    } catch (e) {
      throw new ConfigurationError(`${given.source} is not a usable ${alg} key: ${(e as Error).message}`);
    }
    return { privateKey, publicJwk: { ...publicJwk, alg }, alg, thumbprint: await jose.calculateJwkThumbprint(publicJwk, 'sha256'), generated: false };
  }
  const { privateKey, publicKey } = await jose.generateKeyPair('ES256', { extractable: true });
  const publicJwk = { ...(await jose.exportJWK(publicKey)), alg: 'ES256' };
  return { privateKey, publicJwk, alg: 'ES256', thumbprint: await jose.calculateJwkThumbprint(publicJwk, 'sha256'), generated: true };
}

/** A detached compact JWS over the manifest's bytes: header..signature. */
export async function signDetached(payload: Uint8Array, key: SigningKey): Promise<string> {
  const jws = await new jose.CompactSign(payload).setProtectedHeader({ alg: key.alg, kid: key.thumbprint, typ: 'nhn-evidence+jws', cty: 'json' }).sign(key.privateKey);
  const [header, , signature] = jws.split('.');
  return `${header}..${signature}`;
}

export async function verifyDetached(detached: string, payload: Uint8Array, publicJwk: jose.JWK): Promise<{ ok: true; alg: string } | { ok: false; reason: string }> {
  const [header, middle, signature] = detached.trim().split('.');
  if (header === undefined || signature === undefined || middle !== '') return { ok: false, reason: 'the signature is not a detached compact JWS (header..signature)' };
  try {
    const alg = (JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: string }).alg;
    if (!alg || alg === 'none' || alg.startsWith('HS')) return { ok: false, reason: `the signature's algorithm ${String(alg)} is not an asymmetric one` };
    const key = await jose.importJWK(publicJwk, alg);
    await jose.compactVerify(`${header}.${Buffer.from(payload).toString('base64url')}.${signature}`, key, { algorithms: [alg] });
    return { ok: true, alg };
  } catch (e) {
    return { ok: false, reason: `the signature does not verify: ${(e as Error).message}` };
  }
}

export function writeZip(file: string, files: Record<string, Uint8Array>): void {
  // A fixed time in every entry, so the archive depends only on its contents.
  const entries = Object.fromEntries(Object.entries(files).map(([name, data]) => [name, [data, { mtime: new Date('2000-01-01T00:00:00Z') }] as const]));
  fs.writeFileSync(file, zipSync(entries as unknown as Parameters<typeof zipSync>[0], { level: 6 }));
}

export function readZip(file: string): Record<string, Uint8Array> {
  return unzipSync(new Uint8Array(fs.readFileSync(file)));
}
