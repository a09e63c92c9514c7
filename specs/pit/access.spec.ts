// PIT access control: scopes, the orgnr_parent claim, and DPoP only.
import { expectChallenge } from '../../fixtures/expectations.ts';
import { expect, test } from '../../fixtures/index.ts';
import { syntheticPatient } from '../../fixtures/pit.ts';

test.describe('PIT access control', () => {
  test.beforeEach(({ needs }) => needs({ services: ['pit', 'helseid'], clients: ['default'], auth: [['pit', 'dpop']] }));

  test('reading needs api.read and writing api.write; the wrong scope gets 403 and an OperationOutcome', { tag: ['@PIT-SCOPE-001'] }, async ({ api, needs }, info) => {
    needs({ writes: true, patientData: true });
    const writeOnly = api('pit', 'dpop', { scopes: ['nhn:pit/api.write'] });
    const readOnly = api('pit', 'dpop', { scopes: ['nhn:pit/api.read'] });
    const read = await writeOnly.get('/v1/Patient', { raw: true });
    expect(read.status, 'a write-only token could read').toBe(403);
    expect(read).toBeOperationOutcome();
    expect(read).toConformToOpenApi('pit', 'searchPatients');
    const write = await readOnly.post('/v1/Patient', { json: syntheticPatient(info), raw: true });
    expect(write.status, 'a read-only token could write').toBe(403);
    expect(write).toBeOperationOutcome();
    // Positive control: each scope does its own job.
    expect((await readOnly.get('/v1/Patient')).status).toBe(200);
    expect((await writeOnly.post('/v1/Patient', { json: syntheticPatient(info) })).status).toBe(202);
  });

  test('a token without orgnr_parent is refused', { tag: ['@PIT-CLAIM-001'] }, async ({ api, needs }) => {
    needs({ clients: ['noOrgnrParent'] });
    const response = await api('pit', 'dpop', { role: 'noOrgnrParent', scopes: ['nhn:pit/api.read'] }).get('/v1/Patient', { raw: true });
    expect([401, 403], `a token without orgnr_parent answered ${response.status}`).toContain(response.status);
    expect(response).toBeOperationOutcome();
  });

  test('DPoP only: the token as Bearer, and the DPoP scheme without a proof, are refused', { tag: ['@PIT-DPOP-001'] }, async ({ api }) => {
    const pit = api('pit', 'dpop', { scopes: ['nhn:pit/api.read'] });
    const token = (await pit.token()).accessToken;
    const bearer = await pit.get('/v1/Patient', { authorization: `Bearer ${token}`, dpopHeaders: [], raw: true });
    expect(bearer.status, 'the token was accepted as Bearer').toBe(401);
    expectChallenge(bearer, 'DPoP', 'invalid_token');
    expect(bearer).toBeOperationOutcome();
    const noProof = await pit.get('/v1/Patient', { dpopHeaders: [], raw: true });
    expect(noProof.status, 'the DPoP scheme was accepted without a proof').toBe(401);
    expectChallenge(noProof, 'DPoP', 'invalid_dpop_proof');
    // Positive control: the same token with a fresh proof.
    expect((await pit.get('/v1/Patient')).status).toBe(200);
  });
});
