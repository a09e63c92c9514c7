import { expectChallenge, expectOperationOutcome } from '../../fixtures/expectations.ts';
import { expect, test } from '../../fixtures/index.ts';

test.describe('PHR ping endpoints', () => {
  test.beforeEach(({ needs }) => needs({ services: ['phr'] }));

  test('GET /ping answers 200 without authentication', { tag: ['@PHR-PING-001', '@availability'] }, async ({ api }) => {
    const response = await api('phr', 'none').get('/ping');
    expect(response.status).toBe(200);
    expect(response).toConformToOpenApi('phr', 'ping');
  });

  test('GET /pingauth without a token is refused with 401 and an OperationOutcome', { tag: ['@PHR-PING-002', '@PHR-ERR-001'] }, async ({ api }) => {
    const response = await api('phr', 'none').get('/pingauth', { raw: true });
    expectOperationOutcome(response, 401);
    expectChallenge(response, 'DPoP');
    expect(response).toConformToOpenApi('phr', 'pingAuth');
  });

  test('GET /pingauth with a DPoP-bound token and proof answers 200', { tag: ['@PHR-PING-002'] }, async ({ api, needs }) => {
    needs({ clients: ['default'], auth: [['phr', 'dpop']] });
    const response = await api('phr', 'dpop', { scopes: ['nhn:phr/mhd/read-document'] }).get('/pingauth');
    expect(response.status).toBe(200);
    expect(response).toConformToOpenApi('phr', 'pingAuth');
  });
});
