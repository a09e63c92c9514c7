// Who may search PHR, and how: the two document-reference scopes exclude each other, the
// kjernejournalforskriften scope needs an access basis, read-document is for ITI-68 only, and a
// user at security level 4 with the trust framework attest must be logged in. Each group ends
// with its positive control.
import { expectOperationOutcome } from '../../fixtures/expectations.ts';
import { expect, test } from '../../fixtures/index.ts';
import { LINE_DANSER, PHR, PHR_USER, search, searchForm } from '../../fixtures/phr.ts';

test.describe('PHR access rules', () => {
  test.beforeEach(({ needs }) => needs({ services: ['phr', 'ttt'], ttt: true, auth: [['phr', 'dpop']], patientData: true }));

  test('a token with both document-reference scopes is refused with 403', { tag: ['@PHR-SCOPE-001', '@PHR-ERR-001'] }, async ({ api }) => {
    const response = await search(api('phr', 'dpop', { scopes: [PHR.section45, PHR.kjernejournal], user: PHR_USER }), searchForm(LINE_DANSER), { headers: { 'nhn-access-basis': 'AKUTT' }, raw: true });
    expectOperationOutcome(response, 403);
  });

  test('the read-document scope alone cannot search (403)', { tag: ['@PHR-SCOPE-002', '@PHR-ERR-001'] }, async ({ api }) => {
    const response = await search(api('phr', 'dpop', { scopes: [PHR.document], user: PHR_USER }), searchForm(LINE_DANSER), { raw: true });
    expectOperationOutcome(response, 403);
  });

  test('the kjernejournalforskriften scope without nhn-access-basis is refused with 403', { tag: ['@PHR-BASIS-001', '@PHR-ERR-001'] }, async ({ api }) => {
    const response = await search(api('phr', 'dpop', { scopes: [PHR.kjernejournal], user: PHR_USER }), searchForm(LINE_DANSER), { raw: true });
    expectOperationOutcome(response, 403);
  });

  test('the kjernejournalforskriften scope with an unknown access basis is refused with 403', { tag: ['@PHR-BASIS-001', '@PHR-ERR-001'] }, async ({ api }) => {
    const response = await search(api('phr', 'dpop', { scopes: [PHR.kjernejournal], user: PHR_USER }), searchForm(LINE_DANSER), { headers: { 'nhn-access-basis': 'NYSGJERRIG' }, raw: true });
    expectOperationOutcome(response, 403);
  });

  test('positive control: each scope alone answers 200, the kjernejournalforskriften one with an access basis in either case', { tag: ['@PHR-SCOPE-001', '@PHR-BASIS-001'] }, async ({ api }) => {
    expect((await search(api('phr', 'dpop', { scopes: [PHR.section45], user: PHR_USER }), searchForm(LINE_DANSER))).status).toBe(200);
    const kj = api('phr', 'dpop', { scopes: [PHR.kjernejournal], user: PHR_USER });
    expect((await search(kj, searchForm(LINE_DANSER), { headers: { 'nhn-access-basis': 'AKUTT' } })).status).toBe(200);
    expect((await search(kj, searchForm(LINE_DANSER), { headers: { 'nhn-access-basis': 'samtykke' } })).status).toBe(200);
  });

  test('a machine token (client credentials, no user) is refused with 403', { tag: ['@PHR-USER-001', '@PHR-ERR-001'] }, async ({ api, needs }) => {
    needs({ clients: ['default'] });
    const response = await search(api('phr', 'dpop', { scopes: [PHR.section45] }), searchForm(LINE_DANSER), { raw: true });
    expectOperationOutcome(response, 403);
  });

  test('a user at security level 3 is refused with 403', { tag: ['@PHR-USER-001', '@PHR-ERR-001'] }, async ({ api }) => {
    const response = await search(api('phr', 'dpop', { scopes: [PHR.section45], user: { ...PHR_USER, securityLevel: '3' } }), searchForm(LINE_DANSER), { raw: true });
    expectOperationOutcome(response, 403);
  });

  test('positive control: the same user at security level 4 answers 200', { tag: ['@PHR-USER-001'] }, async ({ api }) => {
    expect((await search(api('phr', 'dpop', { scopes: [PHR.section45], user: PHR_USER }), searchForm(LINE_DANSER))).status).toBe(200);
  });

  test('a user token without the trust framework attest is refused with 403', { tag: ['@PHR-USER-002', '@PHR-ERR-001'] }, async ({ api }) => {
    const response = await search(api('phr', 'dpop', { scopes: [PHR.section45], user: { ...PHR_USER, trustFramework: false } }), searchForm(LINE_DANSER), { raw: true });
    expectOperationOutcome(response, 403);
  });

  test('positive control: a user logged in by authorization code, the attest in the request object, is served', { tag: ['@PHR-USER-002'] }, async ({ api, needs }) => {
    needs({ clients: ['default'], login: ['nhnPhysician'] });
    const response = await search(api('phr', 'dpop', { scopes: [PHR.section45], login: { loginHint: PHR_USER.pid } }), searchForm(LINE_DANSER));
    expect(response.status).toBe(200);
    // Bundle.total is optional in FHIR: the entries say the search found documents.
    expect(response.json<{ entry?: unknown[] }>().entry?.length ?? 0).toBeGreaterThan(0);
  });
});
