// PIT's baseline: no token, a malformed token, a garbage proof, a wrong content type and an
// oversized body are each refused with the right status and an OperationOutcome.
import { expectChallenge, expectOperationOutcome } from '../../fixtures/expectations.ts';
import { expect, test } from '../../fixtures/index.ts';
import { syntheticNin } from '../../helpers/identifiers.ts';
import { preview } from '../../helpers/http/client.ts';

const PATIENT = { resourceType: 'Patient', identifier: [{ system: 'urn:oid:2.16.578.1.12.4.1.4.1', value: syntheticNin(7) }], name: [{ family: 'Vakker', given: ['Blomst'] }] };

test.describe('PIT refusals', () => {
  test.beforeEach(({ needs }) => needs({ services: ['pit'], auth: [['pit', 'dpop']] }));

  test('a request without a token is refused with 401 and a DPoP challenge', { tag: ['@PIT-AUTH-001', '@PIT-ERR-001'] }, async ({ api }) => {
    const response = await api('pit', 'none').get('/v1/Patient', { raw: true });
    expectOperationOutcome(response, 401);
    expectChallenge(response, 'DPoP');
    expect(response).toConformToOpenApi('pit', 'searchPatients');
  });

  test('a malformed access token is refused as invalid_token', { tag: ['@PIT-ERR-001'] }, async ({ api, needs }) => {
    needs({ clients: ['default'] });
    const response = await api('pit', 'dpop').get('/v1/Patient', { authorization: 'DPoP not.a-jwt', raw: true });
    expectOperationOutcome(response, 401);
    expectChallenge(response, 'DPoP', 'invalid_token');
  });

  test('a garbage DPoP header is refused as invalid_dpop_proof', { tag: ['@PIT-ERR-001'] }, async ({ api, needs }) => {
    needs({ clients: ['default'] });
    const response = await api('pit', 'dpop').get('/v1/Patient', { dpopHeaders: ['%%% garbage %%%'], raw: true });
    expectOperationOutcome(response, 401);
    expectChallenge(response, 'DPoP', 'invalid_dpop_proof');
  });

  test('a Patient sent as text/plain is refused with 415', { tag: ['@PIT-ERR-001'] }, async ({ api, needs }) => {
    needs({ clients: ['default'], writes: true, patientData: true });
    const response = await api('pit', 'dpop').post('/v1/Patient', { body: JSON.stringify(PATIENT), contentType: 'text/plain', raw: true });
    expectOperationOutcome(response, 415);
    expect(response).toConformToOpenApi('pit', 'submitPatient');
  });

  test('a body far over the size limit is refused with 413', { tag: ['@PIT-ERR-001'] }, async ({ api, needs }) => {
    needs({ clients: ['default'], writes: true, patientData: true });
    const padded = { ...PATIENT, text: { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">${'x'.repeat(2 * 1024 * 1024)}</div>` } };
    const response = await api('pit', 'dpop').post('/v1/Patient', { json: padded, raw: true });
    expectOperationOutcome(response, 413);
    expect(response).toConformToOpenApi('pit', 'submitPatient');
  });

  test('positive control: the same token and a correct proof pass authentication', { tag: ['@PIT-ERR-001'] }, async ({ api, needs }) => {
    needs({ clients: ['default'] });
    const response = await api('pit', 'dpop').get('/v1/Patient', { raw: true });
    expect([401, 403], `authentication failed: ${preview(response.body, 300)}`).not.toContain(response.status);
  });
});
