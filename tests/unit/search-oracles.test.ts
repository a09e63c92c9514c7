// Every search answer is judged entry by entry against its question: each API's search oracle
// finds an entry that does not match, passes one that does, and every search operation of every
// document names its oracle (or says why its answer holds nothing to judge).
import { expect, test } from '../../fixtures/base.ts';
import { judge } from '../../helpers/evidence/oracles.ts';
import { loadApiDocument } from '../../helpers/validation/openapi/document.ts';
import { OID } from '../../helpers/identifiers.ts';

const json = (status: number, body: unknown, headers: Record<string, string> = {}) => ({ status, headers: { 'content-type': 'application/json', ...headers }, body: Buffer.from(JSON.stringify(body)) });
const get = (url: string) => ({ method: 'GET', url, headers: {} });
const postJson = (url: string, body: unknown) => ({ method: 'POST', url, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const postForm = (url: string, form: Record<string, string>) => ({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });

test('PTS: another person, another object, another parent, and a passed delay with ApplicableOnly are found', () => {
  const entry = (offId: string, value: string, until: string | null, parent?: string) => ({ patientSafetyObject: { person: { offId }, confidentialObjectId: { type: 'Svarrapport', value } }, delayDeliveryUntil: until, ...(parent ? { parentConfidentialObjectId: { type: 'Rekvisisjon', value: parent } } : {}) });
  const future = new Date(Date.now() + 86_400_000).toISOString();
  const past = new Date(Date.now() - 86_400_000).toISOString();
  const url = 'https://pts/v0.5/access-restrictions/patient-safety/_search';
  const check = { oracle: 'search', semantics: 'pts' } as const;
  const verdict = (q: object, body: unknown) => judge(check, { request: postJson(url, q), response: json(200, body) });
  expect(verdict({ offId: 'A' }, [entry('A', 'x', future)]).pass).toBe(true);
  expect(verdict({ offId: 'A' }, [entry('A', 'x', future), entry('B', 'y', future)]).message).toContain('another person');
  expect(verdict({ offId: 'A', confidentialObjectId: { type: 'Svarrapport', value: 'x' } }, [entry('A', 'y', future)]).message).toContain('confidentialObjectId');
  expect(verdict({ offId: 'A', parentConfidentialObjectId: { type: 'Rekvisisjon', value: 'p' } }, [entry('A', 'x', future, 'q')]).message).toContain('parentConfidentialObjectId');
  expect(verdict({ offId: 'A', ApplicableOnly: true }, [entry('A', 'x', past)]).message).toContain('ApplicableOnly');
  expect(verdict({ offId: 'A', ApplicableOnly: true }, [entry('A', 'x', null)]).pass, 'no delay is no passed delay').toBe(true);
  expect(verdict({ offId: 'A' }, { restrictions: [entry('B', 'y', future)] }).message, 'an answer wrapped in an object is judged too').toContain('another person');
});

test('PaRek: another patient, identifier, status or request is found', () => {
  const sr = (nin: string, status: string, uuid: string) => ({ resourceType: 'ServiceRequest', id: uuid, status, subject: { identifier: { system: OID.fnr, value: nin } }, identifier: [{ system: 'urn:x', value: uuid }] });
  const bundle = (...resources: object[]) => ({ resourceType: 'Bundle', type: 'searchset', entry: resources.map((resource) => ({ resource, search: { mode: 'match' } })) });
  const check = { oracle: 'search', semantics: 'parek' } as const;
  const verdict = (query: string, body: unknown) => judge(check, { request: get(`https://parek/v1/ServiceRequest?${query}`), response: json(200, body) });
  expect(verdict(`patient:identifier=${encodeURIComponent(`${OID.fnr}|1`)}&status=active`, bundle(sr('1', 'active', 'a'))).pass).toBe(true);
  expect(verdict(`patient:identifier=${encodeURIComponent(`${OID.fnr}|1`)}`, bundle(sr('2', 'active', 'a'))).message).toContain("another patient's");
  expect(verdict('status=completed', bundle(sr('1', 'active', 'a'))).message).toContain('status active');
  expect(verdict('identifier=b', bundle(sr('1', 'active', 'a'))).message).toContain('no identifier');
  const sp = { resourceType: 'Specimen', id: 's', request: [{ reference: 'ServiceRequest/r1' }] };
  expect(judge(check, { request: get('https://parek/v1/Specimen?request=ServiceRequest/r1'), response: json(200, bundle(sp)) }).pass).toBe(true);
  expect(judge(check, { request: get('https://parek/v1/Specimen?request=ServiceRequest/r2'), response: json(200, bundle(sp)) }).message).toContain('another request');
});

test('PIT: a Patient outside a _lastUpdated condition at its precision, or out of _sort order, is found; a cursor page is not judged', () => {
  const p = (id: string, at: string) => ({ resource: { resourceType: 'Patient', id, meta: { lastUpdated: at } } });
  const bundle = (...entry: object[]) => ({ resourceType: 'Bundle', type: 'searchset', entry });
  const check = { oracle: 'search', semantics: 'pit' } as const;
  const verdict = (query: string, body: unknown) => judge(check, { request: get(`https://pit/v1/Patient?${query}`), response: json(200, body) });
  // gt at minute precision: anything in that minute is not after it.
  expect(verdict('_lastUpdated=gt2026-01-01T10:00Z', bundle(p('a', '2026-01-01T10:00:30Z'))).message).toContain('does not meet');
  expect(verdict('_lastUpdated=gt2026-01-01T10:00Z', bundle(p('a', '2026-01-01T10:01:00Z'))).pass).toBe(true);
  expect(verdict('_lastUpdated=ge2026-01-01T10:00Z', bundle(p('a', '2026-01-01T10:00:00Z'))).pass).toBe(true);
  expect(verdict('_lastUpdated=lt2026-01-01T10:00Z', bundle(p('a', '2026-01-01T10:00:00.500Z'))).message).toContain('does not meet');
  expect(verdict('_lastUpdated=le2026-01-01T10:00Z', bundle(p('a', '2026-01-01T10:00:59.999Z'))).pass).toBe(true);
  expect(verdict('_sort=_lastUpdated', bundle(p('a', '2026-01-02T00:00:00Z'), p('b', '2026-01-01T00:00:00Z'))).message).toContain('out of _lastUpdated order');
  expect(verdict('cursor=abc&_sort=_lastUpdated&_lastUpdated=gt2030-01-01T00:00Z', bundle(p('a', '2026-01-02T00:00:00Z'), p('b', '2026-01-01T00:00:00Z'))).pass).toBe(true);
});

test('Person: a current birth date, gender or municipality other than asked is found; names are never judged; history does not count', () => {
  const person = { id: 'p', birth: [{ birthDate: '1988-01-13T00:00:00', isValid: true }], gender: [{ gender: 'Female', isValid: true }], residentialAddress: [{ isValid: false, address: { municipalityNumber: '0301' } }, { isValid: true, address: { municipalityNumber: '4601' } }], name: [{ givenName: 'Vakker', isValid: true }] };
  const check = { oracle: 'search', semantics: 'person' } as const;
  const verdict = (form: Record<string, string>) => judge(check, { request: postForm('https://person/api/v3/full-access/search/person', form), response: json(200, { results: [person] }) });
  expect(verdict({ GivenName: 'Someone else', BirthDate: '1988-01' }).pass).toBe(true);
  expect(verdict({ BirthDate: '1989' }).message).toContain('birth date');
  expect(verdict({ Gender: 'Male' }).message).toContain('gender');
  expect(verdict({ MunicipalityNumber: '4601' }).pass).toBe(true);
  expect(verdict({ MunicipalityNumber: '0301' }).message, 'only current data is searched').toContain('municipality');
  const events = { oracle: 'search', semantics: 'person-events' } as const;
  const feed = { results: [{ sequenceNumber: '10', eventType: 'PersonIsCreated' }, { sequenceNumber: '12', eventType: 'ChangeInName' }] };
  expect(judge(events, { request: get('https://person/api/v3/full-access/event?sequenceNumber=10'), response: json(200, feed) }).pass).toBe(true);
  expect(judge(events, { request: get('https://person/api/v3/full-access/event?sequenceNumber=11'), response: json(200, feed) }).message).toContain('before 11');
  expect(judge(events, { request: get('https://person/api/v3/full-access/event?eventTypes=ChangeInName'), response: json(200, feed) }).message).toContain('PersonIsCreated');
  expect(judge(events, { request: get('https://person/api/v3/full-access/event?maxLimit=1'), response: json(200, feed) }).message).toContain('more than the 1');
});

test('every search operation of every document names its oracle, or says why its answer holds nothing to judge', () => {
  for (const name of ['pts', 'parek', 'pit', 'phr', 'person-v2', 'person-v3']) {
    for (const op of loadApiDocument(name).operations) {
      if (!/search|find|match|events/i.test(op.operationId)) continue;
      const oracles = (op.raw['x-oracles'] ?? []) as string[];
      expect(oracles.length > 0 || typeof op.raw['x-oracle-none'] === 'string', `${name} ${op.operationId} has no search oracle and no reason`).toBe(true);
    }
  }
});
