// Who may call PaRek, host by host. The DPoP host wants a correlation id and a health
// professional logged in at level 4 (the client claims, pid, HPR number, security level). The
// backdoor (test only, never evidence) takes identity from headers and wants a requester. The
// resident host serves a citizen their own requisitions and nobody else's.
import { randomUUID } from 'node:crypto';
import { expect, test } from '../../fixtures/index.ts';
import { expectOperationOutcome } from '../../fixtures/expectations.ts';
import { testToken } from '../../fixtures/ttt.ts';
import { PAREK_USER, parekHeaders, post, requisition, specimen, syntheticPatientNin } from '../../fixtures/parek.ts';
import { PAREK_SETTINGS } from '../../helpers/packs/parek.ts';
import { TEST_IDP_PERSONS } from '../../helpers/packs/helseid.ts';
import { IDENTITY_SCOPES, LOGIN_SCOPES } from '../../helpers/protocol.ts';
import { backdoorHeaders } from '../../helpers/auth/backdoor.ts';
import { BACKDOOR } from '../../helpers/evidence/verdicts.ts';
import { OID, syntheticHprNumber, syntheticOrgnr } from '../../helpers/identifiers.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

test.describe('PaRek DPoP host: correlation id and user', () => {
  test.beforeEach(({ needs }) => needs({ services: ['parek', 'ttt'], ttt: true, auth: [['parek', 'dpop']], patientData: true }));

  test('a call without nhn-event-id is refused with 400', { tag: ['@PAREK-AUTH-001', '@PAREK-ERR-001'] }, async ({ api, profile }) => {
    const client = api('parek', 'dpop', { user: PAREK_USER });
    const path = `/${profile.get(PAREK_SETTINGS.apiVersion)!}/ServiceRequest`;
    expectOperationOutcome(await client.get(path, { headers: { 'nhn-source-system': 'suite' }, raw: true }), 400);
    // Positive control: with the correlation id, and without the optional nhn-source-system.
    expect((await client.get(path, { headers: { 'nhn-event-id': randomUUID() } })).status).toBe(200);
  });

  test('a machine token and a user at security level 3 are refused with 403', { tag: ['@PAREK-AUTH-002', '@PAREK-ERR-001'] }, async ({ api, profile, needs }) => {
    needs({ clients: ['default'] });
    const path = `/${profile.get(PAREK_SETTINGS.apiVersion)!}/ServiceRequest`;
    expectOperationOutcome(await api('parek', 'dpop').get(path, { headers: parekHeaders(), raw: true }), 403);
    expectOperationOutcome(await api('parek', 'dpop', { user: { ...PAREK_USER, securityLevel: '3' } }).get(path, { headers: parekHeaders(), raw: true }), 403);
    // Positive control: the same user at level 4.
    expect((await api('parek', 'dpop', { user: PAREK_USER }).get(path, { headers: parekHeaders() })).status).toBe(200);
  });

  test('a logged-in user without a pid, or who is no health professional (no HPR number), is refused with 403', { tag: ['@PAREK-AUTH-002'] }, async ({ api, profile, needs }) => {
    needs({ clients: ['default'], login: ['physician', 'citizen'] });
    const path = `/${profile.get(PAREK_SETTINGS.apiVersion)!}/ServiceRequest`;
    const withoutPid = LOGIN_SCOPES.filter((s) => s !== IDENTITY_SCOPES.pid);
    const noPid = api('parek', 'dpop', { login: { loginHint: TEST_IDP_PERSONS.physician.pid, identityScopes: withoutPid } });
    expectOperationOutcome(await noPid.get(path, { headers: parekHeaders(), raw: true }), 403);
    const noHpr = api('parek', 'dpop', { login: { loginHint: TEST_IDP_PERSONS.citizen.pid } });
    expectOperationOutcome(await noHpr.get(path, { headers: parekHeaders(), raw: true }), 403);
    // Positive control: the physician with every identity scope.
    expect((await api('parek', 'dpop', { login: { loginHint: TEST_IDP_PERSONS.physician.pid } }).get(path, { headers: parekHeaders() })).status).toBe(200);
  });
});

test.describe('PaRek backdoor host', () => {
  test.beforeEach(({ needs }) => needs({ services: ['parekBackdoor'], auth: [['parekBackdoor', 'backdoor']], writes: true, patientData: true }));

  test('takes identity from its headers, and refuses a request that names no requester', { tag: ['@PAREK-BACKDOOR-001', '@PAREK-ERR-001'] }, async ({ api, profile }, info) => {
    const version = profile.get(PAREK_SETTINGS.apiVersion)!;
    const identity = { organisation: syntheticOrgnr(61), requesterHpr: syntheticHprNumber(61) };
    const client = api('parekBackdoor', 'backdoor', { backdoor: identity });
    const created = await post(client, version, 'ServiceRequest', requisition(syntheticPatientNin(info)));
    expect(created.status).toBe(201);
    expect(info.annotations.map((a) => a.type), 'a backdoor result is not labelled as such (it must never count as evidence)').toContain(BACKDOOR);
    const { ['X-Nilar-Requester-Hpr']: _hpr, ...anonymous } = backdoorHeaders(identity);
    const refused = await api('parekBackdoor', 'none').get(`/${version}/ServiceRequest/${String(created.json<Json>().id)}`, { headers: anonymous, raw: true });
    expectOperationOutcome(refused, 401);
    // Positive control: the same read, naming the requester.
    expect((await client.get(`/${version}/ServiceRequest/${String(created.json<Json>().id)}`, { headers: parekHeaders() })).status).toBe(200);
  });
});

test.describe('PaRek resident host', () => {
  test.beforeEach(({ needs }) => needs({ services: ['parekResident', 'parek', 'ttt'], ttt: true, auth: [['parekResident', 'bearer'], ['parek', 'dpop']], writes: true, patientData: true }));

  test("a citizen reads their own requisitions and nobody else's, and cannot write", { tag: ['@PAREK-RESIDENT-001'] }, async ({ api, profile, http }, info) => {
    const version = profile.get(PAREK_SETTINGS.apiVersion)!;
    const [me, other] = [syntheticPatientNin(info), syntheticPatientNin(info)];
    const professional = api('parek', 'dpop', { user: PAREK_USER });
    const mine = (await post(professional, version, 'ServiceRequest', requisition(me))).json<Json>();
    const theirs = (await post(professional, version, 'ServiceRequest', requisition(other))).json<Json>();
    const token = await testToken(http, profile, { audience: 'nhn:parek', clientClaimsParameters: { scope: ['nhn:parek/rekvisisjon'] }, userClaimsParameters: { pid: me, securityLevel: '4' } });
    const citizen = api('parekResident', 'none');
    const as = { authorization: `Bearer ${token}` };
    const read = (id: string) => citizen.get(`/${version}/ServiceRequest/${id}`, { ...as, headers: parekHeaders(), raw: true });
    expect((await read(String(mine.id))).status, 'the citizen cannot read their own requisition').toBe(200);
    expectOperationOutcome(await read(String(theirs.id)), 404);
    const all = await citizen.get(`/${version}/ServiceRequest`, { ...as, headers: parekHeaders(), query: { 'patient:identifier': `${OID.fnr}|${other}` } });
    expect(((all.json<Json>().entry ?? []) as Json[]).length, "a search for another citizen's requisitions found some").toBe(0);
    const everything = await citizen.get(`/${version}/ServiceRequest`, { ...as, headers: parekHeaders(), query: { _count: '100' } });
    const ids = ((everything.json<Json>().entry ?? []) as Json[]).map((e) => e.resource.id);
    expect(ids, 'the citizen does not find their own requisition').toContain(mine.id);
    expect(ids, "the citizen finds another citizen's requisition").not.toContain(theirs.id);
    // Specimens too: the citizen's own, not another's.
    const mySpecimen = (await post(professional, version, 'Specimen', specimen(String(mine.id), me))).json<Json>();
    const theirSpecimen = (await post(professional, version, 'Specimen', specimen(String(theirs.id), other))).json<Json>();
    const readSpecimen = (id: string) => citizen.get(`/${version}/Specimen/${id}`, { ...as, headers: parekHeaders(), raw: true });
    expect((await readSpecimen(String(mySpecimen.id))).status, 'the citizen cannot read their own specimen').toBe(200);
    expectOperationOutcome(await readSpecimen(String(theirSpecimen.id)), 404);
    const specimens = await citizen.get(`/${version}/Specimen`, { ...as, headers: parekHeaders(), query: { request: `ServiceRequest/${String(theirs.id)}` } });
    expect(((specimens.json<Json>().entry ?? []) as Json[]).length, "a search found another citizen's specimen").toBe(0);
    const write = await citizen.post(`/${version}/ServiceRequest`, { ...as, json: requisition(me), headers: parekHeaders(), raw: true });
    expectOperationOutcome(write, 403);
  });
});
