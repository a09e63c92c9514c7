// An implementation guide's constraints as rule data, derived by code from the guide's own
// StructureDefinitions (their differentials), ValueSets and CodeSystems: never read by hand.
// `npm run ig:rules` writes the data to schemas/fhir/ig/; the validator and the twin read it there,
// so a fresh clone validates offline with the pinned version. Pure: no file system here.
import { createHash } from 'node:crypto';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** One step from a resource root down to an element: its name, a slice it selects, a choice type ([x]). */
export interface Step {
  name: string;
  slice?: string;
  choice?: boolean;
}

export type IgRuleKind = 'min' | 'max' | 'types' | 'contained' | 'target' | 'pattern' | 'fixed' | 'binding' | 'constraint' | 'must-support';

export interface IgRule {
  /** `<profile>:<element id>:<kind>[:<key>]`, stable across runs: faults and negative cases name it. */
  id: string;
  kind: IgRuleKind;
  /** The differential element's id, e.g. ServiceRequest.identifier:RequesterDefinedUuid.value. */
  element: string;
  steps: Step[];
  /** false: reported as information, never an error (mustSupport, a binding that is not required). */
  enforced: boolean;
  min?: number;
  max?: number;
  /** types: the allowed type codes (choice suffixes or, for contained, resource types), with profiles. */
  types?: Array<{ code: string; profiles?: string[] }>;
  /** target: the allowed target profiles of a Reference. */
  targets?: string[];
  /** pattern / fixed: the value. */
  value?: unknown;
  /** binding: value set, strength. */
  valueSet?: string;
  strength?: string;
  /** constraint: key, FHIRPath and severity (the guide's prose is not carried: the expression is the rule). */
  key?: string;
  expression?: string;
  severity?: 'error' | 'warning';
}

export interface IgSlicing {
  discriminator: Array<{ type: string; path: string }>;
  rules: string;
  /** For each slice, the value each discriminator path must have (from the slice's pattern or fixed value). */
  slices: Record<string, Record<string, unknown>>;
}

export interface IgProfile {
  id: string;
  url: string;
  name: string;
  type: string;
  baseDefinition: string;
  abstract: boolean;
  /** Slicings by element path (slice names left out), e.g. ServiceRequest.identifier. */
  slicing: Record<string, IgSlicing>;
  rules: IgRule[];
}

export interface IgValueSet {
  url: string;
  /** Every code the value set holds, with its system; empty when it cannot be expanded from the guide. */
  codes: Array<{ system: string; code: string }>;
  /** false: it includes a code system the guide does not publish, so the codes are not all known. */
  expandable: boolean;
}

export interface IgRules {
  package: { name: string; version: string; fhirVersion: string; canonical: string; date?: string };
  /** sha256 of each StructureDefinition's differential, by the StructureDefinition's url: drift compares them. */
  differentials: Record<string, string>;
  valueSets: Record<string, IgValueSet>;
  profiles: IgProfile[];
}

/** Differential element members the derivation understands: anything else stops it, so no constraint is left out silently. */
const DESCRIPTIVE = new Set(['id', 'path', 'short', 'definition', 'comment', 'requirements', 'alias', 'label', 'mapping', 'isModifierReason', 'example', 'meaningWhenMissing', 'orderMeaning', 'extension', 'isSummary']);
const CONSTRAINING = new Set(['sliceName', 'slicing', 'min', 'max', 'type', 'binding', 'constraint', 'mustSupport']);
const VALUE_PREFIXES = ['pattern', 'fixed'];

const sha256 = (v: unknown) => createHash('sha256').update(JSON.stringify(canonical(v))).digest('hex');

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Json)[k])]));
  return v;
}

/** `ServiceRequest.identifier:RequesterDefinedUuid.value` → steps below the root. */
export function stepsOf(elementId: string): Step[] {
  return elementId
    .split('.')
    .slice(1)
    .map((part) => {
      const [rawName, slice] = part.split(':') as [string, string | undefined];
      const choice = rawName.endsWith('[x]');
      const name = choice ? rawName.slice(0, -3) : rawName;
      return { name, ...(slice ? { slice } : {}), ...(choice ? { choice: true } : {}) };
    });
}

/** The element path with slice names left out: the key of its slicing. */
export const slicingKey = (elementId: string) => elementId.replace(/:[^.]+/g, '');

function valueMembers(element: Json): Array<{ kind: 'pattern' | 'fixed'; value: unknown }> {
  return Object.keys(element)
    .filter((k) => VALUE_PREFIXES.some((p) => k.startsWith(p) && /^[A-Z]/.test(k.slice(p.length))))
    .map((k) => ({ kind: k.startsWith('pattern') ? ('pattern' as const) : ('fixed' as const), value: element[k] }));
}

function expandValueSets(resources: Json[]): Record<string, IgValueSet> {
  const codeSystems = new Map(resources.filter((r) => r.resourceType === 'CodeSystem').map((cs) => [String(cs.url), cs]));
  const out: Record<string, IgValueSet> = {};
  for (const vs of resources.filter((r) => r.resourceType === 'ValueSet')) {
    const codes: Array<{ system: string; code: string }> = [];
    let expandable = true;
    for (const include of (vs.compose?.include ?? []) as Json[]) {
      if (include.valueSet || include.filter) {
        expandable = false;
        continue;
      }
      if (Array.isArray(include.concept)) {
        codes.push(...(include.concept as Json[]).map((c) => ({ system: String(include.system), code: String(c.code) })));
        continue;
      }
      const cs = codeSystems.get(String(include.system));
      if (!cs || cs.content !== 'complete') {
        expandable = false;
        continue;
      }
      const walk = (concepts: Json[]): void => {
        for (const c of concepts) {
          codes.push({ system: String(cs.url), code: String(c.code) });
          if (Array.isArray(c.concept)) walk(c.concept);
        }
      };
      walk((cs.concept ?? []) as Json[]);
    }
    if ((vs.compose?.exclude ?? []).length) expandable = false;
    out[String(vs.url)] = { url: String(vs.url), codes, expandable };
  }
  return out;
}

function profileOf(sd: Json): IgProfile {
  const id = String(sd.id);
  const rules: IgRule[] = [];
  const slicing: Record<string, IgSlicing> = {};
  const elements = (sd.differential?.element ?? []) as Json[];
  const add = (element: Json, kind: IgRuleKind, extra: Partial<IgRule>, suffix?: string) =>
    rules.push({ id: `${id}:${String(element.id)}:${kind}${suffix ? `:${suffix}` : ''}`, kind, element: String(element.id), steps: stepsOf(String(element.id)), enforced: true, ...extra });

  for (const element of elements) {
    const unknown = Object.keys(element).filter((k) => !DESCRIPTIVE.has(k) && !CONSTRAINING.has(k) && !valueMembers({ [k]: 1 }).length);
    if (unknown.length) throw new Error(`${id}: element ${String(element.id)} has member(s) ${unknown.join(', ')} that the rule derivation does not understand; extend helpers/validation/fhir/ig/rules.ts before using this guide`);
    const isRoot = !String(element.id).includes('.');
    if (element.slicing) {
      const key = slicingKey(String(element.id));
      slicing[key] = { discriminator: element.slicing.discriminator ?? [], rules: String(element.slicing.rules ?? 'open'), slices: {} };
      for (const d of slicing[key].discriminator) if (d.type !== 'value' && d.type !== 'pattern') throw new Error(`${id}: slicing of ${key} by ${d.type} is not supported by the rule derivation`);
    }
    if (element.sliceName) {
      const key = slicingKey(String(element.id));
      (slicing[key] ??= { discriminator: [], rules: 'open', slices: {} }).slices[String(element.sliceName)] ??= {};
    }
    if (!isRoot && typeof element.min === 'number' && element.min > 0) add(element, 'min', { min: element.min });
    if (!isRoot && typeof element.max === 'string' && element.max !== '*') add(element, 'max', { max: Number(element.max) });
    if (Array.isArray(element.type)) {
      const types = element.type as Json[];
      const last = stepsOf(String(element.id)).at(-1);
      const references = types.filter((t) => t.code === 'Reference' && Array.isArray(t.targetProfile));
      if (last?.name === 'contained') add(element, 'contained', { types: types.map((t) => ({ code: String(t.code), ...(t.profile ? { profiles: t.profile as string[] } : {}) })) });
      else if (last?.choice) add(element, 'types', { types: types.map((t) => ({ code: String(t.code), ...(t.profile ? { profiles: t.profile as string[] } : {}) })) });
      if (references.length) add(element, 'target', { targets: references.flatMap((t) => t.targetProfile as string[]) });
    }
    for (const v of valueMembers(element)) {
      add(element, v.kind, { value: v.value });
      // A slice's discriminator value: `identifier:RequesterDefinedUuid.system` selects the slice.
      const sliced = /^(.*):([^.:]+)\.([^:]+)$/.exec(String(element.id));
      if (sliced) {
        const key = slicingKey(`${sliced[1]}:${sliced[2]}`);
        const slice = slicing[key]?.slices[sliced[2]!];
        if (slice && slicing[key]!.discriminator.some((d) => d.path === sliced[3])) slice[sliced[3]!] = v.value;
      }
    }
    if (element.binding?.valueSet) {
      const strength = String(element.binding.strength);
      add(element, 'binding', { valueSet: String(element.binding.valueSet), strength, enforced: strength === 'required' });
    }
    for (const c of (element.constraint ?? []) as Json[]) {
      add(element, 'constraint', { key: String(c.key), expression: String(c.expression), severity: c.severity === 'warning' ? 'warning' : 'error' }, String(c.key));
    }
    if (element.mustSupport === true && !isRoot) add(element, 'must-support', { enforced: false });
  }
  return { id, url: String(sd.url), name: String(sd.name), type: String(sd.type), baseDefinition: String(sd.baseDefinition), abstract: sd.abstract === true, slicing, rules };
}

/** The guide's package description: from package.json (a FHIR package) or package.manifest.json (a published build), and the ImplementationGuide. */
export function deriveIgRules(resources: Json[], manifest: Json): IgRules {
  const ig = resources.find((r) => r.resourceType === 'ImplementationGuide');
  const sds = resources.filter((r) => r.resourceType === 'StructureDefinition' && r.derivation === 'constraint').sort((a, b) => String(a.id).localeCompare(String(b.id)));
  if (!sds.length) throw new Error('the guide holds no profile (StructureDefinition with derivation constraint)');
  for (const sd of sds) if (!sd.differential?.element) throw new Error(`${String(sd.id)}: the StructureDefinition has no differential`);
  const fhirVersion = String((ig?.fhirVersion as string[] | undefined)?.[0] ?? (manifest.fhirVersions as string[] | undefined)?.[0] ?? sds[0]!.fhirVersion ?? '');
  const canonicalUrl = String(ig?.url ?? manifest.canonical ?? '').replace(/\/ImplementationGuide\/.*$/, '');
  return {
    package: { name: String(manifest.name ?? ig?.packageId), version: String(manifest.version ?? ig?.version), fhirVersion, canonical: canonicalUrl, ...(manifest.date ? { date: String(manifest.date) } : {}) },
    differentials: Object.fromEntries(sds.map((sd) => [String(sd.url), sha256(sd.differential)])),
    valueSets: expandValueSets(resources),
    profiles: sds.map(profileOf),
  };
}

/** The same digest of a differential that deriveIgRules records, for drift. */
export const differentialDigest = (sd: Json) => sha256(sd.differential);
