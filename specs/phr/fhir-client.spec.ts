// A standard FHIR client can use PHR: fhir-kit-client 2 searches with POST _search, its
// requestSigner adding the DPoP-bound user token and a fresh proof to every request, and pages by
// following the next links. NHN refuses GET searches (seed 001), so the next link's parameters
// are posted again, as NHN's demo EPJ pages; fhir-kit-client's own nextPage() would GET it.
import { expect, test } from '../../fixtures/index.ts';
import { documentReferences, FHIR_ACCEPT, idOf, LINE_DANSER, mismatches, PHR, PHR_USER, search, searchForm, SOURCE_SYSTEM } from '../../fixtures/phr.ts';
import { measure } from '../../helpers/evidence/verdicts.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

test.describe('PHR through an off-the-shelf FHIR client (fhir-kit-client)', () => {
  test.beforeEach(({ needs }) => needs({ services: ['phr', 'ttt'], ttt: true, auth: [['phr', 'dpop']], patientData: true }));

  test('searches with POST _search and pages through the next links to the unpaged result', { tag: ['@PHR-ITI67-001', '@PHR-PAGE-001'] }, async ({ api, fhirClient }) => {
    const fhir = fhirClient('phr', { scopes: [PHR.section45], user: PHR_USER, path: '/R4/fhir', headers: { accept: FHIR_ACCEPT, 'nhn-source-system': SOURCE_SYSTEM } });
    const form = searchForm(LINE_DANSER, { _count: '6', _sort: '-date' });
    const searchPage = (params: Record<string, string | string[]>) => fhir.call((c) => c.search({ resourceType: 'DocumentReference', searchParams: params, options: { postSearch: true } })) as Promise<Json>;

    const pages: Json[] = [await searchPage(form)];
    for (let next = nextParams(pages[0]!); next && pages.length < 50; next = nextParams(pages[pages.length - 1]!)) pages.push(await searchPage(next));

    for (const [i, bundle] of pages.entries()) {
      expect(bundle, `page ${i + 1}`).toMatchFhirProfile('iti67-bundle');
      for (const entry of (bundle.entry ?? []) as Json[]) expect(mismatches(entry.resource as Json, form), `${idOf(entry.resource as Json)} on page ${i + 1}`).toEqual([]);
    }
    const ids = pages.flatMap((b) => ((b.entry ?? []) as Json[]).map((e) => idOf(e.resource as Json)));
    // The same search through the suite's own client, unpaged.
    const unpaged = documentReferences(await search(api('phr', 'dpop', { scopes: [PHR.section45], user: PHR_USER }), searchForm(LINE_DANSER, { _count: '100', _sort: '-date' }))).map(idOf);
    expect(ids, 'the pages fhir-kit-client followed, in order, are the unpaged result').toEqual(unpaged);
    expect(pages.length).toBe(Math.ceil(unpaged.length / 6));
    // Bundle.total is optional in FHIR; where it is given it must agree.
    for (const b of pages) if (b.total !== undefined) expect(b.total).toBe(unpaged.length);
    measure('pages followed by fhir-kit-client', pages.length, test.info());
  });
});

/** The next link's search parameters, to post again; undefined on the last page. */
function nextParams(bundle: Json): Record<string, string[]> | undefined {
  const next = ((bundle.link ?? []) as Json[]).find((l) => l.relation === 'next')?.url as string | undefined;
  if (!next) return undefined;
  const params: Record<string, string[]> = {};
  for (const [k, v] of new URL(next).searchParams) (params[k] ??= []).push(v);
  return params;
}
