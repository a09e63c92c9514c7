// The Person API event feed: events from a sequence number (included), in order and without gaps,
// at most 1000 per call, filtered by eventTypes; v3's maxLimit; event/latest is the newest event.
import { expect, test } from '../../fixtures/index.ts';
import { observe } from '../../helpers/evidence/verdicts.ts';
import { PERSON_LIMITS } from '../../helpers/packs/person.ts';
import { personApi, ROUTES } from './common.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const results = (r: { json<T>(): T }) => (r.json<Json>().results ?? []) as Json[];

for (const [version, tier] of ROUTES) {
  test.describe(`Person event feed (v${version} ${tier})`, () => {
    test.beforeEach(({ needs }) => needs({ services: ['person'], auth: [['person', 'dpop']] }));

    test('events run from the sequence number asked for, in ascending order, at most 1000', { tag: ['@PERSON-EVENT-001'] }, async ({ api }) => {
      const person = personApi(api, version, tier);
      const latest = Number((await person.latest()).json<Json>().sequenceNumber);
      const from = Math.max(1, latest - 1500);
      const page = results(await person.events({ sequenceNumber: String(from) }));
      expect(page.length, 'at most 1000 events in one call').toBeLessThanOrEqual(PERSON_LIMITS.events);
      expect(page.length, 'the feed has events from there on').toBeGreaterThan(1);
      const numbers = page.map((e) => Number(e.sequenceNumber));
      expect(numbers[0], 'no event before the sequence number asked for').toBeGreaterThanOrEqual(from);
      // One assertion over the whole page (an expect per event would be a report step per event).
      const outOfOrder = numbers.flatMap((n, i) => (i && n <= numbers[i - 1]! ? [`event ${i} (${n}) does not come after event ${i - 1} (${numbers[i - 1]})`] : []));
      expect(outOfOrder, 'events in ascending order of sequence number').toEqual([]);
      // That the numbers are consecutive (so the one asked for is the first) is our reading: gaps deviate.
      const consecutive = numbers[0] === from && numbers.every((n, i) => n === from + i);
      observe({ point: 'person.event-gaps', variant: consecutive ? 'base' : 'person-event-gaps', expected: `consecutive sequence numbers from ${from}`, seen: `${numbers.slice(0, 4).join(', ')}, …` });
      if (consecutive && latest - from + 1 > PERSON_LIMITS.events) expect(page.length, 'a full call answers exactly 1000').toBe(PERSON_LIMITS.events);
      if (version === 3) expect(page.slice(0, 20).filter((e) => !('nin' in e)).map((e) => e.sequenceNumber), 'v3 events without nin').toEqual([]);
    });

    test('eventTypes keeps only the types asked for', { tag: ['@PERSON-EVENT-002'] }, async ({ api }) => {
      const person = personApi(api, version, tier);
      const all = results(await person.events({ sequenceNumber: '1' }));
      const types = [...new Set(all.map((e) => String(e.eventType)))];
      expect(types.length, 'the feed has more than one event type').toBeGreaterThan(1);
      const wanted = types.slice(1, 2);
      const filtered = results(await person.events({ sequenceNumber: '1', eventTypes: wanted }));
      expect(filtered.length).toBeGreaterThan(0);
      expect(filtered.filter((e) => e.eventType !== wanted[0]).map((e) => `${e.sequenceNumber}: ${e.eventType}`), `events of other types than ${wanted[0]}`).toEqual([]);
      const ascending = filtered.map((e) => Number(e.sequenceNumber));
      expect(ascending).toEqual([...ascending].sort((a, b) => a - b));
    });

    test('event/latest answers the newest event', { tag: ['@PERSON-EVENT-004'] }, async ({ api }) => {
      const person = personApi(api, version, tier);
      const latest = (await person.latest()).json<Json>();
      const seq = Number(latest.sequenceNumber);
      const tail = results(await person.events({ sequenceNumber: String(Math.max(1, seq - 5)) }));
      expect(Number(tail.at(-1)?.sequenceNumber), 'no event after the latest').toBe(seq);
      expect(tail.at(-1)?.personId).toBe(latest.personId);
    });
  });
}

test('v3: maxLimit caps the events of one call', { tag: ['@PERSON-EVENT-003'] }, async ({ api, needs }) => {
  needs({ services: ['person'], auth: [['person', 'dpop']] });
  const person = personApi(api, 3, 'full-access');
  const capped = results(await person.events({ sequenceNumber: '1', maxLimit: '7' }));
  expect(capped.length, 'maxLimit 7').toBe(7);
  expect(results(await person.events({ sequenceNumber: '1', maxLimit: '1000' })).length, 'positive control: more with a larger maxLimit').toBeGreaterThan(7);
});
