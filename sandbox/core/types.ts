// The shapes the twin's layers share.
import type { AuthMode } from '../../helpers/packs/index.ts';

export interface HttpResponseParts {
  status: number;
  headers?: Record<string, string | string[]>;
  /** Objects are sent as JSON with `contentType` (default application/json). */
  body?: unknown;
  contentType?: string;
}

/** A route's authentication and input rules, derived from its OpenAPI operation and its pack. */
export interface RoutePolicy {
  /** Auth modes the route takes here; empty: no authentication. */
  modes: AuthMode[];
  audience?: string;
  /** The token needs at least one of these scopes; none listed: any token for the audience. */
  anyScope: string[];
  requiredClaims: string[];
  /** Media types a request body may have. */
  consumes: string[];
  maxBodyBytes: number;
  /** The server wants DPoP nonces on this route. */
  requireNonce: boolean;
  /** Extra time the route takes before it answers (ms): a slow backend, as a latency budget sees it. */
  delayMs?: number;
}

export interface RouteInfo {
  service: string;
  operationId: string;
  method: string;
  path: string;
}
