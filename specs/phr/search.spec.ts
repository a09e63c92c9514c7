// ITI-67 as NHN runs it: the required parameters and headers, POST only, and a searchset Bundle
// that is valid R4, ITI-67 and MHD, whose every entry really matches the query.
import { expectOperationOutcome } from '../../fixtures/expectations.ts';
import { expect, test, type SuiteFixtures } from '../../fixtures/index.ts';
import { documentReferences, FHIR_ACCEPT, LINE_DANSER, mismatches, PHR, PHR_USER, search, searchForm, SOURCE_SYSTEM } from '../../fixtures/phr.ts';

test.describe('PHR ITI-67 Find Document References', () => {
  test.beforeEach(({ needs }) => needs({ services: ['phr', 'ttt'], ttt: true, auth: [['phr', 'dpop']], patientData: true }));
  const reader = (api: SuiteFixtures['api']) => api('phr', 'dpop', { scopes: [PHR.section45], user: PHR_USER });

  test('a search for a test patient answers a searchset Bundle valid against R4, ITI-67 and MHD, each entry matching the query', { tag: ['@PHR-ITI67-001', '@PHR-ITI67-004'] }, async ({ api }) => {
    const form = searchForm(LINE_DANSER);
    const response = await search(reader(api), form);
    expect(response.status).toBe(200);
    expect(response.header('content-type')).toMatch(/^application\/fhir\+json/);
    expect(response).toConformToOpenApi('phr', 'findDocumentReferences');
    const bundle = response.json<Record<string, unknown>>();
    expect(bundle).toMatchFhirProfile('iti67-bundle');
    const docs = documentReferences(response);
    expect(docs.length, 'Line Danser has current documents').toBeGreaterThan(0);
    for (const d of docs) expect(mismatches(d, form), `${String(d.id)} does not match the query`).toEqual([]);
  });

  test('a search with no match answers 200 and an empty searchset', { tag: ['@PHR-ITI67-001'] }, async ({ api }) => {
    const response = await search(reader(api), searchForm(LINE_DANSER, { date: 'lt1900-01-01' }));
    expect(response.status).toBe(200);
    // Bundle.total is optional in FHIR; where it is given it is 0.
    const body = response.json<{ total?: number; entry?: unknown[] }>();
    expect(body.entry ?? []).toEqual([]);
    if (body.total !== undefined) expect(body.total).toBe(0);
    expect(documentReferences(response)).toEqual([]);
  });

  for (const [what, form, omit] of [
    ['without patient.identifier', { status: 'current' }, []],
    ['without status', { 'patient.identifier': `urn:oid:2.16.578.1.12.4.1.4.1|${LINE_DANSER}` }, []],
    ['without the nhn-source-system header', searchForm(LINE_DANSER), ['nhn-source-system']],
  ] as const) {
    test(`a search ${what} is refused with 400 and an OperationOutcome`, { tag: ['@PHR-ITI67-003', '@PHR-ERR-001'] }, async ({ api }) => {
      const response = await search(reader(api), { ...form }, { omit: [...omit], raw: true });
      expectOperationOutcome(response, 400);
    });
  }

  test('a search asking for anything but FHIR JSON is refused with 406 and an OperationOutcome', { tag: ['@PHR-ITI67-003', '@PHR-ERR-001'] }, async ({ api }) => {
    const response = await search(reader(api), searchForm(LINE_DANSER), { headers: { accept: 'application/xml' }, raw: true });
    expectOperationOutcome(response, 406);
  });

  test('positive control: the same search with every required parameter and header answers 200', { tag: ['@PHR-ITI67-003'] }, async ({ api }) => {
    const response = await search(reader(api), searchForm(LINE_DANSER), { headers: { accept: FHIR_ACCEPT, 'nhn-source-system': SOURCE_SYSTEM } });
    expect(response.status).toBe(200);
  });

  test('a GET search is refused with 405 and an OperationOutcome', { tag: ['@PHR-ITI67-002', '@PHR-ERR-001'] }, async ({ api }) => {
    const response = await reader(api).get('/R4/fhir/DocumentReference', { query: { 'patient.identifier': `urn:oid:2.16.578.1.12.4.1.4.1|${LINE_DANSER}`, status: 'current' }, headers: { accept: FHIR_ACCEPT, 'nhn-source-system': SOURCE_SYSTEM }, raw: true });
    expectOperationOutcome(response, 405);
  });
});
