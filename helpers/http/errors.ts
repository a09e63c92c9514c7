// The suite's classified failures. A broken server (HTML page, reset, timeout, gateway error)
// is an infrastructure failure, not a contract failure, and says what happened without a
// stack trace. A precondition the environment did not meet (429, 503) is inconclusive.

export type InfrastructureKind =
  | 'connection-refused'
  | 'connection-reset'
  | 'timeout'
  | 'dns'
  | 'tls'
  | 'html-page'
  | 'gateway-error'
  | 'network';

export const INFRASTRUCTURE_PREFIX = '[infrastructure]';
export const INCONCLUSIVE_PREFIX = '[inconclusive]';

function withoutStack<T extends Error>(error: T): T {
  error.stack = `${error.name}: ${error.message}`;
  return error;
}

export class InfrastructureError extends Error {
  override name = 'InfrastructureError';
  constructor(
    readonly kind: InfrastructureKind,
    detail: string,
  ) {
    super(`${INFRASTRUCTURE_PREFIX} ${kind}: ${detail}`);
    withoutStack(this);
  }
}

export class InconclusiveError extends Error {
  override name = 'InconclusiveError';
  constructor(readonly reason: string) {
    super(`${INCONCLUSIVE_PREFIX} ${reason}`);
    withoutStack(this);
  }
}

/** The server answered, but not as the contract says, in a way an expect() cannot phrase. */
export class ContractError extends Error {
  override name = 'ContractError';
  constructor(message: string) {
    super(`[contract] ${message}`);
    withoutStack(this);
  }
}

/** Refused by the suite before sending: e.g. a write against a read-only profile. */
export class GuardError extends Error {
  override name = 'GuardError';
  constructor(message: string) {
    super(`[guard] ${message}`);
    withoutStack(this);
  }
}

export function classifyNetworkError(error: unknown, url: string, timeoutMs: number): InfrastructureError {
  const code = (error as { code?: string })?.code ?? '';
  const message = (error as Error)?.message ?? String(error);
  const where = new URL(url).origin;
  if (code === 'ECONNREFUSED') return new InfrastructureError('connection-refused', `nothing listens at ${where} (ECONNREFUSED)`);
  if (code === 'ECONNRESET' || code === 'EPIPE' || /socket hang up/i.test(message)) {
    return new InfrastructureError('connection-reset', `${where} closed the connection before answering (${code || message})`);
  }
  if (code === 'ETIMEDOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'SUITE_TIMEOUT') {
    return new InfrastructureError('timeout', `${where} did not answer within ${timeoutMs} ms`);
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new InfrastructureError('dns', `cannot resolve ${new URL(url).hostname} (${code})`);
  if (/CERT|SSL|TLS/i.test(code) || /certificate|tls|ssl/i.test(message)) return new InfrastructureError('tls', `TLS with ${where} failed: ${code || message}`);
  return new InfrastructureError('network', `${where}: ${code || message}`);
}
