// A small HTTP service for the twin's API modules: routing, content-type and size checks,
// authentication through the shared resource-server layer, and errors in each API's own
// format. Nothing a client sends can crash it or make it print a stack trace.
import http from 'node:http';
import type { AuthPolicy, AuthSuccess, ResourceServer } from '../rs/resource-server.ts';
import type { ErrorFormat } from './error-formats.ts';
import type { Faults } from '../faults.ts';
import { loadApiDocument, matchOperation } from '../../helpers/validation/openapi/document.ts';
import { validateRequest } from '../../helpers/validation/openapi/validator.ts';
import type { ValidationIssue } from '../../helpers/validation/issues.ts';

export interface TwinRequest {
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
}

export interface TwinResponse {
  status: number;
  headers?: Record<string, string | string[]>;
  /** Objects are sent as JSON with `contentType` (default application/json). */
  body?: unknown;
  contentType?: string;
}

export interface Route {
  method: string;
  /** A path with `:name` segments. */
  path: string;
  auth?: AuthPolicy;
  /** Media types a body may have; a request body of another type is refused with 415. */
  consumes?: string[];
  maxBodyBytes?: number;
  handler: (req: TwinRequest) => Promise<TwinResponse> | TwinResponse;
}

export interface ServiceOptions {
  name: string;
  publicUrl: string;
  routes: Route[];
  errors: ErrorFormat;
  rs: ResourceServer;
  faults: Faults;
  /** OpenAPI documents the requests are validated against; the first that documents the path wins. */
  documents?: string[];
  tolerate?: (issue: ValidationIssue) => boolean;
  /** This service wants DPoP nonces on its authenticated routes (SANDBOX_RS_NONCE_APIS). */
  requireNonce?: boolean;
  defaultMaxBodyBytes?: number;
}

const DEFAULT_MAX_BODY = 1024 * 1024;

interface CompiledRoute extends Route {
  pattern: RegExp;
  names: string[];
}

function compile(route: Route): CompiledRoute {
  const names: string[] = [];
  const source = route.path
    .split('/')
    .map((seg) => {
      if (seg.startsWith(':')) {
        names.push(seg.slice(1));
        return '([^/]+)';
      }
      return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { ...route, pattern: new RegExp(`^${source}$`), names };
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

export function createService(options: ServiceOptions): http.Server {
  const routes = options.routes.map(compile);
  const publicBase = new URL(options.publicUrl);
  const { errors } = options;

  async function handle(req: http.IncomingMessage): Promise<TwinResponse> {
    const method = (req.method ?? 'GET').toUpperCase();
    let url: URL;
    try {
      // The public URL, not the listen address: behind a proxy, `htu` and links use what clients see.
      url = new URL(req.url ?? '/', publicBase);
      url = new URL(`${publicBase.origin}${publicBase.pathname.replace(/\/$/, '')}${url.pathname}${url.search}`);
    } catch {
      return errors.render(400, 'invalid', 'the request target is not a valid URL');
    }
    const path = url.pathname.slice(publicBase.pathname.replace(/\/$/, '').length) || '/';

    const matching = routes.filter((r) => r.pattern.test(path));
    if (!matching.length) return errors.render(404, 'not-found', `no such endpoint: ${path}`);
    const route = matching.find((r) => r.method === method || (method === 'HEAD' && r.method === 'GET'));
    if (!route) {
      const allow = [...new Set(matching.map((r) => r.method))].join(', ');
      return { ...errors.render(405, 'not-supported', `${method} is not supported on ${path}; allowed: ${allow}`), headers: { allow } };
    }
    const match = route.pattern.exec(path)!;
    let params: Record<string, string>;
    try {
      params = Object.fromEntries(route.names.map((n, i) => [n, decodeURIComponent(match[i + 1] ?? '')]));
    } catch {
      return errors.render(400, 'invalid', 'a path segment is not valid percent-encoding');
    }

    // Authentication comes first, as in NHN's gateways: an unauthenticated caller learns nothing
    // about the body rules.
    const twinReq: TwinRequest = { method, url, path, query: url.searchParams, headers: req.headers, rawHeaders: req.rawHeaders, body: Buffer.alloc(0), params };
    if (route.auth) {
      const outcome = await options.rs.authorize(twinReq, options.requireNonce ? { ...route.auth, requireNonce: true } : route.auth);
      if (!outcome.ok) return options.rs.refusal(outcome, errors);
      twinReq.auth = outcome;
    }

    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (hasBody && route.consumes && !options.faults.has('rs-any-content-type') && !route.consumes.includes(mediaType(req.headers['content-type']))) {
      return errors.render(415, 'not-supported', `content type "${mediaType(req.headers['content-type']) || 'none'}" is not accepted here; use ${route.consumes.join(' or ')}`);
    }

    const limit = options.faults.has('rs-no-size-limit') ? 64 * 1024 * 1024 : (route.maxBodyBytes ?? options.defaultMaxBodyBytes ?? DEFAULT_MAX_BODY);
    try {
      twinReq.body = await readBody(req, limit);
    } catch (e) {
      if (e instanceof BodyTooLarge) return errors.render(413, 'too-costly', `the request body exceeds the limit of ${limit} bytes`);
      throw e;
    }
    const invalid = validateAgainstDocuments(twinReq);
    if (invalid) return invalid;
    return route.handler(twinReq);
  }

  // The twin validates what it receives against the same OpenAPI documents the suite checks its
  // answers with, so the two cannot drift apart. Only errors refuse a request.
  function validateAgainstDocuments(req: TwinRequest): TwinResponse | undefined {
    const docs = (options.documents ?? []).map((d) => loadApiDocument(d));
    if (!docs.length) return undefined;
    const doc = docs.find((d) => matchOperation(d, req.method, req.path).pathKnown) ?? docs[0]!;
    const outcome = validateRequest(doc, { method: req.method, url: `${req.path}${req.url.search}`, headers: req.headers, body: req.body });
    if (outcome.valid) return undefined;
    if (outcome.status === 415 && options.faults.has('rs-any-content-type')) return undefined;
    const errorsOnly = outcome.issues.filter((i) => i.severity === 'error' && !options.tolerate?.(i));
    if (!errorsOnly.length) return undefined;
    const status = outcome.status ?? 400;
    const code = status === 415 ? 'not-supported' : status === 404 ? 'not-found' : status === 405 ? 'not-supported' : 'invalid';
    return errors.render(status, code, `the request does not conform to the ${doc.api} API: ${errorsOnly.map((i) => `${i.location}: ${i.message}`).join('; ').slice(0, 500)}`, errorsOnly);
  }

  return http.createServer((req, res) => {
    handle(req)
      .then((response) => {
        // An early answer (401, 415) leaves the body unread: drain it so the client can read the answer.
        if (!req.complete) req.resume();
        write(res, response);
      })
      .catch((error: unknown) => {
        // Never a stack trace in a response; the operator sees the message on stderr.
        process.stderr.write(`[twin:${options.name}] ${req.method} ${req.url}: ${(error as Error)?.message ?? String(error)}\n`);
        write(res, errors.render(500, 'exception', 'the twin failed to handle this request'));
      });
  });
}
