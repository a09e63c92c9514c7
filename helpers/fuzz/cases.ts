// Malformed requests derived from our OpenAPI documents with fast-check: for each operation, a
// valid baseline (each parameter and body field from its schema) and, per kind of mistake, an
// arbitrary that breaks exactly that rule. Nothing here is written by hand per API: a new
// operation in a document is fuzzed as soon as it is documented. Every case may also carry
// unknown parameters as noise. A case holds no credential: the runner signs it when it sends it.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { Operation, Parameter } from '../validation/openapi/document.ts';
import { syntheticNin } from '../identifiers.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const MUTATION_KINDS = [
  'wrong-type',
  'missing-required',
  'out-of-range',
  'over-long',
  'bad-enum',
  'bad-date',
  'duplicate-parameter',
  'wrong-content-type',
  'invalid-json',
  'oversized-body',
  'broken-form',
  'hostile-header',
  'garbage-credentials',
  'path-structure',
] as const;
export type MutationKind = (typeof MUTATION_KINDS)[number];

/** How the runner authenticates a case: correctly, or with the garbage the case names. */
export type CaseAuth =
  | { kind: 'valid' }
  | { kind: 'garbage-token'; scheme: string; token: string }
  | { kind: 'garbage-proof'; proof: string }
  | { kind: 'no-proof' }
  | { kind: 'repeated'; header: 'authorization' | 'dpop' };

export interface FuzzCase {
  kind: MutationKind;
  document: string;
  operationId: string;
  method: string;
  /** The path with its parameters filled in (possibly malformed), not yet encoded beyond what it holds. */
  path: string;
  query: Array<[string, string]>;
  headers: Array<[string, string]>;
  /** The body as text; `padTo` grows it with trailing spaces to that many bytes (kept out of replay files). */
  body?: string;
  padTo?: number;
  /** undefined: the operation's own media type; null: no Content-Type at all. */
  contentType?: string | null;
  auth: CaseAuth;
  /** What the case breaks, for a reader. */
  note: string;
  /** A path-structure case whose path, normalised (dot segments removed, slashes merged: normalisedPaths), is the operation's own: a server that normalises may serve it. */
  normalisesToOperation?: boolean;
}

/**
 * A mistaken path value stays one segment: a dot segment (`.`, `..`) or an empty value would change
 * the path itself (RFC 3986 removes dot segments, a gateway collapses `//`), which is another kind
 * of mistake (path-structure). `/`, `?` and `#` are percent-encoded when the path is filled.
 */
export const oneSegment = (v: string) => v !== '' && v !== '.' && v !== '..';

/**
 * Dot segments removed (RFC 3986 §5.2.4), `%2E` read as a dot, an encoded slash left as data: the
 * WHATWG URL parser's path, as every HTTP stack in front of NHN normalises it.
 */
export const removeDotSegments = (raw: string): string => new URL(raw, 'http://normalise.invalid').pathname;

/**
 * The paths a correct server or gateway may take a raw path to be: dot segments removed, and that
 * with repeated slashes merged too (nginx's default `merge_slashes on`, common in gateways).
 */
export const normalisedPaths = (raw: string): string[] => {
  const dotless = removeDotSegments(raw);
  return [dotless, dotless.replace(/\/{2,}/g, '/')];
};

const UUID = /uuid/i;

/** A valid value for a schema: its example, its first enum value, or one built from its type and format. */
export function baselineValue(schema: Json | undefined, name = ''): unknown {
  if (!schema) return 'x';
  if (schema.example !== undefined) return schema.example;
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0];
  if (schema.oneOf || schema.anyOf) return baselineValue((schema.oneOf ?? schema.anyOf)[0], name);
  if (schema.allOf) return Object.assign({}, ...schema.allOf.map((s: Json) => baselineValue(s, name)));
  switch (schema.type) {
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? Math.max(schema.minimum, 1) : 1;
    case 'boolean':
      return false;
    case 'array':
      return [baselineValue(schema.items, name)];
    case 'object': {
      const out: Json = {};
      for (const key of (schema.required as string[] | undefined) ?? []) out[key] = baselineValue(schema.properties?.[key], key);
      if (schema['x-fhir-resource']) out.resourceType = schema['x-fhir-resource'];
      return out;
    }
    default:
      if (schema.format === 'date-time') return '2026-01-01T12:00:00Z';
      if (schema.format === 'date') return '2026-01-01';
      if (schema.format === 'uuid' || UUID.test(name)) return randomUUID();
      if (schema.pattern === '^\\d{11}$') return syntheticNin(4_242);
      if (schema.pattern) return fc.sample(fc.stringMatching(new RegExp(schema.pattern)), { numRuns: 1, seed: 7 })[0];
      return 'x';
  }
}

const itemSchema = (p: Parameter): Json | undefined => (p.schema?.type === 'array' ? p.schema.items : p.schema);
const isAuthHeader = (p: Parameter) => p.in === 'header' && /^(authorization|dpop)$/i.test(p.name);
const fhirResource = (op: Operation): string | undefined => {
  for (const c of Object.values(op.requestBody?.content ?? {})) if (c.schema?.['x-fhir-resource']) return c.schema['x-fhir-resource'] as string;
  return undefined;
};

export interface Baseline {
  path: Record<string, string>;
  query: Array<[string, string]>;
  headers: Array<[string, string]>;
  body?: string;
  mediaType?: string;
  bodySchema?: Json;
}

export function baseline(op: Operation): Baseline {
  const path: Record<string, string> = {};
  const query: Array<[string, string]> = [];
  const headers: Array<[string, string]> = [];
  for (const p of op.parameters) {
    if (isAuthHeader(p)) continue;
    const value = String(baselineValue(itemSchema(p), p.name));
    if (p.in === 'path') path[p.name] = value;
    else if (p.required && p.in === 'query') query.push([p.name, value]);
    else if (p.required && p.in === 'header') headers.push([p.name, value]);
  }
  const [mediaType, content] = Object.entries(op.requestBody?.content ?? {})[0] ?? [];
  let body: string | undefined;
  const bodySchema = content?.schema as Json | undefined;
  if (mediaType) {
    const value = baselineValue(bodySchema) as Json;
    const resource = fhirResource(op);
    if (resource && value && typeof value === 'object') value.resourceType = resource;
    body = mediaType.includes('form') ? new URLSearchParams(Object.entries(value ?? {}).map(([k, v]) => [k, String(v)])).toString() : JSON.stringify(value);
  }
  return { path, query, headers, body, mediaType, bodySchema };
}

/** A value that is not of the parameter's type, format or pattern. */
function wrongValue(schema: Json | undefined): fc.Arbitrary<string> {
  const type = schema?.type;
  if (type === 'integer' || type === 'number') return fc.oneof(fc.constantFrom('ten', '1.5x', '0x1F', '--1', '1e999999', 'NaN', '[]'), fc.string({ minLength: 1 }).filter((s) => Number.isNaN(Number(s)) && s.trim() !== ''));
  if (type === 'boolean') return fc.constantFrom('maybe', 'yes', '2', 'TRUE!', '{}');
  if (schema?.format === 'date-time' || schema?.format === 'date') return badDate();
  if (schema?.pattern) {
    const re = patternOf(schema.pattern as string);
    return fc.string({ minLength: 1, maxLength: 40 }).filter((s) => !re.test(s));
  }
  if (schema?.enum) return badEnum(schema.enum as unknown[]);
  return fc.constant('\u0000');
}

/** A schema pattern as JSON Schema means it: Unicode-aware (\\p{L}), unanchored. */
function patternOf(pattern: string): RegExp {
  try {
    return new RegExp(pattern, 'u');
  } catch {
    return new RegExp(pattern);
  }
}

function badEnum(values: readonly unknown[]): fc.Arbitrary<string> {
  const known = new Set(values.map(String));
  return fc.oneof(fc.string({ minLength: 1, maxLength: 30 }), fc.constantFrom(...values.map((v) => `${String(v)}x`), ...values.map((v) => String(v).toUpperCase()))).filter((s) => !known.has(s) && s.trim() !== '');
}

function badDate(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom('2024-13-01', '2024-02-30T10:00Z', '2024-01-01T25:61Z', 'yesterday', '01.01.2024', '2024/01/01', '20240101T1200Z', '2024-01-01T12:00+25:00', '9999999-01-01'),
    fc.tuple(fc.integer({ min: 0, max: 99999 }), fc.integer({ min: 13, max: 99 }), fc.integer({ min: 32, max: 99 })).map(([y, m, d]) => `${y}-${m}-${d}`),
  );
}

const constrainedSchema = (s: Json | undefined) => !!s && (s.type === 'integer' || s.type === 'number' || s.type === 'boolean' || !!s.enum || !!s.pattern || /date|uuid/.test(String(s.format ?? '')));
const constrained = (p: Parameter) => constrainedSchema(itemSchema(p));
/** Where a parameter goes in a case (path parameters replace their value). */
function withParameter(b: Baseline, p: Parameter, values: string[]): Pick<FuzzCase, 'query' | 'headers'> & { pathParams: Record<string, string> } {
  const pathParams = { ...b.path };
  let query = b.query.filter(([n]) => !(p.in === 'query' && n === p.name));
  let headers = b.headers.filter(([n]) => !(p.in === 'header' && n.toLowerCase() === p.name.toLowerCase()));
  if (p.in === 'path') pathParams[p.name] = values[0] ?? '';
  if (p.in === 'query') query = [...query, ...values.map((v) => [p.name, v] as [string, string])];
  if (p.in === 'header') headers = [...headers, ...values.map((v) => [p.name, v] as [string, string])];
  return { query, headers, pathParams };
}

/** One of the arbitraries that apply; undefined when none does. */
function anyOf<T>(...arbs: Array<fc.Arbitrary<T> | undefined>): fc.Arbitrary<T> | undefined {
  const given = arbs.filter((a): a is fc.Arbitrary<T> => a !== undefined);
  return given.length > 1 ? fc.oneof(...given) : given[0];
}

/** Whether a JSON value is of a schema type (the wrong-type kind wants one that is not). */
function ofJsonType(type: string, v: unknown): boolean {
  if (type === 'string') return typeof v === 'string';
  if (type === 'integer' || type === 'number') return typeof v === 'number';
  if (type === 'boolean') return typeof v === 'boolean';
  return Array.isArray(v) === (type === 'array');
}

export function fillPath(template: string, params: Record<string, string>): string {
  return template.replace(/\{([^}]+)\}/g, (_m, name: string) => encodeURIComponent(params[name] ?? ''));
}

/** Body fields as paths, with their schemas and whether they are required (three levels deep). */
function bodyFields(schema: Json | undefined, prefix: string[] = [], depth = 0): Array<{ path: string[]; schema: Json; required: boolean }> {
  if (!schema || schema.type !== 'object' || depth > 2) return [];
  const required = new Set<string>((schema.required as string[] | undefined) ?? []);
  return Object.entries((schema.properties ?? {}) as Record<string, Json>).flatMap(([k, s]) => [{ path: [...prefix, k], schema: s, required: required.has(k) }, ...bodyFields(s, [...prefix, k], depth + 1)]);
}

function setAt(value: Json, path: string[], v: unknown, remove = false): Json {
  const copy = structuredClone(value);
  let node: Json = copy;
  for (const key of path.slice(0, -1)) {
    if (!node[key] || typeof node[key] !== 'object') node[key] = {};
    node = node[key];
  }
  if (remove) delete node[path[path.length - 1]!];
  else node[path[path.length - 1]!] = v;
  return copy;
}

const unknownParameters = fc.array(fc.tuple(fc.stringMatching(/^zz[a-z_]{1,12}$/), fc.string({ maxLength: 20 })), { maxLength: 2 });

export interface CaseContext {
  op: Operation;
  document: string;
  /** The operation takes a token (its security is not empty). */
  authenticated: boolean;
  /** The body limit, bytes. */
  maxBodyBytes: number;
}

/** The arbitrary of cases of one kind for one operation; undefined when the kind cannot apply. */
export function casesOf(kind: MutationKind, ctx: CaseContext): fc.Arbitrary<FuzzCase> | undefined {
  const { op } = ctx;
  const b = baseline(op);
  const params = op.parameters.filter((p) => !isAuthHeader(p));
  const json = !!b.mediaType && /json/.test(b.mediaType);
  const form = !!b.mediaType && /form-urlencoded/.test(b.mediaType);
  const make = (parts: Partial<FuzzCase> & { pathParams?: Record<string, string>; note: string }): FuzzCase => ({
    kind,
    document: ctx.document,
    operationId: op.operationId,
    method: op.method,
    path: fillPath(op.path, parts.pathParams ?? b.path),
    query: parts.query ?? b.query,
    headers: parts.headers ?? b.headers,
    body: 'body' in parts ? parts.body : b.body,
    padTo: parts.padTo,
    contentType: parts.contentType,
    auth: parts.auth ?? { kind: 'valid' },
    note: parts.note,
  });
  const onParameter = (pick: Parameter[], value: (p: Parameter) => fc.Arbitrary<string>, note: string, duplicate = false) =>
    pick.length
      ? fc.constantFrom(...pick).chain((p) =>
          value(p).filter((v) => p.in !== 'path' || oneSegment(v)).map((v) => {
            const valid = String(baselineValue(itemSchema(p), p.name));
            // Given twice, the invalid value first: a server that binds the first value must refuse it too.
            return make({ ...withParameter(b, p, duplicate ? [v, valid] : [v]), note: `${note}: ${p.in} ${p.name}` });
          }),
        )
      : undefined;
  // A JSON body, or a form body as the object its fields make: mutated alike, written back in its own encoding.
  const jsonBody = b.body !== undefined && json ? (JSON.parse(b.body) as Json) : b.body !== undefined && form ? (Object.fromEntries(new URLSearchParams(b.body)) as Json) : undefined;
  const serialize = (o: Json): string => (form ? new URLSearchParams(Object.entries(o).flatMap(([k, v]) => (v === undefined ? [] : [[k, typeof v === 'object' ? JSON.stringify(v) : String(v)]]))).toString() : JSON.stringify(o));
  // Form fields are one level deep and every value is text: a wrong type is a value that does not parse as the field's type.
  const fields = jsonBody ? bodyFields(b.bodySchema).filter((f) => !form || f.path.length === 1) : [];

  let arb: fc.Arbitrary<FuzzCase> | undefined;
  switch (kind) {
    case 'wrong-type': {
      const onParams = onParameter(params.filter(constrained), (p) => wrongValue(itemSchema(p)), 'a value of the wrong type');
      const typed = fields.filter((f) => f.schema.type && f.schema.type !== 'object' && (!form || constrainedSchema(f.schema)));
      let onBody: fc.Arbitrary<FuzzCase> | undefined;
      if (typed.length && form) {
        onBody = fc.constantFrom(...typed).chain((f) => wrongValue(f.schema).map((v) => make({ body: serialize(setAt(jsonBody!, f.path, v)), note: `form field ${f.path.join('.')} of the wrong type` })));
      } else if (typed.length) {
        const values = fc.constantFrom<unknown>({ nested: true }, [1, 2], 12345, true, null, 'text');
        onBody = fc.tuple(fc.constantFrom(...typed), values).filter(([f, v]) => !ofJsonType(f.schema.type, v)).map(([f, v]) => make({ body: serialize(setAt(jsonBody!, f.path, v)), note: `body ${f.path.join('.')} of the wrong type` }));
      } else if (fhirResource(op)) {
        onBody = fc.constantFrom<unknown>(12, [], 'Patient', { resourceType: 'Bundle', type: 7 }).map((v) => make({ body: JSON.stringify(typeof v === 'object' && !Array.isArray(v) ? v : { resourceType: v }), note: 'a body of the wrong resource type' }));
      }
      arb = anyOf(onParams, onBody);
      break;
    }
    case 'missing-required': {
      const required = params.filter((p) => p.required && p.in !== 'path');
      const onParams = required.length ? fc.constantFrom(...required).map((p) => make({ ...withParameter(b, p, []), note: `required ${p.in} ${p.name} left out` })) : undefined;
      const requiredFields = fields.filter((f) => f.required);
      const onBody = requiredFields.length ? fc.constantFrom(...requiredFields).map((f) => make({ body: serialize(setAt(jsonBody!, f.path, undefined, true)), note: `required body field ${f.path.join('.')} left out` })) : undefined;
      const noBody = op.requestBody?.required ? fc.constant(make({ body: undefined, note: 'the required body left out' })) : undefined;
      arb = anyOf(onParams, onBody, noBody);
      break;
    }
    case 'out-of-range': {
      const ranged = params.filter((p) => typeof itemSchema(p)?.minimum === 'number' || typeof itemSchema(p)?.maximum === 'number');
      const outside = (s: Json) => {
        const below = typeof s.minimum === 'number' ? fc.integer({ min: -1_000_000, max: s.minimum - 1 }) : undefined;
        const above = typeof s.maximum === 'number' ? fc.integer({ min: s.maximum + 1, max: s.maximum + 1_000_000 }) : undefined;
        return fc.oneof(...[below, above].filter((a): a is fc.Arbitrary<number> => !!a));
      };
      const onParams = onParameter(ranged, (p) => outside(itemSchema(p)!).map(String), 'a number out of range');
      const rangedFields = fields.filter((f) => typeof f.schema.minimum === 'number' || typeof f.schema.maximum === 'number');
      const onBody = rangedFields.length ? fc.constantFrom(...rangedFields).chain((f) => outside(f.schema).map((v) => make({ body: serialize(setAt(jsonBody!, f.path, v)), note: `body ${f.path.join('.')} = ${v}, out of range` }))) : undefined;
      arb = anyOf(onParams, onBody);
      break;
    }
    case 'over-long': {
      const bounded = params.filter((p) => typeof itemSchema(p)?.maxLength === 'number');
      const longBody = fields.filter((f) => typeof f.schema.maxLength === 'number');
      const onParams = onParameter(bounded, (p) => fc.integer({ min: itemSchema(p)!.maxLength + 1, max: itemSchema(p)!.maxLength + 200 }).map((n) => 'a'.repeat(n)), 'a string over its maxLength');
      const onBody = longBody.length ? fc.constantFrom(...longBody).chain((f) => fc.integer({ min: f.schema.maxLength + 1, max: f.schema.maxLength + 500 }).map((n) => make({ body: serialize(setAt(jsonBody!, f.path, 'a'.repeat(n))), note: `body ${f.path.join('.')} over its maxLength` }))) : undefined;
      arb = anyOf(onParams, onBody);
      break;
    }
    case 'bad-enum': {
      const onParams = onParameter(params.filter((p) => Array.isArray(itemSchema(p)?.enum)), (p) => badEnum(itemSchema(p)!.enum), 'a value outside the enum');
      const enums = fields.filter((f) => Array.isArray(f.schema.enum));
      const onBody = enums.length ? fc.constantFrom(...enums).chain((f) => badEnum(f.schema.enum).map((v) => make({ body: serialize(setAt(jsonBody!, f.path, v)), note: `body ${f.path.join('.')} outside its enum` }))) : undefined;
      arb = anyOf(onParams, onBody);
      break;
    }
    case 'bad-date': {
      const dated = params.filter((p) => /date/.test(String(itemSchema(p)?.format)) || /\\d\{4\}-\\d\{2\}/.test(String(itemSchema(p)?.pattern)));
      const onParams = onParameter(dated, (p) => {
        const prefix = /^\^\((gt\|ge)/.test(String(itemSchema(p)?.pattern)) ? fc.constantFrom('ge', 'lt') : fc.constant('');
        return fc.tuple(prefix, badDate()).map(([x, d]) => `${x}${d}`);
      }, 'a malformed date');
      const datedFields = fields.filter((f) => /date/.test(String(f.schema.format)));
      const onBody = datedFields.length ? fc.constantFrom(...datedFields).chain((f) => badDate().map((v) => make({ body: serialize(setAt(jsonBody!, f.path, v)), note: `body ${f.path.join('.')} a malformed date` }))) : undefined;
      arb = anyOf(onParams, onBody);
      break;
    }
    case 'duplicate-parameter':
      arb = onParameter(params.filter((p) => constrained(p) && p.in !== 'path' && itemSchema(p) === p.schema), (p) => wrongValue(itemSchema(p)), 'a parameter given twice, the first value invalid', true);
      break;
    case 'wrong-content-type':
      arb = b.mediaType
        ? fc.constantFrom<string | null>('text/plain', 'application/xml', 'multipart/form-data; boundary=zz', 'image/png', json ? 'application/x-www-form-urlencoded' : 'application/json', null, 'application/fhir+xml').map((t) =>
            make({ contentType: t, note: `a body sent as ${t ?? 'no content type'}` }),
          )
        : undefined;
      break;
    case 'invalid-json':
      arb = b.body !== undefined && json
        ? fc.oneof(
            fc.integer({ min: 1, max: Math.max(1, b.body.length - 1) }).map((n) => make({ body: b.body!.slice(0, n), note: `the JSON body cut at ${n} of ${b.body!.length} characters` })),
            fc.string({ minLength: 1, maxLength: 60 }).filter((s) => { try { JSON.parse(s); return false; } catch { return true; } }).map((s) => make({ body: s, note: 'a body that is not JSON' })),
            fc.constantFrom('{"resourceType":"Patient",}', "{'a':1}", '{"a":1}{"b":2}', '\uFEFF{"a":', '[', 'NaN').map((s) => make({ body: s, note: 'a body that is not JSON' })),
          )
        : undefined;
      break;
    case 'oversized-body':
      arb = b.body !== undefined ? fc.integer({ min: 1, max: 64 * 1024 }).map((extra) => make({ padTo: ctx.maxBodyBytes + extra, note: `a body of ${ctx.maxBodyBytes + extra} bytes, over the ${ctx.maxBodyBytes}-byte limit` })) : undefined;
      break;
    case 'broken-form':
      // Broken encoding in place of the form: the WHATWG parser takes much of it leniently, so only a
      // form with required fields is sure to be refused when they are lost in the junk.
      arb = form && ((b.bodySchema?.required as string[] | undefined) ?? []).length
        ? fc.oneof(
            fc.constantFrom('%', '%ZZ=1', 'a=%E0%A4%A', '=&=&&', '%C0%AF=1', 'a=1&a', '\u0000=\u0000', '%FF%FE=%00', '&&&', '%%%%'),
            fc.string({ maxLength: 30 }).map((s) => s.replace(/[=&]/g, '%')),
          ).map((junk) => make({ body: junk, note: `broken form encoding: ${JSON.stringify(junk)}` }))
        : undefined;
      break;
    case 'hostile-header': {
      const huge = fc.integer({ min: 20 * 1024, max: 64 * 1024 }).map((n) => make({ headers: [...b.headers, ['x-fuzz-huge', 'h'.repeat(n)]], note: `a header of ${n} bytes` }));
      const control = fc.tuple(fc.integer({ min: 0, max: 31 }).filter((c) => c !== 9), fc.string({ maxLength: 10 })).map(([c, s]) => make({ headers: [...b.headers, ['x-fuzz-control', `a${String.fromCharCode(c)}${s.replace(/[\r\n]/g, '')}`]], note: `a header with control character 0x${c.toString(16).padStart(2, '0')}` }));
      const repeated = ctx.authenticated ? fc.constantFrom<'authorization' | 'dpop'>('authorization', 'dpop').map((header) => make({ auth: { kind: 'repeated', header }, note: `the ${header} header twice` })) : undefined;
      arb = anyOf(huge, control, repeated);
      break;
    }
    case 'path-structure': {
      // Dot segments, an encoded slash and an empty segment on purpose, on reads only (a write that
      // a normalising server serves would change data). A read the path still names may be served.
      const segments = fillPath(op.path, b.path).split('/').slice(1);
      if (op.method !== 'GET' || segments.length < 1) break;
      arb = fc.tuple(fc.integer({ min: 0, max: segments.length - 1 }), fc.constantFrom('dot', 'dot-dot', 'encoded-slash', 'empty', 'encoded-dot')).map(([i, how]) => {
        const at = (insert: string[]) => `/${[...segments.slice(0, i), ...insert, ...segments.slice(i)].join('/')}`;
        const pathOf = {
          dot: at(['.']),
          'dot-dot': at(['zz', '..']),
          'encoded-slash': `/${[...segments.slice(0, i), `${segments[i]}%2F${segments[i + 1] ?? 'x'}`, ...segments.slice(i + 2)].join('/')}`,
          empty: at(['']),
          'encoded-dot': at(['%2E']),
        }[how];
        return { ...make({ note: `a path with ${how.replace('-', ' ')} at segment ${i + 1}: ${pathOf}` }), path: pathOf, normalisesToOperation: normalisedPaths(pathOf).includes(`/${segments.join('/')}`) };
      });
      break;
    }
    case 'garbage-credentials':
      arb = ctx.authenticated
        ? fc.oneof(
            fc.tuple(fc.constantFrom('DPoP', 'Bearer', 'Basic', 'dpop', ''), fc.oneof(fc.base64String({ minLength: 4, maxLength: 400 }), fc.constantFrom('eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', 'a.b.c', 'eyJ', 'null', '...'), fc.string({ maxLength: 60 }).map((s) => s.replace(/[\r\n\u0000-\u001f\u007f]/g, '')))).map(([scheme, token]) => make({ auth: { kind: 'garbage-token', scheme, token }, note: `a garbage ${scheme || 'schemeless'} token` })),
            fc.oneof(fc.base64String({ minLength: 4, maxLength: 300 }), fc.constantFrom('eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6Im5vbmUifQ.e30.', 'x.y.z', '')).map((proof) => make({ auth: { kind: 'garbage-proof', proof }, note: 'a valid token with a garbage DPoP proof' })),
            fc.constant(make({ auth: { kind: 'no-proof' }, note: 'a valid token without its DPoP proof' })),
          )
        : undefined;
      break;
  }
  if (!arb) return undefined;
  // Unknown parameters as noise on every case: they may be ignored, but must never hide the mistake.
  return fc.tuple(arb, unknownParameters).map(([c, extra]) => (extra.length ? { ...c, query: [...c.query, ...extra] } : c));
}

/** The body bytes a case sends. */
export function caseBody(c: FuzzCase): Buffer | undefined {
  if (c.body === undefined && c.padTo === undefined) return undefined;
  const text = c.body ?? '';
  const base = Buffer.from(text, 'utf8');
  return c.padTo && c.padTo > base.length ? Buffer.concat([base, Buffer.alloc(c.padTo - base.length, 0x20)]) : base;
}

/** Path and query as they go on the request line: the query percent-encoded, pairs in order, repeats kept. */
export function caseTarget(basePath: string, c: FuzzCase): string {
  const query = c.query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  return `${basePath}${c.path}${query ? `?${query}` : ''}`;
}
