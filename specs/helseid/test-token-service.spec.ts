// HelseID's test-token service (TTT): user-context tokens on demand, and broken ones on request.
import { calculateJwkThumbprint, createLocalJWKSet, decodeProtectedHeader, EmbeddedJWK, jwtVerify, type JWK } from 'jose';
import { decodeUnverified } from '../../helpers/auth/jws.ts';
import { HELSEID_CLAIMS, TTT_PATH } from '../../helpers/protocol.ts';
import { parseJson } from '../../helpers/http/client.ts';
import type { Send } from '../../helpers/auth/token-endpoint.ts';
import { syntheticHprNumber, syntheticNin } from '../../helpers/identifiers.ts';
import { should } from '../../helpers/evidence/verdicts.ts';
import { expect, test } from '../../fixtures/helseid.ts';

interface TttResponse {
  isError: boolean;
  successResponse?: { accessTokenJwt: string; dPoPProof?: string } | null;
  errorResponse?: { errorMessage: string } | null;
}

const pid = syntheticNin(42);
const hpr = syntheticHprNumber(42);

function request(extra: Record<string, unknown> = {}) {
  return {
    audience: 'nhn:pit',
    clientClaimsParameters: { scope: ['nhn:pit/api.read'], clientId: 'ttt-suite-client' },
    userClaimsParameters: { pid, hprNumber: hpr, securityLevel: '4', assuranceLevel: 'high', network: 'internett' },
    ...extra,
  };
}

test.describe('HelseID test-token service', () => {
  test.beforeEach(({ needs }) => needs({ services: ['helseid', 'ttt'], ttt: true }));

  const call = async (http: Send, url: string, body: unknown, key: string | undefined) => {
    const response = await http({
      method: 'POST',
      url: `${url}${TTT_PATH}`,
      headers: { 'content-type': 'application/json', ...(key === undefined ? {} : { 'x-auth-key': key }) },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: parseJson<TttResponse>(response, `${url}${TTT_PATH}`) };
  };

  test('refuses callers without a valid X-Auth-Key', { tag: ['@HID-TTT-001'] }, async ({ http, profile }) => {
    for (const key of [undefined, 'not-the-key']) {
      const result = await call(http, profile.urls.ttt!, request(), key);
      expect(result.status, `X-Auth-Key ${key === undefined ? 'absent' : 'wrong'}`).toBe(401);
      expect(result.body.isError).toBe(true);
      expect(result.body.successResponse == null, 'a token was issued without a valid X-Auth-Key (not printed here)').toBe(true);
    }
  });

  test('issues a user-context token that verifies with the HelseID JWKS', { tag: ['@HID-TTT-002'] }, async ({ http, profile, discovery }) => {
    const result = await call(http, profile.urls.ttt!, request(), profile.tttApiKey());
    expect(result.status, result.body.errorResponse?.errorMessage).toBe(200);
    const jwks = parseJson<{ keys: never[] }>(await http({ method: 'GET', url: discovery.jwks_uri }), discovery.jwks_uri);
    const { payload } = await jwtVerify(result.body.successResponse!.accessTokenJwt, createLocalJWKSet(jwks), { issuer: discovery.issuer, audience: 'nhn:pit' });
    expect(payload[HELSEID_CLAIMS.pid]).toBe(pid);
    expect(payload[HELSEID_CLAIMS.hprNumber]).toBe(hpr);
    expect(payload[HELSEID_CLAIMS.securityLevel]).toBe('4');
    expect(payload[HELSEID_CLAIMS.assuranceLevel]).toBe('high');
    expect(payload[HELSEID_CLAIMS.network]).toBe('internett');
    expect(String(payload.scope).split(' ')).toContain('nhn:pit/api.read');
  });

  test('binds the token to a DPoP key and hands a matching proof when asked', { tag: ['@HID-TTT-002'] }, async ({ http, profile }) => {
    const htu = `${profile.urls.pit ?? 'https://api.pit.test.nhn.no'}/v1/Patient`;
    const result = await call(http, profile.urls.ttt!, request({ createDPoPTokenWithDPoPProof: true, dPoPProofParameters: { htuClaimValue: htu, htmClaimValue: 'GET' } }), profile.tttApiKey());
    expect(result.status, result.body.errorResponse?.errorMessage).toBe(200);
    const { accessTokenJwt, dPoPProof } = result.body.successResponse!;
    expect(dPoPProof, 'no DPoP proof was returned').toEqual(expect.any(String));
    const proof = await jwtVerify(dPoPProof!, EmbeddedJWK, { typ: 'dpop+jwt' });
    expect(proof.payload.htu).toBe(htu);
    expect(proof.payload.htm).toBe('GET');
    const jkt = await calculateJwkThumbprint(decodeProtectedHeader(dPoPProof!).jwk as JWK);
    expect((decodeUnverified(accessTokenJwt).payload.cnf as { jkt?: string } | undefined)?.jkt).toBe(jkt);
  });

  const BROKEN: Array<[string, Record<string, unknown>, RegExp]> = [
    ['signed with an invalid key', { signJwtWithInvalidSigningKey: true }, /signature/i],
    ['expired', { expirationParameters: { setExpirationTimeAsExpired: true } }, /exp/i],
    ['with an invalid issuer', { setInvalidIssuer: true }, /iss/i],
    ['with an invalid audience', { setInvalidAudience: true }, /aud/i],
  ];
  for (const [what, flags, reason] of BROKEN) {
    test(`issues a token ${what} on request, which fails verification for that reason`, { tag: ['@HID-TTT-003'] }, async ({ http, profile, discovery }) => {
      const result = await call(http, profile.urls.ttt!, request(flags), profile.tttApiKey());
      expect(result.status, result.body.errorResponse?.errorMessage).toBe(200);
      const jwks = parseJson<{ keys: never[] }>(await http({ method: 'GET', url: discovery.jwks_uri }), discovery.jwks_uri);
      const verification = jwtVerify(result.body.successResponse!.accessTokenJwt, createLocalJWKSet(jwks), { issuer: discovery.issuer, audience: 'nhn:pit' });
      await expect(verification).rejects.toThrow(reason);
    });
  }

  const BROKEN_PROOFS: Array<[string, (proof: string) => Promise<void> | void]> = [
    ['SetAnInvalidSignature', async (proof) => void (await expect(jwtVerify(proof, EmbeddedJWK)).rejects.toThrow(/signature/))],
    ['DontSetHtuClaimValue', (proof) => expect(decodeUnverified(proof).payload).not.toHaveProperty('htu')],
    ['SetPrivateKeyInJwkHeader', (proof) => expect(decodeUnverified(proof).header.jwk).toHaveProperty('d')],
    ['SetIatValueInThePast', (proof) => expect(Date.now() / 1000 - Number(decodeUnverified(proof).payload.iat)).toBeGreaterThan(600)],
  ];
  for (const [variant, check] of BROKEN_PROOFS) {
    test(`hands a DPoP proof broken by ${variant} on request`, { tag: ['@HID-TTT-003'] }, async ({ http, profile }) => {
      const result = await call(
        http,
        profile.urls.ttt!,
        request({ createDPoPTokenWithDPoPProof: true, dPoPProofParameters: { htuClaimValue: 'https://api.pit.test.nhn.no/v1/Patient', htmClaimValue: 'GET', invalidDPoPProofParameters: variant } }),
        profile.tttApiKey(),
      );
      expect(result.status, result.body.errorResponse?.errorMessage).toBe(200);
      await check(result.body.successResponse!.dPoPProof!);
    });
  }

  test('adds trust-framework claims when asked', { tag: ['@HID-TTT-004'] }, async ({ http, profile }) => {
    const result = await call(http, profile.urls.ttt!, request({ createTillitsrammeverkClaims: true }), profile.tttApiKey());
    expect(result.status, result.body.errorResponse?.errorMessage).toBe(200);
    const { payload } = decodeUnverified(result.body.successResponse!.accessTokenJwt);
    const text = JSON.stringify(payload);
    should(text.includes(HELSEID_CLAIMS.trustFramework) || text.includes('care_relationship'), 'the token carries no trust-framework (Tillitsrammeverk) claims');
  });
});
