// The HelseID stand-in: oidc-provider for grants, DPoP (with nonces) and JWT access tokens per
// audience with HelseID's client claims, RFC 8693 token exchange, and HelseID's client
// authentication rules as named checks in front of its token endpoint. Every rule it can be
// made to break is a named check; response transforms come from the faults as data.
import { randomBytes } from 'node:crypto';
import Provider, { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import instance from 'oidc-provider/lib/helpers/weak_cache.js';
import { decodeJwt, type JWK } from 'jose';
import { ALL_SCOPES, AUDIENCES, audienceOfScope, SCOPES } from '../../helpers/packs/index.ts';
import { ASYMMETRIC_ALGS, HELSEID_CLAIMS, HELSEID_PATHS, TOKEN_EXCHANGE_GRANT } from '../../helpers/protocol.ts';
import type { CheckSet } from '../core/checks.ts';
import { publicJwk } from '../core/crypto.ts';
import type { ResponseTransform, TwinFacts } from '../core/faults.ts';
import { adapterFor } from './adapter.ts';
import { clientAuthentication } from './client-auth.ts';
import { clientById, SYNTHETIC_CLIENTS } from './clients.ts';
import { registerTokenExchange, type ExchangeContext } from './token-exchange.ts';

export const ACCESS_TOKEN_TTL = 3600;

export interface HelseIdOptions {
  issuer: string;
  signingKey: JWK; // private, RS256
  clientKeys: Record<string, JWK>; // clientId → public JWK
  checks: CheckSet;
  transforms: readonly ResponseTransform[];
  facts: TwinFacts;
}

const KNOWN_AUDIENCES = new Set<string>(AUDIENCES);
const ENDPOINTS: Record<string, string> = { [HELSEID_PATHS.token]: 'token', [HELSEID_PATHS.jwks]: 'jwks', [HELSEID_PATHS.discovery]: 'discovery' };

function resourceServerInfo(audience: string) {
  return {
    scope: (SCOPES[audience] ?? []).join(' '),
    audience,
    accessTokenFormat: 'jwt' as const,
    accessTokenTTL: ACCESS_TOKEN_TTL,
    jwt: { sign: { alg: 'RS256' as const } },
  };
}

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
      grant_types: c.tokenExchange ? ['client_credentials', TOKEN_EXCHANGE_GRANT] : ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      scope: c.scopes.join(' '),
      dpop_bound_access_tokens: on('token.dpop.required'),
      id_token_signed_response_alg: 'RS256',
    })),
    clientAuthMethods: ['none'],
    enabledJWA: { dPoPSigningAlgValues: [...ASYMMETRIC_ALGS] },
    scopes: ['openid', ...ALL_SCOPES],
    routes: {
      token: HELSEID_PATHS.token,
      jwks: HELSEID_PATHS.jwks,
      authorization: '/connect/authorize',
      userinfo: '/connect/userinfo',
      end_session: '/connect/endsession',
      revocation: '/connect/revocation',
      introspection: '/connect/introspect',
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      dPoP: { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => on('token.dpop.nonce') },
      resourceIndicators: {
        enabled: true,
        // HelseID derives the audience from the scopes when no resource is sent.
        defaultResource: (ctx) => audienceOfScope(String(ctx.oidc.params?.scope ?? '').split(' ')[0] ?? '') ?? (undefined as unknown as string),
        getResourceServerInfo: (_ctx, resource) => {
          if (!KNOWN_AUDIENCES.has(resource)) throw new errors.InvalidTarget(`unknown resource ${resource}`);
          return resourceServerInfo(resource);
        },
        useGrantedResource: () => true,
      },
    },
    extraTokenClaims: (_ctx, token) => {
      if (!on('token.client-claims')) return undefined;
      const client = clientById(String((token as { clientId?: string }).clientId));
      return client ? { ...client.claims, [HELSEID_CLAIMS.clientAmr]: 'private_key_jwt' } : undefined;
    },
    formats: {
      customizers: {
        jwt: (ctx, _token, jwt) => {
          const exchange = (ctx as (KoaContextWithOIDC & { exchange?: ExchangeContext }) | undefined)?.exchange;
          if (exchange) Object.assign(jwt.payload, exchange.claims);
          if (!on('token.cnf') || (exchange && !on('exchange.cnf'))) delete jwt.payload.cnf;
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

  provider.use(clientAuthentication({ issuer, tokenPath: HELSEID_PATHS.token, clientKeys: options.clientKeys, checks }));
  if (!on('token.dpop.nonce-value')) {
    const nonces = instance(provider).DPoPNonces;
    if (nonces) nonces.checkChallenge = () => true;
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
