// Direct calls to a HelseID token endpoint, for the tests that must control every part of the
// request: the client assertion, the DPoP proof and its nonce. (The suite's ordinary tokens
// come from TokenClient on openid-client.)
import { CLIENT_ASSERTION_TYPE } from '../protocol.ts';
import { parseJson, type HttpRequest, type HttpResponse } from '../http/client.ts';
import { createClientAssertion, type ClientAssertionFaults } from './client-assertion.ts';
import { createDpopProof, type DpopFaults } from './dpop.ts';
import type { SigningKey } from './keys.ts';
import { fingerprint } from '../evidence/redact.ts';
import { recordTokenRequest, type TokenTuple } from '../evidence/token-ledger.ts';
import { audienceOfScope } from '../packs/index.ts';

export interface Discovery {
  issuer: string;
  token_endpoint: string;
  jwks_uri: string;
  grant_types_supported?: string[];
  token_endpoint_auth_methods_supported?: string[];
  dpop_signing_alg_values_supported?: string[];
  [key: string]: unknown;
}

export type Send = (request: HttpRequest) => Promise<HttpResponse>;

export async function fetchDiscovery(issuer: string, send: Send): Promise<Discovery> {
  const url = `${issuer}/.well-known/openid-configuration`;
  const response = await send({ method: 'GET', url, headers: { accept: 'application/json' } });
  if (response.status !== 200) throw new Error(`discovery at ${url} answered ${response.status}`);
  return parseJson<Discovery>(response, url);
}

export interface TokenCall {
  discovery: Discovery;
  clientId: string;
  clientKey: SigningKey;
  /** null: send no DPoP header at all. */
  dpopKey: SigningKey | null;
  params: Record<string, string>;
  /** One-thing-wrong variants of the assertion; `raw` sends this exact assertion; null sends none. */
  assertion?: ClientAssertionFaults | { raw: string } | null;
  proof?: DpopFaults;
  nonce?: string;
}

export interface TokenCallResult {
  response: HttpResponse;
  status: number;
  body: Record<string, unknown>;
  /** The DPoP-Nonce the server sent, if any. */
  nonce?: string;
}

export async function callTokenEndpoint(call: TokenCall, send: Send): Promise<TokenCallResult> {
  const form = new URLSearchParams({ client_id: call.clientId, ...call.params });
  if (call.assertion !== null) {
    const assertion =
      call.assertion && 'raw' in call.assertion
        ? call.assertion.raw
        : await createClientAssertion({ clientId: call.clientId, audience: call.discovery.issuer, key: call.clientKey }, call.assertion ?? {});
    form.set('client_assertion_type', CLIENT_ASSERTION_TYPE);
    form.set('client_assertion', assertion);
  }
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  if (call.dpopKey) {
    headers.dpop = await createDpopProof(call.dpopKey, { method: 'POST', url: call.discovery.token_endpoint, nonce: call.nonce }, call.proof);
  }
  const response = await send({ method: 'POST', url: call.discovery.token_endpoint, headers, body: form.toString() });
  let body: Record<string, unknown> = {};
  try {
    body = parseJson<Record<string, unknown>>(response, call.discovery.token_endpoint);
  } catch {
    body = {};
  }
  const scopes = (call.params.scope ?? '').split(' ').filter(Boolean);
  const tuple: TokenTuple = {
    issuer: call.discovery.issuer,
    clientId: call.clientId,
    grant: call.params.grant_type === 'client_credentials' || call.params.grant_type === 'authorization_code' || call.params.grant_type === 'refresh_token' ? call.params.grant_type : 'token_exchange',
    audience: audienceOfScope(scopes[0] ?? '') ?? call.params.resource ?? 'unknown',
    scopes: scopes.sort(),
    jkt: call.dpopKey?.thumbprint ?? 'none',
    // A code or refresh token is its own request: the same key may redeem several.
    ...(call.params.code || call.params.refresh_token ? { subject: fingerprint(`${call.params.code ?? call.params.refresh_token}|${call.params.resource ?? ''}`) } : {}),
  };
  const nonce = response.header('dpop-nonce');
  recordTokenRequest({
    tuple,
    outcome: response.status === 200 && typeof body.access_token === 'string' ? 'granted' : body.error === 'use_dpop_nonce' ? 'nonce-challenge' : 'refused',
    httpCalls: 1,
    nonceChallenges: body.error === 'use_dpop_nonce' ? 1 : 0,
    cached: false,
  });
  return { response, status: response.status, body, nonce };
}

/**
 * A fresh server nonce: one correct request without a nonce, which a nonce-requiring server
 * answers with use_dpop_nonce and a DPoP-Nonce header. Undefined when the server issued a
 * token instead (it does not require nonces).
 */
export async function obtainNonce(call: Omit<TokenCall, 'nonce' | 'proof'>, send: Send): Promise<string | undefined> {
  const result = await callTokenEndpoint({ ...call, nonce: undefined }, send);
  if (result.body.error === 'use_dpop_nonce' && result.nonce) return result.nonce;
  return undefined;
}
