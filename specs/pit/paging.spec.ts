// PIT keyset pagination: next links and cursors, their constraints, and whole traversals, also
// while another worker inserts and updates Patients.
import { expect, test } from '../../fixtures/index.ts';
import { minuteFloor, nextPath, ninCounts, ninOf, readPage, seedPatients, syntheticPatient, traverse, waitUntil, type Traversal } from '../../fixtures/pit.ts';


function expectSound(t: Traversal, expected: string[], descending: boolean, what: string): void {
  const ids = t.rows.map((r) => r.resource.id);
  const duplicates = ids.filter((id, i) => ids.indexOf(id) !== i);
  expect(duplicates, `${what}: rows served twice`).toEqual([]);
  const counts = ninCounts(t.rows);
  const missing = expected.filter((n) => !counts.has(n));
  expect(missing, `${what}: Patients that existed throughout were skipped`).toEqual([]);
  const times = t.rows.map((r) => Date.parse(r.resource.meta!.lastUpdated!));
  const sorted = [...times].sort((a, b) => (descending ? b - a : a - b));
  expect(times, `${what}: rows out of ${descending ? 'descending' : 'ascending'} order`).toEqual(sorted);
}

test.describe('PIT keyset pagination', () => {
  test.beforeEach(({ needs }) => needs({ services: ['pit', 'helseid'], clients: ['default'], auth: [['pit', 'dpop']], writes: true, patientData: true }));

  test('next links carry a cursor, follow to the last page, and a traversal has no duplicates or gaps', { tag: ['@PIT-PAGE-001'] }, async ({ api }, info) => {
    const pit = api('pit', 'dpop');
    const patients = Array.from({ length: 23 }, () => syntheticPatient(info));
    const since = await seedPatients(pit, patients);
    const t = await traverse(pit, { _lastUpdated: `ge${minuteFloor(since)}`, _count: '5' });
    expect(t.pages.length, 'at least five pages of five').toBeGreaterThanOrEqual(5);
    const before = t.pages.slice(0, -1);
    expect(before.flatMap((p, i) => (p.entries.length === 5 ? [] : [`page ${i + 1}: ${p.entries.length}`])), 'pages before the last that are not full (5)').toEqual([]);
    expect(before.flatMap((p, i) => (new URL(p.next!).searchParams.get('cursor') ? [] : [`page ${i + 1}`])), 'pages whose next link carries no cursor').toEqual([]);
    expect(t.pages.at(-1)!.next, 'the last page has no next link').toBeUndefined();
    expectSound(t, patients.map((p) => ninOf(p)!), false, 'traversal');
  });

  test('a cursor combined with _lastUpdated is refused with 400', { tag: ['@PIT-PAGE-002'] }, async ({ api }, info) => {
    const pit = api('pit', 'dpop');
    const since = await seedPatients(pit, Array.from({ length: 3 }, () => syntheticPatient(info)));
    const first = readPage(await pit.get('/v1/Patient', { query: { _lastUpdated: `ge${minuteFloor(since)}`, _count: '1' } }));
    expect(first.next, 'the first page must have a next link').toBeDefined();
    const cursor = new URL(first.next!).searchParams.get('cursor')!;
    const response = await pit.get('/v1/Patient', { query: { cursor, _lastUpdated: `ge${minuteFloor(since)}` }, raw: true });
    expect(response.status).toBe(400);
    expect(response).toBeOperationOutcome();
  });

  test('_sort is ignored when a cursor is given', { tag: ['@PIT-PAGE-003'] }, async ({ api }, info) => {
    const pit = api('pit', 'dpop');
    const since = await seedPatients(pit, Array.from({ length: 4 }, () => syntheticPatient(info)));
    const first = readPage(await pit.get('/v1/Patient', { query: { _lastUpdated: `ge${minuteFloor(since)}`, _count: '2' } }));
    const lastSeen = Date.parse(first.entries.at(-1)!.resource.meta!.lastUpdated!);
    const second = readPage(await pit.get(`${nextPath(pit, first.next!)}&_sort=-_lastUpdated`));
    expect(second.entries.length).toBeGreaterThan(0);
    for (const e of second.entries) expect(Date.parse(e.resource.meta!.lastUpdated!), 'the ascending traversal went backwards').toBeGreaterThanOrEqual(lastSeen);
  });

  test('a tampered or foreign cursor is refused with 400 and no data', { tag: ['@PIT-PAGE-004'] }, async ({ api, needs }, info) => {
    needs({ clients: ['readOnly'] });
    const pit = api('pit', 'dpop');
    const since = await seedPatients(pit, Array.from({ length: 3 }, () => syntheticPatient(info)));
    const first = readPage(await pit.get('/v1/Patient', { query: { _lastUpdated: `ge${minuteFloor(since)}`, _count: '1' } }));
    const cursor = new URL(first.next!).searchParams.get('cursor')!;
    const flipped = `${cursor.slice(0, 10)}${cursor[10] === 'A' ? 'B' : 'A'}${cursor.slice(11)}`;
    const refusedCursors = [flipped, `${cursor}x`, 'not-a-cursor', Buffer.from('{"v":1}').toString('base64url')];
    for (const c of refusedCursors) {
      const response = await pit.get('/v1/Patient', { query: { cursor: c }, raw: true });
      expect(response.status, `cursor ${c.slice(0, 16)}…`).toBe(400);
      expect(response).toBeOperationOutcome();
    }
    // Another organisation's client (the read-only synthetic client) with this client's cursor.
    const foreign = await api('pit', 'dpop', { role: 'readOnly', scopes: ['nhn:pit/api.read'] }).get('/v1/Patient', { query: { cursor }, raw: true });
    expect(foreign.status, 'a cursor issued to another client was served').toBe(400);
    expect(foreign.json<{ entry?: unknown[] }>().entry ?? []).toEqual([]);
  });

  for (const descending of [false, true]) {
    test(`a ${descending ? 'descending' : 'ascending'} traversal stays sound while another worker inserts and updates`, { tag: ['@PIT-PAGE-005'] }, async ({ api }, info) => {
      const pit = api('pit', 'dpop');
      const existing = Array.from({ length: 30 }, () => syntheticPatient(info));
      const since = await seedPatients(pit, existing);
      const t = await traverse(pit, { _lastUpdated: `ge${minuteFloor(since)}`, _count: '5', ...(descending ? { _sort: '-_lastUpdated' } : {}) }, {
        betweenPages: async (index, page) => {
          if (index !== 1) return;
          // The other worker: update rows already served and rows not yet served, and insert new ones.
          const served = new Set(page.entries.map((e) => ninOf(e.resource)));
          const updates = [...existing.filter((p) => served.has(ninOf(p))).slice(0, 3), ...existing.filter((p) => !served.has(ninOf(p))).slice(-3)];
          const inserts = Array.from({ length: 4 }, () => syntheticPatient(info));
          await seedPatients(pit, [...updates.map((p) => ({ ...p, name: [{ family: 'Oppdatert', given: ['Pasient'] }] })), ...inserts]);
          const updated = new Set(updates.map((p) => ninOf(p)));
          await waitUntil('the updates are visible', async () => {
            const fresh = (await traverse(pit, { _lastUpdated: `ge${minuteFloor(since)}`, _count: '50' })).rows;
            return fresh.filter((r) => updated.has(ninOf(r.resource)) && (r.resource.name as Array<{ family?: string }>)?.[0]?.family === 'Oppdatert').length === updated.size;
          });
        },
      });
      expectSound(t, existing.map((p) => ninOf(p)!), descending, descending ? 'descending traversal' : 'ascending traversal');
    });
  }
});
