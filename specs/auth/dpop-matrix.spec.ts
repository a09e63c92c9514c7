// The RFC 9449 resource-server matrix, run against every API the profile says takes DPoP: one
// thing wrong per case, each refusal checked for its status and its WWW-Authenticate challenge,
// the iat window measured, nonces tested where the server wants them, and a positive control.
import { createDpopProof, type DpopFaults } from '../../helpers/auth/dpop.ts';
import { generateSigningKey, type SigningKey } from '../../helpers/auth/keys.ts';
import type { Profile } from '../../helpers/config/profiles.ts';
import { AUTH_SETTINGS } from '../../helpers/packs/auth.ts';
import { DPOP_TARGETS, SERVICES, type ServiceName } from '../../helpers/packs/index.ts';
import { measure, observe, should } from '../../helpers/evidence/verdicts.ts';
import { type ApiClient, type ApiRequest, type ApiResponse } from '../../helpers/http/api-client.ts';
import { expect, test, type ApiOptions } from '../../fixtures/index.ts';
import { accepted } from '../../fixtures/expectations.ts';
import { testToken } from '../../fixtures/ttt.ts';
import { preview } from '../../helpers/http/client.ts';

function expectRefused(response: ApiResponse, errors: string[], what: string, status: number[] = [401]): void {
  expect(status, `${what} was answered ${response.status}: ${preview(response.body, 200)}`).toContain(response.status);
  const challenge = response.header('www-authenticate') ?? '';
  expect(challenge, `${what}: no WWW-Authenticate challenge`).not.toBe('');
  expect(/^dpop\b/i.test(challenge), `${what}: challenge "${challenge}" is not a DPoP challenge`).toBe(true);
  const error = /error="([^"]+)"/.exec(challenge)?.[1];
  // Which error code a refusal names is RFC 9449's and RFC 6750's guidance, not a rule NHN states:
  // the code the twin gives is its reading; another code, or none, deviates.
  observe({
    point: 'rs.challenge-error',
    variant: errors.includes(String(error)) ? 'base' : error === 'invalid_token' ? 'rs-challenge-invalid-token' : 'other',
    expected: `${what}: error=${errors.join(' or ')}`,
    seen: `${what}: ${error ? `error=${error}` : 'no error'} (${challenge})`,
  });
  if (response.status === 401) should(/algs="[^"]+"/.test(challenge), `${what}: the challenge does not list algs`);
}

interface Case {
  requirement: string;
  title: string;
  /** The request, given the client, a correct proof builder and the run's keys. */
  build: (c: CaseContext) => Promise<Omit<ApiRequest, 'path' | 'method'>>;
  errors?: string[];
  status?: number[];
}

interface CaseContext {
  client: ApiClient;
  url: string;
  method: string;
  token: string;
  key: SigningKey;
  proof: (faults?: DpopFaults, overrides?: { url?: string; method?: string; token?: string; key?: SigningKey }) => Promise<string>;
}

const PROOF = ['invalid_dpop_proof'];
const TOKEN = ['invalid_token'];
const PROOF_OR_TOKEN = ['invalid_dpop_proof', 'invalid_token'];

const CASES: Case[] = [
  { requirement: 'DPOP-RS-001', title: 'no DPoP header', build: async () => ({ dpopHeaders: [] }), errors: PROOF },
  { requirement: 'DPOP-RS-002', title: 'two DPoP headers', build: async (c) => ({ dpopHeaders: [await c.proof(), await c.proof()] }), errors: [...PROOF, 'invalid_request'], status: [400, 401] },
  { requirement: 'DPOP-RS-003', title: 'a malformed JWT', build: async () => ({ dpopHeaders: ['eyJhbGciOiJFUzI1NiJ9.not-json.sig'] }), errors: PROOF },
  { requirement: 'DPOP-RS-004', title: 'no typ', build: async (c) => ({ dpopHeaders: [await c.proof({ typ: null })] }), errors: PROOF },
  { requirement: 'DPOP-RS-004', title: 'typ JWT', build: async (c) => ({ dpopHeaders: [await c.proof({ typ: 'JWT' })] }), errors: PROOF },
  { requirement: 'DPOP-RS-005', title: 'alg none', build: async (c) => ({ dpopHeaders: [await c.proof({ algNone: true })] }), errors: PROOF },
  { requirement: 'DPOP-RS-006', title: 'a symmetric alg (HS256)', build: async (c) => ({ dpopHeaders: [await c.proof({ symmetric: true })] }), errors: PROOF },
  { requirement: 'DPOP-RS-008', title: 'no jwk', build: async (c) => ({ dpopHeaders: [await c.proof({ omitJwk: true })] }), errors: PROOF },
  { requirement: 'DPOP-RS-009', title: 'a jwk with private key material', build: async (c) => ({ dpopHeaders: [await c.proof({ privateKeyInJwk: true })] }), errors: PROOF },
  { requirement: 'DPOP-RS-010', title: 'a bad signature', build: async (c) => ({ dpopHeaders: [await c.proof({ tamperSignature: true })] }), errors: PROOF },
  { requirement: 'DPOP-RS-011', title: 'a proof by a key the token is not bound to', build: async (c) => ({ dpopHeaders: [await c.proof({}, { key: await generateSigningKey('ES256') })] }), errors: PROOF_OR_TOKEN },
  { requirement: 'DPOP-RS-012', title: 'no htm', build: async (c) => ({ dpopHeaders: [await c.proof({ htm: null })] }), errors: PROOF },
  { requirement: 'DPOP-RS-012', title: 'a wrong htm', build: async (c) => ({ dpopHeaders: [await c.proof({ htm: c.method === 'GET' ? 'POST' : 'GET' })] }), errors: PROOF },
  { requirement: 'DPOP-RS-013', title: 'no htu', build: async (c) => ({ dpopHeaders: [await c.proof({ htu: null })] }), errors: PROOF },
  { requirement: 'DPOP-RS-013', title: 'an htu for another path', build: async (c) => ({ dpopHeaders: [await c.proof({ htu: new URL('/another/path', c.url).href })] }), errors: PROOF },
  { requirement: 'DPOP-RS-016', title: 'an iat an hour old', build: async (c) => ({ dpopHeaders: [await c.proof({ iatOffsetSeconds: -3600 })] }), errors: PROOF },
  { requirement: 'DPOP-RS-016', title: 'an iat an hour ahead', build: async (c) => ({ dpopHeaders: [await c.proof({ iatOffsetSeconds: 3600 })] }), errors: PROOF },
  { requirement: 'DPOP-RS-017', title: 'no jti', build: async (c) => ({ dpopHeaders: [await c.proof({ jti: null })] }), errors: PROOF },
  { requirement: 'DPOP-RS-019', title: 'no ath', build: async (c) => ({ dpopHeaders: [await c.proof({ ath: null })] }), errors: PROOF },
  { requirement: 'DPOP-RS-019', title: 'a wrong ath', build: async (c) => ({ dpopHeaders: [await c.proof({ ath: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' })] }), errors: PROOF },
  { requirement: 'DPOP-RS-020', title: 'the DPoP-bound token sent as Bearer', build: async (c) => ({ authorization: `Bearer ${c.token}`, dpopHeaders: [] }), errors: TOKEN },
];

/** Cases that must be accepted: one thing unusual, nothing wrong. */
const ACCEPTED: Array<{ requirement: string; title: string; level: 'MUST' | 'SHOULD'; build: Case['build'] }> = [
  { requirement: 'DPOP-RS-024', title: 'unknown extra claims and header parameters', level: 'MUST', build: async (c) => ({ dpopHeaders: [await c.proof({ extraClaims: { nhn_test_extension: 'ignored' }, extraHeader: { x5u_unknown: 'ignored' } })] }) },
  {
    requirement: 'DPOP-RS-014',
    title: 'an htu with upper-case scheme and host and the default port',
    level: 'SHOULD',
    build: async (c) => {
      const u = new URL(c.url);
      const port = u.port || (u.protocol === 'https:' ? '443' : '80');
      return { dpopHeaders: [await c.proof({ htu: `${u.protocol.toUpperCase()}//${u.hostname.toUpperCase()}:${port}${u.pathname}` })] };
    },
  },
  { requirement: 'DPOP-RS-015', title: 'an htu with a query string', level: 'SHOULD', build: async (c) => ({ dpopHeaders: [await c.proof({ htu: `${c.url}?nhn-suite=1` })] }) },
];

// Every case sets itself up (its own token and proof), so the cases may spread over workers even
// where a run keeps a file's tests together (the kill and tolerance matrices).
test.describe.configure({ mode: 'parallel' });

for (const target of DPOP_TARGETS) {
  const service = target.service as ServiceName;
  test.describe(`DPoP at ${SERVICES[service].title}`, () => {
    test.beforeEach(({ needs }) => {
      needs({ services: [service, 'helseid'], clients: ['default'], auth: [[service, 'dpop']] });
      if (target.method !== 'GET') needs({ patientData: true });
      if (target.method !== 'GET' && !target.readOnly) needs({ writes: true });
      if (target.user) needs({ services: ['ttt'], ttt: true });
    });

    async function setup(api: (s: ServiceName, m?: 'dpop', o?: ApiOptions) => ApiClient, profile: Profile) {
      const client = api(service, 'dpop', { scopes: [...target.scopes], user: target.user });
      const path = target.path(profile);
      const url = client.url(path);
      const token = (await client.token()).accessToken;
      const key = await client.dpopKey();
      const proof: CaseContext['proof'] = (faults = {}, o = {}) =>
        createDpopProof(o.key ?? key, { method: o.method ?? target.method, url: o.url ?? url, accessToken: o.token ?? token, nonce: client.dpopNonce(url) }, faults);
      const send = (req: Omit<ApiRequest, 'path' | 'method'>) => client.request({ ...target.request?.(), ...req, path, method: target.method, raw: true });
      // Learn the server's nonce first (if it wants one), so each case breaks one thing only.
      await send({});
      return { client, path, url, token, key, proof, send };
    }

    for (const c of CASES) {
      test(`a proof with ${c.title} is refused`, { tag: [`@${c.requirement}`, '@DPOP-RS-028', '@DPOP-RS-029'] }, async ({ api, profile }) => {
        const s = await setup(api, profile);
        const response = await s.send({ ...(await c.build({ client: s.client, url: s.url, method: target.method, token: s.token, key: s.key, proof: s.proof })), nonceRetry: false });
        expectRefused(response, c.errors ?? PROOF, c.title, c.status);
      });
    }

    for (const a of ACCEPTED) {
      test(`a proof with ${a.title} is accepted`, { tag: [`@${a.requirement}`] }, async ({ api, profile }) => {
        const s = await setup(api, profile);
        const response = await s.send(await a.build({ client: s.client, url: s.url, method: target.method, token: s.token, key: s.key, proof: s.proof }));
        if (a.level === 'MUST') expect(accepted(response), `${a.title} was refused: ${response.status} ${response.header('www-authenticate') ?? ''}`).toBe(true);
        else should(accepted(response), `${a.title} was refused: ${response.status} ${response.header('www-authenticate') ?? ''}`);
      });
    }

    test('the same proof sent twice is refused the second time', { tag: ['@DPOP-RS-018', '@DPOP-RS-028'] }, async ({ api, profile }) => {
      const s = await setup(api, profile);
      const proof = await s.proof();
      const first = await s.send({ dpopHeaders: [proof] });
      expect(accepted(first), `the first use was refused (${first.status}), so the replay check proves nothing`).toBe(true);
      expectRefused(await s.send({ dpopHeaders: [proof], nonceRetry: false }), PROOF, 'a replayed proof');
    });

    test('the accepted iat window is measured', { tag: ['@DPOP-RS-016'] }, async ({ api, profile }, info) => {
      const s = await setup(api, profile);
      const widest = async (offsets: number[]) => {
        let ok = 0;
        for (const offset of offsets) {
          if (accepted(await s.send({ dpopHeaders: [await s.proof({ iatOffsetSeconds: offset })] }))) ok = offset;
          else break;
        }
        return Math.abs(ok);
      };
      const past = await widest([-1, -5, -10, -30, -60, -120, -300, -900]);
      const ahead = await widest([1, 5, 10, 30, 60, 120, 300, 900]);
      measure(`${service} iat accepted in the past (s)`, past, info);
      measure(`${service} iat accepted ahead (s)`, ahead, info);
      expect(past, 'proofs 15 minutes old are accepted').toBeLessThan(900);
      expect(ahead, 'proofs 15 minutes ahead are accepted').toBeLessThan(900);
    });

    test('a token for another audience is refused', { tag: ['@DPOP-RS-022', '@DPOP-RS-028'] }, async ({ api, profile, tokens }) => {
      const s = await setup(api, profile);
      const foreignScope = DPOP_TARGETS.find((t) => t.audience !== target.audience)!.scopes[0]!;
      const other = (await tokens('default').clientCredentials([foreignScope])).accessToken;
      const response = await s.send({ authorization: `DPoP ${other}`, dpopHeaders: [await s.proof({}, { token: other })], nonceRetry: false });
      expectRefused(response, TOKEN, 'a token for another audience');
    });

    test('a token without the needed scope is refused with 403', { tag: ['@DPOP-RS-023'] }, async ({ api, profile }) => {
      test.skip(!target.foreignScope, `${SERVICES[service].title} has one scope for this call: no token of its audience lacks it`);
      const s = await setup(api, profile);
      const narrow = api(service, 'dpop', { scopes: [target.foreignScope!], user: target.user });
      const response = await narrow.request({ ...target.request?.(), path: s.path, method: target.method, raw: true });
      expect(response.status, `a token with only ${target.foreignScope} got ${response.status}`).toBe(403);
      should(/insufficient_scope/.test(response.header('www-authenticate') ?? ''), 'the 403 carries no insufficient_scope challenge');
    });

    test('an expired token is refused with invalid_token', { tag: ['@DPOP-RS-021', '@DPOP-RS-028'] }, async ({ api, profile, needs, http }) => {
      needs({ ttt: true });
      const s = await setup(api, profile);
      const expired = await testToken(http, profile, {
        audience: target.audience,
        clientClaimsParameters: { scope: target.scopes, cnfJkt: s.key.thumbprint },
        userClaimsParameters: target.user,
        createTillitsrammeverkClaims: !!target.user,
        expirationParameters: { setExpirationTimeAsExpired: true },
      });
      const response = await s.send({ authorization: `DPoP ${expired}`, dpopHeaders: [await s.proof({}, { token: expired })], nonceRetry: false });
      expectRefused(response, TOKEN, 'an expired token');
    });

    test('an alg outside the allow-list (EdDSA) is refused, even from the bound key', { tag: ['@DPOP-RS-007', '@DPOP-RS-028'] }, async ({ api, profile, needs, http }) => {
      // HelseID binds no EdDSA key, so the bound EdDSA token comes from the test-token service.
      needs({ ttt: true });
      const s = await setup(api, profile);
      const ed = await generateSigningKey('EdDSA');
      const token = await testToken(http, profile, { audience: target.audience, clientClaimsParameters: { scope: target.scopes, cnfJkt: ed.thumbprint }, userClaimsParameters: target.user, createTillitsrammeverkClaims: !!target.user });
      const response = await s.send({ authorization: `DPoP ${token}`, dpopHeaders: [await s.proof({}, { key: ed, token })], nonceRetry: false });
      expectRefused(response, PROOF, 'an EdDSA proof');
    });

    test('nonces, where the server wants them: challenge, wrong nonce, stale nonce', { tag: ['@DPOP-RS-025', '@DPOP-RS-026', '@DPOP-RS-027', '@DPOP-RS-028', '@slow'] }, async ({ api, profile }) => {
      const s = await setup(api, profile);
      // A server that has sent a nonce (to set-up's first call) wants nonces from then on.
      const wantsNonces = s.client.dpopNonce(s.url) !== undefined;
      const challenge = await s.send({ dpopHeaders: [await s.proof({ omitNonce: true })], nonceRetry: false });
      test.skip(!wantsNonces && accepted(challenge), `${SERVICES[service].title} does not want DPoP nonces (a proof without one was accepted)`);
      expectRefused(challenge, ['use_dpop_nonce'], 'a proof without a nonce');
      const nonce = challenge.header('dpop-nonce');
      const given = performance.now();
      expect(nonce, 'the use_dpop_nonce challenge carries no DPoP-Nonce header').toBeTruthy();
      expect(accepted(await s.send({ dpopHeaders: [await s.proof({ nonce })] })), 'the retry with the server nonce was refused').toBe(true);
      expectRefused(await s.send({ dpopHeaders: [await s.proof({ nonce: `${nonce}x` })], nonceRetry: false }), ['use_dpop_nonce', 'invalid_dpop_proof'], 'a wrong nonce');
      // A nonce may stay good for a while; it must be refused once the wait has passed since it was
      // given. It is tried in steps up to that bound, so a server that retires it sooner is seen sooner.
      const bound = profile.get(AUTH_SETTINGS.staleNonceWaitMs);
      const step = Math.max(250, bound / 16);
      let stale: ApiResponse;
      for (;;) {
        const left = bound - (performance.now() - given);
        await new Promise((r) => setTimeout(r, Math.max(0, Math.min(step, left))));
        stale = await s.send({ dpopHeaders: [await s.proof({ nonce: nonce! })], nonceRetry: false });
        if (!accepted(stale) || left <= step) break;
      }
      expectRefused(stale, ['use_dpop_nonce', 'invalid_dpop_proof'], `a nonce ${Math.round(performance.now() - given)} ms old`);
    });

    test('positive control: the same call done right succeeds', { tag: ['@DPOP-RS-030'] }, async ({ api, profile }) => {
      const s = await setup(api, profile);
      const response = await s.send({ dpopHeaders: [await s.proof()] });
      expect(accepted(response), `the correct call was refused: ${response.status} ${response.header('www-authenticate') ?? ''}`).toBe(true);
    });
  });
}
