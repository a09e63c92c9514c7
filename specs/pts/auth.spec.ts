import { expectChallenge } from '../../fixtures/expectations.ts';
import { expect, test } from '../../fixtures/index.ts';

test.describe('PTS refusal', () => {
  test('a search without a token is refused with 401 and a DPoP challenge', { tag: ['@PTS-AUTH-001'] }, async ({ api, needs }) => {
    needs({ services: ['pts'], writes: true });
    const response = await api('pts', 'none').post('/v0.5/access-restrictions/patient-safety/_search', { json: {}, contentType: 'application/json' });
    expect(response.status).toBe(401);
    expectChallenge(response, 'DPoP');
    expect(response).toBeProblemDetails();
    expect(response).toConformToOpenApi('pts', 'searchRestrictions');
  });
});
