// The FHIR validator never fails internally, whatever JSON it is given: a value of the wrong
// shape is an issue at its location. Property-based: valid resources from the corpus, mangled
// at every depth (wrong types, arrays for singles and singles for arrays, nulls, deep nesting).
import { expect, test } from '../../fixtures/base.ts';
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
      // An expect only when it fails: one per generated case costs seconds.
      if (internal.length) expect(internal, `${mangles[mangle]![0]} at ${path.join('.')}: ${internal.map((i) => i.message).join('; ')}`).toEqual([]);
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
      if (repeated.length) expect(repeated.map((i) => `${i.layer} ${i.location} ${i.rule}`), `${mangles[mangle]![0]} at ${path.join('.')}`).toEqual([]);
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

/** Shaped like HL7's published examples: R4 resources with nested types, contained resources and references. */
const HL7_SHAPED: Json[] = [
  { resourceType: 'Observation', id: 'example', status: 'final', category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }], code: { coding: [{ system: 'http://loinc.org', code: '29463-7', display: 'Body Weight' }] }, subject: { reference: 'Patient/example' }, encounter: { reference: 'Encounter/example' }, effectiveDateTime: '2016-03-28', valueQuantity: { value: 185, unit: 'lbs', system: 'http://unitsofmeasure.org', code: '[lb_av]' }, referenceRange: [{ low: { value: 3.1, unit: 'mmol/l' }, high: { value: 6.2, unit: 'mmol/l' } }], component: [{ code: { text: 'x' }, valueSampledData: { origin: { value: 2 }, period: 10, dimensions: 1, data: '1 2 3' } }] },
  { resourceType: 'Patient', id: 'pat', contained: [{ resourceType: 'Organization', id: 'org', name: 'Helse' }], managingOrganization: { reference: '#org' }, name: [{ use: 'official', family: 'Blomst', given: ['Vakker'], period: { start: '2001-01-01' } }], telecom: [{ system: 'phone', value: '+4722222222', use: 'work' }], address: [{ line: ['Gate 1'], city: 'Oslo', postalCode: '0150' }], contact: [{ relationship: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0131', code: 'N' }] }], name: { family: 'Blomst' } }], extension: [{ url: 'http://hl7.no/fhir/StructureDefinition/no-basis-municipalitycode', valueCoding: { system: 'urn:oid:2.16.578.1.12.4.1.1.3402', code: '0301' } }] },
  { resourceType: 'Bundle', id: 'b', type: 'searchset', total: 1, link: [{ relation: 'self', url: 'https://example.org/Patient' }], entry: [{ fullUrl: 'https://example.org/Patient/pat', resource: { resourceType: 'Patient', id: 'pat', gender: 'female' }, search: { mode: 'match' } }] },
  { resourceType: 'MedicationRequest', id: 'mr', status: 'active', intent: 'order', medicationCodeableConcept: { text: 'Paracet' }, subject: { reference: 'Patient/pat' }, dosageInstruction: [{ timing: { repeat: { frequency: 3, period: 1, periodUnit: 'd' } }, doseAndRate: [{ doseQuantity: { value: 500, unit: 'mg' } }] }] },
  { resourceType: 'Encounter', id: 'enc', status: 'finished', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' }, subject: { reference: 'Patient/pat' }, period: { start: '2026-01-01T10:00:00Z', end: '2026-01-01T11:00:00Z' }, participant: [{ individual: { reference: 'Practitioner/p' } }] },
];

/** Elements that exist in R5 but not in R4 (or changed shape), as an R5 example would carry them. */
const R5_ELEMENTS: Array<[string, Json]> = [
  ['triggeredBy', [{ observation: { reference: 'Observation/1' }, type: 'reflex' }]],
  ['instantiatesCanonical', 'http://example.org/ObservationDefinition/1'],
  ['bodyStructure', { reference: 'BodyStructure/1' }],
  ['class', [{ coding: [{ code: 'AMB' }] }]],
  ['orderDetail', [{ parameterFocus: { concept: { text: 'x' } }, parameter: [{ code: { text: 'y' }, valueString: 'z' }] }]],
  ['code', { concept: { text: 'a CodeableReference' } }],
  ['medication', { concept: { text: 'R5 medication' } }],
  ['availability', [{ availableTime: [{ daysOfWeek: ['mon'] }] }]],
];

const wrongTypes: Array<(old: Json) => Json> = [() => null, () => 'x', () => 7, () => false, () => ({}), () => [], (old) => [old], (old) => (Array.isArray(old) ? old[0] : old), (old) => [[old]], () => ({ reference: 5, coding: 'x' })];

test('HL7-shaped resources, with R5 elements, singles for arrays and wrong types at every depth, give issues and never an internal failure, with and without a profile', () => {
  const profilesFor = (type: unknown) => [undefined, ...(type === 'ServiceRequest' ? ['parek-service-request'] : type === 'Specimen' ? ['parek-specimen'] : type === 'Patient' ? ['pit-patient'] : type === 'DocumentReference' ? ['mhd-minimal-docref'] : [])];
  const all = [...HL7_SHAPED, ...seeds];
  let generated = 0;
  const resource = fc.integer({ min: 0, max: all.length - 1 }).chain((s) => {
    const at = paths(all[s]).filter((p) => p.length && p[0] !== 'resourceType');
    return fc.record({
      seed: fc.constant(s),
      edits: fc.array(fc.record({ path: fc.constantFrom(...at), wrong: fc.integer({ min: 0, max: wrongTypes.length - 1 }) }), { minLength: 1, maxLength: 3 }),
      r5: fc.option(fc.integer({ min: 0, max: R5_ELEMENTS.length - 1 }), { nil: undefined }),
    });
  });
  fc.assert(
    fc.property(resource, ({ seed, edits, r5 }) => {
      let r = all[seed];
      for (const e of edits) r = replaceAt(r, e.path, wrongTypes[e.wrong]!);
      if (r5 !== undefined) r = { ...(r as object), [R5_ELEMENTS[r5]![0]]: R5_ELEMENTS[r5]![1] };
      for (const profile of profilesFor((r as { resourceType?: unknown }).resourceType)) {
        generated++;
        const internal = validateFhir(r, { profile }).issues.filter((i) => i.rule === 'validator:internal');
        if (internal.length) expect(internal.map((i) => i.message), `${JSON.stringify(edits)} r5=${r5} profile=${profile}`).toEqual([]);
      }
    }),
    { numRuns: 1000, seed: 20261201 },
  );
  test.info().annotations.push({ type: 'measurement', description: `resources validated: ${generated}` });
});
