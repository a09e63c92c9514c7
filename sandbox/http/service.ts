// The twin's HTTP layer for the API packs. Each service's routes are derived from its OpenAPI
// operations: auth modes from `security` (and the service's modes in the pack), scopes from
// `x-scopes`, required claims from `x-required-claims`, accepted media types from `requestBody`
// and the body limit from `x-max-body-bytes`; a pack's twin module supplies only handlers. Every
// rule is a named check; nothing a client sends can crash it or make it print a stack trace.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { parse } from 'yaml';
import type { JWTPayload } from 'jose';
import type { AuthMode, ServiceDescriptor } from '../../helpers/packs/index.ts';
import { loadApiDocument, openApiDir, resolveRefs, type LoadedDocument, type Operation } from '../../helpers/validation/openapi/document.ts';
import { validateRequest } from '../../helpers/validation/openapi/validator.ts';
import type { ValidationIssue } from '../../helpers/validation/issues.ts';
import type { CheckSet } from '../core/checks.ts';
import type { ResponseTransform, TwinFacts } from '../core/faults.ts';
import type { HttpResponseParts, RouteInfo, RoutePolicy } from '../core/types.ts';
import type { AuthSuccess, ResourceServer } from '../rs/resource-server.ts';
import type { ErrorFormat } from './error-formats.ts';

export type TwinResponse = HttpResponseParts;

export interface TwinRequest {
  service: string;
  operation: RouteInfo;
  method: string;
  /** The public URL of the request (what a DPoP `htu` must match), query included. */
  url: URL;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  /** Raw header lines, to see repeated headers. */
  rawHeaders: string[];
  body: Buffer;
  params: Record<string, string>;
  auth?: AuthSuccess;
  /** The authenticated token's claims (an empty object on open routes). */
  token: JWTPayload;
}

export type Handler = (req: TwinRequest) => Promise<TwinResponse> | TwinResponse;

export interface ServiceOptions {
  service: string;
  descriptor: ServiceDescriptor;
  audience?: string;
  publicUrl: string;
  handlers: Readonly<Record<string, Handler>>;
  errors: ErrorFormat;
  rs: ResourceServer;
  checks: CheckSet;
  /** Route policy changes (faults), applied after the derivation. */
  patches: ReadonlyArray<(route: RouteInfo, policy: RoutePolicy) => Partial<RoutePolicy> | undefined>;
  transforms: readonly ResponseTransform[];
  facts: TwinFacts;
  /** This service wants DPoP nonces on its authenticated routes. */
  requireNonce: boolean;
}

export const DEFAULT_MAX_BODY = 1024 * 1024;
/** With the body limit switched off, reading still stops here. */
const HARD_BODY_CAP = 64 * 1024 * 1024;

interface Route {
  info: RouteInfo;
  operation: Operation;
  document: LoadedDocument;
  policy: RoutePolicy;
  handler: Handler;
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The auth modes a security scheme stands for (`x-auth-modes` where the document says more than its type). */
function schemeModes(scheme: Json | undefined): AuthMode[] {
  if (!scheme) return [];
  if (Array.isArray(scheme['x-auth-modes'])) return scheme['x-auth-modes'] as AuthMode[];
  if (scheme.type === 'http' && String(scheme.scheme).toLowerCase() === 'dpop') return ['dpop'];
  if (scheme.type === 'http' && String(scheme.scheme).toLowerCase() === 'bearer') return ['bearer'];
  if (scheme.type === 'apiKey') return ['backdoor'];
  return [];
}

/** A route's policy, from its OpenAPI operation and what the service takes in the twin. */
export function derivePolicy(document: LoadedDocument, operation: Operation, descriptor: ServiceDescriptor, audience: string | undefined, requireNonce: boolean): RoutePolicy {
  const schemes = (document.doc.components?.securitySchemes ?? {}) as Record<string, Json>;
  const named = operation.security.flatMap((requirement) => Object.keys(requirement));
  const documented = new Set(named.flatMap((n) => schemeModes(schemes[n])));
  const here = descriptor.profiles.local?.auth ?? [];
  const modes = here.filter((m) => documented.has(m));
  // A scheme's required claims hold on the hosts that take that scheme (PaRek's DPoP host wants a
  // health professional; its resident host, a citizen).
  const claimsOf = (n: string) => (schemeModes(schemes[n]).some((m) => modes.includes(m)) ? ((schemes[n]?.['x-required-claims'] as string[] | undefined) ?? []) : []);
  const claims = new Set<string>([...named.flatMap(claimsOf), ...((operation.raw['x-required-claims'] as string[] | undefined) ?? [])]);
  return {
    modes: [...modes],
    audience,
    anyScope: [...operation.scopes],
    requiredClaims: [...claims],
    consumes: Object.keys(operation.requestBody?.content ?? {}),
    maxBodyBytes: operation.maxBodyBytes ?? DEFAULT_MAX_BODY,
    requireNonce: requireNonce && modes.includes('dpop'),
  };
}

export function deriveRoutes(options: Pick<ServiceOptions, 'service' | 'descriptor' | 'audience' | 'handlers' | 'errors' | 'patches' | 'requireNonce'>): Route[] {
  const routes: Route[] = [];
  for (const name of options.descriptor.documents ?? []) {
    const document = loadApiDocument(name);
    for (const operation of document.operations) {
      // The first document that describes a path serves it (the Person API's /ping is in both versions).
      if (routes.some((r) => r.operation.path === operation.path && r.operation.method === operation.method)) continue;
      const info: RouteInfo = { service: options.service, operationId: operation.operationId, method: operation.method, path: operation.path };
      let policy = derivePolicy(document, operation, options.descriptor, options.audience, options.requireNonce);
      for (const patch of options.patches) policy = { ...policy, ...patch(info, policy) };
      const handler = options.handlers[operation.operationId] ?? (() => options.errors.render(501, 'not-supported', `${operation.operationId} is not implemented in the twin yet`));
      routes.push({ info, operation, document, policy, handler });
    }
  }
  return routes;
}

/** The operation a fault names to change the published OpenAPI document. */
export const PUBLISHED_OPENAPI = 'published-openapi';

/** Our document as the twin publishes it, self-contained (references resolved); a fresh copy each time, so a fault may change it. */
function publishedDocument(name: string): Json {
  const file = path.join(openApiDir(), `${name}.openapi.yaml`);
  return resolveRefs(parse(fs.readFileSync(file, 'utf8')) as Json, file);
}

class BodyTooLarge extends Error {}

/** Reads the body up to `limit` bytes. A larger body is drained (so the client can read the
 * 413 that follows) up to a hard cap, past which the connection is dropped. */
function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  const hardCap = Math.max(limit * 8, 16 * 1024 * 1024);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > hardCap) {
        req.destroy();
        return;
      }
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => (size > limit ? reject(new BodyTooLarge()) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

function write(res: http.ServerResponse, response: TwinResponse): void {
  if (res.headersSent) return;
  const headers: Record<string, string | string[]> = { ...response.headers };
  let payload: Buffer | undefined;
  if (response.body !== undefined) {
    if (Buffer.isBuffer(response.body)) payload = response.body;
    else if (typeof response.body === 'string') payload = Buffer.from(response.body);
    else payload = Buffer.from(JSON.stringify(response.body));
    headers['content-type'] = response.contentType ?? (typeof response.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json');
    headers['content-length'] = String(payload.length);
  } else {
    headers['content-length'] = '0';
  }
  res.writeHead(response.status, headers);
  res.end(payload);
}

/** The named check a request-validation issue belongs to: `request.query._count`, `request.body`, `http.content-type`. */
export function checkOfIssue(issue: ValidationIssue): string {
  if (issue.rule === 'openapi:content-type') return 'http.content-type';
  const m = /^(query|header|path)\.([^/]+)/.exec(issue.location);
  return m ? `request.${m[1]}.${m[2]}` : 'request.body';
}

export function createService(options: ServiceOptions): http.Server {
  const routes = deriveRoutes(options);
  const publicBase = new URL(options.publicUrl);
  const { errors, checks, service } = options;

  async function handle(req: http.IncomingMessage): Promise<{ response: TwinResponse; route?: RouteInfo }> {
    const method = (req.method ?? 'GET').toUpperCase();
    let url: URL;
    try {
      // The public URL, not the listen address: behind a proxy, `htu` and links use what clients see.
      url = new URL(req.url ?? '/', publicBase);
      url = new URL(`${publicBase.origin}${publicBase.pathname.replace(/\/$/, '')}${url.pathname}${url.search}`);
    } catch {
      return { response: errors.render(400, 'invalid', 'the request target is not a valid URL') };
    }
    const path = url.pathname.slice(publicBase.pathname.replace(/\/$/, '').length) || '/';

    // The API's published OpenAPI document (Swagger), where NHN publishes it: ours, as JSON.
    const published = options.descriptor.publishedOpenApi;
    if (published && path === published.path && (method === 'GET' || method === 'HEAD')) {
      return { response: { status: 200, body: publishedDocument(published.document), contentType: 'application/json' }, route: { service, operationId: PUBLISHED_OPENAPI, method: 'GET', path } };
    }

    const matching = routes.filter((r) => r.operation.pattern.test(path));
    if (!matching.length) return { response: errors.render(404, 'not-found', `no such endpoint: ${path}`) };
    const route = matching.find((r) => r.info.method === method || (method === 'HEAD' && r.info.method === 'GET'));
    if (!route) {
      const allow = [...new Set(matching.map((r) => r.info.method))].join(', ');
      return { response: { ...errors.render(405, 'not-supported', `${method} is not supported on ${path}; allowed: ${allow}`), headers: { allow } } };
    }
    const match = route.operation.pattern.exec(path)!;
    let params: Record<string, string>;
    try {
      params = Object.fromEntries(route.operation.pathNames.map((n, i) => [n, decodeURIComponent(match[i + 1] ?? '')]));
    } catch {
      return { response: errors.render(400, 'invalid', 'a path segment is not valid percent-encoding'), route: route.info };
    }

    // Authentication comes first, as in NHN's gateways: an unauthenticated caller learns nothing
    // about the body rules.
    const twinReq: TwinRequest = { service, operation: route.info, method, url, path, query: url.searchParams, headers: req.headers, rawHeaders: req.rawHeaders, body: Buffer.alloc(0), params, token: {} };
    if (route.policy.modes.length) {
      const outcome = await options.rs.authorize(twinReq, route.policy, service);
      if (!outcome.ok) return { response: options.rs.refusal(outcome, errors), route: route.info };
      twinReq.auth = outcome;
      twinReq.token = outcome.token;
    }

    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    const type = mediaType(req.headers['content-type']);
    if (hasBody && route.policy.consumes.length && !route.policy.consumes.includes(type) && checks.on('http.content-type', service)) {
      return { response: errors.render(415, 'not-supported', `content type "${type || 'none'}" is not accepted here; use ${route.policy.consumes.join(' or ')} [http.content-type]`), route: route.info };
    }

    const limit = checks.on('http.body-limit', service) ? route.policy.maxBodyBytes : HARD_BODY_CAP;
    try {
      twinReq.body = await readBody(req, limit);
    } catch (e) {
      if (e instanceof BodyTooLarge) return { response: errors.render(413, 'too-costly', `the request body exceeds the limit of ${limit} bytes [http.body-limit]`), route: route.info };
      throw e;
    }
    const invalid = validate(route, twinReq);
    if (invalid) return { response: invalid, route: route.info };
    if (route.policy.delayMs) await new Promise((resolve) => setTimeout(resolve, route.policy.delayMs));
    return { response: await route.handler(twinReq), route: route.info };
  }

  // The twin validates what it receives against the same OpenAPI documents the suite checks its
  // answers with, so the two cannot drift apart. Only errors refuse a request; each issue is the
  // named check `request.<in>.<name>` (or `request.body`, `http.content-type`).
  function validate(route: Route, req: TwinRequest): TwinResponse | undefined {
    const outcome = validateRequest(route.document, { method: req.method, url: `${req.path}${req.url.search}`, headers: req.headers, body: req.body });
    if (outcome.valid) return undefined;
    const errorsOnly = outcome.issues.filter((i) => i.severity === 'error' && checks.on(checkOfIssue(i), service));
    if (!errorsOnly.length) return undefined;
    const status = outcome.status ?? 400;
    const code = status === 415 ? 'not-supported' : 'invalid';
    return errors.render(status, code, `the request does not conform to the ${route.document.api} API: ${errorsOnly.map((i) => `${i.location}: ${i.message} [${checkOfIssue(i)}]`).join('; ').slice(0, 500)}`, errorsOnly);
  }

  function transformed(response: TwinResponse, route: RouteInfo | undefined): TwinResponse {
    const info = route ?? { service, operationId: '', method: '', path: '' };
    return options.transforms
      .filter((t) => (!t.services || t.services.includes(service)) && (!t.operations || t.operations.includes(info.operationId)))
      .reduce((r, t) => t.apply(r, options.facts, info), response);
  }

  const server = http.createServer((req, res) => {
    handle(req)
      .then(({ response, route }) => {
        // An early answer (401, 415) leaves the body unread: drain it so the client can read the answer.
        if (!req.complete) req.resume();
        write(res, transformed(response, route));
      })
      .catch((error: unknown) => {
        // Never a stack trace in a response; the operator sees the message on stderr.
        process.stderr.write(`[twin:${service}] ${req.method} ${req.url}: ${(error as Error)?.message ?? String(error)}\n`);
        write(res, errors.render(500, 'exception', 'the twin failed to handle this request'));
      });
  });
  // What Node's HTTP parser refuses before a handler sees it (a header too large, a control
  // character in a header, a malformed request line) is answered in the API's error format too,
  // not with Node's bare status line.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : error.code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW' ? 413 : 400;
    const answer = errors.render(status, status === 400 ? 'invalid' : 'too-costly', status === 431 ? 'the request headers are too large' : `the request is not valid HTTP/1.1 (${error.code ?? 'parse error'})`);
    const body = answer.body === undefined ? Buffer.alloc(0) : Buffer.from(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
    const head = [`HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? 'Error'}`, 'connection: close', `content-length: ${body.length}`, ...(answer.contentType ? [`content-type: ${answer.contentType}`] : [])];
    socket.end(Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`), body]));
  });
  return server;
}
