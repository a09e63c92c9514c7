// Ties the checks a test makes to the exchanges they judge, so an evidence bundle can be re-judged
// offline. The recorder links each answer; the API client links what it parses from one (and
// every resource inside, by JSON pointer); a matcher that judges a linked value records its check
// and verdict on that exchange. A check on a value no exchange gave (a resource a test built) is not recorded: nothing could re-judge it.
import type { Exchange } from '../http/client.ts';
import type { Check } from './oracles.ts';

export interface RecordedCheck {
  check: Check;
  /** The oracle's verdict during the run. */
  pass: boolean;
  /** The test asserted the opposite (`expect(x).not…`): it wanted the oracle to fail. */
  negated?: boolean;
  /** Where in the body the judged value sits. */
  pointer?: string;
}

const byBody = new WeakMap<Buffer, Exchange>();
const byValue = new WeakMap<object, { exchange: Exchange; pointer: string }>();
const recorded = new WeakMap<Exchange, RecordedCheck[]>();

/** Called by the recorder for every exchange. */
export function linkExchange(exchange: Exchange): void {
  if (exchange.response) byBody.set(exchange.response.body, exchange);
}

/** Links a value parsed from an answer's body, and every resource inside it, to that exchange. */
export function linkParsed<T>(value: T, body: Buffer): T {
  const exchange = byBody.get(body);
  if (!exchange || !value || typeof value !== 'object') return value;
  const walk = (node: unknown, pointer: string, depth: number) => {
    if (!node || typeof node !== 'object' || depth > 12) return;
    if (pointer === '' || (node as { resourceType?: unknown }).resourceType !== undefined) byValue.set(node, { exchange, pointer });
    if (Array.isArray(node)) node.forEach((item, i) => walk(item, `${pointer}/${i}`, depth + 1));
    else for (const [k, v] of Object.entries(node)) if (v && typeof v === 'object') walk(v, `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, depth + 1);
  };
  walk(value, '', 0);
  return value;
}

/** The exchange a received value came from: an answer (by its body) or a value parsed from one. */
export function exchangeOf(received: unknown): { exchange: Exchange; pointer?: string } | undefined {
  if (!received || typeof received !== 'object') return undefined;
  const body = (received as { body?: unknown }).body;
  if (Buffer.isBuffer(body)) {
    const exchange = byBody.get(body);
    return exchange && { exchange };
  }
  const found = byValue.get(received);
  return found && { exchange: found.exchange, pointer: found.pointer || undefined };
}

export function recordCheck(exchange: Exchange, entry: RecordedCheck): void {
  const list = recorded.get(exchange) ?? [];
  list.push(entry);
  recorded.set(exchange, list);
}

/** Records a matcher's verdict on whatever exchange the value came from. */
export function recordJudgement(received: unknown, check: Check, pass: boolean, negated: boolean): void {
  const link = exchangeOf(received);
  if (!link) return;
  recordCheck(link.exchange, { check, pass, negated: negated || undefined, pointer: link.pointer });
}

export function checksOf(exchange: Exchange): RecordedCheck[] {
  return recorded.get(exchange) ?? [];
}

const owners = new WeakMap<Exchange, { service: string; base: string }>();

/** The API service (and its base URL) an exchange went to, for the HAR and the verifier. */
export function tagService(exchange: Exchange, service: string, base: string): void {
  owners.set(exchange, { service, base });
}

export function serviceOf(exchange: Exchange): { service: string; base: string } | undefined {
  return owners.get(exchange);
}
