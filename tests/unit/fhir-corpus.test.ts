// Every corpus case: valid ones are clean, invalid ones trigger their rule, and a case owned by a
// higher layer passes every lower one (so each layer is proven by cases only it catches).
import { expect, test } from '../../fixtures/base.ts';
import { FHIR_CORPUS, type CorpusLayer } from '../corpus/fhir-corpus.ts';
import { validateFhir } from '../../helpers/validation/fhir/validator.ts';
import { formatResult } from '../../helpers/validation/issues.ts';

const LOWER: Record<CorpusLayer, string[]> = {
  parse: [],
  schema: ['parse'],
  structure: ['parse', 'schema'],
  invariant: ['parse', 'schema'],
  profile: ['parse', 'schema', 'structure', 'invariant'],
};

test('the corpus has at least 60 cases, covering every layer', () => {
  expect(FHIR_CORPUS.length).toBeGreaterThanOrEqual(60);
  for (const layer of Object.keys(LOWER)) expect(FHIR_CORPUS.filter((c) => c.layer === layer).length, layer).toBeGreaterThan(0);
});

for (const c of FHIR_CORPUS) {
  test(`corpus: ${c.name}`, () => {
    const r = validateFhir(c.input, { profile: c.profile });
    const errors = r.issues.filter((i) => i.severity === 'error');
    const report = formatResult(r);
    if (!c.expect.length || c.warning) {
      expect(errors, `a valid case has errors:\n${report}`).toEqual([]);
    }
    for (const rule of c.expect) {
      const pool = c.warning ? r.issues.filter((i) => i.severity === 'warning') : errors;
      expect(pool.map((i) => i.rule), `expected ${rule}:\n${report}`).toContain(rule);
    }
    if (c.layer && !c.warning) {
      const lower = errors.filter((i) => LOWER[c.layer!].includes(i.layer));
      expect(lower, `a ${c.layer} case must pass the lower layers:\n${report}`).toEqual([]);
    }
  });
}

test('the validator never throws: garbage of every kind becomes a result', () => {
  for (const input of [undefined, null, 42, 'x', Buffer.from([0xff, 0xfe, 0x00]), { resourceType: 42 }, { resourceType: 'Bundle', entry: 'x' }, { resourceType: 'Bundle', entry: [null, 1, 'x', []] }]) {
    const r = validateFhir(input);
    expect(r.valid).toBe(false);
  }
  expect(validateFhir('{"resourceType":"Patient"}'.padEnd(4096, ' '), { maxBytes: 1024 }).issues[0]!.rule).toBe('parse:size');
});

test('native invariants decide exactly as fhirpath on every corpus case', () => {
  for (const c of FHIR_CORPUS) {
    const fast = validateFhir(c.input, { profile: c.profile });
    const slow = validateFhir(c.input, { profile: c.profile, nativeInvariants: false });
    const key = (r: typeof fast) => r.issues.map((i) => `${i.rule}@${i.location}`).sort();
    expect(key(fast), c.name).toEqual(key(slow));
  }
});
