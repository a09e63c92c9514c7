// The HelseID stand-in: oidc-provider for grants, DPoP (with nonces) and JWT access tokens per
// audience with HelseID's client claims, RFC 8693 token exchange, user logins by authorization
// code with PKCE, PAR, request objects and the trust framework attest (a synthetic test IdP logs
// the person in, test-idp.ts), and HelseID's client
// authentication rules as named checks in front of its token endpoint. Every rule it can be
// made to break is a named check; response transforms come from the faults as data.
import { randomBytes } from 'node:crypto';
import Provider, { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import instance from 'oidc-provider/lib/helpers/weak_cache.js';
import { decodeJwt, type JWK } from 'jose';
import { SCOPES } from '../../helpers/packs/index.ts';
import { TWIN_ACTOR_API } from '../../helpers/packs/helseid.ts';
import { ASYMMETRIC_ALGS, DOUBLE_STRUCTURE, HELSEID_CLAIMS, HELSEID_PATHS, IDENTITY_SCOPES, TOKEN_EXCHANGE_GRANT } from '../../helpers/protocol.ts';
import { check, Refusal, type CheckSet } from '../core/checks.ts';
import { publicJwk } from '../core/crypto.ts';
import type { ResponseTransform, TwinFacts } from '../core/faults.ts';
import { adapterFor } from './adapter.ts';
import { answerRefusal, clientAuthentication, type AssertionState } from './client-auth.ts';
import { clientById, SYNTHETIC_CLIENTS } from './clients.ts';
import { INTERACTION_PATH, personOf, testIdp, userClaims } from './test-idp.ts';
import { tenancy, type TenancyState } from './tenancy.ts';
import { registerTokenExchange, type ExchangeContext } from './token-exchange.ts';

export const ACCESS_TOKEN_TTL = 3600;
/** How long a login's refresh token lives (HelseID's is its own setting per client; rt_expires_in says it). */
export const REFRESH_TOKEN_TTL = 8 * 3600;

export interface HelseIdOptions {
  issuer: string;
  signingKey: JWK; // private, RS256
  clientKeys: Record<string, JWK>; // clientId → public JWK
  /** Where the synthetic clients' authorization responses go (a URL nobody serves: the suite reads the redirect). */
  redirectUri: string;
  checks: CheckSet;
  transforms: readonly ResponseTransform[];
  facts: TwinFacts;
}

/** Every API pack's audience and scopes, and the actor API of the twin's token-exchange client. */
const API_SCOPES: Record<string, readonly string[]> = { ...SCOPES, [TWIN_ACTOR_API.audience]: [TWIN_ACTOR_API.scope] };
const KNOWN_AUDIENCES = new Set<string>(Object.keys(API_SCOPES));
const audienceOfApiScope = (scope: string) => Object.entries(API_SCOPES).find(([, scopes]) => scopes.includes(scope))?.[0];
const OIDC_SCOPES = ['openid', 'profile', 'offline_access', ...Object.values(IDENTITY_SCOPES)];
const ATTEST = HELSEID_CLAIMS.trustFramework;
type Detail = { type: string } & Record<string, unknown>;
const attests = (details: unknown): Detail[] => (Array.isArray(details) ? (details as Detail[]).filter((d) => d?.type === ATTEST) : []);
const ENDPOINTS: Record<string, string> = { [HELSEID_PATHS.token]: 'token', [HELSEID_PATHS.jwks]: 'jwks', [HELSEID_PATHS.discovery]: 'discovery' };

function resourceServerInfo(audience: string) {
  return {
    scope: (API_SCOPES[audience] ?? []).join(' '),
    audience,
    accessTokenFormat: 'jwt' as const,
    accessTokenTTL: ACCESS_TOKEN_TTL,
    jwt: { sign: { alg: 'RS256' as const } },
  };
}

export { audienceOfApiScope };

export function createHelseIdProvider(options: HelseIdOptions): Provider {
  const { issuer, checks } = options;
  const on = (rule: string) => checks.on(rule, 'helseid');

  const configuration: Configuration = {
    adapter: adapterFor(),
    jwks: { keys: [{ ...options.signingKey, use: 'sig', alg: 'RS256' }] as never },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    // Client authentication is HelseID's rules as named checks (client-auth.ts) in front of the
    // token endpoint; what reaches oidc-provider is an authenticated client.
    clients: SYNTHETIC_CLIENTS.map((c) => ({
      client_id: c.clientId,
      client_name: c.name,
      token_endpoint_auth_method: 'none',
      grant_types: ['client_credentials', 'authorization_code', 'refresh_token', ...(c.tokenExchange ? [TOKEN_EXCHANGE_GRANT] : [])],
      response_types: ['code'],
      redirect_uris: [options.redirectUri],
      // Request objects are verified with the key the client authenticates with.
      jwks: { keys: [options.clientKeys[c.clientId]!] },
      scope: [...OIDC_SCOPES, ...c.scopes].join(' '),
      authorization_details_types: [ATTEST],
      dpop_bound_access_tokens: on('token.dpop.required'),
      id_token_signed_response_alg: 'RS256',
    })),
    clientAuthMethods: ['none'],
    enabledJWA: { dPoPSigningAlgValues: [...ASYMMETRIC_ALGS] },
    scopes: [...OIDC_SCOPES, ...Object.values(API_SCOPES).flat()],
    routes: {
      token: HELSEID_PATHS.token,
      jwks: HELSEID_PATHS.jwks,
      authorization: HELSEID_PATHS.authorize,
      pushed_authorization_request: HELSEID_PATHS.par,
      userinfo: '/connect/userinfo',
      end_session: '/connect/endsession',
      revocation: '/connect/revocation',
      introspection: '/connect/introspect',
    },
    pkce: { required: () => on('code.pkce') },
    ttl: { AccessToken: ACCESS_TOKEN_TTL, IdToken: ACCESS_TOKEN_TTL, RefreshToken: REFRESH_TOKEN_TTL },
    // A login's code gives a refresh token. (oidc-provider keeps offline_access only with
    // prompt=consent, which HelseID's logins do not send.)
    issueRefreshToken: (_ctx, client, code) => client.grantTypeAllowed('refresh_token') && code.kind === 'AuthorizationCode',
    // A refresh returns a new refresh token and retires the one it used (a reading of ours:
    // HelseID's pages do not say; RFC 9700 §4.14.2). The dialect helseid-refresh-not-rotated keeps it.
    rotateRefreshToken: () => on('refresh.rotate'),
    interactions: { url: (_ctx, interaction) => `${INTERACTION_PATH}${interaction.uid}` },
    findAccount: (_ctx, sub) => {
      const person = personOf(sub);
      return person ? { accountId: sub, claims: () => ({ sub, name: person.name }) } : undefined;
    },
    features: {
      devInteractions: { enabled: false },
      pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: false },
      requestObjects: { enabled: true, requireSignedRequestObject: false },
      // The trust framework attest travels as rich authorization details (facts §2.7).
      richAuthorizationRequests: {
        enabled: true,
        types: {
          [ATTEST]: {
            // What HelseID checks inside the attest is not documented (facts §2.7 calls its JSON
            // schema aspirational); the type alone is known.
            validate: () => {},
          },
        },
        authorizationDetailsForGrantSource: (ctx) => ctx.oidc.grant?.rar ?? [],
        authorizationDetailsForAccessToken: (ctx, _token, source) => {
          const asserted = attests((ctx as unknown as { state: AssertionState }).state.assertionDetails);
          // One attest, one way: in the request object (all tokens of the grant) or in the client
          // assertion (this token only); both is refused (facts §2.7).
          if (asserted.length && attests(source?.rar).length && on('code.attest.single')) {
            throw new errors.AccessDenied(`${DOUBLE_STRUCTURE}: the trust framework attest was sent both in the request object and in the client assertion`);
          }
          // The first way lasts as long as the refresh token does (facts §2.7).
          const refreshing = ctx.oidc.params?.grant_type === 'refresh_token';
          return on(refreshing ? 'refresh.attest.carried' : 'code.attest.carried') ? (source?.rar as never) : undefined;
        },
      },
      clientCredentials: { enabled: true },
      dPoP: { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => on('token.dpop.nonce'), allowReplay: true },
      resourceIndicators: {
        enabled: true,
        // HelseID derives the audience from the scopes when no resource is sent.
        // (A login's scopes start with the OIDC ones, which have no audience.)
        // HelseID gives a login every API its scopes name, without resource indicators at the
        // authorization endpoint; the token endpoint's resource picks one (a code or refresh token
        // for several APIs, exchanged without one: the first API's).
        defaultResource: (ctx, _client, oneOf) => {
          if (oneOf) return oneOf[0]!;
          const audiences = [...new Set(String(ctx.oidc.params?.scope ?? '').split(' ').map(audienceOfApiScope).filter((a): a is string => Boolean(a)))];
          return (audiences.length > 1 ? audiences : audiences[0]) as string;
        },
        getResourceServerInfo: (_ctx, resource) => {
          if (!KNOWN_AUDIENCES.has(resource)) throw new errors.InvalidTarget(`unknown resource ${resource}`);
          return resourceServerInfo(resource);
        },
        useGrantedResource: () => true,
      },
    },
    extraTokenClaims: (ctx, token) => {
      const client = on('token.client-claims') ? clientById(String((token as { clientId?: string }).clientId)) : undefined;
      // The organisation a request named (tenancy.ts) overrides the client's registered one.
      const organisation = (ctx as unknown as { state?: TenancyState } | undefined)?.state?.organisationClaims;
      const clientClaims = client ? { ...client.claims, ...organisation, [HELSEID_CLAIMS.clientAmr]: 'private_key_jwt' } : {};
      // A user login's claims, as its scopes ask for them (test-idp.ts).
      const person = personOf((token as { accountId?: string }).accountId);
      const source = ctx?.oidc.entities.AuthorizationCode ?? (on('refresh.user-claims') ? ctx?.oidc.entities.RefreshToken : undefined);
      const user = person && source ? userClaims(person, String(source.scope ?? '').split(' ')) : {};
      return { ...clientClaims, ...user };
    },
    formats: {
      customizers: {
        jwt: (ctx, _token, jwt) => {
          const exchange = (ctx as (KoaContextWithOIDC & { exchange?: ExchangeContext }) | undefined)?.exchange;
          if (exchange) Object.assign(jwt.payload, exchange.claims);
          if (!on('token.cnf') || (exchange && !on('exchange.cnf'))) delete jwt.payload.cnf;
          // The attest sent the second way, in the client assertion of a code or refresh call:
          // in this token only (facts §2.7).
          const asserted = attests((ctx as unknown as { state?: AssertionState } | undefined)?.state?.assertionDetails);
          const grantType = String(ctx?.oidc.params?.grant_type ?? '');
          if (asserted.length && !jwt.payload.authorization_details && ['authorization_code', 'refresh_token'].includes(grantType) && on('code.attest.assertion')) {
            jwt.payload.authorization_details = asserted;
          }
        },
      },
    },
    renderError: (ctx, out) => {
      ctx.type = 'application/json';
      ctx.body = out;
    },
  };

  const provider = new Provider(issuer, configuration);
  provider.proxy = true;
  registerTokenExchange(provider, { checks, resourceServerInfo, publicJwks: { keys: [publicJwk(options.signingKey)] } });

  provider.use(clientAuthentication({ issuer, tokenPath: HELSEID_PATHS.token, parPath: HELSEID_PATHS.par, clientKeys: options.clientKeys, checks }));
  provider.use(tenancy({ tokenPath: HELSEID_PATHS.token, checks }));
  provider.use(testIdp(provider, checks));
  if (!on('token.dpop.nonce-value')) {
    const nonces = instance(provider).DPoPNonces;
    if (nonces) nonces.checkChallenge = () => true;
  }
  // HelseID refuses a proof whose jti it has seen (facts §2.4), with RFC 9449's error code; the
  // replay cache is the twin's own (oidc-provider's answers invalid_grant, which no source names).
  const seenProofs = new Map<string, number>();
  const proofChecks = [
    check<{ jti?: unknown; now: number }>('token.dpop.jti-once', (p, refuse) => {
      if (typeof p.jti !== 'string' || !p.jti) return; // no usable proof: oidc-provider refuses it
      if ((seenProofs.get(p.jti) ?? 0) >= p.now) refuse({ status: 400, error: 'invalid_dpop_proof', description: 'a DPoP proof with this jti has been seen before' });
      seenProofs.set(p.jti, p.now + 300);
      if (seenProofs.size > 50_000) for (const [k, until] of seenProofs) if (until < p.now) seenProofs.delete(k);
    }),
  ];
  provider.use(async (ctx, next) => {
    if (ctx.path === HELSEID_PATHS.token && ctx.method === 'POST' && ctx.get('dpop')) {
      let jti: unknown;
      try {
        jti = decodeJwt(ctx.get('dpop')).jti;
      } catch {
        // not a JWT: oidc-provider refuses it
      }
      try {
        await checks.run('token.dpop', proofChecks, { jti, now: Math.floor(Date.now() / 1000) }, 'helseid');
      } catch (e) {
        if (!(e instanceof Refusal)) throw e;
        return answerRefusal(ctx, e);
      }
    }
    await next();
  });
  if (!on('refresh.one-use')) {
    // The fault: a rotated refresh token is never retired, so the old one keeps working.
    (provider.RefreshToken.prototype as unknown as { consume: () => Promise<void> }).consume = async () => {};
  }
  if (!on('refresh.resource')) {
    // The fault: a refresh's resource indicator is dropped before the grant sees it.
    provider.use(async (ctx, next) => {
      const body = (ctx.request as unknown as { body?: Record<string, string> }).body;
      if (ctx.path === HELSEID_PATHS.token && body?.grant_type === 'refresh_token') delete body.resource;
      await next();
    });
  }
  if (!on('token.dpop.htu')) {
    // Without this check the token endpoint takes the proof's word for its own URL: behind
    // proxy = true, the forwarded host and protocol become what htu is compared with.
    provider.use(async (ctx, next) => {
      try {
        const htu = new URL(String(decodeJwt(ctx.get('dpop')).htu));
        ctx.request.header['x-forwarded-host'] = htu.host;
        ctx.request.header['x-forwarded-proto'] = htu.protocol.replace(':', '');
      } catch {
        // no usable proof: nothing to take its word for
      }
      await next();
    });
  }

  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path === HELSEID_PATHS.discovery && ctx.status === 200) {
      const body = { ...(ctx.body as Record<string, unknown>) };
      // HelseID publishes its own claim names and authenticates clients with private_key_jwt.
      body.claims_supported = [...new Set([...((body.claims_supported as string[]) ?? []), ...Object.values(HELSEID_CLAIMS)])];
      body.token_endpoint_auth_methods_supported = ['private_key_jwt'];
      body.token_endpoint_auth_signing_alg_values_supported = [...ASYMMETRIC_ALGS];
      ctx.body = body;
    }
    // HelseID's token response says how long its refresh token lives (facts §2.3, rt_expires_in).
    if (ctx.path === HELSEID_PATHS.token && ctx.status === 200 && on('token.rt-expires-in')) {
      const body = ctx.body as Record<string, unknown>;
      const refresh = typeof body?.refresh_token === 'string' ? await provider.RefreshToken.find(body.refresh_token, { ignoreExpiration: true }) : undefined;
      if (refresh?.exp) ctx.body = { ...body, rt_expires_in: refresh.exp - Math.floor(Date.now() / 1000) };
    }
    const operation = ENDPOINTS[ctx.path];
    const route = { service: 'helseid', operationId: operation ?? '', method: ctx.method, path: ctx.path };
    for (const t of options.transforms) {
      if ((t.services && !t.services.includes('helseid')) || (t.operations && !t.operations.includes(route.operationId))) continue;
      const out = t.apply({ status: ctx.status, body: ctx.body }, options.facts, route);
      ctx.status = out.status;
      ctx.body = out.body;
    }
  });
  return provider;
}
