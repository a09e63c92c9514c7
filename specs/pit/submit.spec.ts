// PIT submission: 202 and asynchronous processing, validation, and the size limit.
import { measure, observe } from '../../helpers/evidence/verdicts.ts';
import { PIT_SETTINGS } from '../../helpers/packs/pit.ts';
import { expect, test } from '../../fixtures/index.ts';
import { minuteFloor, ninCounts, ninOf, syntheticPatient, traverse, waitUntil } from '../../fixtures/pit.ts';
import { preview } from '../../helpers/http/client.ts';

test.describe('PIT submission', () => {
  // Independent cases that mostly wait on PIT's queue: they may spread over workers even where a
  // run keeps a file's tests together (the kill and tolerance matrices).
  test.describe.configure({ mode: 'parallel' });
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

  test('a body that is not JSON is refused with 400 and an OperationOutcome', { tag: ['@PIT-VALID-001', '@PIT-ERR-001'] }, async ({ api }) => {
    const response = await api('pit', 'dpop').post('/v1/Patient', { body: '{"resourceType": "Patient", "name": [', contentType: 'application/fhir+json', raw: true });
    expect(response.status, preview(response.body, 300)).toBe(400);
    expect(response).toBeOperationOutcome({ severity: 'error' });
    expect(response).toConformToOpenApi('pit', 'submitPatient');
  });

  // Each carries a synthetic patient's number, so that a PIT that validates in its queue can be seen never to store it.
  const INVALID: Array<[string, (identifier: object) => object]> = [
    ['not a Patient', (identifier) => ({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, identifier: [identifier] })],
    ['not valid R4 (unknown element)', (identifier) => ({ resourceType: 'Patient', identifier: [identifier], birthdate: '1980-01-01' })],
    ['not valid R4 (gender outside the code set)', (identifier) => ({ resourceType: 'Patient', identifier: [identifier], gender: 'kvinne' })],
    ['not valid R4 (two deceased values)', (identifier) => ({ resourceType: 'Patient', identifier: [identifier], deceasedBoolean: true, deceasedDateTime: '2020-01-01' })],
  ];
  for (const [what, make] of INVALID) {
    test(`a body that is ${what} is refused with 400 and an OperationOutcome, or accepted and never stored`, { tag: ['@PIT-VALID-001', '@PIT-ERR-001', '@slow'] }, async ({ api, profile }, info) => {
      const pit = api('pit', 'dpop');
      const since = minuteFloor(Date.now() - 60_000);
      const marker = syntheticPatient(info).identifier[0]!;
      const response = await pit.post('/v1/Patient', { json: make(marker), raw: true });
      expect(response).toConformToOpenApi('pit', 'submitPatient');
      // Refusing at once is the twin's reading; PIT's page says only that processing is asynchronous.
      observe({ point: 'pit.async-validation', variant: response.status === 400 ? 'base' : 'pit-async-validation', expected: `400 for a body that is ${what}`, seen: `${response.status}` });
      if (response.status === 400) {
        expect(response).toBeOperationOutcome({ severity: 'error' });
        return;
      }
      expect(response.status, preview(response.body, 300)).toBe(202);
      // Accepted: it must never appear, within the bound a valid Patient is given to appear.
      await new Promise((r) => setTimeout(r, profile.get(PIT_SETTINGS.asyncLimitMs)));
      const stored = ninCounts((await traverse(pit, { _lastUpdated: `ge${since}`, _count: '50' })).rows);
      expect(stored.has(String(marker.value)), `a body that is ${what} was stored`).toBe(false);
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
