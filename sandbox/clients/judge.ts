// Client-conformance mode: the twin, standing in for NHN, judges how a vendor's own system calls
// it. Every request the twin's servers receive (and the answer they give) goes through the rules
// below, each a CLIENT-* requirement of schemas/requirements/client.yaml. The judge decodes what
// it sees with its own code; it never uses the suite's client-side builders.
import { createHash } from 'node:crypto';
import * as jose from 'jose';
import { hasValidNinControlDigits, NHN_TEST_PERSONS } from '../../helpers/identifiers.ts';
import { ACCESS_BASIS, PHR_SCOPES } from '../../helpers/packs/phr.ts';
import type { Env } from '../../helpers/config/settings.ts';
import { twinPublicUrl, TWIN_SERVICES } from '../../helpers/config/twin-layout.ts';
import type { Observed } from './observe.ts';

export type ClientVerdict = 'passed' | 'failed' | 'not exercised';

export const CLIENT_RULES = {
  'CLIENT-DPOP-001': 'a fresh DPoP proof per request: a jti never sent before',
  'CLIENT-DPOP-002': 'the proof is a JWT whose htm is the request method and htu the request URL without query',
  'CLIENT-DPOP-003': 'a proof sent to an API carries ath, the hash of the access token it goes with',
  'CLIENT-DPOP-004': 'the proof is fresh: iat within 30 s before and 5 s after the request arrives',
  'CLIENT-ASSERT-001': "the client assertion follows HelseID's rules: jwt-bearer type, asymmetric alg, iss = sub = client id, aud = the issuer, jti never reused, at most 60 s of life",
  'CLIENT-NONCE-001': 'after a use_dpop_nonce answer the next request carries that nonce in its proof',
  'CLIENT-HDR-001': 'the NHN headers an API requires: nhn-source-system on PHR, nhn-event-id on PaRek',
  'CLIENT-HDR-002': 'with the kjernejournalforskriften scope, nhn-access-basis carries one of the documented values',
  'CLIENT-NIN-001': 'no national identity number in a URL',
  'CLIENT-PIT-001': "PIT's _count is an integer from 1 to 50",
  'CLIENT-PIT-002': "PIT's next links are followed as opaque: a cursor request is exactly a next link the service gave",
  'CLIENT-PIT-003': 'a 202 is respected: the same patient is not POSTed again',
  'CLIENT-PHR-001': 'PHR documents are searched with POST _search, never GET',
  'CLIENT-SYNTH-001': 'only synthetic identities: every identity number sent is a Test-Norge, reserved, felles hjelpenummer or NHN test person number',
} as const;

export type ClientRule = keyof typeof CLIENT_RULES;

export interface Violation {
  seq: number;
  request: string;
  detail: string;
}

export interface ClientReport {
  generatedAt: string;
  requests: number;
  clients: string[];
  requirements: Array<{ id: ClientRule; text: string; verdict: ClientVerdict; exercised: number; violations: Violation[] }>;
}

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const NIN = /(?<![\w-])\d{11}(?![\w-])/g;
const ASYMMETRIC = /^(RS|PS|ES)(256|384|512)$|^EdDSA$/;

function header(o: Observed, name: string): string | undefined {
  const v = o.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** Identity numbers among the 11-digit runs of a text: those whose control digits hold. */
function identityNumbers(text: string): string[] {
  return [...text.matchAll(NIN)].map((m) => m[0]).filter(hasValidNinControlDigits);
}

/** Test-Norge (month + 80), reserved test data (month + 65), felles hjelpenummer (first digit 8 or 9), NHN's named test persons. */
function synthetic(n: string): boolean {
  const month = Number(n.slice(2, 4));
  return (month >= 81 && month <= 92) || (month >= 66 && month <= 77) || n[0] === '8' || n[0] === '9' || n in NHN_TEST_PERSONS;
}

function decode(jwt: string): { header: jose.ProtectedHeaderParameters; payload: jose.JWTPayload } | undefined {
  try {
    return { header: jose.decodeProtectedHeader(jwt), payload: jose.decodeJwt(jwt) };
  } catch {
    return undefined;
  }
}

export interface JudgeOptions {
  /** Public base URL of every service of the twin (htu is judged against them). */
  urls: Record<string, string>;
  /** HelseID's issuer (aud of a client assertion). */
  issuer: string;
  now?: () => number;
}

/**
 * The judging twin's environment and judge, for `npm run sandbox -- --judge-clients` and the
 * judge's own specs alike: every API asks for DPoP nonces (unless the environment says otherwise),
 * so a client's nonce dance is judged.
 */
export function judgingTwin(port: number, env: Env): { env: Env; judge: ClientJudge } {
  const judged = { ...env, SANDBOX_RS_NONCE_APIS: env.SANDBOX_RS_NONCE_APIS ?? TWIN_SERVICES.join(',') };
  const urls = Object.fromEntries(TWIN_SERVICES.map((s) => [s, twinPublicUrl(s, port, judged)]));
  return { env: judged, judge: new ClientJudge({ urls, issuer: urls.helseid! }) };
}

export class ClientJudge {
  private seq = 0;
  private readonly exercised = new Map<ClientRule, number>();
  private readonly violations = new Map<ClientRule, Violation[]>();
  private readonly proofJtis = new Set<string>();
  private readonly assertionJtis = new Set<string>();
  private readonly pendingNonce = new Map<string, string>();
  private readonly nextLinks = new Set<string>();
  private readonly accepted = new Set<string>();
  private readonly clients = new Set<string>();
  private queue: Promise<void> = Promise.resolve();
  /** Requests that have arrived and are not yet complete. */
  private inFlight = 0;
  readonly seen: Observed[] = [];

  constructor(private readonly o: JudgeOptions) {}

  arrived(): void {
    this.inFlight += 1;
  }

  /** Takes one observed exchange; they are judged in the order they complete. */
  observed(o: Omit<Observed, 'seq'>): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    const observed = { ...o, seq: ++this.seq };
    this.seen.push(observed);
    this.queue = this.queue.then(() => this.judge(observed)).catch(() => undefined);
  }

  /** Waits until every request that has arrived is complete and judged (at most 5 s for one still coming in). */
  async settled(): Promise<void> {
    const until = Date.now() + 5_000;
    while (this.inFlight > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    await this.queue;
  }

  /** Forgets everything: a new session (the tests run one client after another). */
  reset(): void {
    this.seq = 0;
    this.inFlight = 0;
    this.seen.length = 0;
    for (const m of [this.exercised, this.violations, this.pendingNonce]) m.clear();
    for (const s of [this.proofJtis, this.assertionJtis, this.nextLinks, this.accepted, this.clients]) s.clear();
  }

  report(): ClientReport {
    return {
      generatedAt: new Date().toISOString(),
      requests: this.seen.length,
      clients: [...this.clients],
      requirements: (Object.keys(CLIENT_RULES) as ClientRule[]).map((id) => {
        const violations = this.violations.get(id) ?? [];
        const exercised = this.exercised.get(id) ?? 0;
        return { id, text: CLIENT_RULES[id], verdict: violations.length ? 'failed' : exercised ? 'passed' : 'not exercised', exercised, violations };
      }),
    };
  }

  private exercise(rule: ClientRule, yes = true): void {
    if (yes) this.exercised.set(rule, (this.exercised.get(rule) ?? 0) + 1);
  }

  private fail(rule: ClientRule, seq: number, request: string, detail: string): void {
    this.exercise(rule);
    const list = this.violations.get(rule) ?? [];
    list.push({ seq, request, detail });
    this.violations.set(rule, list);
  }

  private async judge(o: Observed): Promise<void> {
    const now = this.o.now?.() ?? o.at;
    const url = new URL(o.url, this.o.urls[o.service] ?? 'http://twin');
    const what = `${o.method} ${url.pathname}`;
    const fail = (rule: ClientRule, detail: string) => this.fail(rule, o.seq, what, detail);
    const isToken = o.service === 'helseid' && o.method === 'POST' && /grant_type=/.test(o.body.toString('utf8'));
    const authorization = header(o, 'authorization');
    const accessToken = /^DPoP\s+(.+)$/i.exec(authorization ?? '')?.[1];
    const api = o.service !== 'helseid' && o.service !== 'ttt';

    // Identity numbers: never in a URL of an API, and only synthetic ones anywhere.
    const decodedUrl = decodeURIComponent(url.pathname + url.search);
    if (api) {
      this.exercise('CLIENT-NIN-001');
      for (const n of identityNumbers(decodedUrl)) fail('CLIENT-NIN-001', `an identity number (${n.slice(0, 6)}*****) is in the URL; send it in the body`);
    }
    const everywhere = [decodedUrl, ...Object.entries(o.headers).filter(([k]) => k !== 'authorization' && k !== 'dpop').map(([, v]) => String(v)), o.body.toString('utf8')].join('\n');
    const numbers = identityNumbers(everywhere);
    this.exercise('CLIENT-SYNTH-001', numbers.length > 0);
    for (const n of new Set(numbers)) if (!synthetic(n)) fail('CLIENT-SYNTH-001', `${n.slice(0, 6)}***** looks like a real person's number, not a synthetic one`);

    // The DPoP proof.
    const proof = header(o, 'dpop');
    let jkt: string | undefined;
    if (proof !== undefined && (isToken || accessToken)) {
      const p = decode(proof);
      this.exercise('CLIENT-DPOP-001');
      this.exercise('CLIENT-DPOP-002');
      if (!p) fail('CLIENT-DPOP-002', 'the DPoP header is not a JWT');
      else {
        const jti = typeof p.payload.jti === 'string' ? p.payload.jti : undefined;
        if (!jti) fail('CLIENT-DPOP-001', 'the proof has no jti');
        else if (this.proofJtis.has(jti)) fail('CLIENT-DPOP-001', `the proof's jti ${jti} was sent before: a proof is made afresh for every request`);
        else this.proofJtis.add(jti);
        const htu = `${(this.o.urls[o.service] ?? '').replace(/\/$/, '')}${url.pathname}`;
        if (p.payload.htm !== o.method) fail('CLIENT-DPOP-002', `htm is ${JSON.stringify(p.payload.htm)}, the request is ${o.method}`);
        if (p.payload.htu !== htu) fail('CLIENT-DPOP-002', `htu is ${JSON.stringify(p.payload.htu)}, the request URL without query is ${htu}`);
        this.exercise('CLIENT-DPOP-004');
        const iat = typeof p.payload.iat === 'number' ? p.payload.iat : undefined;
        if (iat === undefined) fail('CLIENT-DPOP-004', 'the proof has no iat');
        else if (iat * 1000 < now - 30_000 || iat * 1000 > now + 5_000) fail('CLIENT-DPOP-004', `iat is ${Math.round(now / 1000 - iat)} s before the request arrived`);
        if (api && accessToken) {
          this.exercise('CLIENT-DPOP-003');
          const ath = createHash('sha256').update(accessToken).digest('base64url');
          if (p.payload.ath === undefined) fail('CLIENT-DPOP-003', 'the proof sent to an API has no ath');
          else if (p.payload.ath !== ath) fail('CLIENT-DPOP-003', 'ath is not the hash of the access token sent with it');
        }
        if (p.header.jwk) jkt = await jose.calculateJwkThumbprint(p.header.jwk as jose.JWK, 'sha256').catch(() => undefined);
        const key = `${o.service}|${jkt ?? 'no key'}`;
        const owed = this.pendingNonce.get(key);
        if (owed !== undefined) {
          this.exercise('CLIENT-NONCE-001');
          if (p.payload.nonce !== owed) fail('CLIENT-NONCE-001', `the service asked for nonce ${owed}; this proof carries ${p.payload.nonce === undefined ? 'none' : JSON.stringify(p.payload.nonce)}`);
          this.pendingNonce.delete(key);
        }
      }
    }
    const offered = o.responseHeaders['dpop-nonce'];
    const error = `${String(o.responseHeaders['www-authenticate'] ?? '')} ${o.responseBody.toString('utf8').slice(0, 2000)}`;
    if (offered !== undefined && (o.status === 400 || o.status === 401) && /use_dpop_nonce/.test(error)) this.pendingNonce.set(`${o.service}|${jkt ?? 'no key'}`, String(offered));

    if (isToken) this.judgeAssertion(o, fail);

    // NHN's headers.
    if (o.service === 'phr' && /^\/(R4|mhd)\//.test(url.pathname)) {
      this.exercise('CLIENT-HDR-001');
      if (!header(o, 'nhn-source-system')) fail('CLIENT-HDR-001', 'PHR requires nhn-source-system (the name and version of the calling system)');
      const scopes = String(accessToken ? (decode(accessToken)?.payload.scope ?? '') : '').split(' ');
      if (scopes.includes(PHR_SCOPES.kjernejournal)) {
        this.exercise('CLIENT-HDR-002');
        const basis = header(o, 'nhn-access-basis');
        if (!basis || !(ACCESS_BASIS as readonly string[]).includes(basis)) fail('CLIENT-HDR-002', `nhn-access-basis is ${basis === undefined ? 'missing' : JSON.stringify(basis)}; with the kjernejournalforskriften scope it is one of ${ACCESS_BASIS.join(', ')}`);
      }
      if (/\/DocumentReference\/?$/.test(url.pathname)) {
        this.exercise('CLIENT-PHR-001');
        if (o.method === 'GET') fail('CLIENT-PHR-001', 'documents were searched with GET; PHR takes POST …/DocumentReference/_search with a form body');
      } else if (/\/DocumentReference\/_search$/.test(url.pathname)) this.exercise('CLIENT-PHR-001');
    }
    if (o.service.startsWith('parek') && !/\/metadata$/.test(url.pathname)) {
      this.exercise('CLIENT-HDR-001');
      if (!header(o, 'nhn-event-id')) fail('CLIENT-HDR-001', 'PaRek requires nhn-event-id (a correlation id) on every request');
    }

    if (o.service === 'pit' && /^\/v1\/Patient\/?$/.test(url.pathname)) this.judgePit(o, url, fail);
  }

  private judgeAssertion(o: Observed, fail: (rule: ClientRule, detail: string) => void): void {
    const form = new URLSearchParams(o.body.toString('utf8'));
    this.exercise('CLIENT-ASSERT-001');
    const type = form.get('client_assertion_type');
    const assertion = form.get('client_assertion');
    if (type !== JWT_BEARER) fail('CLIENT-ASSERT-001', `client_assertion_type is ${JSON.stringify(type)}, not ${JWT_BEARER}`);
    if (!assertion) return fail('CLIENT-ASSERT-001', 'no client_assertion: HelseID authenticates clients only with private_key_jwt');
    const a = decode(assertion);
    if (!a) return fail('CLIENT-ASSERT-001', 'the client assertion is not a JWT');
    const { header: h, payload: p } = a;
    const clientId = form.get('client_id') ?? (typeof p.iss === 'string' ? p.iss : undefined);
    if (clientId) this.clients.add(clientId);
    if (!ASYMMETRIC.test(String(h.alg))) fail('CLIENT-ASSERT-001', `alg ${String(h.alg)} is not an asymmetric algorithm`);
    if (h.typ !== undefined && h.typ !== 'client-authentication+jwt' && h.typ !== 'JWT') fail('CLIENT-ASSERT-001', `typ ${String(h.typ)}: HelseID takes client-authentication+jwt`);
    if (p.iss !== clientId || p.sub !== clientId) fail('CLIENT-ASSERT-001', `iss ${JSON.stringify(p.iss)} and sub ${JSON.stringify(p.sub)} must both be the client id ${JSON.stringify(clientId)}`);
    const issuer = this.o.issuer.replace(/\/$/, '');
    const aud = [p.aud ?? []].flat();
    if (!aud.some((x) => x === issuer || x === `${issuer}/`)) fail('CLIENT-ASSERT-001', `aud ${JSON.stringify(p.aud)} is not the issuer ${issuer}`);
    if (typeof p.jti !== 'string') fail('CLIENT-ASSERT-001', 'the client assertion has no jti');
    else if (this.assertionJtis.has(p.jti)) fail('CLIENT-ASSERT-001', `the client assertion's jti ${p.jti} was used before: make one per token request, the nonce retry included`);
    else this.assertionJtis.add(p.jti);
    if (typeof p.exp !== 'number') fail('CLIENT-ASSERT-001', 'the client assertion has no exp');
    else {
      const start = typeof p.iat === 'number' ? p.iat : typeof p.nbf === 'number' ? p.nbf : Math.floor(o.at / 1000);
      if (p.exp - start > 60) fail('CLIENT-ASSERT-001', `the client assertion lives ${p.exp - start} s; HelseID takes at most 60 s`);
    }
  }

  private judgePit(o: Observed, url: URL, fail: (rule: ClientRule, detail: string) => void): void {
    if (o.method === 'GET') {
      const count = url.searchParams.get('_count');
      if (count !== null) {
        this.exercise('CLIENT-PIT-001');
        if (!/^\d+$/.test(count) || Number(count) < 1 || Number(count) > 50) fail('CLIENT-PIT-001', `_count=${count}; PIT takes 1 to 50`);
      }
      if (url.searchParams.has('cursor')) {
        this.exercise('CLIENT-PIT-002');
        if (!this.nextLinks.has(url.pathname + url.search)) fail('CLIENT-PIT-002', 'a cursor request that is not a next link the service gave (the link is opaque: follow it as it is, change nothing in it)');
      }
      if (o.status === 200) {
        try {
          const bundle = JSON.parse(o.responseBody.toString('utf8')) as { link?: Array<{ relation?: string; url?: string }> };
          for (const l of bundle.link ?? []) {
            if (l.relation !== 'next' || !l.url) continue;
            const next = new URL(l.url);
            this.nextLinks.add(next.pathname + next.search);
          }
        } catch {
          // not a bundle: nothing to remember
        }
      }
    } else if (o.method === 'POST') {
      const key = createHash('sha256').update(o.body).digest('hex');
      if (this.accepted.has(key)) fail('CLIENT-PIT-003', 'the same patient was POSTed again after PIT answered 202 Accepted (it is queued: poll, do not resend)');
      if (o.status === 202) {
        this.exercise('CLIENT-PIT-003');
        this.accepted.add(key);
      }
    }
  }
}
