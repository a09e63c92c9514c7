// The twin's _lastUpdated parsing follows FHIR's precision-aware prefix semantics.
import { expect, test } from '../../fixtures/base.ts';
import { parseLastUpdated } from '../../sandbox/apis/pit/index.ts';

const at = (iso: string) => Date.parse(iso);

test('prefixes bound the range by the precision of the value', () => {
  expect(parseLastUpdated(['ge2024-01-01T12:00Z'])).toEqual({ from: at('2024-01-01T12:00:00Z') });
  // gt a minute: after the whole minute.
  expect(parseLastUpdated(['gt2024-01-01T12:00Z'])).toEqual({ from: at('2024-01-01T12:01:00Z') });
  expect(parseLastUpdated(['lt2024-01-01T12:00:30Z'])).toEqual({ to: at('2024-01-01T12:00:30Z') });
  // le a second: up to the end of that second.
  expect(parseLastUpdated(['le2024-01-01T12:00:30Z'])).toEqual({ to: at('2024-01-01T12:00:31Z') });
  expect(parseLastUpdated(['ge2024-01-01T12:00+01:00', 'lt2024-01-01T12:00:00.500Z'])).toEqual({ from: at('2024-01-01T11:00:00Z'), to: at('2024-01-01T12:00:00.500Z') });
});

test('no prefix, another prefix, coarse precision or no time zone are refused', () => {
  for (const bad of ['2024-01-01T12:00Z', 'eq2024-01-01T12:00Z', 'ge2024-01-01', 'ge2024-01-01T12Z', 'ge2024-01-01T12:00']) {
    expect(typeof parseLastUpdated([bad]), bad).toBe('string');
  }
  expect(parseLastUpdated(['2024-01-01T12:00Z'], { requirePrefix: false })).toEqual({ from: at('2024-01-01T12:00:00Z') });
});
