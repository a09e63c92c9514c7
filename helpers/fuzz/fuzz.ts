// The fuzzer: every operation of every API, each kind of mistake as a fast-check property over
// malformed requests, each request signed correctly (a fresh DPoP proof for its method and URL,
// a token with the operation's scope) so that it reaches validation. A failing case is shrunk
// by fast-check and saved as a replay file. Against the twin it also compares the data before
// and after each request.
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { createDpopProof } from '../auth/dpop.ts';
import type { SigningKey } from '../auth/keys.ts';
import { TokenClient } from '../auth/token-client.ts';
import type { Profile } from '../config/profiles.ts';
import { registerSecret } from '../evidence/redact.ts';
import { GuardError } from '../http/errors.ts';
import { guardSyntheticPeople } from '../http/identity-guard.ts';
import { PACKS, SERVICES, type PackDescriptor, type ServiceName } from '../packs/index.ts';
import { TTT_PATH } from '../protocol.ts';
import { loadApiDocument, type Operation } from '../validation/openapi/document.ts';
import { caseBody, casesOf, caseTarget, MUTATION_KINDS, type FuzzCase, type MutationKind } from './cases.ts';
import { judgeAnswer, type Judgement } from './oracle.ts';
import { sendRaw, type WireResponse } from './wire.ts';

export const REPLAY_FORMAT = 'nhn-fuzz-case/1';
/** Against an NHN environment: at most this many requests, GET operations only. */
export const NHN_REQUEST_CAP = 300;
const DEFAULT_BODY_LIMIT = 1024 * 1024;

export interface FuzzTarget {
  service: ServiceName;
  document: string;
  op: Operation;
  authenticated: boolean;
}

export interface FuzzFailure {
  document: string;
  operationId: string;
  kind: MutationKind;
  problems: string[];
  status?: number;
  file: string;
  case: FuzzCase;
}

export interface FuzzSummary {
  profile: string;
  seed: number;
  requests: number;
  /** Cases the identity guard kept from being sent. */
  guarded: number;
  durationMs: number;
  byApi: Record<string, { requests: number; statuses: Record<string, number>; httpLevel: number }>;
  byKind: Record<string, number>;
  properties: number;
  failures: Array<Omit<FuzzFailure, 'case'>>;
  /** Services with no DPoP API to fuzz on this profile, and why. */
  skipped: string[];
  stateChecked: boolean;
}

export interface FuzzOptions {
  profile: Profile;
  requests: number;
  seed: number;
  apis?: readonly string[];
  outDir: string;
  /** GET operations only, no oversized bodies (an NHN environment). */
  readOnly: boolean;
  /** The twin's data hash; undefined against NHN. */
  stateDigest?: () => string;
  concurrency?: number;
  log: (line: string) => void;
}

/** What the fuzzer aims at on a profile: each documented operation of each DPoP service. */
/** Whether `--api` asks for a document: by its name, or its family (`person` for person-v2 and person-v3). */
export const documentInApis = (document: string, apis: readonly string[]): boolean => !apis.length || apis.some((a) => document === a || document.startsWith(`${a}-`));

export function fuzzTargets(profile: Profile, apis?: readonly string[], readOnly = false): { targets: FuzzTarget[]; skipped: string[] } {
  const targets: FuzzTarget[] = [];
  const skipped: string[] = [];
  const seen = new Set<string>();
  for (const [name, descriptor] of Object.entries(SERVICES) as Array<[ServiceName, (typeof SERVICES)[ServiceName]]>) {
    const documents = (descriptor as { documents?: readonly string[] }).documents ?? [];
    if (!documents.length) continue;
    if (!profile.urls[name]) continue;
    if (!profile.auth[name]?.includes('dpop')) {
      skipped.push(`${name} (${profile.auth[name]?.join(', ') || 'no auth mode'} on ${profile.name})`);
      continue;
    }
    for (const document of documents) {
      if (apis?.length && !apis.includes(name) && !documentInApis(document, apis)) continue;
      for (const op of loadApiDocument(document).operations) {
        const key = `${op.method} ${op.path}`;
        if (seen.has(`${name} ${key}`)) continue;
        seen.add(`${name} ${key}`);
        if (readOnly && op.method !== 'GET') continue;
        targets.push({ service: name, document, op, authenticated: op.security.some((s) => Object.keys(s).length > 0) });
      }
    }
  }
  return { targets, skipped };
}

interface Credentials {
  token: string;
  key: SigningKey;
}

/** Signs cases: a token per service and scope (the token client asks once and caches), a fresh proof per request, the server's nonce when it wants one. */
class Signer {
  private readonly nonces = new Map<string, string>();
  private readonly client: TokenClient;

  constructor(private readonly profile: Profile) {
    const credentials = profile.client('default');
    if (!credentials) throw new GuardError(`profile ${profile.name} has no default client to sign the fuzzer's requests with`);
    this.client = new TokenClient(profile.urls.helseid!, credentials, profile.twinInstance());
  }

  async credentials(t: FuzzTarget): Promise<Credentials> {
    const scope = t.op.scopes[0] ?? (SERVICES[t.service] as { defaultScopes?: readonly string[] }).defaultScopes?.[0] ?? '';
    // The user the pack's own calls need (PHR, PaRek), from the test-token service.
    const user = (PACKS as readonly PackDescriptor[]).find((p) => t.service in p.services)?.dpopTarget?.user;
    const key = await this.client.runKey();
    const answer = user
      ? await this.client.testUserToken({ url: `${this.profile.urls.ttt}${TTT_PATH}`, apiKey: this.profile.tttApiKey() ?? '' }, [scope], user, key)
      : await this.client.clientCredentials([scope], key);
    registerSecret(answer.accessToken);
    return { token: answer.accessToken, key };
  }

  nonce(origin: string): string | undefined {
    return this.nonces.get(origin);
  }

  remember(origin: string, response: WireResponse): void {
    const offered = response.header('dpop-nonce');
    if (offered) this.nonces.set(origin, offered);
  }
}

/** The header lines a case's authentication adds, and the secrets they carry (for the echo check). */
async function authHeaders(signer: Signer, t: FuzzTarget, c: FuzzCase, htu: string): Promise<{ lines: Array<[string, string]>; secrets: string[] }> {
  if (!t.authenticated) return { lines: [], secrets: [] };
  const { token, key } = await signer.credentials(t);
  const nonce = signer.nonce(new URL(htu).origin);
  const proof = () => createDpopProof(key, { method: c.method, url: htu, accessToken: token, ...(nonce ? { nonce } : {}) });
  switch (c.auth.kind) {
    case 'valid': {
      const p = await proof();
      return { lines: [['Authorization', `DPoP ${token}`], ['DPoP', p]], secrets: [token, p] };
    }
    case 'garbage-token': {
      const p = await createDpopProof(key, { method: c.method, url: htu, accessToken: c.auth.token });
      return { lines: [['Authorization', `${c.auth.scheme} ${c.auth.token}`.trim()], ['DPoP', p]], secrets: [c.auth.token, p] };
    }
    case 'garbage-proof':
      return { lines: [['Authorization', `DPoP ${token}`], ['DPoP', c.auth.proof]], secrets: [token, c.auth.proof] };
    case 'no-proof':
      return { lines: [['Authorization', `DPoP ${token}`]], secrets: [token] };
    case 'repeated': {
      const p1 = await proof();
      if (c.auth.header === 'authorization') return { lines: [['Authorization', `DPoP ${token}`], ['Authorization', `DPoP ${token}`], ['DPoP', p1]], secrets: [token, p1] };
      const p2 = await proof();
      return { lines: [['Authorization', `DPoP ${token}`], ['DPoP', p1], ['DPoP', p2]], secrets: [token, p1, p2] };
    }
  }
}

export interface SentCase {
  response?: WireResponse;
  judgement: Judgement;
  /** The identity guard kept it from being sent. */
  guarded?: boolean;
}

/** Sends one case, signed, and judges the answer. */
export async function sendCase(signer: Signer, t: FuzzTarget, c: FuzzCase, o: { base: string; stateDigest?: () => string }): Promise<SentCase> {
  const base = new URL(o.base);
  const basePath = base.pathname.replace(/\/$/, '');
  const body = caseBody(c);
  try {
    guardSyntheticPeople(`the fuzz case for ${c.operationId}`, [c.path, ...c.query.flat(), ...c.headers.flat(), c.body ?? '']);
  } catch {
    return { guarded: true, judgement: { ok: true, problems: [], httpLevel: false } };
  }
  const htu = `${base.origin}${basePath}${c.path}`;
  const mediaType = Object.keys(t.op.requestBody?.content ?? {})[0];
  // The case's own Accept where the operation documents one (leaving it out may be the mistake).
  const documentsAccept = t.op.parameters.some((p) => p.in === 'header' && p.name.toLowerCase() === 'accept');
  const headers: Array<[string, string]> = [...(documentsAccept ? [] : [['Accept', 'application/fhir+json, application/json;q=0.9, */*;q=0.1'] as [string, string]]), ...c.headers];
  const contentType = c.contentType === undefined ? mediaType : c.contentType;
  if (body !== undefined && contentType) headers.push(['Content-Type', contentType]);
  const send = async () => {
    const auth = await authHeaders(signer, t, c, htu);
    const before = o.stateDigest?.();
    const response = await sendRaw(base.origin, { method: c.method, target: caseTarget(basePath, c), headers: [...headers, ...auth.lines], body });
    const changed = before !== undefined && o.stateDigest!() !== before;
    signer.remember(base.origin, response);
    return { response, auth, changed };
  };
  let sent = await send();
  // A server that wants a nonce (RFC 9449 §9) gets one retry, as a client would give it.
  if (sent.response.status === 401 && /use_dpop_nonce/.test(sent.response.header('www-authenticate') ?? '') && c.auth.kind === 'valid') sent = await send();
  return { response: sent.response, judgement: judgeAnswer(t.op, sent.response, { sentSecrets: sent.auth.secrets, stateChanged: sent.changed, ...(c.kind === 'path-structure' ? { pathStructure: { normalisesToOperation: !!c.normalisesToOperation } } : {}) }) };
}

async function pool<T>(items: T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

export async function fuzz(o: FuzzOptions): Promise<FuzzSummary> {
  const started = performance.now();
  const { targets, skipped } = fuzzTargets(o.profile, o.apis, o.readOnly);
  const signer = new Signer(o.profile);
  const properties: Array<{ t: FuzzTarget; kind: MutationKind; arb: fc.Arbitrary<FuzzCase> }> = [];
  for (const t of targets) {
    for (const kind of MUTATION_KINDS) {
      if (o.readOnly && kind === 'oversized-body') continue;
      const arb = casesOf(kind, { op: t.op, document: t.document, authenticated: t.authenticated, maxBodyBytes: t.op.maxBodyBytes ?? DEFAULT_BODY_LIMIT });
      if (arb) properties.push({ t, kind, arb });
    }
  }
  // A capped run spreads its budget: the properties in a seeded order, so that 100 requests reach
  // every API, not the first operations of the first one.
  if (o.readOnly) {
    const order = fc.sample(fc.shuffledSubarray(properties.map((_, i) => i), { minLength: properties.length }), { numRuns: 1, seed: o.seed })[0]!;
    properties.splice(0, properties.length, ...order.map((i) => properties[i]!));
  }
  const heavy = properties.filter((p) => p.kind === 'oversized-body').length;
  const heavyRuns = 3;
  // One case more per property than the even share: a failing property stops early, and the total must reach the number asked.
  const runs = Math.max(1, Math.ceil((o.requests - heavy * heavyRuns) / Math.max(1, properties.length - heavy)) + 1);
  const summary: FuzzSummary = { profile: o.profile.name, seed: o.seed, requests: 0, guarded: 0, durationMs: 0, byApi: {}, byKind: {}, properties: properties.length, failures: [], skipped, stateChecked: !!o.stateDigest };
  const failures: FuzzFailure[] = [];
  fs.mkdirSync(path.join(o.outDir, 'failures'), { recursive: true });
  o.log(`${targets.length} operations, ${properties.length} properties (operation × kind of mistake), ${runs} cases each (${heavyRuns} for oversized bodies), seed ${o.seed}${o.stateDigest ? "; the twin's data is compared around every request" : ''}`);
  let lastReport = performance.now();
  // Read-only (an NHN environment) means capped too: a case is counted before it is sent, so
  // that six properties in flight never take the total past the number asked.
  let reserved = 0;

  await pool(properties, o.concurrency ?? 6, async ({ t, kind, arb }) => {
    const base = o.profile.urls[t.service]!;
    let last: SentCase | undefined;
    const result = await fc.check(
      fc.asyncProperty(arb, async (c) => {
        if (o.readOnly && reserved >= o.requests) return true;
        reserved += 1;
        last = await sendCase(signer, t, c, { base, stateDigest: o.stateDigest });
        if (last.guarded) {
          summary.guarded += 1;
          reserved -= 1;
          return true;
        }
        summary.requests += 1;
        summary.byKind[kind] = (summary.byKind[kind] ?? 0) + 1;
        const api = (summary.byApi[t.document] ??= { requests: 0, statuses: {}, httpLevel: 0 });
        api.requests += 1;
        const status = String(last.response?.status ?? 'none');
        api.statuses[status] = (api.statuses[status] ?? 0) + 1;
        if (last.judgement.httpLevel) api.httpLevel += 1;
        if (performance.now() - lastReport > 2_000) {
          lastReport = performance.now();
          o.log(`${summary.requests.toLocaleString('en')} requests · ${failures.length} failing properties · ${Math.round(summary.requests / ((performance.now() - started) / 1000))} req/s`);
        }
        return last.judgement.ok;
      }),
      { numRuns: kind === 'oversized-body' ? heavyRuns : runs, seed: o.seed, endOnFailure: false },
    );
    if (result.failed && result.counterexample) {
      const c = result.counterexample[0] as FuzzCase;
      // Judge the shrunk case once more on its own, for the message and the replay file.
      const again = await sendCase(signer, t, c, { base, stateDigest: o.stateDigest });
      const problems = again.judgement.ok ? [...(last?.judgement.problems ?? []), '(the shrunk case passed when re-sent alone)'] : again.judgement.problems;
      const file = path.join(o.outDir, 'failures', `${t.document}-${t.op.operationId}-${kind}.json`);
      fs.writeFileSync(file, `${JSON.stringify({ format: REPLAY_FORMAT, profile: o.profile.name, seed: o.seed, path: result.counterexamplePath, problems, case: c }, null, 2)}\n`);
      const failure = { document: t.document, operationId: t.op.operationId, kind, problems, status: again.response?.status, file, case: c };
      failures.push(failure);
      o.log(`FAIL ${t.document} ${t.op.operationId} · ${kind}: ${problems.join('; ')} (${c.note}) → ${path.relative(process.cwd(), file)}`);
    } else if (result.failed) {
      const message = String((result as { errorInstance?: unknown }).errorInstance ?? 'no counterexample');
      failures.push({ document: t.document, operationId: t.op.operationId, kind, problems: [`could not send: ${message}`], file: '', case: undefined as never });
      o.log(`FAIL ${t.document} ${t.op.operationId} · ${kind}: could not send: ${message}`);
    }
  });
  summary.failures = failures.map(({ case: _c, ...f }) => f);
  summary.durationMs = performance.now() - started;
  fs.writeFileSync(path.join(o.outDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}

/** Re-sends a saved case, signed afresh, and judges it. */
export async function replay(file: string, profile: Profile, o: { readOnly: boolean; stateDigest?: () => string }): Promise<{ case: FuzzCase; sent: SentCase }> {
  const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as { format?: string; case?: FuzzCase };
  if (saved.format !== REPLAY_FORMAT || !saved.case) throw new GuardError(`${file} is not a fuzz replay file (format ${REPLAY_FORMAT})`);
  const c = saved.case;
  // Read-only holds for a replay too: a saved POST case is not sent to an NHN environment.
  const { targets } = fuzzTargets(profile, undefined, o.readOnly);
  const t = targets.find((x) => x.document === c.document && x.op.operationId === c.operationId);
  if (!t) throw new GuardError(`${file}: profile ${profile.name} has no ${o.readOnly ? 'read-only ' : ''}operation ${c.document} ${c.operationId} to send it to`);
  return { case: c, sent: await sendCase(new Signer(profile), t, c, { base: profile.urls[t.service]!, stateDigest: o.stateDigest }) };
}
