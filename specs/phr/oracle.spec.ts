// The semantic oracle: every returned DocumentReference matches its query, and every document
// of the patient that matches is returned (checked against the patient's unfiltered result);
// pages give the result exactly once; the kjernejournalforskriften result is the §45 result minus
// exactly the documents outside their category's window; masterIdentifier is unique and
// attachment.url leads to ITI-68. Shape validators (Inferno, Gazelle) check none of this.
import { expect, test, type SuiteFixtures } from '../../fixtures/index.ts';
import { measure } from '../../helpers/evidence/verdicts.ts';
import { allPages, documentReferences, idOf, insideWindow, LINE_DANSER, mismatches, PHR, PHR_PATIENTS, PHR_USER, search, searchForm } from '../../fixtures/phr.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

test.describe('PHR search semantics', () => {
  test.beforeEach(({ needs }) => needs({ services: ['phr', 'ttt'], ttt: true, auth: [['phr', 'dpop']], patientData: true }));
  const reader = (api: SuiteFixtures['api']) => api('phr', 'dpop', { scopes: [PHR.section45], user: PHR_USER });

  test('each filter parameter returns exactly the documents that match it', { tag: ['@PHR-ITI67-004'] }, async ({ api }) => {
    const client = reader(api);
    const everything = (await allPages(client, searchForm(LINE_DANSER, { _count: '100' }, 'current,superseded'))).docs;
    expect(everything.length, 'Line Danser has documents').toBeGreaterThan(10);
    const d0 = everything[0]!;
    const year = new Date(Date.now() - 2 * 365 * 86_400_000).toISOString().slice(0, 4);
    const queries: Array<Record<string, string>> = [
      { status: 'current' },
      { status: 'superseded' },
      { date: `ge${year}` },
      { date: `lt${year}-06` },
      { creation: `le${new Date(Date.parse(String(d0.date)) - 86_400_000).toISOString().slice(0, 10)}` },
      { period: `sa${year}-01-01` },
      { category: 'C00-1' },
      { category: 'urn:oid:2.16.578.1.12.4.1.1.9602|E00-1,I00-1' },
      { type: `|${String(d0.type.coding[0].code)}` },
      { format: String(d0.content[0].format.code) },
      { facility: String(d0.context.facilityType.coding[0].code) },
      { setting: String(d0.context.practiceSetting.coding[0].code) },
      { event: String(d0.context.event[0].coding[0].code) },
      { 'security-label': 'R' },
      { identifier: `${String(d0.masterIdentifier.system)}|${String(d0.masterIdentifier.value)}` },
      { related: `${String(d0.context.related[0].identifier.system)}|${String(d0.context.related[0].identifier.value)}` },
      { 'author.family': 'grevl' },
      { 'author.given': 'Gr' },
    ];
    let checked = 0;
    for (const extra of queries) {
      const query = extra;
      const form = searchForm(LINE_DANSER, { _count: '100', ...query }, query.status ?? 'current,superseded');
      const got = (await allPages(client, form)).docs;
      expect(got.flatMap((d) => mismatches(d, form).map((m) => `${idOf(d)}: ${m}`)), `documents returned for ${JSON.stringify(query)} that do not match it`).toEqual([]);
      const expected = everything.filter((d) => mismatches(d, form).length === 0).map(idOf).sort();
      expect(got.map(idOf).sort(), `the documents matching ${JSON.stringify(query)}`).toEqual(expected);
      checked += got.length;
    }
    measure('oracle queries', queries.length, test.info());
    measure('entries checked against the oracle', checked, test.info());
  });

  test('pages give the unpaged result exactly once; total agrees; next and previous link the pages', { tag: ['@PHR-PAGE-001'] }, async ({ api }) => {
    const client = reader(api);
    const unpaged = documentReferences(await search(client, searchForm(LINE_DANSER, { _count: '100' }))).map(idOf);
    const { pages, docs } = await allPages(client, searchForm(LINE_DANSER, { _count: '7' }));
    const ids = docs.map(idOf);
    expect(new Set(ids).size, 'no document on two pages').toBe(ids.length);
    expect(ids, 'the pages in order are the unpaged result').toEqual(unpaged);
    for (const [i, page] of pages.entries()) {
      const bundle = page.json<Json>();
      // Bundle.total is optional in FHIR; where it is given it must agree.
      if (bundle.total !== undefined) expect(bundle.total, `page ${i + 1} total`).toBe(unpaged.length);
      const rel = (r: string) => (bundle.link as Json[]).some((l) => l.relation === r);
      expect(rel('self')).toBe(true);
      expect(rel('previous'), `page ${i + 1} previous link`).toBe(i > 0);
      expect(rel('next'), `page ${i + 1} next link`).toBe(i < pages.length - 1);
    }
    expect(pages.length).toBe(Math.ceil(unpaged.length / 7));
    // The links lead where they say, followed as a client follows them (their parameters posted
    // again; next was followed above): self to the same page, previous to the page before.
    const idsOf = (page: (typeof pages)[number]) => documentReferences(page).map(idOf);
    const follow = async (page: (typeof pages)[number], relation: string) => {
      const url = ((page.json<Json>().link ?? []) as Json[]).find((l) => l.relation === relation)!.url as string;
      const form: Record<string, string[]> = {};
      for (const [k, v] of new URL(url).searchParams) (form[k] ??= []).push(v);
      return documentReferences(await search(client, form)).map(idOf);
    };
    expect(pages.length, 'three pages at least, so that a middle page has both neighbours').toBeGreaterThanOrEqual(3);
    for (const i of [1, pages.length - 1]) {
      expect(await follow(pages[i]!, 'self'), `page ${i + 1}'s self link`).toEqual(idsOf(pages[i]!));
      expect(await follow(pages[i]!, 'previous'), `page ${i + 1}'s previous link`).toEqual(idsOf(pages[i - 1]!));
    }
  });

  test('the kjernejournalforskriften result is the §45 result minus exactly the documents outside their window', { tag: ['@PHR-BASIS-002'] }, async ({ api }) => {
    for (const nin of PHR_PATIENTS) {
      const form = searchForm(nin, { _count: '100' });
      const all = (await allPages(reader(api), form)).docs;
      const kj = (await allPages(api('phr', 'dpop', { scopes: [PHR.kjernejournal], user: PHR_USER }), form, { 'nhn-access-basis': 'AKUTT' })).docs;
      expect(kj.map(idOf).sort(), `patient ${nin}`).toEqual(all.filter((d) => insideWindow(d)).map(idOf).sort());
      expect(all.length, `§45 is not filtered for ${nin}: it has documents outside the windows`).toBeGreaterThan(kj.length);
    }
  });

  test('masterIdentifier is unique, and attachment.url leads to ITI-68 with the three identifiers', { tag: ['@PHR-ITI67-001', '@PHR-ITI68-001'] }, async ({ api, profile }) => {
    const docs = (await allPages(reader(api), searchForm(LINE_DANSER, { _count: '100' }, 'current,superseded'))).docs;
    const masters = docs.map((d) => String(d.masterIdentifier?.value));
    expect(new Set(masters).size, 'masterIdentifier values').toBe(masters.length);
    const wrong = docs.flatMap((d) => {
      const url = new URL(String(d.content[0].attachment.url));
      const at = `${url.origin}${url.pathname}`;
      return [
        ...(at === `${profile.urls.phr}/mhd/document` ? [] : [`${idOf(d)}: attachment.url leads to ${at}`]),
        ...['documentUniqueId', 'homeCommunityId', 'repositoryUniqueId'].filter((p) => !url.searchParams.get(p)).map((p) => `${idOf(d)}: attachment.url has no ${p}`),
      ];
    });
    expect(wrong, `documents whose attachment.url is not ITI-68 at ${profile.urls.phr}/mhd/document with the three identifiers`).toEqual([]);
  });

  test('NORS-restricted documents are withheld and counted in NHN-SecurityLabel-Nors-Count', { tag: ['@PHR-NORS-001'] }, async ({ api, needs }) => {
    needs({ twin: true });
    // The twin's registry has one NORS-restricted current document per category and test patient.
    const response = await search(reader(api), searchForm(LINE_DANSER, { _count: '100' }));
    expect(response.header('nhn-securitylabel-nors-count')).toBe('5');
    expect(documentReferences(response).filter((d) => JSON.stringify(d.securityLabel).includes('NORS'))).toEqual([]);
    const narrow = await search(reader(api), searchForm(LINE_DANSER, { category: 'A00-1', _count: '100' }));
    expect(narrow.header('nhn-securitylabel-nors-count'), 'the count covers the documents matching the query').toBe('1');
  });
});
