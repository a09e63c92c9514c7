// RFC 8693: an actor exchanges a caller's token for one to another API, bound to its own key.
import { decodeUnverified } from '../../helpers/auth/jws.ts';
import { ACCESS_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT } from '../../helpers/protocol.ts';
import { should } from '../../helpers/evidence/verdicts.ts';
import { testToken } from '../../fixtures/ttt.ts';
import { expect, test } from '../../fixtures/helseid.ts';

test.describe('HelseID token exchange', () => {
  test.beforeEach(({ needs }) => needs({ services: ['helseid'], clients: ['default', 'exchangeActor'] }));

  test('gives a token for the audience of the requested scopes', { tag: ['@HID-TX-001'] }, async ({ tokens }) => {
    const subject = await tokens('default').clientCredentials(['nhn:phr/mhd/read-document']);
    const exchanged = await tokens('exchangeActor').exchange(subject.accessToken, ['nhn:pts/api']);
    expect(exchanged.issuedTokenType).toBe(ACCESS_TOKEN_TYPE);
    expect(exchanged.tokenType.toLowerCase()).toBe('dpop');
    const { payload } = decodeUnverified(exchanged.accessToken);
    expect([payload.aud].flat()).toEqual(['nhn:pts']);
    expect(String(payload.scope).split(' ')).toEqual(['nhn:pts/api']);
  });

  test("binds the exchanged token to the actor's DPoP key, not the subject's", { tag: ['@HID-TX-002'] }, async ({ tokens }) => {
    const subjectClient = tokens('default');
    const actor = tokens('exchangeActor');
    const subject = await subjectClient.clientCredentials(['nhn:phr/mhd/read-document']);
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

  test('refuses scopes the actor is not granted', { tag: ['@HID-TX-003'] }, async ({ tokens, tokenCall }) => {
    const subject = await tokens('default').clientCredentials(['nhn:phr/mhd/read-document']);
    const escalated = await tokenCall(exchange(subject.accessToken, 'nhn:pit/api.write'));
    expect(escalated.status, 'the actor got a scope it is not granted').toBe(400);
    expect(escalated.body.error).toBe('invalid_scope');
    // Positive control: a scope the actor has.
    expect((await tokenCall(exchange(subject.accessToken, 'nhn:pts/api'))).status).toBe(200);
  });

  test('refuses a tampered subject token and an expired one', { tag: ['@HID-TX-004'] }, async ({ tokens, tokenCall, needs, profile, http }) => {
    const subject = (await tokens('default').clientCredentials(['nhn:phr/mhd/read-document'])).accessToken;
    const [h, p, sig] = subject.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString('utf8')) as Record<string, unknown>;
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, 'helseid://claims/identity/security_level': '4', scope: 'nhn:phr/mhd/read-documentreferences' })).toString('base64url')}.${sig}`;
    const refused = await tokenCall(exchange(tampered, 'nhn:pts/api'));
    expect(refused.status, 'a tampered subject token was exchanged').toBe(400);
    expect(refused.body.error).toBe('invalid_grant');
    needs({ ttt: true });
    const expired = await testToken(http, profile, { audience: 'nhn:phr', clientClaimsParameters: { scope: ['nhn:phr/mhd/read-document'] }, expirationParameters: { setExpirationTimeAsExpired: true } });
    const late = await tokenCall(exchange(expired, 'nhn:pts/api'));
    expect(late.status, 'an expired subject token was exchanged').toBe(400);
    expect(late.body.error).toBe('invalid_grant');
  });

  test('names the actor in an act claim', { tag: ['@HID-TX-005'] }, async ({ tokens }) => {
    const subject = await tokens('default').clientCredentials(['nhn:phr/mhd/read-document']);
    const exchanged = await tokens('exchangeActor').exchange(subject.accessToken, ['nhn:pts/api']);
    const act = decodeUnverified(exchanged.accessToken).payload.act as { sub?: string } | undefined;
    should(!!act?.sub, 'the exchanged token has no act claim naming the actor');
  });
});
