// The FHIR validator never fails internally, whatever JSON it is given: a value of the wrong
// shape is an issue at its location. Property-based: valid resources from the corpus, mangled
// at every depth (wrong types, arrays for singles and singles for arrays, nulls, deep nesting).
import { expect, test } from '@playwright/test';
import fc from 'fast-check';
import { validateFhir } from '../../helpers/validation/fhir/validator.ts';
import { FHIR_CORPUS } from '../corpus/fhir-corpus.ts';

type Json = unknown;

const seeds = FHIR_CORPUS.filter((c) => c.expect.length === 0 && typeof c.input === 'object' && c.input !== null).map((c) => c.input as Json);

/** Every path into a JSON value. */
function paths(value: Json, prefix: Array<string | number> = []): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

function replaceAt(value: Json, path: Array<string | number>, make: (old: Json) => Json): Json {
  if (!path.length) return make(value);
  const [head, ...rest] = path;
  if (Array.isArray(value)) return value.map((v, i) => (i === head ? replaceAt(v, rest, make) : v));
  if (value && typeof value === 'object') return { ...(value as object), [head!]: replaceAt((value as Record<string, Json>)[head as string], rest, make) };
  return value;
}

const mangles: Array<[string, (old: Json) => Json]> = [
  ['null', () => null],
  ['a string', () => 'x'],
  ['a number', () => 42],
  ['a boolean', () => true],
  ['an empty object', () => ({})],
  ['an array of it', (old) => [old, old]],
  ['its first item', (old) => (Array.isArray(old) ? old[0] : old)],
  ['an empty array', () => []],
  ['an object with a wrong-type field', (old) => ({ ...(typeof old === 'object' && old ? old : {}), id: 7, reference: ['a'], coding: 'x', profile: 'http://x' })],
  ['deeply nested arrays', () => JSON.parse(`${'['.repeat(80)}1${']'.repeat(80)}`)],
  ['deeply nested objects', () => JSON.parse(`${'{"a":'.repeat(80)}1${'}'.repeat(80)}`)],
];

test('a mangled resource gives issues, never an internal failure', () => {
  const mangled = fc.integer({ min: 0, max: seeds.length - 1 }).chain((s) => {
    const all = paths(seeds[s]).filter((p) => p[0] !== 'resourceType' || p.length > 1);
    return fc.record({ seed: fc.constant(s), path: fc.constantFrom(...all), mangle: fc.integer({ min: 0, max: mangles.length - 1 }) });
  });
  fc.assert(
    fc.property(mangled, ({ seed, path, mangle }) => {
      const resource = replaceAt(seeds[seed], path, mangles[mangle]![1]);
      const r = validateFhir(resource);
      const internal = r.issues.filter((i) => i.rule === 'validator:internal');
      expect(internal, `${mangles[mangle]![0]} at ${path.join('.')}: ${internal.map((i) => i.message).join('; ')}`).toEqual([]);
    }),
    { numRuns: 300, seed: 20261121 },
  );
});

test('the later layers skip what the schema layer rejected: nothing more is said at or under a value of the wrong type', () => {
  const mangled = fc.integer({ min: 0, max: seeds.length - 1 }).chain((s) => {
    const all = paths(seeds[s]).filter((p) => p.length > 1 || (p.length === 1 && p[0] !== 'resourceType'));
    return fc.record({ seed: fc.constant(s), path: fc.constantFrom(...all), mangle: fc.integer({ min: 0, max: mangles.length - 3 }) });
  });
  fc.assert(
    fc.property(mangled, ({ seed, path, mangle }) => {
      const r = validateFhir(replaceAt(seeds[seed], path, mangles[mangle]![1]));
      const rejected = r.issues.filter((i) => i.rule === 'schema:type').map((i) => i.location);
      const under = (loc: string, at: string) => loc === at || loc.startsWith(`${at}.`) || loc.startsWith(`${at}[`);
      const repeated = r.issues.filter((i) => i.rule !== 'schema:type' && rejected.some((at) => under(i.location, at)));
      expect(repeated.map((i) => `${i.layer} ${i.location} ${i.rule}`), `${mangles[mangle]![0]} at ${path.join('.')}`).toEqual([]);
    }),
    { numRuns: 300, seed: 20261121 },
  );
});

test('meta.profile as a single string is an issue at its location, not a crash', () => {
  const r = validateFhir({ resourceType: 'Patient', meta: { profile: 'http://example.org/StructureDefinition/x' } });
  expect(r.issues.filter((i) => i.rule === 'validator:internal')).toEqual([]);
  expect(r.issues.some((i) => i.location.startsWith('Patient.meta.profile'))).toBe(true);
});

test('layer 2 enforces primitive rules past the regular expressions: integer ranges, real dates and times', () => {
  const rules = (resource: object) => validateFhir(resource).issues.filter((i) => i.severity === 'error').map((i) => `${i.location} ${i.rule}`);
  expect(rules({ resourceType: 'Patient', birthDate: '2023-02-29' })).toContain('Patient.birthDate structure:date');
  expect(rules({ resourceType: 'Patient', birthDate: '2024-02-29' })).toEqual([]);
  expect(rules({ resourceType: 'Patient', birthDate: '2023-04-31' })).toContain('Patient.birthDate structure:date');
  expect(rules({ resourceType: 'Patient', deceasedDateTime: '2023-02-29T10:30:00Z' })).toContain('Patient.deceasedDateTime structure:dateTime');
  // Hour 24 already fails the schema's pattern: said once, by the layer that rejected it.
  expect(rules({ resourceType: 'Patient', deceasedDateTime: '2020-01-01T24:30:00Z' })).toEqual(['Patient.deceasedDateTime schema:pattern']);
  expect(rules({ resourceType: 'Patient', multipleBirthInteger: 2147483648 })).toContain('Patient.multipleBirthInteger structure:integer');
  expect(rules({ resourceType: 'Patient', multipleBirthInteger: 2 })).toEqual([]);
  expect(rules({ resourceType: 'Bundle', type: 'searchset', total: -1 })).toContain('Bundle.total structure:unsignedInt');
});
