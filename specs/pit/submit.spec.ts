// PIT submission: 202 and asynchronous processing, validation, and the size limit.
import { measure } from '../../helpers/evidence/verdicts.ts';
import { PIT_SETTINGS } from '../../helpers/packs/pit.ts';
import { expect, test } from '../../fixtures/index.ts';
import { minuteFloor, ninCounts, ninOf, syntheticPatient, traverse, waitUntil } from '../../fixtures/pit.ts';
import { preview } from '../../helpers/http/client.ts';

test.describe('PIT submission', () => {
  test.beforeEach(({ needs }) => needs({ services: ['pit', 'helseid'], clients: ['default'], writes: true, patientData: true, auth: [['pit', 'dpop']] }));

  test('a valid Patient is accepted with 202 and appears in searches once processed', { tag: ['@PIT-SUBMIT-001'] }, async ({ api, profile }, info) => {
    const pit = api('pit', 'dpop');
    const patient = syntheticPatient(info);
    const since = minuteFloor(Date.now());
    const response = await pit.post('/v1/Patient', { json: patient });
    expect(response.status, preview(response.body, 300)).toBe(202);
    expect(response).toConformToOpenApi('pit', 'submitPatient');
    const delay = await waitUntil(
      'the submitted Patient appears in GET /v1/Patient',
      async () => ninCounts((await traverse(pit, { _lastUpdated: `ge${since}`, _count: '50' })).rows).has(ninOf(patient)!),
      { timeoutMs: profile.get(PIT_SETTINGS.asyncLimitMs), intervalMs: 25 },
    );
    measure('asynchronous delay (ms)', Math.round(delay), info);
  });

  const INVALID: Array<[string, string, string]> = [
    ['not JSON', '{"resourceType": "Patient", "name": [', 'application/fhir+json'],
    ['not a Patient', JSON.stringify({ resourceType: 'Observation', status: 'final', code: { text: 'x' } }), 'application/fhir+json'],
    ['not valid R4 (unknown element)', JSON.stringify({ resourceType: 'Patient', birthdate: '1980-01-01' }), 'application/fhir+json'],
    ['not valid R4 (gender outside the code set)', JSON.stringify({ resourceType: 'Patient', gender: 'kvinne' }), 'application/fhir+json'],
    ['not valid R4 (two deceased values)', JSON.stringify({ resourceType: 'Patient', deceasedBoolean: true, deceasedDateTime: '2020-01-01' }), 'application/fhir+json'],
  ];
  for (const [what, body, contentType] of INVALID) {
    test(`a body that is ${what} is refused with 400 and an OperationOutcome`, { tag: ['@PIT-VALID-001', '@PIT-ERR-001'] }, async ({ api }) => {
      const response = await api('pit', 'dpop').post('/v1/Patient', { body, contentType, raw: true });
      expect(response.status, preview(response.body, 300)).toBe(400);
      expect(response).toBeOperationOutcome({ severity: 'error' });
      expect(response).toConformToOpenApi('pit', 'submitPatient');
    });
  }

  test('a body just under the size limit is accepted; one over it is refused with an OperationOutcome', { tag: ['@PIT-SIZE-001', '@PIT-ERR-001'] }, async ({ api }, info) => {
    const pit = api('pit', 'dpop');
    const sized = (bytes: number) => {
      const p = syntheticPatient(info);
      const shell = JSON.stringify({ ...p, text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml"></div>' } });
      return { ...p, text: { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">${'x'.repeat(bytes - shell.length)}</div>` } };
    };
    const under = sized(880_000);
    expect(JSON.stringify(under).length).toBe(880_000);
    const accepted = await pit.post('/v1/Patient', { json: under });
    expect(accepted.status, `880,000 bytes were refused: ${preview(accepted.body, 200)}`).toBe(202);
    const over = await pit.post('/v1/Patient', { json: sized(1_000_000), raw: true });
    expect([413, 400], `1,000,000 bytes answered ${over.status}`).toContain(over.status);
    expect(over).toBeOperationOutcome();
  });
});
