// PaRek's rules are the guide's, read by code: the rule data in schemas/fhir/ig/ is what the
// pinned guide's StructureDefinitions give (checked against the reference copy whenever it sits
// beside the checkout, as in CI), every enforced rule has a one-thing-wrong case that breaks it and
// nothing else, and every resource of the positive space is conformant.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '../../fixtures/base.ts';
import { IG_CASES, igCaseResource, POSITIVE_SPACE } from '../../fixtures/parek-ig.ts';
import { requisition, specimen } from '../../fixtures/parek.ts';
import { syntheticNin } from '../../helpers/identifiers.ts';
import { PAREK_IG, PAREK_IG_IMPLIED } from '../../helpers/packs/parek.ts';
import { deriveFromFolder, formatIgRules, igRulesFile, loadIgRules } from '../../helpers/validation/fhir/ig/package.ts';
import { deriveIgRules } from '../../helpers/validation/fhir/ig/rules.ts';
import { validateFhir } from '../../helpers/validation/fhir/validator.ts';

const REFERENCE = path.resolve(import.meta.dirname, '../../../shared/reference/parek-ig');
const NIN = syntheticNin(9_101);
const SR_ID = '5d0a3e37-0b36-4d5c-9a43-0e3b0e9f1a11';
const guide = loadIgRules().find((g) => g.package.name === PAREK_IG.name && g.package.version === PAREK_IG.version)!;
const enforced = guide.profiles.flatMap((p) => p.rules).filter((r) => r.enforced);
const errorsOf = (resource: unknown, profile: string) => validateFhir(resource, { profile }).issues.filter((i) => i.severity === 'error');
const profileOf = (type: string) => (type === 'ServiceRequest' ? 'parek-service-request' : 'parek-specimen');

test('the pinned guide is the rule data the project holds, named by version', () => {
  expect(guide, `no rule data for ${PAREK_IG.name} ${PAREK_IG.version} in schemas/fhir/ig/`).toBeTruthy();
  expect(guide.package).toMatchObject({ name: PAREK_IG.name, version: PAREK_IG.version, fhirVersion: PAREK_IG.fhirVersion, canonical: PAREK_IG.canonical });
  expect(guide.profiles.map((p) => p.id).sort()).toEqual(['parek-collector-pr', 'parek-device', 'parek-practitioner-role', 'parek-requester-pr', 'parek-service-request', 'parek-specimen']);
});

test('the rule data is exactly what the guide\'s StructureDefinitions give (when the reference copy is beside the checkout)', () => {
  test.skip(!fs.existsSync(REFERENCE), `the reference copy of the guide is not at ${REFERENCE}`);
  const derived = deriveFromFolder(REFERENCE);
  expect(derived.package.version, 'the reference copy is another version than the one pinned').toBe(PAREK_IG.version);
  expect(formatIgRules(derived) === fs.readFileSync(igRulesFile(derived.package.name, derived.package.version), 'utf8'), 'schemas/fhir/ig/ differs from the guide: run npm run ig:rules -- --from <the guide folder>').toBe(true);
  // Every constraining member of every differential element became a rule (unknown members stop the derivation).
  for (const file of fs.readdirSync(REFERENCE).filter((f) => f.startsWith('StructureDefinition-'))) {
    const sd = JSON.parse(fs.readFileSync(path.join(REFERENCE, file), 'utf8'));
    const rules = derived.profiles.find((p) => p.url === sd.url)!.rules;
    for (const e of sd.differential.element as Array<Record<string, unknown>>) {
      const of = (kind: string) => rules.some((r) => r.element === e.id && r.kind === kind);
      const root = !String(e.id).includes('.');
      if (!root && typeof e.min === 'number' && e.min > 0) expect(of('min'), `${String(e.id)} min`).toBe(true);
      if (!root && typeof e.max === 'string' && e.max !== '*') expect(of('max'), `${String(e.id)} max`).toBe(true);
      if (e.binding) expect(of('binding'), `${String(e.id)} binding`).toBe(true);
      if (e.mustSupport) expect(of('must-support'), `${String(e.id)} mustSupport`).toBe(true);
      for (const c of (e.constraint ?? []) as Array<{ key: string }>) expect(rules.some((r) => r.key === c.key), `${String(e.id)} ${c.key}`).toBe(true);
      if (Object.keys(e).some((k) => /^(pattern|fixed)[A-Z]/.test(k))) expect(of('pattern') || of('fixed'), `${String(e.id)} value`).toBe(true);
      if (Array.isArray(e.type) && (String(e.id).endsWith('[x]') || String(e.id).endsWith('.contained') || (e.type as Array<{ targetProfile?: unknown }>).some((t) => t.targetProfile))) {
        expect(of('types') || of('contained') || of('target'), `${String(e.id)} type`).toBe(true);
      }
    }
  }
});

test('a differential member the derivation does not understand stops it, rather than being left out', () => {
  const sd = { resourceType: 'StructureDefinition', id: 'x', url: 'http://example.org/x', name: 'X', type: 'Patient', baseDefinition: 'http://hl7.org/fhir/StructureDefinition/Patient', derivation: 'constraint', differential: { element: [{ id: 'Patient.name.family', path: 'Patient.name.family', maxLength: 5 }] } };
  expect(() => deriveIgRules([sd], { name: 'x', version: '1' })).toThrow(/maxLength/);
});

test('every enforced rule has a case that breaks it and nothing else, or is implied by one that does', () => {
  const sole = new Set(IG_CASES.filter((c) => c.rules.length === 1).map((c) => c.rules[0]));
  for (const r of enforced) {
    if (r.id in PAREK_IG_IMPLIED) continue;
    expect(sole.has(r.id), `no case breaks ${r.id} alone`).toBe(true);
  }
  for (const id of Object.keys(PAREK_IG_IMPLIED)) expect(enforced.some((r) => r.id === id), `${id} is listed as implied but is no enforced rule`).toBe(true);
});

for (const c of IG_CASES) {
  test(`case: ${c.type} with ${c.what} breaks exactly ${c.rules.join(', ')}`, () => {
    const errors = errorsOf(igCaseResource(c, NIN, SR_ID), profileOf(c.type));
    expect([...new Set(errors.map((i) => i.rule))].sort(), errors.map((i) => `${i.location} ${i.rule}`).join('\n')).toEqual([...c.rules].sort());
  });
}

test('the rules no resource breaks alone are enforced all the same', () => {
  const noIdentifier = requisition(NIN);
  delete noIdentifier.identifier;
  expect(errorsOf(noIdentifier, 'parek-service-request').map((i) => i.rule)).toEqual(expect.arrayContaining(['parek-service-request:ServiceRequest.identifier:min', 'parek-service-request:ServiceRequest.identifier:RequesterDefinedUuid:min']));
  const noContained = requisition(NIN);
  delete noContained.contained;
  expect(errorsOf(noContained, 'parek-service-request').map((i) => i.rule)).toEqual(expect.arrayContaining(['parek-service-request:ServiceRequest.contained:min', 'parek-service-request:ServiceRequest.requester:target']));
  const deviceAsRequester = requisition(NIN);
  deviceAsRequester.contained = [{ resourceType: 'Device', id: 'requester' }];
  expect(errorsOf(deviceAsRequester, 'parek-service-request').map((i) => i.rule)).toEqual(expect.arrayContaining(['parek-service-request:ServiceRequest.contained:contained', 'parek-service-request:ServiceRequest.requester:target']));
});

test('an absent element is reported once, not also for each of its children', () => {
  const sr = requisition(NIN);
  delete sr.contained[0].practitioner;
  delete sr.subject;
  const rules = errorsOf(sr, 'parek-service-request').map((i) => i.rule);
  expect(rules.filter((r) => r.includes('practitioner'))).toEqual(['parek-requester-pr:PractitionerRole.practitioner:min']);
  expect(rules.filter((r) => r.includes('subject'))).toEqual([]);
});

test('the positive space is conformant: every practitioner system the guide allows, optional parts left out, several orderDetails, contained devices', () => {
  for (const c of POSITIVE_SPACE) {
    const sr = (c.requisition ?? requisition)(NIN);
    expect(errorsOf(sr, 'parek-service-request'), `${c.what}: the requisition`).toEqual([]);
    if (c.specimen) expect(errorsOf(c.specimen(SR_ID, String(sr.subject.identifier.value)), 'parek-specimen'), `${c.what}: the specimen`).toEqual([]);
  }
  expect(errorsOf(specimen(SR_ID, NIN), 'parek-specimen')).toEqual([]);
});

test('results name the guide and its version, and mustSupport is information only', () => {
  const sr = requisition(NIN);
  const r = validateFhir(sr, { profile: 'parek-service-request' });
  expect(r.valid).toBe(true);
  const ms = r.issues.filter((i) => i.rule.endsWith(':must-support'));
  expect(ms.length, 'the note (mustSupport) is absent and said').toBeGreaterThan(0);
  for (const i of ms) expect(i.severity).toBe('information');
  delete sr.authoredOn;
  expect(validateFhir(sr, { profile: 'parek-service-request' }).issues.find((i) => i.severity === 'error')!.message).toContain(`${PAREK_IG.name} ${PAREK_IG.version}`);
});

test('the drift sentinel reports a newer guide version and a changed differential, and nothing for the pinned guide', async () => {
  test.skip(!fs.existsSync(REFERENCE), `the reference copy of the guide is not at ${REFERENCE}`);
  const { observeGuide } = await import('../../helpers/monitor/guide-drift.ts');
  fs.mkdirSync(test.info().outputDir, { recursive: true });
  const dir = fs.mkdtempSync(path.join(test.info().outputDir, 'guide-'));
  for (const f of fs.readdirSync(REFERENCE).filter((f) => f.endsWith('.json'))) fs.copyFileSync(path.join(REFERENCE, f), path.join(dir, f));
  const same = await observeGuide('twin', { NHN_PAREK_IG_URL: dir });
  expect(same?.error).toBeUndefined();
  expect(same?.unpinned, 'the pinned guide itself is reported as drift').toBeUndefined();
  const sdFile = path.join(dir, 'StructureDefinition-parek-specimen.json');
  const sd = JSON.parse(fs.readFileSync(sdFile, 'utf8'));
  sd.differential.element.find((e: { id: string }) => e.id === 'Specimen.container').min = 2;
  fs.writeFileSync(sdFile, JSON.stringify(sd));
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.manifest.json'), 'utf8'));
  fs.writeFileSync(path.join(dir, 'package.manifest.json'), JSON.stringify({ ...manifest, version: '0.1.8' }));
  const moved = await observeGuide('twin', { NHN_PAREK_IG_URL: dir });
  expect(moved?.unpinned?.join('\n')).toContain('the published version is 0.1.8');
  expect(moved?.unpinned?.join('\n')).toContain('parek-specimen: the published differential differs');
  expect(await observeGuide('twin', {}), 'the twin has no published guide to read unless one is named').toBeUndefined();
});
