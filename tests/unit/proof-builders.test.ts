import { expect, test } from '../../fixtures/base.ts';
import { base64url, calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, jwtVerify } from 'jose';
import { createHash } from 'node:crypto';
import { createClientAssertion } from '../../helpers/auth/client-assertion.ts';
import { accessTokenHash, createDpopProof, htuOf } from '../../helpers/auth/dpop.ts';
import { decodeUnverified } from '../../helpers/auth/jws.ts';
import { generateSigningKey } from '../../helpers/auth/keys.ts';

const URL_WITH_QUERY = 'https://api.pit.test.nhn.no/v1/Patient?_count=10#frag';

test('a default DPoP proof is valid per RFC 9449', async () => {
  const key = await generateSigningKey('ES256');
  const proof = await createDpopProof(key, { method: 'get', url: URL_WITH_QUERY, accessToken: 'token-value' });
  const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt' });
  expect(protectedHeader.alg).toBe('ES256');
  expect(await calculateJwkThumbprint(protectedHeader.jwk!)).toBe(key.thumbprint);
  expect(protectedHeader.jwk).not.toHaveProperty('d');
  expect(payload.htm).toBe('GET');
  expect(payload.htu).toBe('https://api.pit.test.nhn.no/v1/Patient');
  expect(payload.ath).toBe(createHash('sha256').update('token-value').digest('base64url'));
  expect(payload.jti).toEqual(expect.any(String));
  expect(Math.abs((payload.iat as number) - Date.now() / 1000)).toBeLessThan(5);
});

test('each DPoP fault breaks exactly its part', async () => {
  const key = await generateSigningKey('ES256');
  const other = await generateSigningKey('ES256');
  const req = { method: 'POST', url: URL_WITH_QUERY, accessToken: 't' };
  const decode = async (faults: Parameters<typeof createDpopProof>[2]) => {
    const proof = await createDpopProof(key, req, faults);
    return { proof, ...decodeUnverified(proof) };
  };

  expect((await decode({ typ: null })).header).not.toHaveProperty('typ');
  expect((await decode({ typ: 'jwt' })).header.typ).toBe('jwt');
  const none = await decode({ algNone: true });
  expect(none.header.alg).toBe('none');
  expect(none.proof.endsWith('.')).toBe(true);
  expect((await decode({ symmetric: true })).header.alg).toBe('HS256');
  expect((await decode({ alg: 'RS256' })).header.alg).toBe('RS256');
  expect((await decode({ alg: '' })).header).not.toHaveProperty('alg');
  expect((await decode({ privateKeyInJwk: true })).header.jwk).toHaveProperty('d');
  expect((await decode({ omitJwk: true })).header).not.toHaveProperty('jwk');
  expect((await decode({ htm: 'DELETE' })).payload.htm).toBe('DELETE');
  expect((await decode({ htu: null })).payload).not.toHaveProperty('htu');
  expect((await decode({ keepQueryInHtu: true })).payload.htu).toBe(URL_WITH_QUERY);
  expect((await decode({ jti: null })).payload).not.toHaveProperty('jti');
  expect((await decode({ ath: null })).payload).not.toHaveProperty('ath');
  expect((await decode({ ath: 'wrong' })).payload.ath).toBe('wrong');
  expect((await decode({ nonce: 'n-1' })).payload.nonce).toBe('n-1');
  expect((await decode({ omitIat: true })).payload).not.toHaveProperty('iat');
  const stale = await decode({ iatOffsetSeconds: -600 });
  expect(Date.now() / 1000 - (stale.payload.iat as number)).toBeGreaterThan(590);

  await expect(jwtVerify((await decode({ tamperSignature: true })).proof, EmbeddedJWK)).rejects.toThrow(/signature/);
  const foreign = await decode({ signWith: other });
  expect(await calculateJwkThumbprint(decodeProtectedHeader(foreign.proof).jwk!)).toBe(key.thumbprint);
  await expect(jwtVerify(foreign.proof, EmbeddedJWK)).rejects.toThrow(/signature/);
  const extra = await decode({ extraHeader: { kid: 'x' }, extraClaims: { foo: 'bar' } });
  expect(extra.header.kid).toBe('x');
  expect(extra.payload.foo).toBe('bar');
});

test('htu drops query and fragment; ath is base64url SHA-256 of the token', () => {
  expect(htuOf(URL_WITH_QUERY)).toBe('https://api.pit.test.nhn.no/v1/Patient');
  expect(accessTokenHash('abc')).toBe(base64url.encode(createHash('sha256').update('abc').digest()));
});

test('a default client assertion follows HelseID rules; faults break one rule each', async () => {
  const key = await generateSigningKey('ES256');
  const options = { clientId: 'client-1', audience: 'https://helseid-sts.test.nhn.no', key };
  const good = await createClientAssertion(options);
  const { payload, protectedHeader } = await jwtVerify(good, key.publicKey, { audience: options.audience, issuer: 'client-1', subject: 'client-1', typ: 'client-authentication+jwt' });
  expect(protectedHeader.typ).toBe('client-authentication+jwt');
  expect((payload.exp as number) - (payload.iat as number)).toBeLessThanOrEqual(60);
  expect(payload.jti).toEqual(expect.any(String));

  expect(decodeUnverified(await createClientAssertion(options, { typ: 'JWT' })).header.typ).toBe('JWT');
  expect(decodeUnverified(await createClientAssertion(options, { sub: 'x' })).payload.sub).toBe('x');
  expect(decodeUnverified(await createClientAssertion(options, { jti: null })).payload).not.toHaveProperty('jti');
  expect(decodeUnverified(await createClientAssertion(options, { exp: null })).payload).not.toHaveProperty('exp');
  expect(decodeUnverified(await createClientAssertion(options, { algNone: true })).header.alg).toBe('none');
});
