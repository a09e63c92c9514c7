// The OpenAPI documents in schemas/openapi/, loaded with their internal $refs resolved and their
// operations indexed by id and by method and path, for validating requests and responses.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { cachedDerivation, cacheDir, contentDigest } from '../start-cache.ts';
import { SERVICES } from '../../packs/index.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export { API_DOCUMENTS } from '../../packs/index.ts';

export interface Parameter {
  name: string;
  in: 'query' | 'header' | 'path' | 'cookie';
  required?: boolean;
  schema?: Json;
  style?: string;
  explode?: boolean;
}

export interface Operation {
  api: string;
  operationId: string;
  method: string;
  path: string;
  pattern: RegExp;
  pathNames: string[];
  parameters: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema?: Json }> };
  responses: Record<string, { headers?: Record<string, { required?: boolean; schema?: Json }>; content?: Record<string, { schema?: Json }> }>;
  security: Json[];
  requirements: string[];
  scopes: string[];
  maxBodyBytes?: number;
  raw: Json;
}

export interface LoadedDocument {
  api: string;
  file: string;
  doc: Json;
  operations: Operation[];
  byId: Map<string, Operation>;
}

export function openApiDir(): string {
  return path.resolve(process.env.NHN_OPENAPI_DIR ?? path.join(process.cwd(), 'schemas', 'openapi'));
}

/**
 * Resolves `$ref`s: internal ones (`#/...`) and ones into a sibling document
 * (`person-v2.openapi.yaml#/...`, read relative to the referring file; its own internal refs
 * resolve in its own context). The documents have no cycles.
 */
export function resolveRefs(doc: Json, file?: string): Json {
  const documents = new Map<string, Json>();
  const documentAt = (target: string): Json => {
    let d = documents.get(target);
    if (!d) {
      d = parse(fs.readFileSync(target, 'utf8')) as Json;
      documents.set(target, d);
    }
    return d;
  };
  const lookup = (root: Json, pointer: string): unknown =>
    pointer
      .split('/')
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce<unknown>((node, key) => (node as Json)?.[key], root);
  const seen = new Set<string>();
  const walk = (node: unknown, root: Json, at: string | undefined): unknown => {
    if (Array.isArray(node)) return node.map((n) => walk(n, root, at));
    if (!node || typeof node !== 'object') return node;
    const obj = node as Json;
    if (typeof obj.$ref === 'string') {
      const [target, pointer = ''] = obj.$ref.split('#');
      if (target && !at) throw new Error(`a $ref into another file needs the referring file's path: ${obj.$ref}`);
      const targetFile = target ? path.resolve(path.dirname(at!), target) : at;
      const targetRoot = target ? documentAt(targetFile!) : root;
      const key = `${targetFile ?? ''}#${pointer}`;
      if (seen.has(key)) throw new Error(`circular $ref ${obj.$ref}`);
      seen.add(key);
      const found = lookup(targetRoot, pointer.replace(/^\//, ''));
      if (found === undefined) throw new Error(`unresolved $ref ${obj.$ref}${at ? ` in ${path.basename(at)}` : ''}`);
      const out = walk(found, targetRoot, targetFile);
      seen.delete(key);
      return out;
    }
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, walk(v, root, at)]));
  };
  return walk(doc, doc, file) as Json;
}

/**
 * OpenAPI 3.0's `nullable: true` as JSON Schema: `null` joins the type (and the enum), and a schema
 * without a type (NHN's `allOf: [$ref], nullable: true`) becomes "that, or null". Ajv will not take
 * `nullable` without `type`.
 */
export function nullableToJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(nullableToJsonSchema);
  if (!node || typeof node !== 'object') return node;
  const out = Object.fromEntries(Object.entries(node as Json).map(([k, v]) => [k, nullableToJsonSchema(v)])) as Json;
  if (out.nullable !== true) return out;
  const { nullable: _dropped, ...rest } = out;
  if (typeof rest.type === 'string') {
    return { ...rest, type: [rest.type, 'null'], ...(Array.isArray(rest.enum) ? { enum: [...rest.enum, null] } : {}) };
  }
  return { anyOf: [rest, { type: 'null' }] };
}

export const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

/** A schema with every closed object opened: for answers a document says may carry members it does not list. */
function opened(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(opened);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([k, x]) => !(k === 'additionalProperties' && x === false)).map(([k, x]) => [k, opened(x)]));
  return v;
}

/** A parsed document with its references resolved and its `nullable`s as JSON Schema. */
function resolveDocument(raw: Json, file: string): Json {
  return nullableToJsonSchema(resolveRefs(raw, file)) as Json;
}

export function indexDocument(api: string, file: string, raw: Json): LoadedDocument {
  return indexResolved(api, file, resolveDocument(raw, file));
}

/** A document whose references are resolved and whose `nullable`s are JSON Schema, indexed. */
function indexResolved(api: string, file: string, doc: Json): LoadedDocument {
  // `x-open-answers`: the document is ours, derived from a sample; an answer's members it does not list are allowed.
  const openAnswers = typeof doc['x-open-answers'] === 'string';
  const operations: Operation[] = [];
  for (const [p, item] of Object.entries((doc.paths ?? {}) as Json)) {
    const pathNames: string[] = [];
    const pattern = new RegExp(
      `^${p
        .split('/')
        .map((seg) => {
          const m = /^\{(.+)\}$/.exec(seg);
          if (m) {
            pathNames.push(m[1]!);
            return '([^/]+)';
          }
          return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        })
        .join('/')}$`,
    );
    for (const method of METHODS) {
      const op = item[method] as Json | undefined;
      if (!op) continue;
      const params = new Map<string, Parameter>();
      for (const prm of [...(item.parameters ?? []), ...(op.parameters ?? [])] as Parameter[]) params.set(`${prm.in}:${prm.name.toLowerCase()}`, prm);
      operations.push({
        api,
        operationId: op.operationId ?? `${method} ${p}`,
        method: method.toUpperCase(),
        path: p,
        pattern,
        pathNames,
        parameters: [...params.values()],
        requestBody: op.requestBody,
        responses: openAnswers ? (opened(op.responses ?? {}) as Json) : (op.responses ?? {}),
        security: op.security ?? doc.security ?? [],
        requirements: op['x-requirements'] ?? [],
        scopes: op['x-scopes'] ?? [],
        maxBodyBytes: op['x-max-body-bytes'],
        raw: op,
      });
    }
  }
  return { api, file, doc, operations, byId: new Map(operations.map((o) => [o.operationId, o])) };
}

const cache = new Map<string, LoadedDocument>();

export function loadApiDocument(api: string): LoadedDocument {
  let loaded = cache.get(api);
  if (!loaded) {
    const file = path.join(openApiDir(), `${api}.openapi.yaml`);
    loaded = indexResolved(api, file, resolvedDocument(file));
    cache.set(api, loaded);
  }
  return loaded;
}

/** Bump when what resolvedDocument caches changes, so stale caches are ignored. */
const RESOLVED_FORMAT = 1;
const folderDigests = new Map<string, string>();

/**
 * A document of ours with its references resolved and `nullable` translated, cached as JSON under
 * node_modules/.cache by the content of every document in its folder (a reference may reach a
 * sibling) and the yaml package's version. The twin, Playwright's runner and every worker load
 * these documents; parsing the YAML and resolving it cost each of them about 400 ms, reading the
 * JSON a few.
 */
export function resolvedDocument(file: string): Json {
  const folder = path.dirname(file);
  let digest = folderDigests.get(folder);
  if (!digest) {
    const names = fs.readdirSync(folder).filter((n) => n.endsWith('.yaml')).sort();
    digest = contentDigest(...names.flatMap((n) => [n, fs.readFileSync(path.join(folder, n))]));
    folderDigests.set(folder, digest);
  }
  return cachedDerivation(cacheDir('openapi-resolved', ['yaml'], RESOLVED_FORMAT), path.basename(file, '.yaml'), digest, () => resolveDocument(parse(fs.readFileSync(file, 'utf8')) as Json, file));
}

/** The operation a request is for, or why there is none (404 path, 405 method). */
export function matchOperation(doc: LoadedDocument, method: string, pathname: string): { operation?: Operation; pathParams: Record<string, string>; pathKnown: boolean } {
  const candidates = doc.operations.filter((o) => o.pattern.test(pathname));
  const operation = candidates.find((o) => o.method === method.toUpperCase());
  const pathParams: Record<string, string> = {};
  if (operation) {
    const m = operation.pattern.exec(pathname)!;
    operation.pathNames.forEach((n, i) => (pathParams[n] = m[i + 1] ?? ''));
  }
  return { operation, pathParams, pathKnown: candidates.length > 0 };
}

/** Which of our documents describes a service's endpoint: the first of the service's documents that knows the path. */
export function documentForService(service: string, path: string): string | undefined {
  const documents = (SERVICES as Record<string, { documents?: readonly string[] }>)[service]?.documents ?? [];
  return documents.find((d) => matchOperation(loadApiDocument(d), 'GET', path).pathKnown) ?? documents[0];
}
