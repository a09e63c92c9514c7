// HelseID tokens for the suite, on openid-client: client_credentials and RFC 8693 token
// exchange, both DPoP-bound, with the nonce retry. A run asks for each token once: tokens are
// cached per issuer, client, audience, scope set and key, across Playwright's workers.
import { AsyncLocalStorage } from 'node:async_hooks';
import * as oidc from 'openid-client';
import { decodeJwt, type JWK } from 'jose';
import { ACCESS_TOKEN_TYPE, CLIENT_ASSERTION_TYP, TOKEN_EXCHANGE_GRANT } from '../protocol.ts';
import { audienceOfScope } from '../packs/index.ts';
import type { ClientCredentials } from '../config/profiles.ts';
import { recordTokenRequest, tupleKey, type TokenTuple } from '../evidence/token-ledger.ts';
import { fingerprint } from '../evidence/redact.ts';
import { DEFAULT_ASSERTION_LIFETIME } from './client-assertion.ts';
import { exportPrivateJwk, generateSigningKey, importSigningKey, type SigningKey } from './keys.ts';
import { sharedOnce } from './shared-cache.ts';
import { guardSyntheticPeople } from '../http/identity-guard.ts';
import { readTestTokenAnswer } from './test-token.ts';
import { authorizationParams, trustFrameworkAttest, type LoginRequest } from './user-login.ts';
import type { Authorizer } from './login-setup.ts';
import { HELSEID_CLAIMS, LOGIN_SCOPES } from '../protocol.ts';

export interface AccessToken {
  accessToken: string;
  tokenType: string;
  scope?: string;
  /** Epoch seconds. */
  expiresAt: number;
  issuedTokenType?: string;
  /** Thumbprint of the DPoP key the token is bound to. */
  jkt: string;
}

const configs = new Map<string, Promise<oidc.Configuration>>();
const runKeys = new Map<string, Promise<SigningKey>>();

interface CallCounter {
  http: number;
  nonce: number;
}

/** Attributes each HTTP call to the grant that made it (the nonce retry is a second call). */
const currentCounter = new AsyncLocalStorage<CallCounter>();

function configurationFor(issuer: string, client: ClientCredentials, instance?: string): Promise<oidc.Configuration> {
  const cacheKey = `${issuer}|${instance ?? ''}|${client.clientId}`;
  let pending = configs.get(cacheKey);
  if (!pending) {
    pending = importSigningKey(client.privateJwk as JWK).then(async (clientKey) => {
      const config = await oidc.discovery(
        new URL(issuer),
        client.clientId,
        { token_endpoint_auth_method: 'private_key_jwt' },
        oidc.PrivateKeyJwt(clientKey.privateKey, {
          [oidc.modifyAssertion]: (header, payload) => {
            // HelseID's rules: a dedicated typ, and an assertion that lives at most 60 s.
            header.typ = CLIENT_ASSERTION_TYP;
            payload.exp = (payload.iat as number) + DEFAULT_ASSERTION_LIFETIME;
          },
        }),
        issuer.startsWith('http://') ? { execute: [oidc.allowInsecureRequests] } : undefined,
      );
      config[oidc.customFetch] = async (url, options) => {
        const counter = currentCounter.getStore();
        if (counter) counter.http += 1;
        const response = await fetch(url, options as RequestInit);
        if (counter && response.status === 400 && response.headers.get('dpop-nonce')) counter.nonce += 1;
        return response;
      };
      return config;
    });
    configs.set(cacheKey, pending);
    pending.catch(() => configs.delete(cacheKey));
  }
  return pending;
}

export class TokenClient {
  constructor(
    readonly issuer: string,
    readonly client: ClientCredentials,
    /** The twin instance behind the issuer, if any: tokens and configurations are cached per instance. */
    readonly instance?: string,
  ) {}

  /** The DPoP key this client uses for the whole run, shared by all workers. */
  runKey(): Promise<SigningKey> {
    const name = `dpop|${this.issuer}|${this.client.clientId}`;
    let key = runKeys.get(name);
    if (!key) {
      // Imported once per process: importing a JWK and hashing its thumbprint costs about a
      // millisecond, and every DPoP proof needs the key.
      key = sharedOnce('keys', name, async () => exportPrivateJwk(await generateSigningKey('ES256'))).then((jwk) => importSigningKey(jwk));
      runKeys.set(name, key);
      key.catch(() => runKeys.delete(name));
    }
    return key;
  }

  /** A DPoP-bound client_credentials token for these scopes, asked for once per run. */
  async clientCredentials(scopes: string[], key?: SigningKey): Promise<AccessToken> {
    const dpopKey = key ?? (await this.runKey());
    const tuple = this.tuple('client_credentials', scopes, dpopKey);
    return sharedOnce('tokens', tupleKey(tuple), () => this.request(tuple, dpopKey, (config, dpop) => oidc.clientCredentialsGrant(config, { scope: scopes.join(' ') }, { DPoP: dpop })), isFresh);
  }

  /** RFC 8693: exchanges a subject token for a token with these scopes, bound to this client's key. */
  async exchange(subjectToken: string, scopes: string[], key?: SigningKey): Promise<AccessToken> {
    const dpopKey = key ?? (await this.runKey());
    const tuple = { ...this.tuple('token_exchange', scopes, dpopKey), subject: fingerprint(subjectToken) };
    return sharedOnce('tokens', tupleKey(tuple), () =>
      this.request(tuple, dpopKey, (config, dpop) =>
        oidc.genericGrantRequest(
          config,
          TOKEN_EXCHANGE_GRANT,
          { subject_token: subjectToken, subject_token_type: ACCESS_TOKEN_TYPE, scope: scopes.join(' ') },
          { DPoP: dpop },
        ),
      ),
      isFresh,
    );
  }

  /**
   * A user-context token (pid, HPR number, security level, the trust framework attest) from
   * HelseID's test-token service, bound to this client's DPoP key by its thumbprint only: the
   * private key never leaves the suite. Asked for once per run and user.
   */
  async testUserToken(ttt: { url: string; apiKey: string }, scopes: string[], user: UserContext, key?: SigningKey): Promise<AccessToken> {
    const dpopKey = key ?? (await this.runKey());
    const tuple: TokenTuple = { ...this.tuple('test_token', scopes, dpopKey), subject: fingerprint(JSON.stringify(user)) };
    // The user's pid goes into a token: it must be a synthetic person's.
    guardSyntheticPeople('the test-token request', [JSON.stringify(user)]);
    return sharedOnce('tokens', tupleKey(tuple), async () => {
      const response = await fetch(ttt.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-auth-key': ttt.apiKey },
        body: JSON.stringify({
          audience: tuple.audience,
          clientClaimsParameters: { scope: scopes, clientId: this.client.clientId, cnfJkt: dpopKey.thumbprint, ...clientClaimParameters(this.client.claims) },
          userClaimsParameters: { pid: user.pid, hprNumber: user.hprNumber, securityLevel: user.securityLevel ?? '4', name: user.name },
          createTillitsrammeverkClaims: user.trustFramework !== false,
          createDPoPTokenWithDPoPProof: false,
        }),
      }).catch((e: Error) => {
        throw new TokenRequestError(`the test-token service could not be reached: ${e.message}`);
      });
      const { token, error } = readTestTokenAnswer(response.status, await response.text());
      recordTokenRequest({ tuple, outcome: token ? 'granted' : 'refused', httpCalls: 1, nonceChallenges: 0, cached: true, ...(error ? { error } : {}) });
      if (!token) throw new TokenRequestError(`the test-token service answered ${response.status}: ${error}`);
      let exp: unknown;
      try {
        exp = decodeJwt(token).exp;
      } catch {
        // Reported below with the same message as a token without exp.
      }
      if (typeof exp !== 'number') throw new TokenRequestError('the test-token service issued a token that is not a JWT with exp');
      return { accessToken: token, tokenType: 'DPoP', scope: scopes.join(' '), expiresAt: exp, jkt: dpopKey.thumbprint };
    }, isFresh);
  }

  /**
   * A user login by authorization code with PKCE and PAR, the trust framework attest in a signed
   * request object (HelseID's first way, facts §2.7), the authorization followed by `authorizer`
   * (headless at the twin, a browser and a login recipe anywhere), and the code exchanged for a
   * token bound to this client's DPoP key. Once per run and person.
   */
  async userLogin(login: LoginRequest, authorizer: Authorizer, key?: SigningKey): Promise<AccessToken> {
    const redirectUri = this.client.redirectUri;
    if (!redirectUri) throw new TokenRequestError(`client ${this.client.clientId} has no redirect URI for user logins`);
    const dpopKey = key ?? (await this.runKey());
    const tuple: TokenTuple = { ...this.tuple('authorization_code', login.scopes, dpopKey), subject: fingerprint(`${login.loginHint} ${(login.identityScopes ?? LOGIN_SCOPES).join(' ')}`) };
    // The login hint names the person who logs in (signed into the request object, unreadable later).
    guardSyntheticPeople('the user login', [JSON.stringify(login)]);
    return sharedOnce('tokens', tupleKey(tuple), () =>
      this.request(tuple, dpopKey, async (config, dpop) => {
        const clientKey = await importSigningKey(this.client.privateJwk as JWK);
        const verifier = oidc.randomPKCECodeVerifier();
        const params = authorizationParams(login, redirectUri, { challenge: await oidc.calculatePKCECodeChallenge(verifier), attest: [trustFrameworkAttest()], loginHint: authorizer.sendsLoginHint });
        const signed = await oidc.buildAuthorizationUrlWithJAR(config, params, clientKey.privateKey);
        const pushed = await oidc.buildAuthorizationUrlWithPAR(config, signed.searchParams);
        const callback = await authorizer.authorize(pushed.href, redirectUri, login.loginHint);
        return oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: params.state, expectedNonce: params.nonce }, undefined, { DPoP: dpop });
      }),
      isFresh,
    );
  }

  private tuple(grant: TokenTuple['grant'], scopes: string[], key: SigningKey): TokenTuple {
    const audience = audienceOfScope(scopes[0] ?? '') ?? 'unknown';
    return { issuer: this.issuer, clientId: this.client.clientId, grant, audience, scopes: [...scopes].sort(), jkt: key.thumbprint, ...(this.instance ? { instance: this.instance } : {}) };
  }

  private async request(
    tuple: TokenTuple,
    key: SigningKey,
    call: (config: oidc.Configuration, dpop: oidc.DPoPHandle) => Promise<oidc.TokenEndpointResponse>,
  ): Promise<AccessToken> {
    const config = await configurationFor(this.issuer, this.client, this.instance);
    const counter: CallCounter = { http: 0, nonce: 0 };
    const dpop = oidc.getDPoPHandle(config, { privateKey: key.privateKey, publicKey: key.publicKey });
    try {
      const response = await currentCounter.run(counter, () => call(config, dpop));
      recordTokenRequest({ tuple, outcome: 'granted', httpCalls: counter.http, nonceChallenges: counter.nonce, cached: true });
      return {
        accessToken: response.access_token,
        tokenType: response.token_type,
        scope: response.scope,
        expiresAt: Math.floor(Date.now() / 1000) + (response.expires_in ?? 300),
        issuedTokenType: response.issued_token_type as string | undefined,
        jkt: key.thumbprint,
      };
    } catch (error) {
      const message = describeTokenError(error);
      recordTokenRequest({ tuple, outcome: 'refused', httpCalls: counter.http, nonceChallenges: counter.nonce, cached: true, error: message });
      throw new TokenRequestError(`token request for ${tuple.scopes.join(' ')} as ${tuple.clientId} failed: ${message}`);
    }
  }
}

/** The client's HelseID claims, when the profile knows them, as the test-token service's parameters. */
function clientClaimParameters(claims: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const parent = claims?.[HELSEID_CLAIMS.orgnrParent];
  const child = claims?.[HELSEID_CLAIMS.orgnrChild];
  const name = claims?.[HELSEID_CLAIMS.clientName];
  if (parent) out.orgnrParent = parent;
  if (child) out.orgnrChild = child;
  if (name) out.clientName = name;
  return out;
}

/** Who is logged in, for a user-context token (the test-token service's userClaimsParameters). */
export interface UserContext {
  pid: string;
  hprNumber?: string;
  /** "4" unless said. */
  securityLevel?: string;
  name?: string;
  /** The trust framework attest; on unless false. */
  trustFramework?: boolean;
}

export class TokenRequestError extends Error {
  override name = 'TokenRequestError';
  readonly kind = 'suite';
  constructor(message: string) {
    super(message);
    this.stack = `${this.name}: ${message}`;
  }
}

function describeTokenError(error: unknown): string {
  const e = error as { error?: string; error_description?: string; status?: number; code?: string; message?: string; cause?: { code?: string } };
  if (e?.error) return `${e.status ?? ''} ${e.error}${e.error_description ? `: ${e.error_description}` : ''}`.trim();
  const code = e?.cause?.code ?? e?.code;
  return code ? `${code} (${e?.message ?? ''})` : (e?.message ?? String(error));
}

/** A cached token is reused while it has at least 30 s left. */
function isFresh(token: AccessToken): boolean {
  return token.expiresAt - Math.floor(Date.now() / 1000) > 30;
}
