// Specimens as a collector records them: through fhir-kit-client, each pointing at an existing
// requisition of the same patient; the requisition is completed once every expected specimen is
// in, and not before.
import type { FhirResource } from 'fhir-kit-client';
import { expect, test } from '../../fixtures/index.ts';
import { expectRuleRefusal, find, PAREK_USER, parekHeaders, post, requisition, specimen, syntheticPatientNin } from '../../fixtures/parek.ts';
import { IG_CASES, igCaseResource } from '../../fixtures/parek-ig.ts';
import { PAREK_IG, PAREK_SETTINGS } from '../../helpers/packs/parek.ts';
import { exercise } from '../../helpers/evidence/verdicts.ts';
import { OID } from '../../helpers/identifiers.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

test.describe('PaRek specimens', () => {
  test.beforeEach(({ needs }) => needs({ services: ['parek', 'ttt'], ttt: true, auth: [['parek', 'dpop']], writes: true, patientData: true }));
  const collector = { user: PAREK_USER };

  test('a standard FHIR client records a specimen for a requisition, reads it and finds it by request', { tag: ['@PAREK-SP-CREATE-001', '@PAREK-SP-READ-001', '@PAREK-SP-SEARCH-001'] }, async ({ api, fhirClient, profile }, info) => {
    const version = profile.get(PAREK_SETTINGS.apiVersion)!;
    const nin = syntheticPatientNin(info);
    const sr = (await post(api('parek', 'dpop', collector), version, 'ServiceRequest', requisition(nin, { samples: 2 }))).json<Json>();
    const fhir = fhirClient('parek', { ...collector, path: `/${version}`, headers: { accept: 'application/fhir+json' }, perRequest: parekHeaders });
    const created = (await fhir.call((c) => c.create({ resourceType: 'Specimen', body: specimen(String(sr.id), nin) as FhirResource }))) as Json;
    expect(created.id).toBeTruthy();
    expect(created).toMatchFhirProfile('parek-specimen');
    const read = (await fhir.call((c) => c.read({ resourceType: 'Specimen', id: String(created.id) }))) as Json;
    expect(read.request).toEqual([{ reference: `ServiceRequest/${String(sr.id)}` }]);
    // Another requisition of the same patient, with its own specimen: the search by request must tell them apart.
    const client = api('parek', 'dpop', collector);
    const sr2 = (await post(client, version, 'ServiceRequest', requisition(nin))).json<Json>();
    const other = (await post(client, version, 'Specimen', specimen(String(sr2.id), nin))).json<Json>();
    const found = (await fhir.call((c) => c.search({ resourceType: 'Specimen', searchParams: { request: `ServiceRequest/${String(sr.id)}` } }))) as Json;
    expect(((found.entry ?? []) as Json[]).map((e) => e.resource.id), 'the search by request').toEqual([created.id]);
    const byPatient = await find(client, version, 'Specimen', { 'patient:identifier': `${OID.fnr}|${nin}` });
    expect(byPatient.resources.map((r) => r.id).sort(), 'the search by patient').toEqual([created.id, other.id].sort());
    const byOtherPatient = await find(client, version, 'Specimen', { 'patient:identifier': `${OID.fnr}|${syntheticPatientNin(info)}` });
    expect(byOtherPatient.resources, "another patient's search found this patient's specimens").toEqual([]);
  });

  test('a specimen for an unknown requisition, or for another patient than its requisition, is refused with 422', { tag: ['@PAREK-SP-RULES-001', '@PAREK-ERR-001'] }, async ({ api, profile }, info) => {
    const version = profile.get(PAREK_SETTINGS.apiVersion)!;
    const client = api('parek', 'dpop', collector);
    const nin = syntheticPatientNin(info);
    const sr = (await post(client, version, 'ServiceRequest', requisition(nin))).json<Json>();
    const unknown = await post(client, version, 'Specimen', specimen('00000000-0000-4000-8000-000000000000', nin));
    expectRuleRefusal(unknown, 'a specimen for an unknown requisition');
    exercise('PAREK-SP-RULES-001', 'request-exists', 'refused');
    const otherPatient = await post(client, version, 'Specimen', specimen(String(sr.id), syntheticPatientNin(info)));
    expectRuleRefusal(otherPatient, "a specimen for another patient than its requisition's");
    exercise('PAREK-SP-RULES-001', 'same-patient', 'refused');
    // Positive control: the right requisition and patient.
    expect((await post(client, version, 'Specimen', specimen(String(sr.id), nin))).status).toBe(201);
    exercise('PAREK-SP-RULES-001', 'request-exists', 'accepted');
    exercise('PAREK-SP-RULES-001', 'same-patient', 'accepted');
  });

  test(`a specimen that breaks one rule of ${PAREK_IG.name} ${PAREK_IG.version} is refused with 422, for every rule`, { tag: ['@PAREK-SP-RULES-001', '@PAREK-ERR-001'] }, async ({ api, profile }, info) => {
    const version = profile.get(PAREK_SETTINGS.apiVersion)!;
    const client = api('parek', 'dpop', collector);
    const nin = syntheticPatientNin(info);
    const sr = (await post(client, version, 'ServiceRequest', requisition(nin))).json<Json>();
    const cases = IG_CASES.filter((c) => c.type === 'Specimen');
    const answers = await Promise.all(cases.map((c) => post(client, version, 'Specimen', igCaseResource(c, nin, String(sr.id)))));
    cases.forEach((c, i) => expectRuleRefusal(answers[i]!, `${c.what} (${c.rules.join(', ')})`));
    // Positive control: the same specimen, whole.
    expect((await post(client, version, 'Specimen', specimen(String(sr.id), nin))).status).toBe(201);
  });

  test('the requisition moves from active to completed once every expected specimen is recorded, not before', { tag: ['@PAREK-SR-COMPLETE-001'] }, async ({ api, profile }, info) => {
    const version = profile.get(PAREK_SETTINGS.apiVersion)!;
    const client = api('parek', 'dpop', collector);
    const nin = syntheticPatientNin(info);
    const sr = (await post(client, version, 'ServiceRequest', requisition(nin, { samples: 2 }))).json<Json>();
    const status = async () => (await client.get(`/${version}/ServiceRequest/${String(sr.id)}`, { headers: parekHeaders() })).json<Json>().status;
    expect(await status()).toBe('active');
    expect((await post(client, version, 'Specimen', specimen(String(sr.id), nin))).status).toBe(201);
    expect(await status(), 'completed after one of two expected specimens').toBe('active');
    expect((await post(client, version, 'Specimen', specimen(String(sr.id), nin))).status).toBe(201);
    expect(await status(), 'not completed after every expected specimen').toBe('completed');
  });
});
