// Request and response validation against our OpenAPI documents: the operation, the status,
// the content type, required headers, parameters and bodies. FHIR bodies (schemas marked
// x-fhir-resource) go through the layered FHIR validator, with the profile the document names.
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { validateFhir } from '../fhir/validator.ts';
import { result, type ValidationIssue, type ValidationResult } from '../issues.ts';
import { loadApiDocument, matchOperation, type LoadedDocument, type Operation, type Parameter } from './document.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const ajv = new Ajv({ strict: false, allErrors: true, coerceTypes: false });
(addFormats as unknown as (a: Ajv) => void)(ajv);
for (const f of ['int32', 'int64', 'binary', 'byte', 'double', 'float']) ajv.addFormat(f, true);
const compiled = new WeakMap<object, ValidateFunction>();

function schemaValidator(schema: Json): ValidateFunction {
  let v = compiled.get(schema);
  if (!v) {
    v = ajv.compile(schema);
    compiled.set(schema, v);
  }
  return v;
}

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

function issue(location: string, rule: string, message: string, severity: ValidationIssue['severity'] = 'error'): ValidationIssue {
  return { severity, location, rule, message, layer: 'openapi' };
}

function schemaIssues(schema: Json, value: unknown, location: string): ValidationIssue[] {
  const validate = schemaValidator(schema);
  if (validate(value)) return [];
  return (validate.errors ?? [])
    .filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'oneOf')
    .map((e) => issue(`${location}${e.instancePath}`, `openapi:schema:${e.keyword}`, e.message ?? e.keyword));
}

function isJson(type: string): boolean {
  return type === 'application/json' || type.endsWith('+json');
}

/** Validates a body of a documented media type; FHIR resources through the FHIR validator. */
function bodyIssues(schema: Json | undefined, type: string, body: Buffer, location: string, forRequest: boolean): { issues: ValidationIssue[]; notChecked: string[] } {
  if (!schema || !isJson(type)) return { issues: [], notChecked: [] };
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return { issues: [issue(location, 'openapi:body-json', `the ${type} body is not JSON; starts with "${body.subarray(0, 60).toString('utf8')}"`)], notChecked: [] };
  }
  const issues = schemaIssues(schema, value, location);
  const notChecked: string[] = [];
  const fhirType = schema['x-fhir-resource'] as string | undefined;
  if (fhirType && issues.length === 0) {
    const r5 = schema['x-fhir-version'] === 'R5';
    const profile = schema['x-fhir-profile'] as string | undefined;
    if (r5 && !profile) notChecked.push(`${location}: FHIR R5 ${fhirType} without a profile is checked by its OpenAPI schema only`);
    else {
      const fhir = validateFhir(value, { resourceType: fhirType, profile, bestPractice: false });
      issues.push(...fhir.issues.filter((i) => i.severity !== 'information' && (!forRequest || i.severity === 'error')));
      notChecked.push(...fhir.notChecked);
    }
  }
  return { issues, notChecked };
}

export interface ResponseToValidate {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function header(headers: ResponseToValidate['headers'], name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase());
  const v = key ? headers[key] : undefined;
  return Array.isArray(v) ? v.join(', ') : v;
}

export function validateResponse(api: string, operationId: string, response: ResponseToValidate): ValidationResult {
  const doc = loadApiDocument(api);
  const op = doc.byId.get(operationId);
  if (!op) return result([issue('(operation)', 'openapi:operation', `${api} has no operation ${operationId}`)]);
  return validateOperationResponse(op, response);
}

/** A response against one operation of any loaded document (ours, or NHN's published one). */
export function validateOperationResponse(op: Operation, response: ResponseToValidate): ValidationResult {
  const spec = op.responses[String(response.status)] ?? op.responses[`${String(response.status)[0]}XX`] ?? op.responses.default;
  if (!spec) {
    return result([issue('status', 'openapi:status', `${op.method} ${op.path} does not document status ${response.status} (documented: ${Object.keys(op.responses).join(', ')})`)]);
  }
  const issues: ValidationIssue[] = [];
  const notChecked: string[] = [];
  for (const [name, h] of Object.entries(spec.headers ?? {})) {
    const value = header(response.headers, name);
    if (value === undefined) {
      if (h.required) issues.push(issue(`header.${name}`, 'openapi:header', `the ${response.status} response must carry ${name}`));
    } else if (h.schema) {
      issues.push(...schemaIssues(h.schema, h.schema.type === 'integer' ? Number(value) : value, `header.${name}`));
    }
  }
  const type = mediaType(header(response.headers, 'content-type'));
  const content = spec.content ?? {};
  // `x-body-optional`: the document's body is our assumption, and an answer without one is as right.
  if (Object.keys(content).length > 0 && response.body.length === 0 && (spec as { 'x-body-optional'?: unknown })['x-body-optional']) return result(issues, notChecked);
  if (Object.keys(content).length === 0) {
    if (response.body.length > 0 && response.status !== 202) issues.push(issue('body', 'openapi:unexpected-body', `status ${response.status} is documented without a body, got ${response.body.length} bytes of ${type || 'no type'}`, 'warning'));
  } else if (!content[type]) {
    issues.push(issue('header.content-type', 'openapi:content-type', `content type "${type || 'none'}" is not documented for ${response.status}; documented: ${Object.keys(content).join(', ')}`));
  } else {
    const b = bodyIssues(content[type]!.schema, type, response.body, 'body', false);
    issues.push(...b.issues);
    notChecked.push(...b.notChecked);
  }
  return result(issues, notChecked);
}

export interface RequestToValidate {
  method: string;
  /** Path and query, relative to the API base URL. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body?: Buffer;
}

function coerce(schema: Json | undefined, raw: string[]): unknown {
  if (!schema) return raw[0];
  if (schema.type === 'array') return raw.flatMap((r) => r.split(',')).map((r) => coerce(schema.items, [r]));
  const v = raw[0] ?? '';
  if (schema.type === 'integer' || schema.type === 'number') return /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
  if (schema.type === 'boolean') return v === 'true' ? true : v === 'false' ? false : v;
  return v;
}

function paramIssues(prm: Parameter, raw: string[], location: string): ValidationIssue[] {
  if (raw.length === 0) return prm.required ? [issue(location, 'openapi:parameter-required', `${prm.in} parameter ${prm.name} is required`)] : [];
  return prm.schema ? schemaIssues(prm.schema, coerce(prm.schema, raw), location) : [];
}

function formToObject(schema: Json | undefined, body: Buffer): Json {
  const form = new URLSearchParams(body.toString('utf8'));
  const props: Json = { ...(schema?.properties ?? {}) };
  for (const part of schema?.allOf ?? []) Object.assign(props, part.properties ?? {});
  const out: Json = {};
  for (const key of new Set(form.keys())) out[key] = coerce(props[key] ?? { type: 'string' }, form.getAll(key));
  return out;
}

export interface RequestValidation extends ValidationResult {
  operation?: Operation;
  /** The HTTP status a server should answer for the first problem: 404, 405, 415 or 400. */
  status?: number;
}

export function validateRequest(doc: LoadedDocument, request: RequestToValidate): RequestValidation {
  const url = new URL(request.url, 'http://api.invalid');
  const { operation, pathParams, pathKnown } = matchOperation(doc, request.method, url.pathname);
  if (!operation) {
    return pathKnown
      ? { ...result([issue('method', 'openapi:method', `${request.method} is not documented for ${url.pathname}`)]), status: 405 }
      : { ...result([issue('path', 'openapi:path', `${url.pathname} is not a documented path of ${doc.api}`)]), status: 404 };
  }
  const issues: ValidationIssue[] = [];
  const notChecked: string[] = [];
  for (const prm of operation.parameters) {
    if (prm.in === 'path') issues.push(...paramIssues(prm, pathParams[prm.name] !== undefined ? [decodeURIComponent(pathParams[prm.name]!)] : [], `path.${prm.name}`));
    if (prm.in === 'query') issues.push(...paramIssues(prm, url.searchParams.getAll(prm.name), `query.${prm.name}`));
    if (prm.in === 'header') {
      const v = header(request.headers, prm.name);
      issues.push(...paramIssues(prm, v === undefined ? [] : [v], `header.${prm.name}`));
    }
  }
  const body = request.body ?? Buffer.alloc(0);
  if (operation.requestBody) {
    const type = mediaType(header(request.headers, 'content-type'));
    const media = operation.requestBody.content[type];
    if (body.length === 0) {
      if (operation.requestBody.required) issues.push(issue('body', 'openapi:body-required', 'a request body is required'));
    } else if (!media) {
      return { ...result([issue('header.content-type', 'openapi:content-type', `content type "${type || 'none'}" is not accepted; use ${Object.keys(operation.requestBody.content).join(' or ')}`)]), operation, status: 415 };
    } else if (type === 'application/x-www-form-urlencoded') {
      if (media.schema) issues.push(...schemaIssues(media.schema, formToObject(media.schema, body), 'body'));
    } else {
      const b = bodyIssues(media.schema, type, body, 'body', true);
      issues.push(...b.issues);
      notChecked.push(...b.notChecked);
    }
  } else if (body.length > 0) {
    issues.push(issue('body', 'openapi:unexpected-body', `${operation.method} ${operation.path} takes no body`, 'warning'));
  }
  const r = result(issues, notChecked);
  return { ...r, operation, status: r.valid ? undefined : 400 };
}
