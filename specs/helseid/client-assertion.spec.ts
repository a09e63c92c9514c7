// Each HelseID client-assertion rule broken alone, then the same request done right.
import { randomBytes } from 'node:crypto';
import { generateSigningKey } from '../../helpers/auth/keys.ts';
import type { ClientAssertionFaults } from '../../helpers/auth/client-assertion.ts';
import type { Discovery } from '../../helpers/auth/token-endpoint.ts';
import { redactJson } from '../../helpers/evidence/redact.ts';
import { observe } from '../../helpers/evidence/verdicts.ts';
import { decodeProtectedHeader } from 'jose';
import { expect, test } from '../../fixtures/helseid.ts';

const now = () => Math.floor(Date.now() / 1000);

interface Case {
  requirement: string;
  title: string;
  faults: (d: Discovery) => Promise<ClientAssertionFaults> | ClientAssertionFaults;
  /** RFC 6749 §5.2 error codes that describe this refusal; invalid_client unless said otherwise. */
  errors?: string[];
  /** The refusal is our reading, not a source's: an acceptance deviates at this assumption point instead of failing, named as this dialect. */
  assumption?: { point: string; dialect: string };
}

const CASES: Case[] = [
  // A sub naming another client also contradicts the client_id parameter: invalid_request fits too.
  { requirement: 'HID-CA-001', title: 'sub different from iss', faults: () => ({ sub: 'another-client' }), errors: ['invalid_client', 'invalid_request'] },
  { requirement: 'HID-CA-001', title: 'iss different from sub', faults: () => ({ iss: 'another-client' }) },
  // HelseID's older page named typ JWT, its samples client-authentication+jwt: that JWT is refused is an assumption.
  { requirement: 'HID-CA-008', title: 'typ JWT instead of client-authentication+jwt', faults: () => ({ typ: 'JWT' }), assumption: { point: 'helseid.assertion-typ', dialect: 'helseid-assertion-typ-jwt' } },
  { requirement: 'HID-CA-008', title: 'no typ header', faults: () => ({ typ: null }), assumption: { point: 'helseid.assertion-typ', dialect: 'helseid-assertion-typ-jwt' } },
  // HelseID's page lists jti, iat and nbf; jti is what its replay rule needs, the times are our reading.
  { requirement: 'HID-CA-009', title: 'no jti', faults: () => ({ jti: null }), errors: ['invalid_client', 'invalid_request'] },
  { requirement: 'HID-CA-010', title: 'no iat', faults: () => ({ iat: null }), errors: ['invalid_client', 'invalid_request'], assumption: { point: 'helseid.assertion-times', dialect: 'helseid-assertion-times-optional' } },
  { requirement: 'HID-CA-010', title: 'no nbf', faults: () => ({ nbf: null }), errors: ['invalid_client', 'invalid_request'], assumption: { point: 'helseid.assertion-times', dialect: 'helseid-assertion-times-optional' } },
  // RFC 7523 lets the audience be the token endpoint; HelseID's page names the issuer. Refusing it is our reading.
  { requirement: 'HID-CA-003', title: 'aud is the token endpoint URL, not the issuer', faults: (d) => ({ aud: d.token_endpoint }), assumption: { point: 'helseid.assertion-aud', dialect: 'helseid-assertion-aud-token-endpoint' } },
  { requirement: 'HID-CA-003', title: 'aud is another issuer', faults: () => ({ aud: 'https://helseid-sts.nhn.no' }) },
  { requirement: 'HID-CA-004', title: 'exp 10 minutes ahead', faults: () => ({ exp: now() + 600 }) },
  { requirement: 'HID-CA-004', title: 'already expired', faults: () => ({ iat: now() - 180, exp: now() - 120 }) },
  { requirement: 'HID-CA-006', title: 'alg none', faults: () => ({ algNone: true }) },
  { requirement: 'HID-CA-006', title: 'a symmetric alg (HS256)', faults: () => ({ symmetric: true }) },
  { requirement: 'HID-CA-006', title: 'signed by a key the client never registered', faults: async () => ({ signWith: await generateSigningKey('ES256') }) },
];

test.describe('HelseID client assertion', () => {
  test.beforeEach(({ needs }) => needs({ services: ['helseid'], clients: ['default'] }));

  for (const c of CASES) {
    test(`an assertion with ${c.title} is refused`, { tag: [`@${c.requirement}`] }, async ({ tokenCall, discovery }) => {
      const result = await tokenCall({ assertion: await c.faults(discovery) });
      if (c.assumption) {
        observe({ point: c.assumption.point, variant: result.status === 200 ? c.assumption.dialect : 'base', expected: `an assertion with ${c.title} refused`, seen: result.status === 200 ? 'accepted' : `refused (${result.status})` });
        if (result.status === 200) return;
      }
      expect(result.status, `the token endpoint accepted an assertion with ${c.title}`).not.toBe(200);
      expect([400, 401]).toContain(result.status);
      expect(c.errors ?? ['invalid_client']).toContain(result.body.error);
      // Whether, not what: a failure must not print the token it was given.
      expect('access_token' in result.body, 'the refusal carries an access token (not printed here)').toBe(false);
    });
  }

  test('an assertion is used once: the second use of the same jti is refused', { tag: ['@HID-CA-005'] }, async ({ tokenCall, discovery, clientKey }) => {
    const { createClientAssertion } = await import('../../helpers/auth/client-assertion.ts');
    const { clientId, key } = await clientKey();
    const assertion = await createClientAssertion({ clientId, audience: discovery.issuer, key });
    const first = await tokenCall({ assertion: { raw: assertion } });
    expect(first.status, 'the first use must succeed, or the replay check proves nothing').toBe(200);
    const second = await tokenCall({ assertion: { raw: assertion } });
    expect(second.status, 'the token endpoint accepted a replayed client assertion').not.toBe(200);
    expect(second.body.error).toBe('invalid_client');
  });

  test('an assertion with typ client-authentication+jwt, as HelseID\'s samples and library send it, gets a token', { tag: ['@HID-CA-002'] }, async ({ tokenCall, discovery, clientKey }) => {
    const { createClientAssertion } = await import('../../helpers/auth/client-assertion.ts');
    const { clientId, key } = await clientKey();
    const assertion = await createClientAssertion({ clientId, audience: discovery.issuer, key });
    expect(decodeProtectedHeader(assertion).typ).toBe('client-authentication+jwt');
    expect((await tokenCall({ assertion: { raw: assertion } })).status, 'HelseID refused the typ its own samples send').toBe(200);
  });

  test('a client secret instead of an assertion is refused', { tag: ['@HID-CA-007'] }, async ({ tokenCall }) => {
    const result = await tokenCall({ assertion: null, params: { grant_type: 'client_credentials', scope: 'nhn:pit/api.read', client_secret: randomBytes(18).toString('base64url') } });
    expect([400, 401]).toContain(result.status);
    expect(result.body.error).toBe('invalid_client');
  });

  test('positive control: the same request with a correct assertion gets a token', { tag: ['@HID-CA-001', '@HID-CA-002', '@HID-CA-003', '@HID-CA-004', '@HID-CA-005', '@HID-CA-006', '@HID-CA-007', '@HID-CA-008'] }, async ({ tokenCall }) => {
    const result = await tokenCall();
    expect(result.status, JSON.stringify(redactJson(result.body))).toBe(200);
    expect(result.body.access_token).toEqual(expect.any(String));
  });
});
