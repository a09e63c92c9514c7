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

  test('an operation without a token is refused with 401, a challenge and no body', { tag: ['@PERSON-AUTH-001'] }, async ({ api }) => {
    const response = await api('person', 'none').get('/api/v3/full-access/event/latest');
    expect(response.status).toBe(401);
    expectChallenge(response, 'DPoP');
    expect(response.body.length, 'the Person API documents 401 without a body').toBe(0);
    expect(response).toConformToOpenApi('person-v3', 'getLatestEventFullAccess');
  });
});
