// Layer 2: what the JSON schema cannot say, from the base StructureDefinitions: cardinality
// (required primitives included), exclusive choice types, reference target types, ele-1 and
// ext-1 natively, and every other invariant evaluated with fhirpath. An invariant that cannot be
// evaluated is reported as not checked, never passed silently.
import { fhirModel, fhirpath } from './fhirpath-engine.ts';
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
  /** Validates each nested resource (contained, Bundle entries, parameters). */
  nested: { nestedResource(resource: Json, location: string): void };
  /** Values the schema layer rejected (wrong type, pattern, code): nothing more is said at or under them. */
  rejected?: ReadonlySet<string>;
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function asArray(v: unknown): unknown[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}


const compiled = new Map<string, ((node: unknown, env: Record<string, unknown>) => unknown[]) | Error>();

function compiledConstraint(base: string | undefined, c: Constraint): ((node: unknown, env: Record<string, unknown>) => unknown[]) | Error {
  const key = `${base ?? ''}|${c.key}`;
  let fn = compiled.get(key);
  if (!fn) {
    try {
      fn = fhirpath().compile(base ? { base, expression: c.expression } : c.expression, fhirModel('r4'), { traceFn: () => undefined }) as (node: unknown, env: Record<string, unknown>) => unknown[];
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

/** What a JSON key of a definition leads to, worked out once per definition path. */
interface KeyPlan {
  child: ElementInfo;
  type: ElementInfo['types'][number] | undefined;
  /** A primitive rule past the schema's patterns to check on a string or number (primitiveIssue). */
  primitive: boolean;
  /** Where a complex value is walked next (an inline backbone, a content reference or a datatype), if it is. */
  defAt?: string;
  /** The invariants to evaluate on a complex value (ele-1 and ext-1 are native). */
  constraints: Constraint[];
}

interface DefinitionIndex {
  /** JSON key → the element it belongs to (choice variants included). */
  byKey: Map<string, KeyPlan>;
  required: ElementInfo[];
  /** Every JSON key an element can appear as (its choice variants; `_` keys are looked up beside them). */
  keysOf: Map<ElementInfo, string[]>;
}

const indexes = new Map<string, DefinitionIndex>();
const PRIMITIVE_RULES = new Set(['integer', 'positiveInt', 'unsignedInt', 'date', 'dateTime', 'instant', 'time']);

function indexFor(defPath: string): DefinitionIndex {
  let idx = indexes.get(defPath);
  if (!idx) {
    const defs = definitions();
    const byKey = new Map<string, KeyPlan>();
    const keysOf = new Map<ElementInfo, string[]>();
    const plan = (child: ElementInfo, type: ElementInfo['types'][number] | undefined): KeyPlan => {
      const inline = child.contentReference ? child.contentReference.slice(1) : type && (type.code === 'BackboneElement' || type.code === 'Element') ? child.path : undefined;
      const complex = Boolean(inline) || (type !== undefined && defs.kind(type.code) === 'complex-type');
      const constraints = complex ? (inline ? (defs.element(child.path)?.constraints ?? []) : defs.rootConstraints(type!.code)).filter((c) => !NATIVE.has(c.key)) : [];
      return { child, type, primitive: type !== undefined && PRIMITIVE_RULES.has(type.code), defAt: complex ? (inline ?? type!.code) : undefined, constraints };
    };
    for (const child of defs.children(defPath)) {
      const keys = child.choice ? child.types.map((t) => `${child.name}${cap(t.code)}`) : [child.name];
      keysOf.set(child, keys);
      if (child.choice) child.types.forEach((t, i) => byKey.set(keys[i]!, plan(child, t)));
      else byKey.set(child.name, plan(child, child.types[0]));
    }
    const children = defs.children(defPath);
    idx = { byKey, required: children.filter((c) => c.min > 0), keysOf };
    indexes.set(defPath, idx);
  }
  return idx;
}

function lengthOf(v: unknown): number {
  return Array.isArray(v) ? v.length : v === undefined ? 0 : 1;
}

/** The keys of an element present in a node (a value or its `_` extension). */
function presentKeys(node: Json, keys: string[]): number {
  let n = 0;
  for (const k of keys) if (node[k] !== undefined || node[`_${k}`] !== undefined) n += 1;
  return n;
}

// No closures in the walk: this code runs for every element of every resource, and a function
// made per element costs more than the check it makes.
function valueLocation(location: string, key: string, many: boolean, i: number): string {
  return many ? `${location}.${key}[${i}]` : `${location}.${key}`;
}

/** How many values an element has in a node: its keys (a choice's variants), each value or its `_` extension, whichever has more. */
function countOf(node: Json, keys: string[]): number {
  let n = 0;
  for (const k of keys) n += Math.max(lengthOf(node[k]), lengthOf(node[`_${k}`]));
  return n;
}

/** A node with no value and no children: null, '', [] or {}. */
function emptyValue(v: unknown): boolean {
  if (v === null || v === '') return true;
  if (typeof v !== 'object') return false;
  if (Array.isArray(v)) return v.length === 0;
  for (const _ in v as object) return false;
  return true;
}

/** ext-1: an extension has either extensions or a value[x], not both (and not neither). */
function extensionBroken(v: Json): boolean {
  let value = false;
  for (const k in v) {
    if (k.charCodeAt(0) === 118 /* v */ && k.startsWith('value')) {
      value = true;
      break;
    }
  }
  return (v.extension !== undefined) === value;
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

/** The number written by `length` decimal digits at `at`, or -1 when one of them is not a digit. */
function digits(s: string, at: number, length: number): number {
  let n = 0;
  for (let i = at; i < at + length; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
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
    // YYYY-MM-DD read by character (the schema's pattern has already said the shape is right).
    if (value.length >= 10 && value.charCodeAt(4) === 45 && value.charCodeAt(7) === 45) {
      const y = digits(value, 0, 4);
      const m = digits(value, 5, 2);
      const d = digits(value, 8, 2);
      if (y >= 0 && m >= 0 && d >= 0 && !realDate(y, m, d)) return `${value.slice(0, 10)} is not a calendar date`;
    }
    if (value.indexOf('T') < 0) return undefined;
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
  const idx = indexFor(defPath);
  const rejected = ctx.rejected && ctx.rejected.size ? ctx.rejected : undefined;

  // Cardinality, from the keys actually present (a FHIR node is usually sparse): the required
  // elements, the choices, and the elements present as arrays (one value never exceeds a max).
  for (const child of idx.required) {
    const keys = idx.keysOf.get(child)!;
    const count = countOf(node, keys);
    if (count === 0) {
      ctx.issues.push({ severity: 'error', location: `${location}.${displayName(child)}`, rule: 'structure:min', message: `${child.path} is required (min ${child.min}) but absent`, layer: 'structure' });
    } else if (count < child.min && !rejected?.has(`${location}.${child.name}`) && !(child.choice && presentKeys(node, keys) > 1)) {
      ctx.issues.push({ severity: 'error', location: `${location}.${displayName(child)}`, rule: 'structure:min', message: `${child.path} needs at least ${child.min}, found ${count}`, layer: 'structure' });
    }
  }
  // One pass over the keys present: the choice variants each choice element has, and the
  // elements present as arrays, which alone can exceed a max (one value never does).
  let choiceNames: Map<ElementInfo, string[]> | undefined;
  let arrays: ElementInfo[] | undefined;
  for (const key in node) {
    const isExt = key.charCodeAt(0) === 95; /* _ */
    const name = isExt ? key.slice(1) : key;
    const plan = idx.byKey.get(name);
    if (!plan) continue;
    const child = plan.child;
    if (child.choice) {
      const names = (choiceNames ??= new Map()).get(child);
      if (!names) choiceNames.set(child, [name]);
      else if (!names.includes(name)) names.push(name);
    }
    if (child.max !== Infinity && Array.isArray(node[key]) && !arrays?.includes(child)) (arrays ??= []).push(child);
  }
  if (choiceNames) {
    for (const [child, present] of choiceNames) {
      if (present.length > 1 && !rejected?.has(`${location}.${child.name}`)) {
        ctx.issues.push({ severity: 'error', location: `${location}.${child.name}[x]`, rule: 'structure:choice', message: `only one of ${child.name}[x] may be present, found ${present.join(', ')}`, layer: 'structure' });
      }
    }
  }
  if (arrays) {
    for (const child of arrays) {
      if (child.choice && choiceNames!.get(child)!.length > 1) continue; // the choice issue says it
      const count = countOf(node, idx.keysOf.get(child)!);
      if (count > child.max && !rejected?.has(`${location}.${child.name}`)) {
        ctx.issues.push({ severity: 'error', location: `${location}.${child.name}`, rule: 'structure:max', message: `${child.path} allows at most ${child.max}, found ${count}`, layer: 'structure' });
      }
    }
  }

  for (const key in node) {
    const plan = idx.byKey.get(key);
    if (!plan) continue;
    const { type } = plan;
    const raw = node[key];
    const many = Array.isArray(raw);
    const length = many ? (raw as unknown[]).length : 1;
    for (let i = 0; i < length; i++) {
      const value = many ? (raw as unknown[])[i] : raw;
      // The value's location is spelt out only when something needs it (an issue, a nested walk).
      if (rejected?.has(valueLocation(location, key, many, i))) continue;
      if (emptyValue(value)) {
        ctx.issues.push({ severity: 'error', location: valueLocation(location, key, many, i), rule: 'ele-1', message: 'an element must have a value or children', layer: 'structure' });
        continue;
      }
      if (typeof value !== 'object') {
        if (plan.primitive && (typeof value === 'number' || typeof value === 'string')) {
          const problem = primitiveIssue(type!.code, value);
          if (problem) ctx.issues.push({ severity: 'error', location: valueLocation(location, key, many, i), rule: `structure:${type!.code}`, message: problem, layer: 'structure' });
        }
        continue;
      }
      if (!type) continue;
      const v = value as Json;
      const at = valueLocation(location, key, many, i);
      if (type.code === 'Resource') {
        ctx.nested.nestedResource(v, at);
        continue;
      }
      if (type.code === 'Reference') checkReference(ctx, v, type.targets, at, resource);
      if (type.code === 'Extension' && extensionBroken(v)) {
        ctx.issues.push({ severity: 'error', location: at, rule: 'ext-1', message: 'an extension must have either extensions or a value[x], not both', layer: 'structure' });
      }
      if (plan.defAt) {
        walk(ctx, plan.defAt, v, at, resource);
        if (plan.constraints.length) evaluateConstraints(ctx, plan.constraints, v, plan.defAt, at, resource);
      }
    }
  }
}

export function structureLayer(resource: Json, location: string, ctx: StructureContext): void {
  const type = String(resource.resourceType);
  walk(ctx, type, resource, location, resource);
  evaluateConstraints(ctx, definitions().rootConstraints(type), resource, undefined, location, resource);
}
