// Person lookups, on v2 (legal basis) and v3 (full access): by person id, by any kind of
// identification number in a form body (current and historic), in bulk (at most 100), with
// informationParts required and filtering, and includeHistory. A NIN never travels in a URL.
import { expect, test } from '../../fixtures/index.ts';
import { loadApiDocument } from '../../helpers/validation/openapi/document.ts';
import { dufNumbers, numbers, pastParts, type KnownPeople } from '../../fixtures/person.ts';
import { GuardError } from '../../helpers/http/errors.ts';
import { syntheticNin } from '../../helpers/identifiers.ts';
import { PERSON_LIMITS } from '../../helpers/packs/person.ts';
import { expectProblem, needPerson, people, personApi, ROUTES } from './common.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The members that are information parts (InformationPart, in our v2 document): only they are asked for or not; other members say nothing of it. */
const PART_KEYS = new Set(((loadApiDocument('person-v2').doc.components as Json).schemas.InformationPart.enum as string[]).map((p) => p.charAt(0).toLowerCase() + p.slice(1)));
/** The document's keys that carry something. */
const filled = (p: Json) => Object.keys(p).filter((k) => p[k] !== null && p[k] !== undefined && PART_KEYS.has(k));

for (const [version, tier] of ROUTES) {
  test.describe(`Person lookups (v${version} ${tier})`, () => {
    test.beforeEach(({ needs }) => needs({ services: ['person'], auth: [['person', 'dpop']], patientData: true }));

    test('a person by id answers the parts asked for, and only those', { tag: ['@PERSON-GET-001', '@PERSON-GET-003'] }, async ({ api, profile }) => {
      const person = personApi(api, version, tier);
      const { withFnr } = await people(api, profile);
      const named = await person.byId(withFnr.id, { parts: ['Name', 'Gender'] });
      expect(named.status).toBe(200);
      const doc = named.json<Json>();
      expect(doc.id).toBe(withFnr.id);
      expect(typeof doc.sequenceNumber, 'sequenceNumber is an int64').toBe('number');
      expect(doc.name?.length, 'the Name part was asked for').toBeGreaterThan(0);
      expect(doc.gender?.length, 'the Gender part was asked for').toBeGreaterThan(0);
      expect(filled(doc).sort(), 'only the parts asked for').toEqual(['gender', 'name']);
      const birth = (await person.byId(withFnr.id, { parts: ['Birth'] })).json<Json>();
      expect(filled(birth), 'another choice of parts, another answer').toEqual(['birth']);
    });

    test('informationParts is required: without it the lookup is 400 ProblemDetails', { tag: ['@PERSON-GET-003', '@PERSON-ERR-001'] }, async ({ api, profile }) => {
      const person = personApi(api, version, tier);
      const { withFnr } = await people(api, profile);
      expectProblem(await person.byId(withFnr.id, { parts: [], raw: true }), 400, 'a lookup without informationParts');
      expectProblem(await person.byNin(numbers(withFnr, 'NationalIdentityNumber')[0]!, { parts: [], raw: true }), 400, 'get-by-nin without informationParts');
    });

    const KINDS: Array<[string, keyof KnownPeople, (p: Json) => string | undefined]> = [
      ['a fødselsnummer', 'withFnr', (p) => numbers(p, 'NationalIdentityNumber')[0]],
      ['a D-number', 'withDNumber', (p) => numbers(p, 'DNumber')[0]],
      ['a felles hjelpenummer', 'withFh', (p) => numbers(p, 'AlternateIdentificationNumber')[0]],
      ['a DUF number', 'withDuf', (p) => dufNumbers(p)[0]],
      ['a historic number', 'withHistoricNin', (p) => [...numbers(p, 'DNumber', false), ...numbers(p, 'NationalIdentityNumber', false)][0]],
    ];
    for (const [what, key, pick] of KINDS) {
      test(`get-by-nin finds a person by ${what}`, { tag: ['@PERSON-GET-002', '@PERSON-NIN-001'] }, async ({ api, profile }) => {
        const p = needPerson((await people(api, profile))[key] as Json | undefined, what, profile);
        const response = await personApi(api, version, tier).byNin(pick(p)!, { parts: ['Name'] });
        expect(response.status, `get-by-nin with ${what}`).toBe(200);
        expect(response.json<Json>().id, `get-by-nin with ${what} finds that person`).toBe(p.id);
      });
    }

    test('includeHistory adds past elements; without it only current ones are answered', { tag: ['@PERSON-GET-004'] }, async ({ api, profile }) => {
      const person = personApi(api, version, tier);
      const withHistory = needPerson((await people(api, profile)).withHistory, 'a past name', profile);
      const now = (await person.byId(withHistory.id, { parts: ['Name', 'ResidentialAddress', 'NorwegianIdentificationNumber'] })).json<Json>();
      expect(pastParts(now), 'without includeHistory no element is past').toEqual([]);
      const then = (await person.byId(withHistory.id, { parts: ['Name'], includeHistory: true })).json<Json>();
      expect(pastParts(then), 'with includeHistory the past name is there').toContain('name');
      expect(then.name.length).toBeGreaterThan(now.name.length);
    });

    test('an unknown person is 404 ProblemDetails, by id and by number', { tag: ['@PERSON-GET-005', '@PERSON-ERR-001'] }, async ({ api }) => {
      const person = personApi(api, version, tier);
      expectProblem(await person.byId('0'.repeat(64), { raw: true }), 404, 'an unknown person id');
      expectProblem(await person.byNin(syntheticNin(799_999), { raw: true }), 404, 'an unknown number');
    });

    test('bulk lookups take at most 100 identifiers; 101 is 400', { tag: ['@PERSON-BULK-001', '@PERSON-ERR-001'] }, async ({ api, profile }) => {
      const person = personApi(api, version, tier);
      const { all, withFnr } = await people(api, profile);
      const ids = all.slice(0, PERSON_LIMITS.bulk).map((p) => String(p.id));
      const hundred = await person.bulkByIds(ids, { parts: ['Name'] });
      expect(hundred.status).toBe(200);
      expect(new Set(hundred.json<Json[]>().map((p) => p.id))).toEqual(new Set(ids));
      expectProblem(await person.bulkByIds(Array.from({ length: PERSON_LIMITS.bulk + 1 }, (_, i) => ids[i % ids.length]!), { parts: ['Name'], raw: true }), 400, '101 person ids');
      const nins = [numbers(withFnr, 'NationalIdentityNumber')[0]!];
      const byNins = await person.bulkByNins(nins, { parts: ['Name'] });
      expect(byNins.json<Json[]>().map((p) => p.id)).toEqual([withFnr.id]);
      expectProblem(await person.bulkByNins(Array.from({ length: PERSON_LIMITS.bulk + 1 }, (_, i) => syntheticNin(790_000 + i)), { parts: ['Name'], raw: true }), 400, '101 numbers');
    });
  });
}

test.describe('Person API: a NIN never in a URL', () => {
  test.beforeEach(({ needs }) => needs({ services: ['person'], auth: [['person', 'dpop']], patientData: true }));

  test("the suite's client refuses to put a NIN in a URL, and says so without the number", { tag: ['@PERSON-NIN-001'] }, async ({ api }) => {
    const person = personApi(api, 3, 'full-access');
    const nin = syntheticNin(799_998);
    const refusal = await person.byId(nin).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refusal, 'the client sent a NIN in the path').toBeInstanceOf(GuardError);
    expect(String((refusal as Error).message)).toContain('never in a URL');
    expect(String((refusal as Error).message)).not.toContain(nin);
    const inQuery = await person.get('person/get-by-nin', { query: { nin } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(inQuery, 'the client sent a NIN in the query').toBeInstanceOf(GuardError);
  });

  for (const [version, tier] of ROUTES) {
    test(`v${version}: the service finds nobody by a NIN in the URL`, { tag: ['@PERSON-NIN-001'] }, async ({ api, profile }) => {
      const person = personApi(api, version, tier);
      const { withFnr } = await people(api, profile);
      const nin = numbers(withFnr, 'NationalIdentityNumber')[0]!;
      const inPath = await person.byId(nin, { raw: true, deliberateNinInUrl: true });
      expect(inPath.status, 'GET person/{NIN} served the person').toBeGreaterThanOrEqual(400);
      expect(inPath.text()).not.toContain(withFnr.id);
      const inQuery = await person.post('person/get-by-nin', {}, { raw: true, deliberateNinInUrl: true, query: { nin, informationParts: ['Name'] } });
      expect(inQuery.status, 'get-by-nin took the NIN from the query string').toBe(400);
      expect(inQuery).toBeProblemDetails({ mediaTypes: ['application/json'] });
      expect((await person.byNin(nin, { parts: ['Name'] })).status, 'positive control: the NIN in the form body').toBe(200);
    });
  }
});
