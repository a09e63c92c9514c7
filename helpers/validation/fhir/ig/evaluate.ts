// Judging a resource by an implementation guide's derived rules (rules.ts): each rule is
// evaluated at each instance of its element's parent, so a child of an absent element is never
// reported on its own: the absent element is said once. Nothing is checked that the
// differential does not say.
import { isDeepStrictEqual } from 'node:util';
import { fhirModel, fhirpath } from '../fhirpath-engine.ts';
import { thrownText, type ValidationIssue } from '../../issues.ts';
import { slicingKey, type IgProfile, type IgRule, type IgRules, type Step } from './rules.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Node {
  value: unknown;
  location: string;
}

export interface IgContext {
  rules: IgRules;
  /** Validates a contained resource against the profile with this canonical url. */
  nested: (resource: Json, profileUrl: string, location: string) => ValidationIssue[];
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const asArray = (v: unknown): unknown[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);

function matchesPattern(value: unknown, pattern: unknown): boolean {
  if (pattern === null || typeof pattern !== 'object') return isDeepStrictEqual(value, pattern);
  if (Array.isArray(pattern)) return Array.isArray(value) && pattern.every((p) => value.some((v) => matchesPattern(v, p)));
  if (value === null || typeof value !== 'object') return false;
  return Object.entries(pattern as Json).every(([k, p]) => matchesPattern((value as Json)[k], p));
}

function valueAt(item: unknown, dotted: string): unknown {
  let v: unknown = item;
  for (const part of dotted.split('.')) v = v && typeof v === 'object' && !Array.isArray(v) ? (v as Json)[part] : undefined;
  return v;
}

/** The values of one step under one node, each with where it sits. */
function childrenOf(node: Node, step: Step, profile: IgProfile, pathSoFar: string): Node[] {
  const parent = node.value;
  if (!parent || typeof parent !== 'object' || Array.isArray(parent)) return [];
  const entries: Array<[string, unknown]> = step.choice
    ? Object.entries(parent as Json).filter(([k]) => k.length > step.name.length && k.startsWith(step.name) && /^[A-Z]/.test(k.slice(step.name.length)))
    : [[step.name, (parent as Json)[step.name]]];
  const out: Node[] = [];
  for (const [key, raw] of entries) {
    if (raw === undefined || raw === null) continue;
    if (Array.isArray(raw)) raw.forEach((v, i) => v !== null && out.push({ value: v, location: `${node.location}.${key}[${i}]` }));
    else out.push({ value: raw, location: `${node.location}.${key}` });
  }
  if (!step.slice) return out;
  const slicing = profile.slicing[pathSoFar];
  const wanted = slicing?.slices[step.slice];
  if (!slicing || !wanted || !slicing.discriminator.length) return [];
  // An item belongs to the slice when every discriminator has the slice's value (none known: it cannot be told, so nothing is in it).
  return out.filter((n) => slicing.discriminator.every((d) => d.path in wanted && matchesPattern(valueAt(n.value, d.path), wanted[d.path])));
}

/** The values at the end of `steps`; `parents`: every step leads further down, so a choice is taken as the type the profile restricts it to. */
function instances(root: Node, steps: readonly Step[], profile: IgProfile, parents = false): Node[] {
  let nodes = [root];
  let pathSoFar = profile.type;
  steps.forEach((step, i) => {
    pathSoFar += `.${step.name}${step.choice ? '[x]' : ''}`;
    const at = pathSoFar;
    nodes = nodes.flatMap((n) => childrenOf(n, step, profile, at));
    // Below a choice (occurrence[x].end) the rules speak of the type the profile restricts it to.
    if (step.choice && (parents || i < steps.length - 1)) {
      const restricted = profile.rules.find((r) => r.kind === 'types' && slicingKey(r.element) === at)?.types?.map((t) => `.${step.name}${cap(t.code)}`);
      if (restricted) nodes = nodes.filter((n) => restricted.some((suffix) => n.location.replace(/\[\d+\]$/, '').endsWith(suffix)));
    }
  });
  return nodes;
}

const stepText = (s: Step) => `${s.name}${s.choice ? '[x]' : ''}${s.slice ? `:${s.slice}` : ''}`;

const compiled = new Map<string, ReturnType<ReturnType<typeof fhirpath>['compile']> | Error>();
function evaluate(expression: string, node: unknown, root: Json): unknown[] {
  let fn = compiled.get(expression);
  if (!fn) {
    try {
      fn = fhirpath().compile(expression, fhirModel('r5'));
    } catch (e) {
      fn = new Error(thrownText(e));
    }
    compiled.set(expression, fn);
  }
  if (fn instanceof Error) throw fn;
  return fn(node as Json, { resource: root, rootResource: root }) as unknown[];
}

/** The resource type a Reference points at, where the reference says it: a contained id, a literal, or its type element. */
function referredType(ref: Json, root: Json): { type?: string; unresolved?: string } {
  const literal = typeof ref.reference === 'string' ? ref.reference : undefined;
  if (literal?.startsWith('#')) {
    const target = asArray(root.contained).find((c) => (c as Json)?.id === literal.slice(1)) as Json | undefined;
    return target ? { type: String(target.resourceType) } : { unresolved: `${literal} names no contained resource` };
  }
  if (literal) {
    const type = /(?:^|\/)([A-Z][A-Za-z]+)\/[A-Za-z0-9\-.]{1,64}(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/.exec(literal)?.[1];
    if (type) return { type };
  }
  return typeof ref.type === 'string' ? { type: ref.type } : {};
}

function codesOf(value: unknown): Array<{ system?: string; code: string }> {
  if (typeof value === 'string') return [{ code: value }];
  const v = value as Json;
  if (typeof v?.code === 'string') return [{ system: v.system, code: v.code }];
  if (Array.isArray(v?.coding)) return (v.coding as Json[]).filter((c) => typeof c?.code === 'string').map((c) => ({ system: c.system, code: c.code }));
  return [];
}

/** The issues of one resource against one profile's own rules (its base profiles are the caller's). */
export function igLayer(resource: Json, profile: IgProfile, ctx: IgContext, location: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const { rules } = ctx;
  const named = `${rules.package.name} ${rules.package.version}`;
  const root: Node = { value: resource, location };
  const typeOfProfile = (url: string) => rules.profiles.find((p) => p.url === url)?.type ?? /\/StructureDefinition\/([A-Z][A-Za-z]+)$/.exec(url)?.[1];
  const say = (rule: IgRule, where: string, message: string, severity: ValidationIssue['severity'] = rule.severity ?? 'error') =>
    issues.push({ severity: rule.enforced ? severity : 'information', location: where, rule: rule.id, message: `${message} (${profile.name}, ${named})`, layer: 'profile' });

  for (const rule of profile.rules) {
    const steps = rule.steps;
    const last = steps.at(-1);
    const elementText = `${profile.type}.${steps.map(stepText).join('.')}`;
    if (rule.kind === 'min' || rule.kind === 'max' || rule.kind === 'must-support' || rule.kind === 'types') {
      if (!last) continue;
      const pathToLast = `${profile.type}.${steps.map((s) => `${s.name}${s.choice ? '[x]' : ''}`).join('.')}`;
      for (const parent of instances(root, steps.slice(0, -1), profile, true)) {
        const children = childrenOf(parent, last, profile, pathToLast);
        const at = `${parent.location}.${stepText(last)}`;
        if (rule.kind === 'min' && children.length < rule.min!) say(rule, at, `${elementText} needs at least ${rule.min}, found ${children.length}`);
        if (rule.kind === 'max' && children.length > rule.max!) say(rule, at, `${elementText} allows at most ${rule.max}, found ${children.length}`);
        if (rule.kind === 'must-support' && !children.length) say(rule, at, `${elementText} is mustSupport and absent`);
        if (rule.kind === 'types' && last.choice) {
          const allowed = rule.types!.map((t) => `${last.name}${cap(t.code)}`);
          for (const key of Object.keys(parent.value as Json)) {
            if (key.startsWith(last.name) && /^[A-Z]/.test(key.slice(last.name.length)) && !allowed.includes(key)) {
              say(rule, `${parent.location}.${key}`, `${elementText} must be ${rule.types!.map((t) => t.code).join(', ')}; ${key} is not allowed`);
            }
          }
        }
      }
      continue;
    }
    const values = instances(root, steps, profile);
    if (rule.kind === 'contained') {
      for (const v of values) {
        const type = String((v.value as Json)?.resourceType);
        const match = rule.types!.find((t) => t.code === type);
        if (!match) {
          say(rule, v.location, `${elementText} may hold ${rule.types!.map((t) => t.code).join(' or ')}, not ${type}`);
          continue;
        }
        // Several profiles for one type: the resource conforms to one of them.
        const candidates = (match.profiles ?? []).map((url) => ctx.nested(v.value as Json, url, v.location));
        const best = candidates.find((c) => !c.some((i) => i.severity === 'error')) ?? candidates[0];
        if (best) issues.push(...best);
      }
    } else if (rule.kind === 'target') {
      const allowed = rule.targets!.map(typeOfProfile).filter((t): t is string => Boolean(t));
      for (const v of values) {
        const { type, unresolved } = referredType(v.value as Json, resource);
        if (unresolved) say(rule, v.location, `${elementText} ${unresolved}`);
        else if (type && !allowed.includes(type)) say(rule, v.location, `${elementText} must refer to ${allowed.join(' or ')}, refers to ${type}`);
      }
    } else if (rule.kind === 'pattern' || rule.kind === 'fixed') {
      for (const v of values) {
        const ok = rule.kind === 'pattern' ? matchesPattern(v.value, rule.value) : isDeepStrictEqual(v.value, rule.value);
        if (!ok) say(rule, v.location, `${elementText} must ${rule.kind === 'pattern' ? 'match' : 'be'} ${JSON.stringify(rule.value)}`);
      }
    } else if (rule.kind === 'binding') {
      const vs = rules.valueSets[rule.valueSet!];
      if (!rule.enforced) continue;
      if (!vs?.expandable) {
        if (values.length) say(rule, values[0]!.location, `${elementText} is bound (required) to ${rule.valueSet}, which the guide does not publish whole: not checked`, 'information');
        continue;
      }
      for (const v of values) {
        const codes = codesOf(v.value);
        const ok = codes.some((c) => vs.codes.some((k) => k.code === c.code && (c.system === undefined || c.system === k.system)));
        if (!ok) say(rule, v.location, `${elementText} ${codes.map((c) => c.code).join(', ') || '(no code)'} is not in ${rule.valueSet} (${vs.codes.map((c) => c.code).join(', ')})`);
      }
    } else if (rule.kind === 'constraint') {
      for (const v of values) {
        try {
          const out = evaluate(rule.expression!, v.value, resource);
          // As HL7's validator reads an invariant: only a single true passes.
          if (!(out.length === 1 && out[0] === true)) say(rule, v.location, `${elementText} breaks ${rule.key}: ${rule.expression} is not true`);
        } catch (e) {
          say(rule, v.location, `${rule.key} could not be evaluated: ${thrownText(e)}`, 'warning');
        }
      }
    }
  }
  return issues;
}
