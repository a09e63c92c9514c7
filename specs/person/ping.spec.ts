import { expectChallenge } from '../../fixtures/expectations.ts';
import { expect, test } from '../../fixtures/index.ts';

test.describe('Person API availability and refusal', () => {
  test.beforeEach(({ needs }) => needs({ services: ['person'] }));

  test('GET /ping answers 200 "Pong" without authentication', { tag: ['@PERSON-PING-001', '@availability'] }, async ({ api }) => {
    const response = await api('person', 'none').get('/ping');
    expect(response.status).toBe(200);
    expect(response.text().replace(/"/g, '').trim()).toBe('Pong');
    expect(response).toConformToOpenApi('person-v3', 'ping');
  });

  test('an operation without a token is refused with 401, a challenge and no body, on v3 and v2', { tag: ['@PERSON-AUTH-001'] }, async ({ api }) => {
    const v3 = await api('person', 'none').get('/api/v3/full-access/event/latest');
    expect(v3.status).toBe(401);
    // v3's scheme is DPoP (NHN's v3 sample).
    expectChallenge(v3, 'DPoP');
    expect(v3.body.length, 'the Person API documents 401 without a body').toBe(0);
    expect(v3).toConformToOpenApi('person-v3', 'getLatestEventFullAccess');
    // v2's document declares HTTP bearer and the v3 sample DPoP: either challenge is right on v2.
    const v2 = await api('person', 'none').get('/api/legal-basis/event/latest', { headers: { 'api-version': '2' } });
    expect(v2.status).toBe(401);
    const challenge = v2.header('www-authenticate') ?? '';
    expect(/^(dpop|bearer)\b/i.test(challenge), `v2's 401 challenge "${challenge}" is neither Bearer nor DPoP`).toBe(true);
    expect(v2.body.length, 'the Person API documents 401 without a body').toBe(0);
  });
});
