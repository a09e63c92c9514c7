// Renders an HTTP exchange for a report attachment, redacted: secrets in headers and bodies are
// replaced by fingerprints, JWTs by a description of their non-secret parts.
import type { Exchange } from '../http/client.ts';
import { redactBody, redactHeaders, redactText } from './redact.ts';

const MAX_BODY_CHARS = 16_000;

function clip(text: string): string {
  return text.length > MAX_BODY_CHARS ? `${text.slice(0, MAX_BODY_CHARS)}\n… (${text.length - MAX_BODY_CHARS} more characters)` : text;
}

function headerBlock(headers: Record<string, string | string[] | undefined>): string {
  return Object.entries(redactHeaders(headers))
    .flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => `${k}: ${x}`) : [`${k}: ${v}`]))
    .join('\n');
}

function contentTypeOf(headers: Record<string, string | string[] | undefined> | undefined): string | undefined {
  const entry = Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === 'content-type');
  const v = entry?.[1];
  return Array.isArray(v) ? v[0] : v;
}

/** What the title of an exchange's attachment (or of the rest of a test's exchanges together) starts with. */
export const EXCHANGE_TITLE = /^HTTP \d+(–\d+)?: /;

/** Several exchanges in one text, each under its title, as one attachment holds them. */
export function exchangesText(items: ReadonlyArray<{ title: string; text: string }>): string {
  return items.map((i) => `${i.title}\n${i.text}`).join('\n\n');
}

export function exchangeTitle(exchange: Exchange, index: number): string {
  const url = new URL(exchange.request.url);
  const outcome = exchange.response ? String(exchange.response.status) : 'no answer';
  return `HTTP ${index}: ${exchange.request.method} ${url.pathname} → ${outcome}`;
}

export function renderExchange(exchange: Exchange): string {
  const { request, response, error } = exchange;
  const parts = [`${request.method} ${redactText(request.url)}`, headerBlock(request.headers ?? {})];
  if (request.body !== undefined) parts.push('', clip(redactBody(request.body.toString(), contentTypeOf(request.headers))));
  parts.push('');
  if (response) {
    parts.push(`← ${response.status} (${Math.round(response.durationMs)} ms)`, headerBlock(response.headers));
    if (response.tls) parts.push(`tls: ${response.tls.protocol}, certificate ${response.tls.authorized ? 'trusted' : `NOT trusted (${response.tls.authorizationError})`}, valid to ${response.tls.validTo}`);
    if (response.body.length) parts.push('', clip(redactBody(response.text(), response.contentType())));
  } else {
    parts.push(`← no answer: ${redactText(error?.message ?? 'unknown error')}`);
  }
  return parts.join('\n');
}
