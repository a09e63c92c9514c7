// ITI-68 and the round trip: every document of the test patients that ITI-67 finds is retrieved
// from its attachment.url with the content type, size and SHA-1 the DocumentReference states;
// and the refusals, each an OperationOutcome, closed by a positive control.
import { createHash } from 'node:crypto';
import { expectOperationOutcome } from '../../fixtures/expectations.ts';
import { expect, test, type SuiteFixtures } from '../../fixtures/index.ts';
import { measure } from '../../helpers/evidence/verdicts.ts';
import { allPages, idOf, LINE_DANSER, PHR, PHR_PATIENTS, PHR_USER, searchForm, SOURCE_SYSTEM } from '../../fixtures/phr.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

test.describe('PHR ITI-68 Retrieve Document', () => {
  test.beforeEach(({ needs }) => needs({ services: ['phr', 'ttt'], ttt: true, auth: [['phr', 'dpop']], patientData: true }));
  const finder = (api: SuiteFixtures['api']) => api('phr', 'dpop', { scopes: [PHR.section45], user: PHR_USER });
  const retriever = (api: SuiteFixtures['api']) => api('phr', 'dpop', { scopes: [PHR.document], user: PHR_USER });
  const pathOf = (url: string) => {
    const u = new URL(url);
    return { path: u.pathname, query: Object.fromEntries(u.searchParams) };
  };
  const firstDocument = async (api: SuiteFixtures['api']) => (await allPages(finder(api), searchForm(LINE_DANSER, { _count: '1' }), {}, 1)).docs[0]!;

  test('round trip: every document found is retrieved with the stated content type, size and SHA-1', { tag: ['@PHR-ITI68-001'] }, async ({ api }, info) => {
    const started = performance.now();
    let documents = 0;
    let bytes = 0;
    // Every document checked, every mismatch named, asserted once at the end.
    const wrong: string[] = [];
    for (const nin of PHR_PATIENTS) {
      const docs = (await allPages(finder(api), searchForm(nin, { _count: '100' }, 'current,superseded'))).docs;
      for (const d of docs) {
        const attachment = d.content[0].attachment as Json;
        const { path, query } = pathOf(String(attachment.url));
        const response = await retriever(api).get(path, { query, headers: { accept: String(attachment.contentType), 'nhn-patient-nin': nin, 'nhn-source-system': SOURCE_SYSTEM } });
        const contentType = response.header('content-type')?.split(';')[0];
        const sha1 = createHash('sha1').update(response.body).digest('base64');
        if (response.status !== 200) wrong.push(`${idOf(d)}: answered ${response.status}`);
        else {
          if (contentType !== attachment.contentType) wrong.push(`${idOf(d)}: content type ${contentType}, the DocumentReference says ${String(attachment.contentType)}`);
          if (response.body.length !== attachment.size) wrong.push(`${idOf(d)}: ${response.body.length} bytes, the DocumentReference says ${String(attachment.size)}`);
          if (sha1 !== attachment.hash) wrong.push(`${idOf(d)}: SHA-1 ${sha1}, the DocumentReference says ${String(attachment.hash)}`);
        }
        documents += 1;
        bytes += response.body.length;
      }
    }
    expect(documents, 'documents of the test patients').toBeGreaterThan(0);
    expect(wrong, `documents whose retrieval does not match their DocumentReference (${wrong.length} of ${documents})`).toEqual([]);
    measure('documents retrieved', documents, info);
    measure('bytes retrieved', bytes, info);
    measure('round trip time (ms)', Math.round(performance.now() - started), info);
  });

  test('without nhn-patient-nin it is refused with 400 and an OperationOutcome', { tag: ['@PHR-ITI68-002', '@PHR-ERR-001'] }, async ({ api }) => {
    const { path, query } = pathOf(String((await firstDocument(api)).content[0].attachment.url));
    expectOperationOutcome(await retriever(api).get(path, { query, headers: { accept: 'application/pdf', 'nhn-source-system': SOURCE_SYSTEM }, raw: true }), 400);
  });

  test('an unknown document is a 404 OperationOutcome', { tag: ['@PHR-ITI68-002', '@PHR-ERR-001'] }, async ({ api }) => {
    const { path, query } = pathOf(String((await firstDocument(api)).content[0].attachment.url));
    const response = await retriever(api).get(path, { query: { ...query, documentUniqueId: '2.16.578.1.12.4.5.100.1.3.999999999' }, headers: { accept: 'application/pdf', 'nhn-patient-nin': LINE_DANSER, 'nhn-source-system': SOURCE_SYSTEM }, raw: true });
    expectOperationOutcome(response, 404);
  });

  test('asking for application/fhir+json is refused: there is no FHIR document Bundle', { tag: ['@PHR-ITI68-003', '@PHR-ERR-001'] }, async ({ api }) => {
    const { path, query } = pathOf(String((await firstDocument(api)).content[0].attachment.url));
    const response = await retriever(api).get(path, { query, headers: { accept: 'application/fhir+json', 'nhn-patient-nin': LINE_DANSER, 'nhn-source-system': SOURCE_SYSTEM }, raw: true });
    expectOperationOutcome(response, 406);
  });

  test('positive control: the same document with nhn-patient-nin and its own content type answers 200', { tag: ['@PHR-ITI68-002', '@PHR-ITI68-003'] }, async ({ api }) => {
    const d = await firstDocument(api);
    const { path, query } = pathOf(String(d.content[0].attachment.url));
    const response = await retriever(api).get(path, { query, headers: { accept: String(d.content[0].attachment.contentType), 'nhn-patient-nin': LINE_DANSER, 'nhn-source-system': SOURCE_SYSTEM } });
    expect(response.status).toBe(200);
  });
});
