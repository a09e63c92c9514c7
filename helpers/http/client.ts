// Real HTTP on node:http(s), with the control conformance testing needs: repeated header lines
// (two DPoP headers), exact bodies, a hard timeout, socket errors classified, and every
// exchange handed to a recorder (which redacts before anything is stored).
import http from 'node:http';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import zlib from 'node:zlib';
import { redactText } from '../evidence/redact.ts';
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

/** A body larger than this is not read to its end: memory stays bounded whatever a server sends. */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

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
  const where = `${url.origin}${url.pathname}`;
  const elapsed = () => `${Math.round(performance.now() - started)} ms`;

  return new Promise<HttpResponse>((resolve, reject) => {
    let settled = false;
    let response: http.IncomingMessage | undefined;
    const chunks: Buffer[] = [];
    let received = 0;
    const firstBytes = () => preview(Buffer.concat(chunks).subarray(0, 160));
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(error instanceof InfrastructureError ? error : classifyNetworkError(error, request.url, timeoutMs, Math.round(performance.now() - started)));
    };
    const tlsOptions = url.protocol === 'https:' && request.inspectTls ? { rejectUnauthorized: false } : {};
    const req = lib.request(url, { method: request.method, headers, agent: false, ...tlsOptions }, (res) => {
      response = res;
      const declared = res.headers['content-length'] === undefined ? undefined : Number(res.headers['content-length']);
      res.on('data', (c: Buffer) => {
        received += c.length;
        if (received > MAX_BODY_BYTES) {
          fail(new InfrastructureError('oversized-body', `${where} answered ${res.statusCode} ${res.headers['content-type'] ?? 'no content type'} with a body over ${MAX_BODY_BYTES / 1024 / 1024} MiB${declared !== undefined ? ` (Content-Length ${declared})` : ''}; the suite stopped reading after ${elapsed()}; first bytes: "${firstBytes()}"`));
          req.destroy();
          return;
        }
        chunks.push(c);
      });
      const cut = () =>
        fail(
          declared !== undefined && received < declared
            ? new InfrastructureError('truncated-body', `${where} answered ${res.statusCode} ${res.headers['content-type'] ?? 'no content type'} and closed the connection after ${received} of the ${declared} bytes its Content-Length promised (${elapsed()}); first bytes: "${firstBytes()}"`)
            : new InfrastructureError('connection-reset', `${where} answered ${res.statusCode} and closed the connection mid-body after ${received} bytes (${elapsed()}); first bytes: "${firstBytes()}"`),
        );
      res.on('error', cut);
      res.on('aborted', cut);
      res.on('end', () => {
        if (settled) return;
        if (!res.complete) return cut();
        clearTimeout(timer);
        let body: Buffer = Buffer.concat(chunks);
        try {
          body = decode(body, String(res.headers['content-encoding'] ?? ''));
        } catch (e) {
          return fail(new InfrastructureError('bad-encoding', `${where} answered ${res.statusCode} with Content-Encoding ${res.headers['content-encoding']}, but its body does not decode (${(e as Error).message}); ${body.length} bytes in ${elapsed()}; first bytes: "${preview(body)}"`));
        }
        settled = true;
        const socket = res.socket as TLSSocket | null;
        resolve(makeResponse(res, body, performance.now() - started, url.protocol === 'https:' ? tlsInfo(socket) : undefined));
      });
    });
    const timer = setTimeout(() => {
      // Which wait it was: for the headers, or for the rest of a body that stalled.
      const stalled = response
        ? new InfrastructureError('timeout', `${where} answered ${response.statusCode} but its body stalled after ${received} bytes: nothing more within ${timeoutMs} ms; first bytes: "${firstBytes()}"`)
        : new InfrastructureError('timeout', `${where} sent no response headers within ${timeoutMs} ms`);
      fail(stalled);
      req.destroy();
    }, timeoutMs);
    req.on('error', (e) => fail(e));
    if (request.body !== undefined) req.write(request.body);
    req.end();
  });
}

/** A body as its Content-Encoding says (the suite asks for none, but a server may send it anyway); bounded like any body. */
function decode(body: Buffer, encoding: string): Buffer {
  const e = encoding.trim().toLowerCase();
  const options = { maxOutputLength: MAX_BODY_BYTES };
  if (!e || e === 'identity') return body;
  if (e === 'gzip' || e === 'x-gzip') return zlib.gunzipSync(body, options);
  if (e === 'deflate') return zlib.inflateSync(body, options);
  if (e === 'br') return zlib.brotliDecompressSync(body, options);
  throw new Error(`unknown content coding "${encoding}"`);
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

/**
 * The first characters of a body, printable, for failure messages: redacted before it is cut, so
 * that a token an answer should never hold is described, not half-printed.
 */
export function preview(body: Buffer, max = 160): string {
  const text = redactText(body.subarray(0, 64 * 1024).toString('utf8')).replace(/\s+/g, ' ').trim();
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * Separates a broken server from a contract answer. An API of this suite never answers an HTML
 * page, and a gateway error means the service was not reached: both are infrastructure failures.
 * 429 and 503 mean the environment could not take the test now: inconclusive.
 */
export function classifyResponse(response: HttpResponse, url: string): void {
  const type = response.contentType() || 'no content type';
  const what = `${new URL(url).pathname} answered ${response.status} ${type} in ${Math.round(response.durationMs)} ms`;
  if (response.status === 429 || response.status === 503) {
    throw new InconclusiveError(`${what}: the service declined the request for now (retry-after: ${response.header('retry-after') ?? 'not given'}); first bytes: "${preview(response.body)}"`);
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
