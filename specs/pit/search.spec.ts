// PIT search: the Bundle, _count, _sort and _lastUpdated.
import { validateFhir } from '../../helpers/validation/fhir/validator.ts';
import { should, observe } from '../../helpers/evidence/verdicts.ts';
import { expect, test } from '../../fixtures/index.ts';
import { minuteFloor, nextPath, ninCounts, ninOf, readPage, seedPatients, syntheticPatient, traverse } from '../../fixtures/pit.ts';

/** Submits patients and waits until all are visible; answers the time just before submission. */

test.describe('PIT search', () => {
  test.beforeEach(({ needs }) => needs({ services: ['pit', 'helseid'], clients: ['default'], auth: [['pit', 'dpop']] }));

  test('answers a searchset Bundle of valid R4 Patients as application/fhir+json', { tag: ['@PIT-SEARCH-001', '@PIT-SEARCH-002'] }, async ({ api, needs }, info) => {
    needs({ writes: true, patientData: true });
    const pit = api('pit', 'dpop');
    const since = await seedPatients(pit, [syntheticPatient(info), syntheticPatient(info)]);
    const response = await pit.get('/v1/Patient', { query: { _lastUpdated: `ge${minuteFloor(since)}` } });
    expect(response.status).toBe(200);
    expect(response.contentType()).toMatch(/^application\/fhir\+json/);
    expect(response).toConformToOpenApi('pit', 'searchPatients');
    expect(response).toMatchFhirResource('Bundle');
    const page = readPage(response);
    expect(page.entries.length, 'the search exercised nothing').toBeGreaterThan(0);
    for (const entry of page.entries) {
      expect(entry.resource.resourceType).toBe('Patient');
      expect(entry.resource.meta?.lastUpdated, 'every Patient carries meta.lastUpdated').toEqual(expect.any(String));
      const profiled = validateFhir(entry.resource, { profile: 'pit-patient', bestPractice: false });
      should(profiled.valid, `Patient ${entry.resource.id} does not conform to the PIT profile: ${profiled.issues.map((i) => i.rule).join(', ')}`);
    }
  });

  test('_count defaults to 20 and takes 1 to 50; 0 is refused with 400, and 51 refused or clamped', { tag: ['@PIT-COUNT-001'] }, async ({ api, needs }, info) => {
    needs({ writes: true, patientData: true });
    const pit = api('pit', 'dpop');
    const since = await seedPatients(pit, Array.from({ length: 22 }, () => syntheticPatient(info)));
    const filter = { _lastUpdated: `ge${minuteFloor(since)}` };
    expect(readPage(await pit.get('/v1/Patient', { query: filter })).entries.length, 'default page size').toBe(20);
    expect(readPage(await pit.get('/v1/Patient', { query: { ...filter, _count: '1' } })).entries.length).toBe(1);
    expect((await pit.get('/v1/Patient', { query: { ...filter, _count: '50' } })).status).toBe(200);
    for (const count of ['0', '-1', 'ten']) {
      const response = await pit.get('/v1/Patient', { query: { ...filter, _count: count }, raw: true });
      expect(response.status, `_count=${count}`).toBe(400);
      expect(response).toBeOperationOutcome();
    }
    // Above 50: refusing is the twin's reading; answering at most 50 (FHIR lets a server return fewer than asked) is as right.
    const over = await pit.get('/v1/Patient', { query: { ...filter, _count: '51' }, raw: true });
    if (over.status === 200) expect(readPage(over).entries.length, '_count=51 answered more than 50').toBeLessThanOrEqual(50);
    else expect(over).toBeOperationOutcome();
    expect([200, 400], `_count=51 answered ${over.status}`).toContain(over.status);
    observe({ point: 'pit.count-over-max', variant: over.status === 400 ? 'base' : 'pit-count-clamped', expected: '400 for _count=51', seen: `${over.status}` });
  });

  test('_sort orders ascending by default and descending with -_lastUpdated; other values are refused', { tag: ['@PIT-SORT-001'] }, async ({ api, needs }, info) => {
    needs({ writes: true, patientData: true });
    const pit = api('pit', 'dpop');
    const seeded = Array.from({ length: 6 }, () => syntheticPatient(info));
    const since = await seedPatients(pit, seeded);
    const filter = { _lastUpdated: `ge${minuteFloor(since)}`, _count: '50' };
    const traversal = async (sort?: string) => (await traverse(pit, sort ? { ...filter, _sort: sort } : filter)).rows;
    const times = async (sort?: string) => (await traversal(sort)).map((r) => Date.parse(r.resource.meta!.lastUpdated!));
    // Other tests' submissions may land between two traversals; this test's own Patients may not move.
    const ours = new Set(seeded.map((p) => ninOf(p)!));
    const ourOrder = async (sort?: string) => (await traversal(sort)).map((r) => ninOf(r.resource)).filter((n) => n && ours.has(n));
    const asc = await times();
    expect(asc.length).toBeGreaterThan(5);
    expect(asc, 'default order is ascending').toEqual([...asc].sort((a, b) => a - b));
    const defaultOrder = await ourOrder();
    expect(defaultOrder).toHaveLength(ours.size);
    expect(await ourOrder('_lastUpdated'), '_sort=_lastUpdated is the default order').toEqual(defaultOrder);
    const desc = await times('-_lastUpdated');
    expect(desc, '-_lastUpdated is descending').toEqual([...desc].sort((a, b) => b - a));
    expect(desc[0]).toBeGreaterThan(desc[desc.length - 1]!);
    for (const bad of ['lastUpdated', '_id', 'birthdate']) {
      const response = await pit.get('/v1/Patient', { query: { _sort: bad }, raw: true });
      expect(response.status, `_sort=${bad}`).toBe(400);
      expect(response).toBeOperationOutcome();
    }
  });

  test('_lastUpdated needs a prefix and minute precision', { tag: ['@PIT-LU-001'] }, async ({ api }) => {
    const pit = api('pit', 'dpop');
    for (const ok of ['ge2024-01-01T12:00Z', 'gt2024-01-01T12:00:30Z', 'lt2030-01-01T00:00+01:00', 'le2030-01-01T00:00:00.000Z']) {
      expect((await pit.get('/v1/Patient', { query: { _lastUpdated: ok } })).status, ok).toBe(200);
    }
    for (const bad of ['2024-01-01T12:00Z', 'eq2024-01-01T12:00Z', 'ne2024-01-01T12:00Z', 'ge2024-01-01', 'ge2024-01-01T12Z', 'ge2024-01', 'geyesterday']) {
      const response = await pit.get('/v1/Patient', { query: { _lastUpdated: bad }, raw: true });
      expect(response.status, `_lastUpdated=${bad}`).toBe(400);
      expect(response).toBeOperationOutcome();
    }
  });

  test('two _lastUpdated values make a range that every result lies in', { tag: ['@PIT-LU-002'] }, async ({ api, needs }, info) => {
    needs({ writes: true, patientData: true });
    const pit = api('pit', 'dpop');
    const first = syntheticPatient(info);
    const later = syntheticPatient(info);
    const since = await seedPatients(pit, [first]);
    const boundary = new Date().toISOString(); // millisecond precision is more than minute precision
    await new Promise((r) => setTimeout(r, 5));
    await seedPatients(pit, [later]);
    const from = minuteFloor(since);
    const range = await traverse(pit, { _lastUpdated: [`ge${from}`, `lt${boundary}`], _count: '50' });
    const outside = range.rows.map((r) => r.resource.meta!.lastUpdated!).filter((at) => !(Date.parse(at) >= Date.parse(from) && Date.parse(at) < Date.parse(boundary)));
    expect(outside, `results whose lastUpdated is outside [${from}, ${boundary})`).toEqual([]);
    const nins = ninCounts(range.rows);
    expect(nins.has(ninOf(first)!), 'the Patient written inside the range is missing').toBe(true);
    expect(nins.has(ninOf(later)!), 'the Patient written after the range was returned').toBe(false);
  });

  test('every search Bundle links to itself: the search as asked, and on a later page the cursor followed', { tag: ['@PIT-SEARCH-003'] }, async ({ api, needs }, info) => {
    needs({ writes: true, patientData: true });
    const pit = api('pit', 'dpop');
    const since = await seedPatients(pit, [syntheticPatient(info), syntheticPatient(info), syntheticPatient(info)]);
    const query = { _lastUpdated: `ge${minuteFloor(since)}`, _count: '2', _sort: '-_lastUpdated' };
    const links = (response: Awaited<ReturnType<typeof pit.get>>) => response.json<{ link?: Array<{ relation: string; url: string }> }>().link ?? [];
    /** A URL as what it names: origin, path and its parameters as a sorted multiset (encoding aside). */
    const named = (url: string) => {
      const u = new URL(url);
      return { at: `${u.origin}${u.pathname}`, parameters: [...u.searchParams].map(([k, v]) => `${k}=${v}`).sort() };
    };
    const first = await pit.get('/v1/Patient', { query });
    expect(first.status).toBe(200);
    const selfLinks = links(first).filter((l) => l.relation === 'self');
    expect(selfLinks, 'the first page has exactly one self link').toHaveLength(1);
    expect(named(selfLinks[0]!.url), 'the self link names the search as asked').toEqual(named(pit.url('/v1/Patient', query)));
    const next = links(first).find((l) => l.relation === 'next');
    expect(next, 'three Patients at two a page leave a next link').toBeDefined();
    const second = await pit.get(nextPath(pit, next!.url));
    expect(second.status).toBe(200);
    const secondSelf = links(second).filter((l) => l.relation === 'self');
    expect(secondSelf, 'a page reached by a cursor has exactly one self link').toHaveLength(1);
    expect(named(secondSelf[0]!.url), "the second page's self link names the cursor that reached it").toEqual(named(next!.url));
  });

  test('_lastUpdated prefixes at their boundary: a Patient updated within the instant named is excluded by gt and lt and included by ge and le, at minute, second and millisecond precision', { tag: ['@PIT-LU-003'] }, async ({ api, needs }, info) => {
    needs({ writes: true, patientData: true });
    const pit = api('pit', 'dpop');
    const patient = syntheticPatient(info);
    const since = await seedPatients(pit, [patient]);
    const nin = ninOf(patient)!;
    const seen = (await traverse(pit, { _lastUpdated: `ge${minuteFloor(since)}`, _count: '50' })).rows.find((r) => ninOf(r.resource) === nin);
    const lastUpdated = Date.parse(seen!.resource.meta!.lastUpdated!);
    expect(Number.isNaN(lastUpdated), 'meta.lastUpdated is an instant').toBe(false);
    const minute = Math.floor(lastUpdated / 60_000) * 60_000;
    const iso = (ms: number) => new Date(ms).toISOString();
    const values = {
      minute: minuteFloor(lastUpdated),
      second: `${iso(Math.floor(lastUpdated / 1_000) * 1_000).slice(0, 19)}Z`,
      millisecond: iso(lastUpdated),
    };
    // Each prefix is paired with a bound on its other side a minute away, to keep the traversal short.
    const after = `lt${minuteFloor(minute + 120_000)}`;
    const before = `ge${minuteFloor(minute - 60_000)}`;
    const expected: Record<string, { pair: string; included: boolean }> = {
      gt: { pair: after, included: false },
      ge: { pair: after, included: true },
      lt: { pair: before, included: false },
      le: { pair: before, included: true },
    };
    // The twelve searches are independent: asked at once.
    const searches = Object.entries(values).flatMap(([precision, value]) => Object.entries(expected).map(([prefix, { pair, included }]) => ({ precision, query: `${prefix}${value}`, pair, included })));
    const verdicts = await Promise.all(
      searches.map(async ({ precision, query, pair, included }) => {
        const found = (await traverse(pit, { _lastUpdated: [query, pair], _count: '50' })).rows.some((r) => ninOf(r.resource) === nin);
        return found === included ? undefined : `_lastUpdated=${query} (${precision}) ${found ? 'included' : 'excluded'} a Patient updated at ${iso(lastUpdated)}`;
      }),
    );
    expect(verdicts.filter(Boolean), 'prefixes applied without the precision of their value').toEqual([]);
  });
});

