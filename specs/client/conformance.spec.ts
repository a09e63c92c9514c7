// Client-conformance mode, proven both ways: a good client built from the suite's helpers passes
// every CLIENT-* requirement it exercises, and each deliberately wrong client fails with exactly
// the requirement it breaks (the kill matrix of this side). The twin here is one of its own with
// the judge on; each test is a fresh judging session.
import { test as base, expect } from '../../fixtures/index.ts';
import { startJudgedTwin, type JudgedTwin } from '../../fixtures/client-judge.ts';
import { minuteFloor, nextPath, readPage, syntheticPatient, waitUntil } from '../../fixtures/pit.ts';
import { LINE_DANSER, PHR, PHR_USER, search, searchForm } from '../../fixtures/phr.ts';
import { createClientAssertion } from '../../helpers/auth/client-assertion.ts';
import { createDpopProof } from '../../helpers/auth/dpop.ts';
import { importSigningKey } from '../../helpers/auth/keys.ts';
import { send } from '../../helpers/http/client.ts';
import { syntheticNin, withControlDigits } from '../../helpers/identifiers.ts';
import type { ClientRule } from '../../sandbox/clients/judge.ts';
import { PAREK_SETTINGS } from '../../helpers/packs/parek.ts';

const test = base.extend<{ judged: JudgedTwin }>({
  // A twin of its own per worker, started by the first test that needs it (the shared workerOnce,
  // so that these tests run in the ordinary workers, not in one started after all the others).
  judged: async ({ workerOnce, needs }, use, info) => {
    needs({ twin: true });
    const judged = await workerOnce('judged-twin', () => startJudgedTwin(info), (j) => j.twin.close());
    judged.judge.reset();
    await use(judged);
  },
});

// One worker, in order: the tests share a twin of their own and take turns at its judge.
test.describe.configure({ mode: 'default' });

const PIT_SCOPES = ['nhn:pit/api.read', 'nhn:pit/api.write'];

/** A Norwegian identity number with valid control digits and an ordinary birth date: a real-looking one. */
function realLookingNin(): string {
  for (let i = 100; ; i++) {
    const nin = withControlDigits(`010170${i}`);
    if (nin) return nin;
  }
}

async function expectOnly(judged: JudgedTwin, rule: ClientRule): Promise<void> {
  const report = await judged.report();
  const failed = report.requirements.filter((r) => r.verdict === 'failed');
  expect(failed.map((r) => r.id), JSON.stringify(failed.map((r) => r.violations[0]?.detail))).toEqual([rule]);
}

test('a good client built from the suite passes every requirement it exercises @CLIENT-DPOP-001 @CLIENT-DPOP-002 @CLIENT-DPOP-003 @CLIENT-DPOP-004 @CLIENT-ASSERT-001 @CLIENT-NONCE-001 @CLIENT-HDR-001 @CLIENT-HDR-002 @CLIENT-NIN-001 @CLIENT-PIT-001 @CLIENT-PIT-002 @CLIENT-PIT-003 @CLIENT-PHR-001 @CLIENT-SYNTH-001', async ({ judged }) => {
  const pit = judged.api('pit', { scopes: PIT_SCOPES });
  const since = minuteFloor(Date.now());
  for (let i = 0; i < 3; i++) expect((await pit.post('/v1/Patient', { json: syntheticPatient(test.info()) })).status).toBe(202);
  let next: string | undefined;
  await waitUntil('the patients are searchable with a next link', async () => {
    next = readPage(await pit.get('/v1/Patient', { query: { _lastUpdated: `ge${since}`, _count: '1' } })).next;
    return next !== undefined;
  }, { timeoutMs: 10_000 });
  expect((await pit.get(nextPath(pit, next!))).status).toBe(200);

  const phr = judged.api('phr', { scopes: [PHR.kjernejournal], user: PHR_USER });
  expect((await search(phr, searchForm(LINE_DANSER), { headers: { 'nhn-access-basis': 'AKUTT' } })).status).toBe(200);

  const report = await judged.report();
  expect(report.requirements.filter((r) => r.verdict === 'failed').map((r) => `${r.id}: ${r.violations[0]?.detail}`)).toEqual([]);
  expect(report.requirements.filter((r) => r.verdict === 'not exercised').map((r) => r.id)).toEqual([]);
});

test.describe('each deliberately wrong client fails with the requirement it breaks', () => {
  test('a proof reused (the same jti twice) @CLIENT-DPOP-001', async ({ judged }) => {
    const pit = judged.api('pit', { scopes: PIT_SCOPES });
    await pit.get('/v1/Patient', { query: { _count: '5' }, proof: { jti: 'the-same-jti' }, raw: true });
    await pit.get('/v1/Patient', { query: { _count: '5' }, proof: { jti: 'the-same-jti' }, raw: true });
    await expectOnly(judged, 'CLIENT-DPOP-001');
  });

  test('htu with the query string kept @CLIENT-DPOP-002', async ({ judged }) => {
    await judged.api('pit', { scopes: PIT_SCOPES }).get('/v1/Patient', { query: { _count: '5' }, proof: { keepQueryInHtu: true } });
    await expectOnly(judged, 'CLIENT-DPOP-002');
  });

  test('no ath on an API call @CLIENT-DPOP-003', async ({ judged }) => {
    await judged.api('pit', { scopes: PIT_SCOPES }).get('/v1/Patient', { query: { _count: '5' }, proof: { ath: null } });
    await expectOnly(judged, 'CLIENT-DPOP-003');
  });

  test('a proof two minutes old @CLIENT-DPOP-004', async ({ judged }) => {
    await judged.api('pit', { scopes: PIT_SCOPES }).get('/v1/Patient', { query: { _count: '5' }, proof: { iatOffsetSeconds: -120 } });
    await expectOnly(judged, 'CLIENT-DPOP-004');
  });

  test('the nonce asked for is not sent back @CLIENT-NONCE-001', async ({ judged }) => {
    await judged.api('pit', { scopes: PIT_SCOPES }).get('/v1/Patient', { query: { _count: '5' }, proof: { omitNonce: true } });
    await expectOnly(judged, 'CLIENT-NONCE-001');
  });

  test('a client assertion that lives five minutes @CLIENT-ASSERT-001', async ({ judged }) => {
    const client = judged.profile.client('default')!;
    const key = await importSigningKey(client.privateJwk);
    const discovery = JSON.parse((await send({ method: 'GET', url: `${judged.profile.urls.helseid}/.well-known/openid-configuration` })).text()) as { issuer: string; token_endpoint: string };
    const assertion = await createClientAssertion({ clientId: client.clientId, audience: discovery.issuer, key, lifetimeSeconds: 300 });
    const dpopKey = await judged.tokens.runKey();
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: client.clientId, scope: PIT_SCOPES[0]!, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion });
    await send({ method: 'POST', url: discovery.token_endpoint, headers: { 'content-type': 'application/x-www-form-urlencoded', dpop: await createDpopProof(dpopKey, { method: 'POST', url: discovery.token_endpoint }) }, body: form.toString() });
    await expectOnly(judged, 'CLIENT-ASSERT-001');
  });

  test('a PHR search without nhn-source-system @CLIENT-HDR-001', async ({ judged }) => {
    await search(judged.api('phr', { scopes: [PHR.section45], user: PHR_USER }), searchForm(LINE_DANSER), { omit: ['nhn-source-system'], raw: true });
    await expectOnly(judged, 'CLIENT-HDR-001');
  });

  test('a PaRek request without nhn-event-id @CLIENT-HDR-001', async ({ judged }) => {
    const version = judged.profile.get(PAREK_SETTINGS.apiVersion);
    await judged.api('parek').get(`/${version}/ServiceRequest`, { headers: { 'nhn-source-system': 'judge-test' }, raw: true });
    await expectOnly(judged, 'CLIENT-HDR-001');
  });

  test('the kjernejournalforskriften scope without nhn-access-basis @CLIENT-HDR-002', async ({ judged }) => {
    await search(judged.api('phr', { scopes: [PHR.kjernejournal], user: PHR_USER }), searchForm(LINE_DANSER), { raw: true });
    await expectOnly(judged, 'CLIENT-HDR-002');
  });

  test('an identity number in a URL @CLIENT-NIN-001', async ({ judged }) => {
    await judged.api('pit', { scopes: PIT_SCOPES }).get('/v1/Patient', { query: { identifier: syntheticNin(7) }, raw: true });
    await expectOnly(judged, 'CLIENT-NIN-001');
  });

  test('_count above 50 @CLIENT-PIT-001', async ({ judged }) => {
    await judged.api('pit', { scopes: PIT_SCOPES }).get('/v1/Patient', { query: { _count: '500' }, raw: true });
    await expectOnly(judged, 'CLIENT-PIT-001');
  });

  test('a cursor made up instead of following a next link @CLIENT-PIT-002', async ({ judged }) => {
    await judged.api('pit', { scopes: PIT_SCOPES }).get('/v1/Patient', { query: { cursor: 'eyJwYWdlIjoyfQ' }, raw: true });
    await expectOnly(judged, 'CLIENT-PIT-002');
  });

  test('the same patient POSTed again after 202 @CLIENT-PIT-003', async ({ judged }) => {
    const pit = judged.api('pit', { scopes: PIT_SCOPES });
    const patient = syntheticPatient(test.info());
    expect((await pit.post('/v1/Patient', { json: patient })).status).toBe(202);
    await pit.post('/v1/Patient', { json: patient, raw: true });
    await expectOnly(judged, 'CLIENT-PIT-003');
  });

  test('PHR searched with GET @CLIENT-PHR-001', async ({ judged }) => {
    await judged.api('phr', { scopes: [PHR.section45], user: PHR_USER }).get('/R4/fhir/DocumentReference', { query: { status: 'current' }, headers: { 'nhn-source-system': 'judge-test' }, raw: true });
    await expectOnly(judged, 'CLIENT-PHR-001');
  });

  test('a real-looking identity number in a body @CLIENT-SYNTH-001', async ({ judged }) => {
    // The suite's own client refuses to send one: this wrong client goes around it.
    const url = `${judged.profile.urls.pit}/v1/Patient`;
    const token = await judged.tokens.clientCredentials([PIT_SCOPES[1]!]);
    const key = await judged.tokens.runKey();
    const body = JSON.stringify({ ...syntheticPatient(test.info()), identifier: [{ system: 'urn:oid:2.16.578.1.12.4.1.4.1', value: realLookingNin() }] });
    const post = async (nonce?: string) => send({ method: 'POST', url, headers: { authorization: `DPoP ${token.accessToken}`, dpop: await createDpopProof(key, { method: 'POST', url, accessToken: token.accessToken, nonce }), 'content-type': 'application/fhir+json' }, body });
    // With the nonce the service asks for, so the request is read through.
    const nonce = (await post()).header('dpop-nonce');
    expect((await post(nonce)).status).toBe(202);
    await expectOnly(judged, 'CLIENT-SYNTH-001');
  });
});
