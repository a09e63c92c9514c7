// Requisitions (ServiceRequest) on PaRek's DPoP host, as a requester's system uses them: the
// positive flow through fhir-kit-client with a DPoP-signing requestSigner, idempotency by the
// RequesterDefinedUuid, the guide's rules refused with 422, and searches whose every answer is
// checked against the query.
import { expect, test } from '../../fixtures/index.ts';
import { expectOperationOutcome } from '../../fixtures/expectations.ts';
import { expectRuleRefusal, find, PAREK_USER, parekHeaders, post, requisition, syntheticPatientNin, uuidOf } from '../../fixtures/parek.ts';
import { observe } from '../../helpers/evidence/verdicts.ts';
import { IG_CASES, igCaseResource, POSITIVE_SPACE } from '../../fixtures/parek-ig.ts';
import { PAREK_IG, PAREK_SETTINGS } from '../../helpers/packs/parek.ts';
import { OID } from '../../helpers/identifiers.ts';
import type { FhirResource } from 'fhir-kit-client';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

test.describe('PaRek requisitions', () => {
  test.beforeEach(({ needs }) => needs({ services: ['parek', 'ttt'], ttt: true, auth: [['parek', 'dpop']], writes: true, patientData: true }));
  const requester = { user: PAREK_USER };

  test('a standard FHIR client creates a requisition, reads it back and finds it', { tag: ['@PAREK-SR-CREATE-001', '@PAREK-SR-READ-001', '@PAREK-SR-SEARCH-001'] }, async ({ fhirClient, profile }, info) => {
    const version = profile.get(PAREK_SETTINGS.apiVersion)!;
    const fhir = fhirClient('parek', { ...requester, path: `/${version}`, headers: { accept: 'application/fhir+json' }, perRequest: parekHeaders });
    const nin = syntheticPatientNin(info);
    const sr = requisition(nin);
    const created = (await fhir.call((c) => c.create({ resourceType: 'ServiceRequest', body: sr as FhirResource }))) as Json;
    expect(created.id, 'the created requisition has no id').toBeTruthy();
    expect(created).toMatchFhirProfile('parek-service-request');
    expect(uuidOf(created)).toBe(uuidOf(sr));
    expect(created.status).toBe('active');

    const read = (await fhir.call((c) => c.read({ resourceType: 'ServiceRequest', id: String(created.id) }))) as Json;
    expect(read).toMatchFhirProfile('parek-service-request');
    expect(read.id).toBe(created.id);
    expect(read.subject).toEqual(sr.subject);

    const found = (await fhir.call((c) => c.search({ resourceType: 'ServiceRequest', searchParams: { 'patient:identifier': `${OID.fnr}|${nin}`, status: 'active' } }))) as Json;
    expect(found.type).toBe('searchset');
    expect(((found.entry ?? []) as Json[]).map((e) => e.resource.id)).toEqual([created.id]);
    // Bundle.total is optional in FHIR; where it is given it agrees.
    if (found.total !== undefined) expect(found.total).toBe(1);
  });

  test('a second create with the same RequesterDefinedUuid creates nothing and answers the first requisition', { tag: ['@PAREK-SR-IDEM-001'] }, async ({ api, profile }, info) => {
    const version = profile.get(PAREK_SETTINGS.apiVersion)!;
    const client = api('parek', 'dpop', requester);
    const sr = requisition(syntheticPatientNin(info));
    const first = await post(client, version, 'ServiceRequest', sr);
    expect(first.status).toBe(201);
    const id = first.json<Json>().id;
    const again = await post(client, version, 'ServiceRequest', sr);
    // The documented rule: no duplicate. How the repeat is answered is not documented: FHIR's
    // conditional create answers 200 with the existing requisition (the twin's reading).
    const existing = again.status < 300 && again.json<Json>().id === id && (again.header('location') ?? '').includes(`/ServiceRequest/${id}`);
    if (again.status < 300) expect(again.json<Json>().id, 'the repeat answers another requisition: a duplicate').toBe(id);
    observe({
      point: 'parek.repeat-create',
      variant: existing && again.status === 200 ? 'base' : existing && again.status === 201 ? 'parek-repeat-create-201' : 'other',
      expected: '200 with the existing requisition and its Location',
      seen: `${again.status}${again.status < 300 ? (existing ? ' with the existing requisition and its Location' : ' without the existing requisition\'s Location') : ''}`,
    });
    const { resources } = await find(client, version, 'ServiceRequest', { identifier: `${sr.identifier[0].system}|${uuidOf(sr)}` });
    expect(resources.map((r) => r.id), 'a duplicate requisition was stored').toEqual([id]);
  });

  test(`a requisition that breaks one rule of ${PAREK_IG.name} ${PAREK_IG.version} is refused with 422 and an OperationOutcome, for every rule`, { tag: ['@PAREK-SR-RULES-001', '@PAREK-ERR-001'] }, async ({ api, profile }, info) => {
    const version = profile.get(PAREK_SETTINGS.apiVersion)!;
    const client = api('parek', 'dpop', requester);
    const nin = syntheticPatientNin(info);
    const cases = IG_CASES.filter((c) => c.type === 'ServiceRequest');
    const answers = await Promise.all(cases.map((c) => post(client, version, 'ServiceRequest', igCaseResource(c, nin, ''))));
    cases.forEach((c, i) => expectRuleRefusal(answers[i]!, `${c.what} (${c.rules.join(', ')})`));
    // Positive control: the same requisition, whole.
    expect((await post(client, version, 'ServiceRequest', requisition(nin))).status).toBe(201);
  });

  test(`requisitions and specimens over what ${PAREK_IG.name} ${PAREK_IG.version} allows are stored and conform`, { tag: ['@PAREK-SR-CREATE-001', '@PAREK-SP-CREATE-001'] }, async ({ api, profile }, info) => {
    const version = profile.get(PAREK_SETTINGS.apiVersion)!;
    const client = api('parek', 'dpop', requester);
    const nin = syntheticPatientNin(info);
    for (const c of POSITIVE_SPACE) {
      await test.step(c.what, async () => {
        const patient = c.requisition ? String(c.requisition(nin).subject.identifier.value) : nin;
        const sent = (c.requisition ?? requisition)(nin);
        const sr = await post(client, version, 'ServiceRequest', sent);
        expect(sr.status, `${c.what}: the requisition was answered ${sr.status}`).toBe(201);
        expect(sr.json<Json>()).toMatchFhirProfile('parek-service-request');
        if (!c.specimen) return;
        const sp = await post(client, version, 'Specimen', c.specimen(String(sr.json<Json>().id), patient));
        expect(sp.status, `${c.what}: the specimen was answered ${sp.status}`).toBe(201);
        expect(sp.json<Json>()).toMatchFhirProfile('parek-specimen');
      });
    }
  });

  test('searches return exactly the requisitions that match: patient, identifier and status', { tag: ['@PAREK-SR-SEARCH-001'] }, async ({ api, profile }, info) => {
    const version = profile.get(PAREK_SETTINGS.apiVersion)!;
    const client = api('parek', 'dpop', requester);
    const [a, b] = [syntheticPatientNin(info), syntheticPatientNin(info)];
    const made: Json[] = [];
    for (const nin of [a, a, b]) made.push((await post(client, version, 'ServiceRequest', requisition(nin))).json<Json>());
    const byPatient = await find(client, version, 'ServiceRequest', { 'patient:identifier': `${OID.fnr}|${a}` });
    expect(byPatient.resources.map((r) => r.id).sort()).toEqual([made[0]!.id, made[1]!.id].sort());
    for (const r of byPatient.resources) expect(r.subject.identifier.value).toBe(a);
    const bySubject = await find(client, version, 'ServiceRequest', { 'subject:identifier': `${OID.fnr}|${b}` });
    expect(bySubject.resources.map((r) => r.id)).toEqual([made[2]!.id]);
    const byIdentifier = await find(client, version, 'ServiceRequest', { identifier: uuidOf(made[1]!) });
    expect(byIdentifier.resources.map((r) => r.id)).toEqual([made[1]!.id]);
    const completed = await find(client, version, 'ServiceRequest', { 'patient:identifier': `${OID.fnr}|${a}`, status: 'completed' });
    expect(completed.resources, 'active requisitions were found by status=completed').toEqual([]);
    const total = byPatient.response.json<Json>().total;
    if (total !== undefined) expect(total).toBe(2);
    // An unknown parameter: refused (the twin's reading), or ignored as FHIR's lenient default
    // allows, and then the answer is the search without it. Anything else is wrong.
    const unknown = await client.get(`/${version}/ServiceRequest`, { query: { 'patient:identifier': `${OID.fnr}|${a}`, colour: 'blue' }, headers: parekHeaders(), raw: true });
    if (unknown.status === 200) {
      expect(((unknown.json<Json>().entry ?? []) as Json[]).map((e) => e.resource.id).sort(), 'an ignored unknown parameter changed the answer').toEqual(byPatient.resources.map((r) => r.id).sort());
    } else {
      expectOperationOutcome(unknown, 400);
    }
    observe({ point: 'parek.unknown-search-param', variant: unknown.status === 200 ? 'parek-unknown-search-param-ignored' : 'base', expected: '400 for an unknown search parameter', seen: `${unknown.status}` });
  });
});
