// PTS patient-safety access restrictions: create, the validation page's rules (each negative with
// its positive control), associate-parent's derived delay, _search with ApplicableOnly and by
// parent, and the legacy routes. Test data is reset in NHN test, so every spec creates what it reads.
import { uniqueSyntheticNin } from '../../fixtures/people.ts';
import { randomUUID } from 'node:crypto';
import { expect, test, type SuiteFixtures } from '../../fixtures/index.ts';
import type { ApiClient, ApiResponse } from '../../helpers/http/api-client.ts';
import { preview } from '../../helpers/http/client.ts';
import { expectCreated, restrictionsOf } from '../../fixtures/pts.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const BASE = '/v0.5/access-restrictions/patient-safety';
const DAY = 86_400_000;
/** A synthetic person no other PTS test of this run uses. */
const person = (index: number) => uniqueSyntheticNin(700_000, 90_000, index);
const object = (type: 'Rekvisisjon' | 'Svarrapport') => ({ type, value: randomUUID() });
const restriction = (offId: string, obj: Json, fields: Json) => ({ patientSafetyObject: { person: { offId }, confidentialObjectId: obj }, ...fields });
const future = (days: number) => new Date(Date.now() + days * DAY).toISOString();

const post = (client: ApiClient, path: string, json: Json, headers: Record<string, string> = {}) => client.post(path, { json, contentType: 'application/json', headers, raw: true });

function expectProblem(response: ApiResponse, status: number, what: string): void {
  expect(response.status, `${what}: answered ${response.status} ${preview(response.body, 200)}`).toBe(status);
  expect(response).toBeProblemDetails({ mediaTypes: ['application/problem+json', 'application/json'] });
}

test.describe('PTS patient-safety restrictions', () => {
  test.beforeEach(({ needs }) => needs({ services: ['pts'], clients: ['default'], auth: [['pts', 'dpop']], writes: true, patientData: true }));
  const pts = (api: SuiteFixtures['api']) => api('pts', 'dpop');

  test('creates a restriction and finds it by the person in the body', { tag: ['@PTS-CREATE-001', '@PTS-SEARCH-001'] }, async ({ api }, info) => {
    const client = pts(api);
    const offId = person(info.parallelIndex);
    const obj = object('Rekvisisjon');
    const r = expectCreated(await post(client, BASE, restriction(offId, obj, { confidentialityCode: 'NORU', delayDays: 14 })));
    expect(r.patientSafetyObject.confidentialObjectId).toEqual(obj);
    expect(r.confidentialityCode).toBe('NORU');
    expect(r.delayDays).toBe(14);
    expect(r.cause).toBe('Manual');
    expect(r.createdTime).toBeTruthy();
    const found = restrictionsOf(await post(client, `${BASE}/_search`, { offId }));
    expect(found.map((x) => x.patientSafetyObject.confidentialObjectId.value)).toEqual([obj.value]);
    const other = restrictionsOf(await post(client, `${BASE}/_search`, { offId: person(info.parallelIndex) }));
    expect(other, "another person's search found this restriction").toEqual([]);
  });

  test('only one of delayDeliveryUntil, delayDays and delayFromTime', { tag: ['@PTS-VALID-001', '@PTS-ERR-001'] }, async ({ api }, info) => {
    const client = pts(api);
    const offId = person(info.parallelIndex);
    expectProblem(await post(client, BASE, restriction(offId, object('Rekvisisjon'), { confidentialityCode: 'NORU', delayDays: 7, delayDeliveryUntil: future(7) })), 400, 'delayDays with delayDeliveryUntil');
    expectProblem(await post(client, BASE, restriction(offId, object('Rekvisisjon'), { confidentialityCode: 'NORU', delayDeliveryUntil: future(7), delayFromTime: new Date().toISOString() })), 400, 'delayDeliveryUntil with delayFromTime');
    expectCreated(await post(client, BASE, restriction(offId, object('Rekvisisjon'), { confidentialityCode: 'NORU', delayDeliveryUntil: future(7) })), 'positive control: one delay');
  });

  test('code N takes no delay', { tag: ['@PTS-VALID-002', '@PTS-ERR-001'] }, async ({ api }, info) => {
    const client = pts(api);
    const offId = person(info.parallelIndex);
    expectProblem(await post(client, BASE, restriction(offId, object('Svarrapport'), { confidentialityCode: 'N', delayDeliveryUntil: future(3) })), 400, 'N with a delay');
    const ok = expectCreated(await post(client, BASE, restriction(offId, object('Svarrapport'), { confidentialityCode: 'N' })), 'positive control: N without a delay');
    expect(ok.delayDeliveryUntil ?? null).toBeNull();
  });

  test('a NORN_* code takes no delay, and PTS sets the delay to year 9999', { tag: ['@PTS-VALID-003', '@PTS-ERR-001'] }, async ({ api }, info) => {
    const client = pts(api);
    const offId = person(info.parallelIndex);
    expectProblem(await post(client, BASE, restriction(offId, object('Rekvisisjon'), { confidentialityCode: 'NORN_FFL', delayDays: 5 })), 400, 'NORN_FFL with delayDays');
    expectProblem(await post(client, BASE, restriction(offId, object('Svarrapport'), { confidentialityCode: 'NORN_ALL', delayDeliveryUntil: future(5) })), 400, 'NORN_ALL with delayDeliveryUntil');
    const ok = expectCreated(await post(client, BASE, restriction(offId, object('Svarrapport'), { confidentialityCode: 'NORN_KUT' })), 'positive control: NORN_KUT without a delay');
    expect(String(ok.delayDeliveryUntil), 'the maximum date').toMatch(/^9999-12-31/);
  });

  test('any other code needs a future delay', { tag: ['@PTS-VALID-004', '@PTS-ERR-001'] }, async ({ api }, info) => {
    const client = pts(api);
    const offId = person(info.parallelIndex);
    expectProblem(await post(client, BASE, restriction(offId, object('Svarrapport'), { confidentialityCode: 'NORU' })), 400, 'NORU without a delay');
    expectProblem(await post(client, BASE, restriction(offId, object('Svarrapport'), { confidentialityCode: 'NORU', delayDeliveryUntil: future(-1) })), 400, 'NORU with a past delay');
    expectCreated(await post(client, BASE, restriction(offId, object('Svarrapport'), { confidentialityCode: 'NORU', delayDeliveryUntil: future(1) })), 'positive control: a future delay');
  });

  test('delayDays only for a Rekvisisjon', { tag: ['@PTS-VALID-005', '@PTS-ERR-001'] }, async ({ api }, info) => {
    const client = pts(api);
    const offId = person(info.parallelIndex);
    expectProblem(await post(client, BASE, restriction(offId, object('Svarrapport'), { confidentialityCode: 'NORU', delayDays: 10 })), 400, 'delayDays for a Svarrapport');
    expectCreated(await post(client, BASE, restriction(offId, object('Rekvisisjon'), { confidentialityCode: 'NORU', delayDays: 10 })), 'positive control: delayDays for a Rekvisisjon');
  });

  test("associate-parent derives the result report's delay from its requisition, with cause Derived; the children are found by the parent", { tag: ['@PTS-ASSOC-001', '@PTS-SEARCH-001'] }, async ({ api }, info) => {
    const client = pts(api);
    const offId = person(info.parallelIndex);
    const parent = object('Rekvisisjon');
    expectCreated(await post(client, BASE, restriction(offId, parent, { confidentialityCode: 'NORU', delayDays: 14 })));
    const from = new Date(Date.now() + 2 * DAY);
    const child = object('Svarrapport');
    const r = expectCreated(await post(client, `${BASE}/associate-parent`, { patientSafetyObject: { person: { offId }, confidentialObjectId: child }, parentConfidentialObjectId: parent, delayFromTime: from.toISOString() }), 'associate-parent');
    expect(Date.parse(r.delayDeliveryUntil), 'delayDeliveryUntil is delayFromTime plus the parent\'s 14 days').toBe(from.getTime() + 14 * DAY);
    expect(r.cause).toBe('Derived');
    const children = restrictionsOf(await post(client, `${BASE}/_search`, { offId, parentConfidentialObjectId: parent }));
    expect(children.map((x) => x.patientSafetyObject.confidentialObjectId.value)).toEqual([child.value]);
    const associate = (fields: Json) => post(client, `${BASE}/associate-parent`, { patientSafetyObject: { person: { offId }, confidentialObjectId: object('Svarrapport') }, parentConfidentialObjectId: parent, delayFromTime: from.toISOString(), ...fields });
    expectProblem(await associate({ parentConfidentialObjectId: object('Rekvisisjon') }), 404, 'an unknown parent');
    expectProblem(await associate({ patientSafetyObject: { person: { offId }, confidentialObjectId: object('Rekvisisjon') } }), 400, 'a Rekvisisjon as the child');
    expectProblem(await associate({ delayFromTime: undefined }), 400, 'no delayFromTime');
  });

  test('ApplicableOnly drops restrictions whose delay has passed', { tag: ['@PTS-SEARCH-001'] }, async ({ api }, info) => {
    const client = pts(api);
    const offId = person(info.parallelIndex);
    const parent = object('Rekvisisjon');
    expectCreated(await post(client, BASE, restriction(offId, parent, { confidentialityCode: 'NORU', delayDays: 1 })));
    // A child whose derived delay has passed (from three days ago plus one day), and one still running.
    const past = object('Svarrapport');
    const running = object('Svarrapport');
    for (const [child, fromDays] of [[past, -3], [running, 0]] as const) {
      expectCreated(await post(client, `${BASE}/associate-parent`, { patientSafetyObject: { person: { offId }, confidentialObjectId: child }, parentConfidentialObjectId: parent, delayFromTime: new Date(Date.now() + fromDays * DAY).toISOString() }), 'associate-parent');
    }
    const ids = async (body: Json) => restrictionsOf(await post(client, `${BASE}/_search`, body)).map((x) => x.patientSafetyObject.confidentialObjectId.value).sort();
    expect(await ids({ offId }), 'without ApplicableOnly everything').toEqual([parent.value, past.value, running.value].sort());
    expect(await ids({ offId, ApplicableOnly: true }), 'with ApplicableOnly the passed delay is gone').toEqual([parent.value, running.value].sort());
  });

  test('the unversioned routes take api-version 0.3 or 0.4, and refuse a call without it', { tag: ['@PTS-LEGACY-001', '@PTS-ERR-001'] }, async ({ api }, info) => {
    const client = pts(api);
    const offId = person(info.parallelIndex);
    const obj = object('Svarrapport');
    expectProblem(await post(client, '/access-restrictions/patient-safety', restriction(offId, obj, { confidentialityCode: 'N' })), 400, 'no api-version');
    expectCreated(await post(client, '/access-restrictions/patient-safety', restriction(offId, obj, { confidentialityCode: 'N' }), { 'api-version': '0.4' }), 'positive control: api-version 0.4');
    const found = restrictionsOf(await post(client, '/access-restrictions/patient-safety/_search', { offId }, { 'api-version': '0.3' }));
    expect(found.map((x) => x.patientSafetyObject.confidentialObjectId.value)).toEqual([obj.value]);
  });
});
