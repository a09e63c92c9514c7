// FHIR validation in layers: parse guards, the R4 JSON schema (layer 1), the base
// StructureDefinitions with invariants (layer 2), and profile rules (layer 3). It never throws
// and never hangs: bad input of any kind becomes a result that says what is wrong.
import { result, thrownText, type ValidationIssue, type ValidationResult } from '../issues.ts';
import { profileForUrl, profileLayer, profiles } from './profile-layer.ts';
import { isR4ResourceType, schemaLayer } from './schema-layer.ts';
import { structureLayer, type StructureContext } from './structure-layer.ts';

type Json = Record<string, unknown>;

export interface FhirValidationOptions {
  /** A profile id from schemas/fhir/ (or one named by the resource's meta.profile). */
  profile?: string;
  /** Expected resource type, e.g. from the API operation. */
  resourceType?: string;
  maxDepth?: number;
  maxBytes?: number;
  /** Report best-practice warnings such as dom-6 (narrative); on by default. */
  bestPractice?: boolean;
  /** false: evaluate every invariant with fhirpath (the native fast path is checked against this). */
  nativeInvariants?: boolean;
}

/** Invariants HL7 marks as best practice: warnings a caller may not want (an API's error body has no narrative). */
const BEST_PRACTICE = new Set(['dom-6']);

export const DEFAULT_MAX_DEPTH = 64;
export const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;

function depthExceeds(value: unknown, limit: number, depth = 0): boolean {
  if (depth > limit) return true;
  if (Array.isArray(value)) {
    for (const child of value) if (child && typeof child === 'object' && depthExceeds(child, limit, depth + 1)) return true;
  } else {
    for (const key in value as object) {
      const child = (value as Record<string, unknown>)[key];
      if (child && typeof child === 'object' && depthExceeds(child, limit, depth + 1)) return true;
    }
  }
  return false;
}

function parseIssue(rule: string, message: string): ValidationResult {
  return result([{ severity: 'error', location: '(document)', rule, message, layer: 'parse' }]);
}

/** One validation's shared state: the structure layer calls back into it for each nested resource. */
class Layers {
  constructor(
    readonly issues: ValidationIssue[],
    readonly notChecked: Set<string>,
    readonly nativeInvariants: boolean,
  ) {}

  resource(resource: Json, location: string): void {
    const type = resource.resourceType;
    if (typeof type !== 'string' || !isR4ResourceType(type)) {
      this.issues.push({ severity: 'error', location, rule: 'schema:resourceType', message: `"${String(type)}" is not a FHIR R4 resource type`, layer: 'schema' });
      return;
    }
    const schemaIssues = schemaLayer(resource, location);
    let rejected: Set<string> | undefined;
    for (const i of schemaIssues) {
      this.issues.push(i);
      // An unknown element or a missing one is said at its parent, which the later layers still check.
      if (i.rule !== 'schema:additionalProperties' && i.rule !== 'schema:required') (rejected ??= new Set()).add(i.location);
    }
    const ctx: StructureContext = { issues: this.issues, rejected, notChecked: this.notChecked, nativeInvariants: this.nativeInvariants, nested: this };
    structureLayer(resource, location, ctx);
  }

  /** A nested resource (contained, a Bundle entry, a parameter), named by its type at its location. */
  nestedResource(child: Json, at: string): void {
    this.resource(child, `${at}(${String(child.resourceType)})`);
  }
}

export function validateFhir(input: unknown, options: FhirValidationOptions = {}): ValidationResult {
  try {
    let value = input;
    if (typeof input === 'string' || Buffer.isBuffer(input)) {
      const size = Buffer.byteLength(input);
      if (size > (options.maxBytes ?? DEFAULT_MAX_BYTES)) return parseIssue('parse:size', `the document is ${size} bytes, over the limit of ${options.maxBytes ?? DEFAULT_MAX_BYTES}`);
      const text = input.toString();
      if (!text.trim()) return parseIssue('parse:empty', 'the document is empty');
      try {
        value = JSON.parse(text);
      } catch (e) {
        const preview = text.slice(0, 60).replace(/\s+/g, ' ');
        return parseIssue('parse:json', `not JSON (${(e as Error).message}); starts with "${preview}"`);
      }
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) return parseIssue('parse:resource', 'a FHIR resource must be a JSON object');
    const resource = value as Json;
    if (typeof resource.resourceType !== 'string') return parseIssue('parse:resourceType', 'the object has no resourceType');
    if (depthExceeds(resource, options.maxDepth ?? DEFAULT_MAX_DEPTH)) return parseIssue('parse:depth', `the resource nests deeper than ${options.maxDepth ?? DEFAULT_MAX_DEPTH} levels`);
    if (options.resourceType && resource.resourceType !== options.resourceType) {
      return result([{ severity: 'error', location: String(resource.resourceType), rule: 'schema:resourceType', message: `expected a ${options.resourceType}, got a ${String(resource.resourceType)}`, layer: 'schema' }]);
    }

    // meta.profile of the wrong shape is the schema layer's issue; only well-formed URLs name a profile.
    const declared = (resource.meta as { profile?: unknown } | undefined)?.profile;
    const profileId = options.profile ?? (Array.isArray(declared) ? declared.filter((u): u is string => typeof u === 'string').map((u) => profileForUrl(u)?.id).find(Boolean) : undefined);
    const profile = profileId ? profiles().get(profileId) : undefined;
    if (profileId && !profile) return result([{ severity: 'error', location: '(options)', rule: 'profile:unknown', message: `unknown profile ${profileId}; known: ${[...profiles().keys()].join(', ')}`, layer: 'profile' }]);

    const issues: ValidationIssue[] = [];
    const notChecked = new Set<string>();
    const location = String(resource.resourceType);
    if (profile?.fhirVersion === 'R5') {
      // No R5 schema or StructureDefinition package exists here: the R5 structural layer is the profile's base rules.
      notChecked.add(`FHIR R5: no JSON schema or StructureDefinition layer; ${profile.limits ?? 'only the structural rules in schemas/fhir apply'}`);
    } else {
      new Layers(issues, notChecked, options.nativeInvariants !== false).resource(resource, location);
    }
    if (profile) {
      const nested = (v: Json, id: string, at: string): ValidationIssue[] => profileLayer(v, id, at, nested);
      issues.push(...profileLayer(resource, profile.id, location, nested));
    }
    const kept = options.bestPractice === false ? issues.filter((i) => !BEST_PRACTICE.has(i.rule)) : issues;
    return result(kept, [...notChecked].sort());
  } catch (e) {
    return result([{ severity: 'error', location: '(validator)', rule: 'validator:internal', message: `the validator failed: ${thrownText(e)}`, layer: 'parse' }]);
  }
}
