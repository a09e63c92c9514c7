// Layer 3: profile rules as data (schemas/fhir/*.yaml). Each rule has an id and a source and
// checks one thing: a cardinality, a fixed or pattern value, a code set, a reference target, a
// slice by identifier system, an invariant in FHIRPath, or a nested profile for matching items.
import fs from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { fhirModel, fhirpath } from './fhirpath-engine.ts';
import { parse } from 'yaml';
import type { ValidationIssue } from '../issues.ts';
import { igLayer } from './ig/evaluate.ts';
import { loadIgRules } from './ig/package.ts';
import type { IgProfile, IgRules } from './ig/rules.ts';

type Json = Record<string, unknown>;

export interface ProfileRule {
  id: string;
  source: string;
  /** FHIRPath from the resource root selecting the values the rule speaks of. */
  path?: string;
  min?: number;
  max?: number;
  fixed?: unknown;
  pattern?: unknown;
  /** Allowed codes for code, Coding or CodeableConcept values. */
  codes?: string[];
  /** Allowed resource types of Reference values. */
  targets?: string[];
  /** Among Identifier values: how many with this system. */
  slice?: { system: string; min?: number; max?: number };
  /** A FHIRPath expression on the resource root that must be true. */
  expression?: string;
  /** Element names allowed at the root (R5 structural layer). */
  allowedElements?: string[];
  /** Validate each value at `path` against this profile. */
  profile?: string;
  message?: string;
  severity?: 'error' | 'warning';
}

export interface Profile {
  id: string;
  title: string;
  url?: string;
  resourceType: string;
  fhirVersion: 'R4' | 'R5';
  source: string;
  /** Profiles whose rules apply first (e.g. the R5 base structure). */
  base?: string[];
  limits?: string;
  rules: ProfileRule[];
  /** A guide's profile: its rules derived from the guide's own StructureDefinition (schemas/fhir/ig/). */
  ig?: { profile: IgProfile; guide: IgRules };
}

let registry: Map<string, Profile> | undefined;
const RULE_FIELDS = new Set(['id', 'source', 'path', 'min', 'max', 'fixed', 'pattern', 'codes', 'targets', 'slice', 'expression', 'allowedElements', 'profile', 'message', 'severity']);

export function profilesDir(): string {
  return path.resolve(process.env.NHN_FHIR_PROFILES ?? path.join(process.cwd(), 'schemas', 'fhir'));
}

export function profiles(dir = profilesDir()): Map<string, Profile> {
  if (registry) return registry;
  registry = new Map();
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    const doc = parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Profile | { profiles: Profile[] };
    for (const p of 'profiles' in doc ? doc.profiles : [doc]) {
      if (!p?.id || !Array.isArray(p.rules)) throw new Error(`${file}: a profile needs an id and rules`);
      if (registry.has(p.id)) throw new Error(`${file}: duplicate profile id ${p.id}`);
      for (const r of p.rules) {
        if (!r.id || !r.source) throw new Error(`${file}: every rule needs an id and a source (${JSON.stringify(r).slice(0, 80)})`);
        const unknown = Object.keys(r).filter((k) => !RULE_FIELDS.has(k));
        if (unknown.length) throw new Error(`${file}: rule ${r.id} has unknown field(s) ${unknown.join(', ')} (quote values that contain commas)`);
      }
      registry.set(p.id, p);
    }
  }
  for (const guide of loadIgRules()) {
    const release = guide.package.fhirVersion.startsWith('5') ? 'R5' : 'R4';
    for (const ig of guide.profiles) {
      if (registry.has(ig.id)) throw new Error(`${guide.package.name} ${guide.package.version}: profile id ${ig.id} is taken`);
      const parent = guide.profiles.find((p) => p.url === ig.baseDefinition);
      // The base: the guide's own parent profile, or our structural layer for the core resource in that FHIR release.
      const core = [...registry.values()].find((p) => !p.ig && !p.url && p.resourceType === ig.type && p.fhirVersion === release);
      registry.set(ig.id, {
        id: ig.id,
        title: `${ig.name} (${guide.package.name} ${guide.package.version})`,
        url: ig.url,
        resourceType: ig.type,
        fhirVersion: release,
        source: `${guide.package.name} ${guide.package.version}, StructureDefinition ${ig.id} (differential), derived by npm run ig:rules`,
        base: parent ? [parent.id] : core ? [core.id] : [],
        limits: core?.limits,
        rules: [],
        ig: { profile: ig, guide },
      });
    }
  }
  return registry;
}

export function profileForUrl(url: string): Profile | undefined {
  return [...profiles().values()].find((p) => p.url === url);
}

const compiled = new Map<string, (node: unknown) => unknown[]>();
function select(resource: Json, expression: string): unknown[] {
  let fn = compiled.get(expression);
  if (!fn) {
    fn = fhirpath().compile(expression, fhirModel('r4'), { traceFn: () => undefined }) as (node: unknown) => unknown[];
    compiled.set(expression, fn);
  }
  return fn(resource);
}

function codesOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  const v = value as Json;
  if (typeof v?.code === 'string') return [v.code];
  if (Array.isArray(v?.coding)) return (v.coding as Json[]).map((c) => String(c.code));
  return [];
}

function matchesPattern(value: unknown, pattern: unknown): boolean {
  if (pattern === null || typeof pattern !== 'object') return isDeepStrictEqual(value, pattern);
  if (Array.isArray(pattern)) return Array.isArray(value) && pattern.every((p) => value.some((v) => matchesPattern(v, p)));
  if (value === null || typeof value !== 'object') return false;
  return Object.entries(pattern as Json).every(([k, p]) => matchesPattern((value as Json)[k], p));
}

function refType(value: unknown): string | undefined {
  const v = value as Json;
  if (typeof v?.type === 'string') return v.type;
  const ref = typeof v?.reference === 'string' ? v.reference : '';
  return /(?:^|\/)([A-Z][A-Za-z]+)\/[^/]+$/.exec(ref)?.[1];
}

/** Where a value sits in the resource, FHIRPath-like with indices (values are the parsed objects). */
function locate(root: unknown, target: unknown, base: string): string | undefined {
  if (root === target) return base;
  if (!root || typeof root !== 'object') return undefined;
  if (Array.isArray(root)) {
    for (let i = 0; i < root.length; i++) {
      const found = locate(root[i], target, `${base}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  for (const [k, v] of Object.entries(root)) {
    if (v && typeof v === 'object') {
      const found = locate(v, target, `${base}.${k}`);
      if (found) return found;
    }
  }
  return undefined;
}

export function profileLayer(resource: Json, profileId: string, location: string, validateNested: (value: Json, profile: string, location: string) => ValidationIssue[]): ValidationIssue[] {
  const profile = profiles().get(profileId);
  if (!profile) return [{ severity: 'error', location, rule: 'profile:unknown', message: `unknown profile ${profileId}`, layer: 'profile' }];
  const issues: ValidationIssue[] = [];
  for (const base of profile.base ?? []) issues.push(...profileLayer(resource, base, location, validateNested));
  if (resource.resourceType !== profile.resourceType) {
    issues.push({ severity: 'error', location, rule: `${profile.id}:resourceType`, message: `profile ${profile.id} is for ${profile.resourceType}, not ${String(resource.resourceType)}`, layer: 'profile' });
    return issues;
  }
  if (profile.ig) {
    const nested = (value: Json, url: string, where: string) => {
      const target = profileForUrl(url);
      return target ? validateNested(value, target.id, where) : [{ severity: 'information' as const, location: where, rule: 'profile:unknown', message: `profile ${url} is not known here: not checked`, layer: 'profile' as const }];
    };
    issues.push(...igLayer(resource, profile.ig.profile, { rules: profile.ig.guide, nested }, location));
    return issues;
  }
  const at = (value: unknown, fallback: string) => (value && typeof value === 'object' ? (locate(resource, value, location) ?? fallback) : fallback);
  const fail = (rule: ProfileRule, where: string, message: string) =>
    issues.push({ severity: rule.severity ?? 'error', location: where, rule: rule.id, message: rule.message ? `${rule.message} (${message})` : message, layer: 'profile' });

  for (const rule of profile.rules) {
    const where = rule.path ? `${location}${rule.path.replace(/^[A-Z][A-Za-z]+/, '')}` : location;
    let values: unknown[] = [];
    try {
      if (rule.path) values = select(resource, rule.path);
      if (rule.expression) {
        const out = select(resource, rule.expression);
        if (!(out.length === 1 && out[0] === true)) fail(rule, where, `invariant ${rule.expression} is not true`);
      }
    } catch (e) {
      fail(rule, where, `the rule could not be evaluated: ${(e as Error).message.split('\n')[0]}`);
      continue;
    }
    if (rule.min !== undefined && values.length < rule.min) fail(rule, where, `needs at least ${rule.min}, found ${values.length}`);
    if (rule.max !== undefined && values.length > rule.max) fail(rule, where, rule.max === 0 ? 'must be absent' : `allows at most ${rule.max}, found ${values.length}`);
    if (rule.fixed !== undefined) values.forEach((v, i) => !isDeepStrictEqual(v, rule.fixed) && fail(rule, at(v, `${where}[${i}]`), `must be ${JSON.stringify(rule.fixed)}`));
    if (rule.pattern !== undefined) values.forEach((v, i) => !matchesPattern(v, rule.pattern) && fail(rule, at(v, `${where}[${i}]`), `must match ${JSON.stringify(rule.pattern)}`));
    if (rule.codes) {
      values.forEach((v, i) => {
        const codes = codesOf(v);
        if (!codes.some((c) => rule.codes!.includes(c))) fail(rule, at(v, `${where}[${i}]`), `code ${codes.join(', ') || '(none)'} is not one of ${rule.codes!.join(', ')}`);
      });
    }
    if (rule.targets) {
      values.forEach((v, i) => {
        const t = refType(v);
        if (!t || !rule.targets!.includes(t)) fail(rule, at(v, `${where}[${i}]`), `must refer to ${rule.targets!.join(' or ')}, refers to ${t ?? 'something unrecognisable'}`);
      });
    }
    if (rule.slice) {
      const n = values.filter((v) => (v as Json)?.system === rule.slice!.system).length;
      if (rule.slice.min !== undefined && n < rule.slice.min) fail(rule, where, `needs at least ${rule.slice.min} with system ${rule.slice.system}, found ${n}`);
      if (rule.slice.max !== undefined && n > rule.slice.max) fail(rule, where, `allows at most ${rule.slice.max} with system ${rule.slice.system}, found ${n}`);
    }
    if (rule.allowedElements) {
      for (const key of Object.keys(resource)) {
        const name = key.replace(/^_/, '');
        if (name !== 'resourceType' && !rule.allowedElements.includes(name)) fail(rule, `${location}.${key}`, `${key} is not an element of ${profile.resourceType} in FHIR ${profile.fhirVersion}`);
      }
    }
    if (rule.profile) {
      values.forEach((v, i) => {
        if (v && typeof v === 'object') issues.push(...validateNested(v as Json, rule.profile!, at(v, `${where}[${i}]`)));
      });
    }
  }
  return issues;
}
