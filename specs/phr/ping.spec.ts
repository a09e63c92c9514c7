import { expectOperationOutcome } from '../../fixtures/expectations.ts';
import { measure, observe } from '../../helpers/evidence/verdicts.ts';
import { testToken } from '../../fixtures/ttt.ts';
import { expect, test } from '../../fixtures/index.ts';

test.describe('PHR ping endpoints', () => {
  test.beforeEach(({ needs }) => needs({ services: ['phr'] }));

  test('GET /ping answers 200 without authentication', { tag: ['@PHR-PING-001', '@availability'] }, async ({ api }) => {
    const response = await api('phr', 'none').get('/ping');
    expect(response.status).toBe(200);
    expect(response).toConformToOpenApi('phr', 'ping');
  });

  test('GET /pingauth without a token is refused with 401, a challenge and an OperationOutcome', { tag: ['@PHR-PING-002', '@PHR-ERR-001'] }, async ({ api }) => {
    const response = await api('phr', 'none').get('/pingauth', { raw: true });
    expectOperationOutcome(response, 401);
    // DPoP is optional on /pingauth (the newer integration page): a Bearer challenge is as right as a DPoP one.
    expect(response.header('www-authenticate') ?? '', 'the 401 carries no Bearer or DPoP challenge').toMatch(/^(dpop|bearer)\b/i);
    expect(response).toConformToOpenApi('phr', 'pingAuth');
  });

  test('GET /pingauth with a token and no DPoP proof is served, or refused with 401 as the older page would', { tag: ['@PHR-PING-002'] }, async ({ api, needs, profile, http }) => {
    needs({ ttt: true });
    const token = await testToken(http, profile, { audience: 'nhn:phr', clientClaimsParameters: { scope: ['nhn:phr/mhd/read-document'], orgnrParent: '999999999' } });
    const response = await api('phr', 'none').get('/pingauth', { authorization: `Bearer ${token}`, raw: true });
    // The newer page says DPoP is not needed, the older asked for it: neither is demanded; what the environment does is recorded.
    measure('phr /pingauth serves a token without a DPoP proof', response.status === 200 ? 1 : 0);
    observe({ point: 'phr.pingauth-bearer', variant: response.status === 200 ? 'base' : 'phr-pingauth-dpop-only', expected: 'a token without a DPoP proof served (the newer integration page)', seen: `${response.status}` });
    if (response.status !== 200) {
      expectOperationOutcome(response, 401);
      expect(response.header('www-authenticate') ?? '', 'the refusal carries no challenge').toMatch(/^(dpop|bearer)\b/i);
    }
    expect(response).toConformToOpenApi('phr', 'pingAuth');
  });

  test('GET /pingauth with a DPoP-bound token and proof answers 200', { tag: ['@PHR-PING-002'] }, async ({ api, needs }) => {
    needs({ clients: ['default'], auth: [['phr', 'dpop']] });
    const response = await api('phr', 'dpop', { scopes: ['nhn:phr/mhd/read-document'] }).get('/pingauth');
    expect(response.status).toBe(200);
    expect(response).toConformToOpenApi('phr', 'pingAuth');
  });
});
