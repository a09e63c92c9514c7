// User logins: authorization code with PKCE and PAR, the trust framework attest in a signed
// request object, and the rules around it (facts §2.3, §2.7). At the twin the test IdP takes the
// person as login_hint (the fast headless path) unless NHN_LOGIN_MODE=browser; against NHN, and in
// HID-CODE-006 everywhere, Chromium follows the profile's login recipe on the IdP's pages.
import { decodeUnverified } from '../../helpers/auth/jws.ts';
import { authorizationParams, callPar, pkcePair, requestObject } from '../../helpers/auth/user-login.ts';
import { DOUBLE_STRUCTURE, HELSEID_CLAIMS } from '../../helpers/protocol.ts';
import { PHR, PHR_USER } from '../../fixtures/phr.ts';
import { expect, test, type CodeLoginResult } from '../../fixtures/helseid.ts';

const person = { loginHint: PHR_USER.pid, scopes: [PHR.section45] };

function tokenOf(login: CodeLoginResult): Record<string, unknown> {
  expect(login.stage, `the login stopped at ${login.stage}`).toBe('token');
  if (login.stage !== 'token') throw new Error('unreachable');
  expect(login.result.status, `the code exchange answered ${login.result.status} ${JSON.stringify(login.result.body.error ?? '')}`).toBe(200);
  return decodeUnverified(String(login.result.body.access_token)).payload;
}

const attestOf = (claims: Record<string, unknown>) => [claims.authorization_details ?? []].flat().filter((d) => (d as { type?: string }).type === HELSEID_CLAIMS.trustFramework);

test.describe('HelseID user login (authorization code, PKCE, PAR, request object)', () => {
  test.beforeEach(({ needs }) => needs({ services: ['helseid'], clients: ['default'], login: ['nhnPhysician'] }));

  test('gives a DPoP-bound token with the user, the client and the attest', { tag: ['@HID-CODE-001'] }, async ({ tokens, authorizer }) => {
    const client = tokens('default');
    const token = await client.userLogin(person, authorizer());
    expect(token.tokenType.toLowerCase()).toBe('dpop');
    const claims = decodeUnverified(token.accessToken).payload;
    expect((claims.cnf as { jkt?: string } | undefined)?.jkt, 'the token is not bound to the DPoP key of the code exchange').toBe((await client.runKey()).thumbprint);
    expect([claims.aud].flat()).toEqual(['nhn:phr']);
    expect(claims[HELSEID_CLAIMS.pid]).toBe(PHR_USER.pid);
    expect(claims[HELSEID_CLAIMS.hprNumber]).toBe(PHR_USER.hprNumber);
    expect(claims[HELSEID_CLAIMS.securityLevel]).toBe('4');
    expect(claims[HELSEID_CLAIMS.orgnrParent], 'the client claims are missing').toBeTruthy();
    expect(attestOf(claims), 'the attest from the request object is not in the token').toHaveLength(1);
  });

  test('a person logs in through the IdP\'s pages in a browser, step by step', { tag: ['@HID-CODE-006'] }, async ({ codeLogin, needs }) => {
    needs({ browser: true });
    const claims = tokenOf(await codeLogin({ ...person, mode: 'browser' }));
    expect(claims[HELSEID_CLAIMS.pid], 'the token is for another person than the one typed into the IdP').toBe(PHR_USER.pid);
    expect(attestOf(claims), 'the attest from the request object is not in the token').toHaveLength(1);
    expect(test.info().attachments.some((a) => a.contentType === 'image/png'), 'the login left no screenshot of its steps').toBe(true);
  });

  test('refuses an authorization request without PKCE', { tag: ['@HID-CODE-002'] }, async ({ discovery, clientKey, profile, http }) => {
    const { clientId, key } = await clientKey('default');
    const redirectUri = profile.client('default')!.redirectUri!;
    const push = async (challenge?: string) =>
      callPar({ issuer: discovery.issuer, clientId, clientKey: key, params: { request: await requestObject(authorizationParams(person, redirectUri, { challenge }), { clientId, key }, discovery.issuer) } }, http);
    const without = await push();
    expect(without.status, 'a request without code_challenge was accepted').toBe(400);
    expect(without.body.error).toBe('invalid_request');
    // Positive control: the same request with a challenge.
    expect((await push(pkcePair().challenge)).status).toBe(201);
  });

  test('refuses a pushed request without client authentication', { tag: ['@HID-CODE-003'] }, async ({ discovery, clientKey, profile, http }) => {
    const { clientId, key } = await clientKey('default');
    const redirectUri = profile.client('default')!.redirectUri!;
    const params = async () => ({ request: await requestObject(authorizationParams(person, redirectUri, { challenge: pkcePair().challenge }), { clientId, key }, discovery.issuer) });
    const anonymous = await callPar({ issuer: discovery.issuer, clientId, clientKey: key, params: await params(), assertion: null }, http);
    expect(anonymous.status, 'a pushed request without a client assertion was accepted').toBe(401);
    expect(anonymous.body.error).toBe('invalid_client');
    // Positive control: the same request, authenticated.
    const authenticated = await callPar({ issuer: discovery.issuer, clientId, clientKey: key, params: await params() }, http);
    expect(authenticated.status).toBe(201);
    expect(String(authenticated.body.request_uri)).toMatch(/^urn:ietf:params:oauth:request_uri:/);
  });

  test(`refuses the attest sent both ways with ${DOUBLE_STRUCTURE}`, { tag: ['@HID-CODE-004'] }, async ({ codeLogin }) => {
    const both = await codeLogin({ ...person, attestIn: 'both' });
    expect(both.stage).toBe('token');
    if (both.stage !== 'token') return;
    expect(both.result.status, 'a token was issued with the attest both in the request object and in the client assertion').toBe(400);
    expect(both.result.body.error).toBe('access_denied');
    expect(String(both.result.body.error_description)).toMatch(new RegExp(`^${DOUBLE_STRUCTURE}`));
    // Positive control: the attest one way, in the request object.
    expect(attestOf(tokenOf(await codeLogin({ ...person, attestIn: 'request-object' })))).toHaveLength(1);
  });

  test('carries the attest sent in the client assertion of the code exchange', { tag: ['@HID-CODE-005'] }, async ({ codeLogin }) => {
    const claims = tokenOf(await codeLogin({ ...person, attestIn: 'client-assertion' }));
    expect(attestOf(claims), 'the attest from the client assertion is not in the token').toHaveLength(1);
    expect(claims[HELSEID_CLAIMS.pid]).toBe(PHR_USER.pid);
  });
});
