// The token endpoint's DPoP handling and what the issued access token carries.
import { randomBytes } from 'node:crypto';
import { createLocalJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { decodeUnverified } from '../../helpers/auth/jws.ts';
import { generateSigningKey } from '../../helpers/auth/keys.ts';
import { HELSEID_CLAIMS } from '../../helpers/protocol.ts';
import { parseJson } from '../../helpers/http/client.ts';
import { redactJson } from '../../helpers/evidence/redact.ts';
import { expect, test } from '../../fixtures/helseid.ts';

test.describe('HelseID DPoP at the token endpoint', () => {
  test.beforeEach(({ needs }) => needs({ services: ['helseid'], clients: ['default'] }));

  test('a proof without a nonce is challenged with use_dpop_nonce, and the retry with the nonce gets a token', { tag: ['@HID-DPOP-001'] }, async ({ tokenCall }) => {
    const dpopKey = await generateSigningKey('ES256');
    const challenged = await tokenCall({ dpopKey, withNonce: false });
    expect(challenged.status, 'a token was issued for a proof without a server nonce').toBe(400);
    expect(challenged.body.error).toBe('use_dpop_nonce');
    expect(challenged.nonce, 'the challenge must carry a DPoP-Nonce header').toEqual(expect.any(String));

    const retried = await tokenCall({ dpopKey, nonce: challenged.nonce });
    expect(retried.status, JSON.stringify(redactJson(retried.body))).toBe(200);
    expect(retried.body.access_token).toEqual(expect.any(String));
  });

  test('a proof with a nonce the server never issued is refused', { tag: ['@HID-DPOP-003'] }, async ({ tokenCall }) => {
    const dpopKey = await generateSigningKey('ES256');
    const challenged = await tokenCall({ dpopKey, withNonce: false });
    test.skip(challenged.status === 200, 'this token endpoint does not use DPoP nonces');
    const wrong = await tokenCall({ dpopKey, nonce: `${challenged.nonce}-not-issued` });
    expect(wrong.status, 'a token was issued for a nonce the server never issued').toBe(400);
    expect(['use_dpop_nonce', 'invalid_dpop_proof']).toContain(wrong.body.error);
    // Positive control: the issued nonce works.
    expect((await tokenCall({ dpopKey, nonce: challenged.nonce })).status).toBe(200);
  });

  test('a proof whose htu is another origin is refused', { tag: ['@HID-DPOP-004'] }, async ({ tokenCall, discovery }) => {
    const elsewhere = new URL(new URL(discovery.token_endpoint).pathname, 'https://token.elsewhere.example').href;
    const result = await tokenCall({ proof: { htu: elsewhere } });
    expect(result.status, `a proof for ${elsewhere} got a token`).toBe(400);
    expect(result.body.error).toBe('invalid_dpop_proof');
    // Whether, not what: a failure must not print the token it was given.
    expect('access_token' in result.body, 'the refusal carries an access token (not printed here)').toBe(false);
  });

  test('a proof jti is used once: a second token request with the same jti is refused', { tag: ['@HID-DPOP-005'] }, async ({ tokenCall }) => {
    const dpopKey = await generateSigningKey('ES256');
    const jti = randomBytes(18).toString('base64url');
    const first = await tokenCall({ dpopKey, proof: { jti } });
    expect(first.status, `the first use of the proof jti was refused: ${JSON.stringify(redactJson(first.body))}`).toBe(200);
    // A new proof (fresh iat, a fresh nonce and client assertion) that repeats only the jti.
    const again = await tokenCall({ dpopKey, proof: { jti } });
    expect(again.status, 'a token was issued for a DPoP proof whose jti had been seen before').toBe(400);
    // RFC 9449 §5 names invalid_dpop_proof; a server whose nonce is spent with the proof may ask for a new one.
    expect(['invalid_dpop_proof', 'use_dpop_nonce']).toContain(again.body.error);
    expect('access_token' in again.body, 'the refusal carries an access token (not printed here)').toBe(false);
    // Positive control: a proof with a fresh jti (and key: one token per key and scope set).
    expect((await tokenCall({})).status).toBe(200);
  });

  test('a request without a DPoP proof gets no token', { tag: ['@HID-DPOP-002'] }, async ({ tokenCall }) => {
    const result = await tokenCall({ dpopKey: null });
    expect(result.status).toBe(400);
    // Whether, not what: a failure must not print the token it was given.
    expect('access_token' in result.body, 'the refusal carries an access token (not printed here)').toBe(false);
  });
});

test.describe('HelseID access token', () => {
  test.beforeEach(({ needs }) => needs({ services: ['helseid'], clients: ['default'] }));

  const scopes = ['nhn:pit/api.read'];

  async function issued(tokens: (role?: 'default') => import('../../helpers/auth/token-client.ts').TokenClient) {
    const client = tokens('default');
    const token = await client.clientCredentials(scopes);
    return { token, key: await client.runKey() };
  }

  test('is returned with token_type DPoP', { tag: ['@HID-TOK-001'] }, async ({ tokens }) => {
    const { token } = await issued(tokens);
    expect(token.tokenType.toLowerCase()).toBe('dpop');
  });

  test('is a JWT bound to the proof key: cnf.jkt is its RFC 7638 thumbprint', { tag: ['@HID-TOK-002'] }, async ({ tokens }) => {
    const { token, key } = await issued(tokens);
    const { payload } = decodeUnverified(token.accessToken);
    expect((payload.cnf as { jkt?: string } | undefined)?.jkt, 'the access token has no cnf.jkt').toBe(key.thumbprint);
  });

  test('verifies with the JWKS and carries audience, client_id, scope and the HelseID client claims', { tag: ['@HID-TOK-003'] }, async ({ tokens, discovery, http, profile }) => {
    const { token } = await issued(tokens);
    const jwks = parseJson<{ keys: never[] }>(await http({ method: 'GET', url: discovery.jwks_uri }), discovery.jwks_uri);
    const { payload } = await jwtVerify<JWTPayload>(token.accessToken, createLocalJWKSet(jwks), { issuer: discovery.issuer, audience: 'nhn:pit' });
    const client = profile.client('default')!;
    expect(payload.client_id).toBe(client.clientId);
    expect(String(payload.scope).split(' ')).toEqual(expect.arrayContaining(scopes));
    expect(payload.exp).toEqual(expect.any(Number));
    expect(payload[HELSEID_CLAIMS.orgnrParent], 'orgnr_parent is missing').toEqual(expect.stringMatching(/^\d{9}$/));
    if (client.claims) {
      // The twin's synthetic clients have known claims: they must arrive exactly.
      for (const claim of [HELSEID_CLAIMS.orgnrParent, HELSEID_CLAIMS.orgnrChild, HELSEID_CLAIMS.clientName]) {
        expect(payload[claim], claim).toBe(client.claims[claim]);
      }
    }
  });
});
