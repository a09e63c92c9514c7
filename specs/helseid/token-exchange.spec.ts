// RFC 8693: an actor exchanges a caller's token for one to another API, bound to its own key.
import { decodeUnverified } from '../../helpers/auth/jws.ts';
import { ACCESS_TOKEN_TYPE } from '../../helpers/config/services.ts';
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
