// The OpenAPI documents in schemas/openapi/, loaded with their internal $refs resolved and their
// operations indexed by id and by method and path, for validating requests and responses.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
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

/** Resolves internal `#/...` references (the documents have no cycles and no external refs). */
export function resolveRefs(doc: Json): Json {
  const lookup = (ref: string): unknown => {
    if (!ref.startsWith('#/')) throw new Error(`only internal $refs are supported: ${ref}`);
    return ref
      .slice(2)
      .split('/')
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce<unknown>((node, key) => (node as Json)?.[key], doc);
  };
  const seen = new Set<string>();
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!node || typeof node !== 'object') return node;
    const obj = node as Json;
    if (typeof obj.$ref === 'string') {
      if (seen.has(obj.$ref)) throw new Error(`circular $ref ${obj.$ref}`);
      seen.add(obj.$ref);
      const target = lookup(obj.$ref);
      if (target === undefined) throw new Error(`unresolved $ref ${obj.$ref}`);
      const out = walk(target);
      seen.delete(obj.$ref);
      return out;
    }
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, walk(v)]));
  };
  return walk(doc) as Json;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

export function indexDocument(api: string, file: string, raw: Json): LoadedDocument {
  const doc = resolveRefs(raw);
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
        responses: op.responses ?? {},
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
    loaded = indexDocument(api, file, parse(fs.readFileSync(file, 'utf8')) as Json);
    cache.set(api, loaded);
  }
  return loaded;
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
