// Layer 2: what the JSON schema cannot say, from the base StructureDefinitions: cardinality
// (required primitives included), exclusive choice types, reference target types, ele-1 and
// ext-1 natively, and every other invariant evaluated with fhirpath. An invariant that cannot be
// evaluated is reported as not checked, never passed silently.
import fhirpath from 'fhirpath';
import r4 from 'fhirpath/fhir-context/r4/index.js';
import { thrownText, type ValidationIssue } from '../issues.ts';
import { definitions, type Constraint, type ElementInfo } from './definitions.ts';
import { NATIVE_INVARIANTS } from './native-invariants.ts';

type Json = Record<string, unknown>;

/** Invariants implemented natively (everywhere, cheaply) instead of through fhirpath. */
const NATIVE = new Set(['ele-1', 'ext-1']);

export interface StructureContext {
  issues: ValidationIssue[];
  notChecked: Set<string>;
  /** Decide common invariants natively where that is exact (default); false: fhirpath only. */
  nativeInvariants?: boolean;
  /** Called for each nested resource (contained, Bundle entries, parameters). */
  nested: (resource: Json, location: string) => void;
  /** Values the schema layer rejected (wrong type, pattern, code): nothing more is said at or under them. */
  rejected?: ReadonlySet<string>;
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function asArray(v: unknown): unknown[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function isEmpty(v: unknown): boolean {
  if (v === null || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v as object).length === 0;
  return false;
}

const compiled = new Map<string, ((node: unknown, env: Record<string, unknown>) => unknown[]) | Error>();

function compiledConstraint(base: string | undefined, c: Constraint): ((node: unknown, env: Record<string, unknown>) => unknown[]) | Error {
  const key = `${base ?? ''}|${c.key}`;
  let fn = compiled.get(key);
  if (!fn) {
    try {
      fn = fhirpath.compile(base ? { base, expression: c.expression } : c.expression, r4, { traceFn: () => undefined }) as (node: unknown, env: Record<string, unknown>) => unknown[];
    } catch (e) {
      fn = e as Error;
    }
    compiled.set(key, fn);
  }
  return fn;
}

function evaluateConstraints(ctx: StructureContext, constraints: Constraint[], node: unknown, base: string | undefined, location: string, resource: Json): void {
  for (const c of constraints) {
    if (NATIVE.has(c.key)) continue;
    const native = ctx.nativeInvariants === false ? undefined : NATIVE_INVARIANTS[c.key]?.(node as Json);
    if (native === true) continue;
    if (native === false) {
      ctx.issues.push({ severity: c.severity, location, rule: c.key, message: c.human, layer: 'invariant' });
      continue;
    }
    const fn = compiledConstraint(base, c);
    let outcome: unknown[];
    try {
      if (fn instanceof Error) throw fn;
      outcome = fn(node, { resource, rootResource: resource });
    } catch (e) {
      ctx.notChecked.add(`${c.key} (${base ?? 'resource'}): ${thrownText(e).slice(0, 120)}`);
      continue;
    }
    if (outcome.length === 1 && outcome[0] === false) {
      ctx.issues.push({ severity: c.severity, location, rule: c.key, message: c.human, layer: 'invariant' });
    }
  }
}

function referenceType(reference: string): string | undefined {
  if (reference.startsWith('#') || reference.startsWith('urn:')) return undefined;
  const m = /(?:^|\/)([A-Z][A-Za-z]+)\/[A-Za-z0-9\-.]{1,64}(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/.exec(reference);
  return m?.[1];
}

function checkReference(ctx: StructureContext, value: Json, targets: string[], location: string, resource: Json): void {
  if (!targets.length) return;
  const ref = typeof value.reference === 'string' ? value.reference : undefined;
  let type = typeof value.type === 'string' ? value.type : ref ? referenceType(ref) : undefined;
  if (ref?.startsWith('#')) {
    const contained = asArray(resource.contained).find((c) => (c as Json)?.id === ref.slice(1)) as Json | undefined;
    type = contained ? String(contained.resourceType) : type;
  }
  if (type && !targets.includes(type)) {
    ctx.issues.push({ severity: 'error', location, rule: 'structure:reference-target', message: `refers to a ${type}; allowed: ${targets.join(', ')}`, layer: 'structure' });
  }
}

interface KeyTarget {
  child: ElementInfo;
  type: ElementInfo['types'][number] | undefined;
}

interface DefinitionIndex {
  /** JSON key → the element it belongs to (choice variants included). */
  byKey: Map<string, KeyTarget>;
  required: ElementInfo[];
}

const indexes = new Map<string, DefinitionIndex>();

function indexFor(defPath: string): DefinitionIndex {
  let idx = indexes.get(defPath);
  if (!idx) {
    const byKey = new Map<string, KeyTarget>();
    for (const child of definitions().children(defPath)) {
      if (child.choice) for (const t of child.types) byKey.set(`${child.name}${cap(t.code)}`, { child, type: t });
      else byKey.set(child.name, { child, type: child.types[0] });
    }
    idx = { byKey, required: definitions().children(defPath).filter((c) => c.min > 0) };
    indexes.set(defPath, idx);
  }
  return idx;
}

function displayName(child: ElementInfo): string {
  return child.choice ? `${child.name}[x]` : child.name;
}

const INT32 = { min: -2147483648, max: 2147483647 };
const INTEGER_RANGES: Record<string, { min: number; max: number }> = {
  integer: INT32,
  positiveInt: { min: 1, max: INT32.max },
  unsignedInt: { min: 0, max: INT32.max },
};

function realDate(y: number, m: number, d: number): boolean {
  const days = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return m >= 1 && m <= 12 && d >= 1 && d <= days[m - 1]!;
}

/** FHIR's primitive rules past the JSON schema's regular expressions, as the HL7 validator applies them. */
export function primitiveIssue(code: string, value: unknown): string | undefined {
  const range = INTEGER_RANGES[code];
  if (range) {
    if (typeof value !== 'number' || !Number.isInteger(value)) return undefined; // the schema layer's
    return value < range.min || value > range.max ? `${value} is outside the range of ${code} (${range.min}..${range.max})` : undefined;
  }
  if (typeof value !== 'string') return undefined;
  if (code === 'date' || code === 'dateTime' || code === 'instant') {
    const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
    if (m && !realDate(Number(m[1]), Number(m[2]), Number(m[3]))) return `${value.slice(0, 10)} is not a calendar date`;
    const t = /T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(value);
    if (t && (Number(t[1]) > 23 || Number(t[2]) > 59 || Number(t[3] ?? 0) > 59)) return `${value} has no such time of day`;
    const tz = /([+-])(\d{2}):(\d{2})$/.exec(value);
    if (t && tz && (Number(tz[2]) > 14 || Number(tz[3]) > 59)) return `${value} has no such time-zone offset`;
  }
  if (code === 'time') {
    const t = /^(\d{2}):(\d{2}):(\d{2})/.exec(value);
    if (t && (Number(t[1]) > 23 || Number(t[2]) > 59 || Number(t[3]) > 59)) return `${value} has no such time of day`;
  }
  return undefined;
}

/** Walks one element (a resource root, a backbone element or a datatype value) against its definition. */
function walk(ctx: StructureContext, defPath: string, node: Json, location: string, resource: Json): void {
  const defs = definitions();
  const idx = indexFor(defPath);
  // Counts per element, from the keys actually present (a FHIR node is usually sparse).
  const counts = new Map<ElementInfo, number>();
  let variants: Map<ElementInfo, string[]> | undefined;
  for (const key in node) {
    const isExt = key.charCodeAt(0) === 95; /* _ */
    const name = isExt ? key.slice(1) : key;
    const target = idx.byKey.get(name);
    if (!target) continue; // unknown elements are the schema layer's
    if (isExt && node[name] !== undefined) continue; // counted with its value
    const value = node[name];
    const ext = node[`_${name}`];
    const n = Math.max(Array.isArray(value) ? value.length : value === undefined ? 0 : 1, Array.isArray(ext) ? ext.length : ext === undefined ? 0 : 1);
    counts.set(target.child, (counts.get(target.child) ?? 0) + n);
    if (target.child.choice) {
      variants ??= new Map();
      variants.set(target.child, [...(variants.get(target.child) ?? []), name]);
    }
  }
  for (const child of idx.required) {
    if (!counts.has(child)) {
      ctx.issues.push({ severity: 'error', location: `${location}.${displayName(child)}`, rule: 'structure:min', message: `${child.path} is required (min ${child.min}) but absent`, layer: 'structure' });
    }
  }
  for (const [child, count] of counts) {
    if (ctx.rejected?.has(`${location}.${child.name}`)) continue;
    const present = variants?.get(child);
    if (present && present.length > 1) {
      ctx.issues.push({ severity: 'error', location: `${location}.${child.name}[x]`, rule: 'structure:choice', message: `only one of ${child.name}[x] may be present, found ${present.join(', ')}`, layer: 'structure' });
    } else if (count > child.max) {
      ctx.issues.push({ severity: 'error', location: `${location}.${child.name}`, rule: 'structure:max', message: `${child.path} allows at most ${child.max}, found ${count}`, layer: 'structure' });
    } else if (count < child.min) {
      ctx.issues.push({ severity: 'error', location: `${location}.${displayName(child)}`, rule: 'structure:min', message: `${child.path} needs at least ${child.min}, found ${count}`, layer: 'structure' });
    }
  }

  for (const key in node) {
    const target = idx.byKey.get(key);
    if (!target) continue;
    const { child, type } = target;
    const raw = node[key];
    const many = Array.isArray(raw);
    const length = many ? (raw as unknown[]).length : 1;
    for (let i = 0; i < length; i++) {
      const value = many ? (raw as unknown[])[i] : raw;
      const at = many ? `${location}.${key}[${i}]` : `${location}.${key}`;
      if (ctx.rejected?.has(at)) continue;
      if (isEmpty(value)) {
        ctx.issues.push({ severity: 'error', location: at, rule: 'ele-1', message: 'an element must have a value or children', layer: 'structure' });
        continue;
      }
      if (type && (typeof value === 'number' || typeof value === 'string')) {
        const problem = primitiveIssue(type.code, value);
        if (problem) ctx.issues.push({ severity: 'error', location: at, rule: `structure:${type.code}`, message: problem, layer: 'structure' });
      }
      if (!type || typeof value !== 'object' || value === null) continue;
      const v = value as Json;
      if (type.code === 'Resource') {
        ctx.nested(v, at);
        continue;
      }
      if (type.code === 'Reference') checkReference(ctx, v, type.targets, at, resource);
      if (type.code === 'Extension' && (v.extension !== undefined) === Object.keys(v).some((k) => k.startsWith('value'))) {
        ctx.issues.push({ severity: 'error', location: at, rule: 'ext-1', message: 'an extension must have either extensions or a value[x], not both', layer: 'structure' });
      }
      const inline = child.contentReference ? child.contentReference.slice(1) : type.code === 'BackboneElement' || type.code === 'Element' ? child.path : undefined;
      const defAt = inline ?? type.code;
      if (inline || defs.kind(type.code) === 'complex-type') {
        walk(ctx, defAt, v, at, resource);
        const constraints = inline ? (defs.element(child.path)?.constraints ?? []) : defs.rootConstraints(type.code);
        evaluateConstraints(ctx, constraints, v, defAt, at, resource);
      }
    }
  }
}

export function structureLayer(resource: Json, location: string, ctx: StructureContext): void {
  const type = String(resource.resourceType);
  walk(ctx, type, resource, location, resource);
  evaluateConstraints(ctx, definitions().rootConstraints(type), resource, undefined, location, resource);
}
