// RFC 8693 as HelseID runs it (facts §2.5): a caller's client gets a token for API 1; API 1's own
// client, the actor, exchanges it with its own assertion and DPoP proof for API 2's scopes, and
// the new token is bound to the actor's key. A subject token for another API is refused.
import { decodeUnverified } from '../../helpers/auth/jws.ts';
import { ACCESS_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT } from '../../helpers/protocol.ts';
import { should } from '../../helpers/evidence/verdicts.ts';
import { testToken } from '../../fixtures/ttt.ts';
import { expect, test } from '../../fixtures/helseid.ts';
import type { Profile } from '../../helpers/config/profiles.ts';

/** What the actor is the client of: its audience, and the scope the caller asks for. */
const actorApi = (profile: Profile) => profile.client('exchangeActor')!.api!;

test.describe('HelseID token exchange', () => {
  test.beforeEach(({ needs }) => needs({ services: ['helseid'], clients: ['default', 'exchangeActor'] }));

  test('the actor gets a token for the audience of the requested scopes, from a token for its own API', { tag: ['@HID-TX-001'] }, async ({ tokens, profile }) => {
    const subject = await tokens('default').clientCredentials([actorApi(profile).scope]);
    expect([decodeUnverified(subject.accessToken).payload.aud].flat(), 'the subject token is not for the actor\'s API').toContain(actorApi(profile).audience);
    const exchanged = await tokens('exchangeActor').exchange(subject.accessToken, ['nhn:pts/api']);
    expect(exchanged.issuedTokenType).toBe(ACCESS_TOKEN_TYPE);
    expect(exchanged.tokenType.toLowerCase()).toBe('dpop');
    const { payload } = decodeUnverified(exchanged.accessToken);
    expect([payload.aud].flat()).toEqual(['nhn:pts']);
    expect(String(payload.scope).split(' ')).toEqual(['nhn:pts/api']);
  });

  test("binds the exchanged token to the actor's DPoP key, not the subject's", { tag: ['@HID-TX-002'] }, async ({ tokens, profile }) => {
    const subjectClient = tokens('default');
    const actor = tokens('exchangeActor');
    const subject = await subjectClient.clientCredentials([actorApi(profile).scope]);
    const exchanged = await actor.exchange(subject.accessToken, ['nhn:pts/api']);
    const jkt = (decodeUnverified(exchanged.accessToken).payload.cnf as { jkt?: string } | undefined)?.jkt;
    expect(jkt, 'the exchanged token is not DPoP-bound').toBe((await actor.runKey()).thumbprint);
    expect(jkt).not.toBe((await subjectClient.runKey()).thumbprint);
  });
});

test.describe('HelseID token exchange refusals', () => {
  test.beforeEach(({ needs }) => needs({ services: ['helseid'], clients: ['default', 'exchangeActor'] }));

  const exchange = (subject: string, scope: string) => ({
    role: 'exchangeActor' as const,
    params: { grant_type: TOKEN_EXCHANGE_GRANT, subject_token: subject, subject_token_type: ACCESS_TOKEN_TYPE, scope },
  });

  /**
   * A refused subject token: 400 with an OAuth error (RFC 6749 §5.2). Which code is not documented
   * by HelseID: RFC 8693 §2.2.2 says invalid_request; servers commonly answer invalid_grant.
   */
  const expectSubjectRefused = (answer: { status: number; body: Record<string, unknown> }, what: string) => {
    expect(answer.status, `${what} was exchanged`).toBe(400);
    expect(typeof answer.body.error, `${what}: the refusal carries no OAuth error`).toBe('string');
    should(['invalid_request', 'invalid_grant'].includes(String(answer.body.error)), `${what}: refused with ${String(answer.body.error)}, neither RFC 8693's invalid_request nor invalid_grant`);
  };

  test('refuses scopes the actor is not granted', { tag: ['@HID-TX-003'] }, async ({ tokens, tokenCall, profile }) => {
    const subject = await tokens('default').clientCredentials([actorApi(profile).scope]);
    const escalated = await tokenCall(exchange(subject.accessToken, 'nhn:pit/api.write'));
    expect(escalated.status, 'the actor got a scope it is not granted').toBe(400);
    expect(escalated.body.error).toBe('invalid_scope');
    // Positive control: a scope the actor has.
    expect((await tokenCall(exchange(subject.accessToken, 'nhn:pts/api'))).status).toBe(200);
  });

  test('refuses a tampered subject token and an expired one', { tag: ['@HID-TX-004'] }, async ({ tokens, tokenCall, needs, profile, http }) => {
    const api = actorApi(profile);
    const subject = (await tokens('default').clientCredentials([api.scope])).accessToken;
    const [h, p, sig] = subject.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString('utf8')) as Record<string, unknown>;
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, 'helseid://claims/identity/security_level': '4' })).toString('base64url')}.${sig}`;
    expectSubjectRefused(await tokenCall(exchange(tampered, 'nhn:pts/api')), 'a tampered subject token');
    needs({ ttt: true });
    const expired = await testToken(http, profile, { audience: api.audience, clientClaimsParameters: { scope: [api.scope] }, expirationParameters: { setExpirationTimeAsExpired: true } });
    expectSubjectRefused(await tokenCall(exchange(expired, 'nhn:pts/api')), 'an expired subject token');
    // Positive control: the same subject token, untouched.
    expect((await tokenCall(exchange(subject, 'nhn:pts/api'))).status).toBe(200);
  });

  test("refuses a subject token issued for another API than the actor's", { tag: ['@HID-TX-006'] }, async ({ tokens, tokenCall, profile }) => {
    const foreign = await tokens('default').clientCredentials(['nhn:phr/mhd/read-document']);
    expect([decodeUnverified(foreign.accessToken).payload.aud].flat()).not.toContain(actorApi(profile).audience);
    expectSubjectRefused(await tokenCall(exchange(foreign.accessToken, 'nhn:pts/api')), "a subject token for another API than the actor's");
    // Positive control: a subject token for the actor's own API.
    const own = await tokens('default').clientCredentials([actorApi(profile).scope]);
    expect((await tokenCall(exchange(own.accessToken, 'nhn:pts/api'))).status).toBe(200);
  });

  test('names the actor in an act claim', { tag: ['@HID-TX-005'] }, async ({ tokens, profile }) => {
    const subject = await tokens('default').clientCredentials([actorApi(profile).scope]);
    const exchanged = await tokens('exchangeActor').exchange(subject.accessToken, ['nhn:pts/api']);
    const act = decodeUnverified(exchanged.accessToken).payload.act as { sub?: string } | undefined;
    should(!!act?.sub, 'the exchanged token has no act claim naming the actor');
  });
});
