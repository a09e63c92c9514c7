// The exchanges of a run as HAR 1.2 (what browsers' developer tools and proxies read), redacted
// the same way as every other artefact, with the suite's own fields (underscored, as HAR allows):
// the test, the service and its base URL, and the checks judged on the exchange. The bodies are
// kept whole (up to a bound) so the verifier can re-judge them.
import type { Exchange } from '../http/client.ts';
import type { RecordedCheck } from './checks.ts';
import type { RequestLike, ResponseLike } from './oracles.ts';
import { mayHoldSecret, redactBody, redactHeaders, redactJson, redactText } from './redact.ts';

/** Bodies past this are cut, and their exchange is marked as not re-judgeable. */
export const MAX_HAR_BODY_BYTES = 2 * 1024 * 1024;

export interface HarHeader {
  name: string;
  value: string;
}

export interface HarEntry {
  startedDateTime: string;
  time: number;
  request: {
    method: string;
    url: string;
    httpVersion: string;
    headers: HarHeader[];
    queryString: HarHeader[];
    postData?: { mimeType: string; text: string; encoding?: 'base64' };
    headersSize: -1;
    bodySize: number;
  };
  response: {
    status: number;
    statusText: string;
    httpVersion: string;
    headers: HarHeader[];
    content: { size: number; mimeType: string; text?: string; encoding?: 'base64' };
    redirectURL: string;
    headersSize: -1;
    bodySize: number;
    _error?: string;
  };
  cache: Record<string, never>;
  timings: { send: number; wait: number; receive: number };
  _test: string;
  _service?: string;
  _base?: string;
  _checks?: RecordedCheck[];
  _truncated?: boolean;
}

export interface HarLog {
  log: { version: '1.2'; creator: { name: string; version: string }; entries: HarEntry[] };
}

const TEXTUAL = /json|xml|text|x-www-form-urlencoded|javascript/i;

function headerList(headers: Record<string, string | string[] | undefined>): HarHeader[] {
  return Object.entries(redactHeaders(headers)).flatMap(([name, v]) => [v].flat().map((value) => ({ name, value })));
}

function contentTypeOf(headers: Record<string, string | string[] | undefined> | undefined): string {
  const entry = Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === 'content-type');
  return String([entry?.[1] ?? ''].flat()[0] ?? '');
}

/**
 * A body as HAR text, redacted. A JSON body keeps its exact bytes when redaction would change
 * nothing in it, so a re-judgement sees what the run saw; a binary body is kept as base64.
 */
function bodyText(body: Buffer, contentType: string): { text: string; encoding?: 'base64'; truncated: boolean } {
  const truncated = body.length > MAX_HAR_BODY_BYTES;
  const bytes = truncated ? body.subarray(0, MAX_HAR_BODY_BYTES) : body;
  if (contentType && !TEXTUAL.test(contentType)) return { text: bytes.toString('base64'), encoding: 'base64', truncated };
  const text = bytes.toString('utf8');
  if (!mayHoldSecret(text)) return { text, truncated };
  if (/json/i.test(contentType)) {
    try {
      const parsed: unknown = JSON.parse(text);
      const redacted = redactJson(parsed);
      return { text: redacted === parsed ? text : JSON.stringify(redacted), truncated };
    } catch {
      return { text: redactText(text), truncated };
    }
  }
  return { text: redactBody(text, contentType), truncated };
}

export function toHarEntry(exchange: Exchange, meta: { test: string; service?: string; base?: string; checks?: RecordedCheck[] }): HarEntry {
  const { request, response, error } = exchange;
  const url = new URL(redactText(request.url));
  const requestType = contentTypeOf(request.headers);
  const requestBody = request.body === undefined ? undefined : bodyText(Buffer.isBuffer(request.body) ? request.body : Buffer.from(request.body), requestType);
  const responseType = response ? contentTypeOf(response.headers) : '';
  const responseBody = response && response.body.length ? bodyText(response.body, responseType) : undefined;
  const time = Math.round(response?.durationMs ?? 0);
  return {
    startedDateTime: exchange.startedAt,
    time,
    request: {
      method: request.method,
      url: url.toString(),
      httpVersion: 'HTTP/1.1',
      headers: headerList(request.headers ?? {}),
      queryString: [...url.searchParams].map(([name, value]) => ({ name, value })),
      postData: requestBody && { mimeType: requestType, text: requestBody.text, encoding: requestBody.encoding },
      headersSize: -1,
      bodySize: request.body === undefined ? 0 : Buffer.byteLength(request.body),
    },
    response: {
      status: response?.status ?? 0,
      statusText: '',
      httpVersion: 'HTTP/1.1',
      headers: response ? headerList(response.headers) : [],
      content: { size: response?.body.length ?? 0, mimeType: responseType, text: responseBody?.text, encoding: responseBody?.encoding },
      redirectURL: '',
      headersSize: -1,
      bodySize: response?.body.length ?? 0,
      _error: response ? undefined : redactText(error?.message ?? 'no answer'),
    },
    cache: {},
    timings: { send: 0, wait: time, receive: 0 },
    _test: meta.test,
    _service: meta.service,
    _base: meta.base,
    _checks: meta.checks?.length ? meta.checks : undefined,
    _truncated: requestBody?.truncated || responseBody?.truncated || undefined,
  };
}

function headerRecord(list: HarHeader[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const { name, value } of list) {
    const key = name.toLowerCase();
    const prev = out[key];
    out[key] = prev === undefined ? value : [...[prev].flat(), value];
  }
  return out;
}

/** The request and response of a recorded entry, as the oracles take them. */
export function fromHarEntry(entry: HarEntry): { request: RequestLike; response?: ResponseLike } {
  const post = entry.request.postData;
  const content = entry.response.content;
  const request: RequestLike = {
    method: entry.request.method,
    url: entry.request.url,
    headers: headerRecord(entry.request.headers),
    body: post ? (post.encoding === 'base64' ? Buffer.from(post.text, 'base64').toString('utf8') : post.text) : undefined,
  };
  if (entry.response.status === 0) return { request };
  const body = content.text === undefined ? Buffer.alloc(0) : Buffer.from(content.text, content.encoding === 'base64' ? 'base64' : 'utf8');
  return { request, response: { status: entry.response.status, headers: headerRecord(entry.response.headers), body } };
}

/** A short name for an entry in a report line. */
export function entryTitle(entry: HarEntry, index: number): string {
  let path = entry.request.url;
  try {
    path = new URL(entry.request.url).pathname;
  } catch {
    // keep the raw text
  }
  return `exchange #${index} (${entry.request.method} ${path} → ${entry.response.status || 'no answer'})`;
}
