// The suite's classified failures, each with a typed `kind`. A broken server (HTML page, reset,
// timeout, gateway error) is an infrastructure failure, not a contract failure, and says what
// happened without a stack trace. A precondition the environment did not meet (429, 503) is
// inconclusive. The outcome classifier (helpers/evidence/outcome.ts) knows them by class name.
import { ERROR_KINDS, type FailureKind } from '../evidence/outcome.ts';

export type InfrastructureKind =
  | 'connection-refused'
  | 'connection-reset'
  | 'timeout'
  | 'dns'
  | 'tls'
  | 'html-page'
  | 'gateway-error'
  | 'network'
  | 'sasl'
  | 'amqp'
  | 'truncated-body'
  | 'oversized-body'
  | 'bad-encoding';

function withoutStack<T extends Error>(error: T): T {
  error.stack = `${error.name}: ${error.message}`;
  return error;
}

/** A failure the suite classifies: `kind` says whose fault it is. */
export abstract class ClassifiedError extends Error {
  abstract readonly kind: FailureKind;
}

export class InfrastructureError extends ClassifiedError {
  override name = 'InfrastructureError' as const;
  readonly kind = ERROR_KINDS.InfrastructureError;
  constructor(
    readonly symptom: InfrastructureKind,
    detail: string,
  ) {
    super(`${symptom}: ${detail}`);
    withoutStack(this);
  }
}

export class InconclusiveError extends ClassifiedError {
  override name = 'InconclusiveError' as const;
  readonly kind = ERROR_KINDS.InconclusiveError;
  constructor(readonly reason: string) {
    super(reason);
    withoutStack(this);
  }
}

/** The server answered, but not as the contract says, in a way an expect() cannot phrase. */
export class ContractError extends ClassifiedError {
  override name = 'ContractError' as const;
  readonly kind = ERROR_KINDS.ContractError;
  constructor(message: string) {
    super(message);
    withoutStack(this);
  }
}

/** Refused by the suite before sending: e.g. a write against a read-only profile. */
export class GuardError extends ClassifiedError {
  override name = 'GuardError' as const;
  readonly kind = ERROR_KINDS.GuardError;
  constructor(message: string) {
    super(message);
    withoutStack(this);
  }
}

export function classifyNetworkError(error: unknown, url: string, timeoutMs: number, elapsedMs?: number): InfrastructureError {
  const code = (error as { code?: string })?.code ?? '';
  const message = (error as Error)?.message ?? String(error);
  const where = new URL(url).origin;
  const after = elapsedMs === undefined ? '' : ` after ${elapsedMs} ms`;
  if (code === 'ECONNREFUSED') return new InfrastructureError('connection-refused', `nothing listens at ${where} (ECONNREFUSED${after})`);
  if (code === 'ECONNRESET' || code === 'EPIPE' || /socket hang up/i.test(message)) {
    return new InfrastructureError('connection-reset', `${where} closed the connection before answering (${code || message}${after})`);
  }
  if (code === 'ETIMEDOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'SUITE_TIMEOUT') {
    return new InfrastructureError('timeout', `${where} did not answer within ${timeoutMs} ms`);
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new InfrastructureError('dns', `cannot resolve ${new URL(url).hostname} (${code})`);
  if (/CERT|SSL|TLS|EPROTO/i.test(code) || /certificate|tls|ssl|self.signed/i.test(message)) return new InfrastructureError('tls', `TLS with ${where} failed${after}: ${code ? `${code} (${message})` : message}`);
  // Node's HTTP parser refused the answer: a Content-Length that disagrees with the body, a malformed status line.
  if (/^HPE_/.test(code)) return new InfrastructureError('network', `${where} sent a response that is not valid HTTP/1.1 (${code}: ${message})${after}`);
  return new InfrastructureError('network', `${where}: ${code || message}${after}`);
}
