// User logins HelseID's way: authorization code with PKCE, pushed (PAR) as a signed request
// object that carries the trust framework attest; the authorization is then followed by an
// Authorizer (login-setup.ts): redirects without a browser at the twin, Chromium and a login
// recipe anywhere. These are the pieces the negative specs drive one by one; TokenClient.userLogin
// runs the same flow on openid-client for the suite's ordinary user tokens.
import { createHash, randomBytes } from 'node:crypto';
import { CLIENT_ASSERTION_TYPE, HELSEID_CLAIMS, HELSEID_PATHS, LOGIN_SCOPES } from '../protocol.ts';
import { OID, syntheticOrgnr } from '../identifiers.ts';
import { parseJson, type HttpRequest, type HttpResponse } from '../http/client.ts';
import { ContractError } from '../http/errors.ts';
import { createClientAssertion, type ClientAssertionFaults } from './client-assertion.ts';
import { randomId, signCompact } from './jws.ts';
import type { SigningKey } from './keys.ts';

type Send = (request: HttpRequest) => Promise<HttpResponse>;
type Json = Record<string, unknown>;

/** A person the login is for and what it asks: the API scopes (the identity scopes are added). */
export interface LoginRequest {
  scopes: string[];
  /** The person's national identity number, as HelseID's test IdP takes it. */
  loginHint: string;
  /** The OIDC and identity scopes asked for (default LOGIN_SCOPES); leave one out and its claim is not in the token. */
  identityScopes?: readonly string[];
}

/**
 * A trust framework attest (facts §2.7: the RAR object HelseID takes today, `care_relationship`
 * spelling) for a synthetic organisation, with a treating care relationship.
 */
export function trustFrameworkAttest(): Json {
  const org = (n: number) => ({ id: syntheticOrgnr(n), system: OID.orgnr });
  return {
    type: HELSEID_CLAIMS.trustFramework,
    practitioner: { authorization: { code: 'LE', system: 'urn:oid:2.16.578.1.12.4.1.1.9060' }, legal_entity: org(31), point_of_care: org(32) },
    care_relationship: {
      healthcare_service: { code: 'S03', system: 'urn:oid:2.16.578.1.12.4.1.1.8655' },
      purpose_of_use: { code: 'TREAT', system: 'urn:oid:2.16.840.1.113883.1.11.20448' },
      decision_ref: { id: randomId(), user_selected: false },
    },
    patients: [{ point_of_care: org(32) }],
  };
}

/** PKCE (RFC 7636, S256). */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** The authorization parameters of a login, before they are signed into a request object. */
export function authorizationParams(login: LoginRequest, redirectUri: string, o: { challenge?: string; attest?: Json[]; loginHint?: boolean } = {}): Record<string, string> {
  const params: Record<string, string> = {
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: [...(login.identityScopes ?? LOGIN_SCOPES), ...login.scopes].join(' '),
    state: randomId(),
    nonce: randomId(),
  };
  // The twin's headless path takes the person here; a browser types them into the IdP's form.
  if (o.loginHint !== false) params.login_hint = login.loginHint;
  if (o.challenge) Object.assign(params, { code_challenge: o.challenge, code_challenge_method: 'S256' });
  if (o.attest) params.authorization_details = JSON.stringify(o.attest);
  return params;
}

/** A signed request object (RFC 9101) holding these parameters; authorization_details as JSON. */
export function requestObject(params: Record<string, string>, client: { clientId: string; key: SigningKey }, issuer: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims: Json = { ...params, client_id: client.clientId, iss: client.clientId, aud: issuer, iat: now, nbf: now, exp: now + 60, jti: randomId() };
  if (params.authorization_details) claims.authorization_details = JSON.parse(params.authorization_details);
  return signCompact({ alg: client.key.alg, typ: 'oauth-authz-req+jwt' }, claims, client.key.privateKey);
}

export interface ParCall {
  issuer: string;
  clientId: string;
  clientKey: SigningKey;
  /** The form: usually `request` (a request object); client_id is added. */
  params: Record<string, string>;
  /** One-thing-wrong client assertion; null sends none. */
  assertion?: ClientAssertionFaults | null;
}

/** A pushed authorization request (RFC 9126), client-authenticated with private_key_jwt. */
export async function callPar(call: ParCall, send: Send): Promise<{ status: number; body: Json; response: HttpResponse }> {
  const form = new URLSearchParams({ client_id: call.clientId, ...call.params });
  if (call.assertion !== null) {
    form.set('client_assertion_type', CLIENT_ASSERTION_TYPE);
    form.set('client_assertion', await createClientAssertion({ clientId: call.clientId, audience: call.issuer, key: call.clientKey }, call.assertion ?? {}));
  }
  const url = `${call.issuer}${HELSEID_PATHS.par}`;
  const response = await send({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: form.toString() });
  let body: Json = {};
  try {
    body = parseJson<Json>(response, url);
  } catch {
    // the status says enough
  }
  return { status: response.status, body, response };
}

/** The authorization endpoint URL for a pushed request. */
export function authorizeUrl(issuer: string, clientId: string, requestUri: string): string {
  const u = new URL(`${issuer}${HELSEID_PATHS.authorize}`);
  u.searchParams.set('client_id', clientId);
  u.searchParams.set('request_uri', requestUri);
  return u.href;
}

/**
 * Follows an authorization's redirects the way a browser would (cookies kept, GET on every
 * hop) until one leads to the redirect URI, which is answered with, not fetched. The twin's
 * synthetic test IdP logs the person named by login_hint in on the way; an IdP that shows a page
 * instead stops this with a clear error (a browser and a login recipe log in there).
 */
export async function followAuthorization(start: string, redirectUri: string, send: Send, maxHops = 8): Promise<URL> {
  // A browser's cookie jar, as far as a login needs one: by name and path (RFC 6265 §5.1.4).
  const cookies = new Map<string, { name: string; path: string; value: string }>();
  let url = start;
  for (let hop = 0; hop < maxHops; hop++) {
    const here = new URL(url).pathname;
    const cookie = [...cookies.values()]
      .filter((c) => here === c.path || here.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
    const response = await send({ method: 'GET', url, headers: { accept: 'text/html,application/json', ...(cookie ? { cookie } : {}) } });
    for (const line of response.headerValues('set-cookie')) {
      const [pair = '', ...attributes] = line.split(';').map((p) => p.trim());
      const at = pair.indexOf('=');
      const name = pair.slice(0, at);
      const value = pair.slice(at + 1);
      if (!name) continue;
      const path = attributes.find((a) => /^path=/i.test(a))?.slice(5) || here.replace(/\/[^/]*$/, '') || '/';
      const expired = attributes.some((a) => /^expires=/i.test(a) && Date.parse(a.slice(8)) <= Date.now()) || attributes.some((a) => /^max-age=(0|-)/i.test(a));
      if (expired || !value) cookies.delete(`${name}|${path}`);
      else cookies.set(`${name}|${path}`, { name, path, value });
    }
    const location = response.header('location');
    if (response.status < 300 || response.status >= 400 || !location) {
      throw new ContractError(`the login stopped at ${new URL(url).pathname} with ${response.status} ${response.contentType() || ''} instead of redirecting (an IdP that shows pages needs the browser and a login recipe)`.trim());
    }
    const next = new URL(location, url);
    if (next.href.startsWith(redirectUri)) return next;
    url = next.href;
  }
  throw new ContractError(`the login did not reach the redirect URI within ${maxHops} redirects`);
}
