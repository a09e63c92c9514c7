// Real HTTP on node:http(s), with the control conformance testing needs: repeated header lines
// (two DPoP headers), exact bodies, a hard timeout, socket errors classified, and every
// exchange handed to a recorder (which redacts before anything is stored).
import http from 'node:http';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { classifyNetworkError, ContractError, InconclusiveError, InfrastructureError } from './errors.ts';

export type HeaderValue = string | string[];

export interface HttpRequest {
  method: string;
  url: string;
  headers?: Record<string, HeaderValue | undefined>;
  body?: string | Buffer;
  timeoutMs?: number;
  /** Complete the TLS handshake even with an untrusted certificate, to report on it. No data is sent to such a host but this request. */
  inspectTls?: boolean;
}

export interface TlsInfo {
  protocol: string | null;
  authorized: boolean;
  authorizationError?: string;
  validTo?: string;
  subject?: string;
  issuer?: string;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, HeaderValue>;
  body: Buffer;
  durationMs: number;
  tls?: TlsInfo;
  header(name: string): string | undefined;
  headerValues(name: string): string[];
  text(): string;
  contentType(): string;
}

export interface Exchange {
  request: HttpRequest;
  response?: HttpResponse;
  error?: Error;
  startedAt: string;
}

export type Recorder = (exchange: Exchange) => void;

export const DEFAULT_TIMEOUT_MS = 15_000;

export async function send(request: HttpRequest, recorder?: Recorder): Promise<HttpResponse> {
  const startedAt = new Date().toISOString();
  try {
    const response = await transmit(request);
    recorder?.({ request, response, startedAt });
    return response;
  } catch (error) {
    recorder?.({ request, error: error as Error, startedAt });
    throw error;
  }
}

function transmit(request: HttpRequest): Promise<HttpResponse> {
  const url = new URL(request.url);
  const timeoutMs = request.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const lib = url.protocol === 'https:' ? https : http;
  const headers: Record<string, HeaderValue> = {};
  for (const [k, v] of Object.entries(request.headers ?? {})) if (v !== undefined) headers[k] = v;
  if (request.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length')) {
    headers['content-length'] = String(Buffer.byteLength(request.body));
  }
  const started = performance.now();

  return new Promise<HttpResponse>((resolve, reject) => {
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      reject(classifyNetworkError(error, request.url, timeoutMs));
    };
    const tlsOptions = url.protocol === 'https:' && request.inspectTls ? { rejectUnauthorized: false } : {};
    const req = lib.request(url, { method: request.method, headers, agent: false, ...tlsOptions }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', fail);
      res.on('aborted', () => fail(Object.assign(new Error('response aborted'), { code: 'ECONNRESET' })));
      res.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const socket = res.socket as TLSSocket | null;
        resolve(makeResponse(res, Buffer.concat(chunks), performance.now() - started, url.protocol === 'https:' ? tlsInfo(socket) : undefined));
      });
    });
    const timer = setTimeout(() => {
      req.destroy(Object.assign(new Error('timeout'), { code: 'SUITE_TIMEOUT' }));
    }, timeoutMs);
    req.on('error', (e) => {
      clearTimeout(timer);
      fail(e);
    });
    if (request.body !== undefined) req.write(request.body);
    req.end();
  });
}

function tlsInfo(socket: TLSSocket | null): TlsInfo | undefined {
  if (!socket || typeof socket.getProtocol !== 'function') return undefined;
  const cert = socket.getPeerCertificate();
  return {
    protocol: socket.getProtocol(),
    authorized: socket.authorized,
    authorizationError: socket.authorizationError ? String(socket.authorizationError) : undefined,
    validTo: cert?.valid_to,
    subject: [cert?.subject?.CN].flat()[0],
    issuer: [cert?.issuer?.CN].flat()[0],
  };
}

function makeResponse(res: http.IncomingMessage, body: Buffer, durationMs: number, tls: TlsInfo | undefined): HttpResponse {
  const headers: Record<string, HeaderValue> = {};
  for (let i = 0; i < res.rawHeaders.length; i += 2) {
    const name = (res.rawHeaders[i] ?? '').toLowerCase();
    const value = res.rawHeaders[i + 1] ?? '';
    const prev = headers[name];
    headers[name] = prev === undefined ? value : [...(Array.isArray(prev) ? prev : [prev]), value];
  }
  const values = (name: string): string[] => {
    const v = headers[name.toLowerCase()];
    return v === undefined ? [] : Array.isArray(v) ? v : [v];
  };
  return {
    status: res.statusCode ?? 0,
    headers,
    body,
    durationMs,
    tls,
    header: (name) => values(name).join(', ') || undefined,
    headerValues: values,
    text: () => body.toString('utf8'),
    contentType: () => (values('content-type')[0] ?? '').toLowerCase(),
  };
}

/** The first bytes of a body, printable, for failure messages. */
export function preview(body: Buffer, max = 160): string {
  const text = body.subarray(0, max).toString('utf8').replace(/\s+/g, ' ').trim();
  return body.length > max ? `${text}…` : text;
}

/**
 * Separates a broken server from a contract answer. An API of this suite never answers an HTML
 * page, and a gateway error means the service was not reached: both are infrastructure failures.
 * 429 and 503 mean the environment could not take the test now: inconclusive.
 */
export function classifyResponse(response: HttpResponse, url: string): void {
  const type = response.contentType() || 'no content type';
  const what = `${new URL(url).pathname} answered ${response.status} ${type}`;
  if (response.status === 429 || response.status === 503) {
    throw new InconclusiveError(`${what}: the service declined the request for now (retry-after: ${response.header('retry-after') ?? 'not given'})`);
  }
  if (response.status === 502 || response.status === 504) {
    throw new InfrastructureError('gateway-error', `${what}; first bytes: "${preview(response.body)}"`);
  }
  if (type.includes('text/html') || /^\s*<(!doctype html|html)/i.test(response.body.subarray(0, 64).toString('utf8'))) {
    throw new InfrastructureError('html-page', `${what} with an HTML page; first bytes: "${preview(response.body)}"`);
  }
}

/** Parses a JSON body, or says precisely why it cannot. */
export function parseJson<T = unknown>(response: HttpResponse, url: string): T {
  const text = response.text();
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ContractError(
      `${new URL(url).pathname} answered ${response.status} ${response.contentType() || 'no content type'} that is not JSON; first bytes: "${preview(response.body)}"`,
    );
  }
}
