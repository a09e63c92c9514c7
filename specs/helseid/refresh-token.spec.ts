// Refresh tokens of a user login: the refresh_token grant with its assertion and DPoP proof,
// rt_expires_in, rotation (our reading, graded so), the attest kept for the refresh token's life,
// and one login giving a token per API by resource indicator (facts §2.3, §2.7).
import { decodeUnverified } from '../../helpers/auth/jws.ts';
import { redactJson } from '../../helpers/evidence/redact.ts';
import { observe } from '../../helpers/evidence/verdicts.ts';
import { HELSEID_CLAIMS } from '../../helpers/protocol.ts';
import { PHR, PHR_USER } from '../../fixtures/phr.ts';
import { expect, test, type CodeLogin, type HelseIdFixtures } from '../../fixtures/helseid.ts';
import type { TokenCallResult } from '../../helpers/auth/token-endpoint.ts';
import type { SigningKey } from '../../helpers/auth/keys.ts';

const PIT_READ = 'nhn:pit/api.read';
const person: CodeLogin = { loginHint: PHR_USER.pid, scopes: ['offline_access', PHR.section45] };

interface LoggedIn {
  token: TokenCallResult;
  refreshToken: string;
  dpopKey: SigningKey;
}

const claimsOf = (result: TokenCallResult) => decodeUnverified(String(result.body.access_token)).payload;
const attestOf = (claims: Record<string, unknown>) => [claims.authorization_details ?? []].flat().filter((d) => (d as { type?: string }).type === HELSEID_CLAIMS.trustFramework);
const scopesOf = (claims: Record<string, unknown>) => [claims.scope ?? []].flat().flatMap((s) => String(s).split(' ')).filter(Boolean);

async function logIn(codeLogin: HelseIdFixtures['codeLogin'], login: CodeLogin = person): Promise<LoggedIn> {
  const result = await codeLogin(login);
  expect(result.stage, `the login stopped at ${result.stage}`).toBe('token');
  if (result.stage !== 'token') throw new Error('unreachable');
  expect(result.result.status, `the code exchange answered ${result.result.status} ${JSON.stringify(redactJson(result.result.body))}`).toBe(200);
  expect(typeof result.result.body.refresh_token, 'a login that asked for offline_access got no refresh token').toBe('string');
  return { token: result.result, refreshToken: String(result.result.body.refresh_token), dpopKey: result.dpopKey };
}

function refresh(tokenCall: HelseIdFixtures['tokenCall'], login: LoggedIn, refreshToken = login.refreshToken, extra: Record<string, string> = {}): Promise<TokenCallResult> {
  return tokenCall({ dpopKey: login.dpopKey, params: { grant_type: 'refresh_token', refresh_token: refreshToken, ...extra } });
}

function granted(result: TokenCallResult, what: string): Record<string, unknown> {
  expect(result.status, `${what} answered ${result.status} ${JSON.stringify(redactJson(result.body))}`).toBe(200);
  return claimsOf(result);
}

test.describe('HelseID refresh tokens', () => {
  test.beforeEach(({ needs }) => needs({ services: ['helseid'], clients: ['default'], login: ['nhnPhysician'] }));

  test('a refresh gives a new DPoP-bound token for the same user', { tag: ['@HID-RT-001'] }, async ({ codeLogin, tokenCall }) => {
    const login = await logIn(codeLogin);
    const refreshed = await refresh(tokenCall, login);
    const claims = granted(refreshed, 'the refresh');
    expect(String(refreshed.body.token_type).toLowerCase()).toBe('dpop');
    expect((claims.cnf as { jkt?: string } | undefined)?.jkt, 'the refreshed token is not bound to the DPoP key of the refresh').toBe(login.dpopKey.thumbprint);
    expect([claims.aud].flat()).toEqual(['nhn:phr']);
    expect(claims[HELSEID_CLAIMS.pid], 'the refreshed token lost the user').toBe(PHR_USER.pid);
    expect(claims[HELSEID_CLAIMS.securityLevel]).toBe(claimsOf(login.token)[HELSEID_CLAIMS.securityLevel]);
    expect(claims[HELSEID_CLAIMS.hprNumber]).toBe(PHR_USER.hprNumber);
    expect(claims.jti, 'the refresh returned the same access token').not.toBe(claimsOf(login.token).jti);
  });

  test('a response with a refresh token says rt_expires_in', { tag: ['@HID-RT-002'] }, async ({ codeLogin, tokenCall }) => {
    const login = await logIn(codeLogin);
    for (const [what, body] of [['the code exchange', login.token.body], ['the refresh', (await refresh(tokenCall, login)).body]] as const) {
      const lifetime = body.rt_expires_in;
      expect(Number.isInteger(lifetime) && (lifetime as number) > 0, `${what} says rt_expires_in ${JSON.stringify(lifetime)}, not a positive whole number of seconds`).toBe(true);
    }
  });

  test('a rotated refresh token retires the one it replaced', { tag: ['@HID-RT-003', '@HID-RT-004'] }, async ({ codeLogin, tokenCall }) => {
    const login = await logIn(codeLogin);
    const first = await refresh(tokenCall, login);
    granted(first, 'the first refresh');
    const next = typeof first.body.refresh_token === 'string' ? first.body.refresh_token : undefined;
    const rotated = next !== undefined && next !== login.refreshToken;
    observe({ point: 'helseid.refresh-rotation', variant: rotated ? 'base' : 'helseid-refresh-not-rotated', expected: 'a refresh returns a new refresh token', seen: rotated ? 'rotated' : 'the same refresh token is kept' });
    if (!rotated) {
      // Not rotating is a permitted reading (deviates above); the refresh token must still work.
      granted(await refresh(tokenCall, login), 'a second refresh with the kept refresh token');
      return;
    }
    // The new one works first: a server that detects reuse may revoke the whole grant (RFC 9700 §4.14.2).
    granted(await refresh(tokenCall, login, next), 'a refresh with the rotated refresh token');
    const reused = await refresh(tokenCall, login);
    expect(reused.status, 'the refresh token a rotation replaced still gives tokens').toBe(400);
    expect(reused.body.error).toBe('invalid_grant');
  });

  test('the attest of the request object is in every refreshed token', { tag: ['@HID-RT-005'] }, async ({ codeLogin, tokenCall }) => {
    const login = await logIn(codeLogin);
    expect(attestOf(claimsOf(login.token)), 'the first token lacks the attest').toHaveLength(1);
    const refreshed = granted(await refresh(tokenCall, login), 'the refresh');
    expect(attestOf(refreshed), 'the refreshed token lost the attest the request object carried').toHaveLength(1);
    expect(attestOf(refreshed)[0]).toEqual(attestOf(claimsOf(login.token))[0]);
  });

  test('one login gives a token per API by resource indicator', { tag: ['@HID-RT-006'] }, async ({ codeLogin, tokenCall, profile }) => {
    const known = profile.client('default')?.scopes;
    test.skip(known !== undefined && !known.includes(PIT_READ), `the client is not registered for ${PIT_READ} (HELSEID_CLIENT_SCOPES), the second API of this login`);
    const login = await logIn(codeLogin, { ...person, scopes: [...person.scopes, PIT_READ], resource: 'nhn:phr' });
    const first = claimsOf(login.token);
    expect([first.aud].flat(), 'the code exchange with resource nhn:phr gave a token for another audience').toEqual(['nhn:phr']);
    expect(scopesOf(first)).not.toContain(PIT_READ);
    const second = granted(await refresh(tokenCall, login, login.refreshToken, { resource: 'nhn:pit' }), 'a refresh with resource nhn:pit');
    expect([second.aud].flat(), 'a refresh with resource nhn:pit gave a token for another audience').toEqual(['nhn:pit']);
    expect(scopesOf(second)).toContain(PIT_READ);
    expect(scopesOf(second), "the PIT token carries PHR's scope").not.toContain(PHR.section45);
    expect(second[HELSEID_CLAIMS.pid], 'the second API token lost the user').toBe(PHR_USER.pid);
  });
});
