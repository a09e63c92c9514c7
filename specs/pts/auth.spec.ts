// PTS authentication: DPoP on every request, from token exchange (NHN's preferred way) or client
// credentials (the fallback); client_id and orgnr_parent in the token; Bearer refused.
import { expectChallenge } from '../../fixtures/expectations.ts';
import { expect, test } from '../../fixtures/index.ts';
import { testToken } from '../../fixtures/ttt.ts';
import { syntheticNin } from '../../helpers/identifiers.ts';
import { observe } from '../../helpers/evidence/verdicts.ts';

const SEARCH = '/v0.5/access-restrictions/patient-safety/_search';
const body = () => ({ json: { offId: syntheticNin(7_001) }, contentType: 'application/json', raw: true });

test.describe('PTS refusal', () => {
  test('a search without a token is refused with 401 and a DPoP challenge', { tag: ['@PTS-AUTH-001'] }, async ({ api, needs }) => {
    needs({ services: ['pts'], writes: true });
    const response = await api('pts', 'none').post(SEARCH, { json: {}, contentType: 'application/json' });
    expect(response.status).toBe(401);
    expectChallenge(response, 'DPoP');
    // PTS documents no error body: a ProblemDetails is the twin's reading, the challenge alone is as right.
    if (response.body.length) expect(response).toBeProblemDetails();
    observe({ point: 'pts.401-body', variant: response.body.length ? 'base' : 'pts-401-no-body', expected: 'a ProblemDetails body with the 401', seen: response.body.length ? 'a body' : 'no body' });
    expect(response).toConformToOpenApi('pts', 'searchRestrictions');
  });
});

test.describe('PTS tokens', () => {
  test.beforeEach(({ needs }) => needs({ services: ['pts'], auth: [['pts', 'dpop']], writes: true, patientData: true }));

  test('a token from token exchange and one from client credentials are both served', { tag: ['@PTS-AUTH-002'] }, async ({ api, needs }) => {
    needs({ clients: ['default', 'exchangeActor'] });
    // HelseID's model: the caller's token is for the actor's own API, which exchanges it for PTS's scope.
    const exchanged = api('pts', 'dpop', { role: 'exchangeActor', scopes: ['nhn:pts/api'], exchange: { from: 'default' } });
    expect((await exchanged.post(SEARCH, body())).status, 'a token-exchange token was refused').toBe(200);
    expect((await api('pts', 'dpop').post(SEARCH, body())).status, 'a client-credentials token was refused').toBe(200);
  });

  test('a token without orgnr_parent is refused with 403, and a Bearer token with 401', { tag: ['@PTS-AUTH-002', '@PTS-ERR-001'] }, async ({ api, needs, profile, http }) => {
    needs({ clients: ['noOrgnrParent'], ttt: true });
    const noOrg = await api('pts', 'dpop', { role: 'noOrgnrParent' }).post(SEARCH, body());
    expect(noOrg.status, 'a token without orgnr_parent was served').toBe(403);
    const bearer = await testToken(http, profile, { audience: 'nhn:pts', clientClaimsParameters: { scope: ['nhn:pts/api'], orgnrParent: '999999999' } });
    const response = await api('pts', 'none').post(SEARCH, { ...body(), authorization: `Bearer ${bearer}` });
    expect(response.status, 'a Bearer token was served').toBe(401);
    // Positive control: the default client, DPoP-bound.
    expect((await api('pts', 'dpop').post(SEARCH, body())).status).toBe(200);
  });
});
