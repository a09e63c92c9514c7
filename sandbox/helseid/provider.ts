// The HelseID stand-in: oidc-provider configured with HelseID's rules for client assertions,
// DPoP with nonces, JWT access tokens per audience with HelseID's client claims, and RFC 8693
// token exchange.
import { randomBytes } from 'node:crypto';
import Provider, { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { JWK } from 'jose';
import {
  ASYMMETRIC_ALGS,
  AUDIENCES,
  audienceOfScope,
  CLIENT_ASSERTION_TYP,
  HELSEID_CLAIMS,
  SCOPES,
  TOKEN_EXCHANGE_GRANT,
  type Audience,
} from '../../helpers/config/services.ts';
import { publicPart, type SigningKey } from '../../helpers/auth/keys.ts';
import type { Faults } from '../faults.ts';
import { clientById, SYNTHETIC_CLIENTS } from './clients.ts';
import { TwinAdapter } from './adapter.ts';
import { registerTokenExchange, type ExchangeContext } from './token-exchange.ts';
import { lenientAssertionFront } from './lenient-front.ts';
import instance from 'oidc-provider/lib/helpers/weak_cache.js';
import { decodeJwt } from 'jose';

export const ACCESS_TOKEN_TTL = 3600;
export const MAX_ASSERTION_LIFETIME = 60;

export interface HelseIdOptions {
  issuer: string;
  signingKey: JWK; // private, RS256
  clientKeys: Record<string, JWK>; // clientId → public JWK
  /** The clients' private keys: used only by the faults that simulate a careless token endpoint. */
  clientSigningKeys: Record<string, SigningKey>;
  faults: Faults;
}

const KNOWN_AUDIENCES = new Set<string>(Object.values(AUDIENCES));

function resourceServerInfo(audience: Audience) {
  return {
    scope: SCOPES[audience].join(' '),
    audience,
    accessTokenFormat: 'jwt' as const,
    accessTokenTTL: ACCESS_TOKEN_TTL,
    jwt: { sign: { alg: 'RS256' as const } },
  };
}

export function createHelseIdProvider(options: HelseIdOptions): Provider {
  const { issuer, faults } = options;
  TwinAdapter.replayDetectionEnabled = !faults.has('ca-jti-reuse');

  const configuration: Configuration = {
    adapter: TwinAdapter,
    jwks: { keys: [{ ...options.signingKey, use: 'sig', alg: 'RS256' }] as never },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    clients: SYNTHETIC_CLIENTS.map((c) => ({
      client_id: c.clientId,
      client_name: c.name,
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [options.clientKeys[c.clientId] as never] },
      grant_types: c.tokenExchange ? ['client_credentials', TOKEN_EXCHANGE_GRANT] : ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      scope: c.scopes.join(' '),
      dpop_bound_access_tokens: !faults.has('token-without-dpop'),
      id_token_signed_response_alg: 'RS256',
    })),
    clientAuthMethods: ['private_key_jwt'],
    enabledJWA: {
      clientAuthSigningAlgValues: [...ASYMMETRIC_ALGS],
      dPoPSigningAlgValues: [...ASYMMETRIC_ALGS],
    },
    scopes: ['openid', ...Object.values(SCOPES).flat()],
    routes: {
      token: '/connect/token',
      jwks: '/.well-known/openid-configuration/jwks',
      authorization: '/connect/authorize',
      userinfo: '/connect/userinfo',
      end_session: '/connect/endsession',
      revocation: '/connect/revocation',
      introspection: '/connect/introspect',
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      dPoP: {
        enabled: true,
        nonceSecret: randomBytes(32),
        requireNonce: () => !faults.has('dpop-nonce-optional'),
      },
      resourceIndicators: {
        enabled: true,
        // HelseID derives the audience from the scopes when no resource is sent.
        defaultResource: (ctx) => {
          const first = String(ctx.oidc.params?.scope ?? '').split(' ')[0] ?? '';
          return audienceOfScope(first) ?? (undefined as unknown as string);
        },
        getResourceServerInfo: (_ctx, resource) => {
          if (!KNOWN_AUDIENCES.has(resource)) throw new errors.InvalidTarget(`unknown resource ${resource}`);
          return resourceServerInfo(resource as Audience);
        },
        useGrantedResource: () => true,
      },
    },
    assertJwtClientAuthClaimsAndHeader: async (ctx, claims, header, client) => {
      if (header.typ !== CLIENT_ASSERTION_TYP && !faults.has('ca-typ-not-required')) {
        throw new errors.InvalidClientAuth(`client assertion typ must be ${CLIENT_ASSERTION_TYP}`);
      }
      if (claims.sub !== client.clientId && !faults.has('ca-sub-unchecked')) {
        throw new errors.InvalidClientAuth('client assertion sub must equal iss and the client_id');
      }
      if (claims.aud !== ctx.oidc.issuer && !faults.has('ca-aud-lenient')) {
        throw new errors.InvalidClientAuth('client assertion aud must be the issuer identifier');
      }
      const lifetime = Number(claims.exp) - Math.floor(Date.now() / 1000);
      if (lifetime > MAX_ASSERTION_LIFETIME && !faults.has('ca-long-lived')) {
        throw new errors.InvalidClientAuth(`client assertion exp must be at most ${MAX_ASSERTION_LIFETIME} s ahead`);
      }
    },
    extraTokenClaims: (_ctx, token) => {
      if (faults.has('token-no-client-claims')) return undefined;
      const client = clientById(String((token as { clientId?: string }).clientId));
      return client ? { ...client.claims, 'helseid://claims/client/amr': 'private_key_jwt' } : undefined;
    },
    formats: {
      customizers: {
        jwt: (ctx, _token, jwt) => {
          const exchange = (ctx as KoaContextWithOIDC & { exchange?: ExchangeContext } | undefined)?.exchange;
          if (exchange) Object.assign(jwt.payload, exchange.claims);
          if (faults.has('token-unbound')) delete jwt.payload.cnf;
          if (exchange && faults.has('exchange-unbound')) delete jwt.payload.cnf;
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
  registerTokenExchange(provider, { faults, resourceServerInfo, publicJwks: { keys: [publicPart(options.signingKey)] } });

  const lenient = lenientAssertionFront(faults, issuer, '/connect/token', options.clientSigningKeys);
  if (lenient) provider.use(lenient);
  if (faults.has('dpop-nonce-any')) {
    const nonces = instance(provider).DPoPNonces;
    if (nonces) nonces.checkChallenge = () => true;
  }
  if (faults.has('dpop-htu-unchecked')) {
    // A token endpoint that takes the proof's word for its own URL: behind proxy = true, the
    // forwarded host and protocol become what htu is compared with.
    provider.use(async (ctx, next) => {
      const proof = ctx.get('dpop');
      try {
        const htu = new URL(String(decodeJwt(proof).htu));
        ctx.request.header['x-forwarded-host'] = htu.host;
        ctx.request.header['x-forwarded-proto'] = htu.protocol.replace(':', '');
      } catch {
        // no usable proof: nothing to forge
      }
      await next();
    });
  }

  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path === '/connect/token' && ctx.status === 200 && faults.has('token-type-bearer')) {
      ctx.body = { ...(ctx.body as Record<string, unknown>), token_type: 'Bearer' };
    }
    if (ctx.path === '/.well-known/openid-configuration/jwks' && ctx.status === 200 && faults.has('jwks-private-keys')) {
      const body = ctx.body as { keys: Array<Record<string, unknown>> };
      ctx.body = { keys: body.keys.map((k) => ({ ...k, d: options.signingKey.d })) };
    }
    if (ctx.path === '/.well-known/openid-configuration' && ctx.status === 200) {
      const body = { ...(ctx.body as Record<string, unknown>) };
      // HelseID publishes its own claim names; oidc-provider only knows the OIDC ones.
      body.claims_supported = [...new Set([...((body.claims_supported as string[]) ?? []), ...Object.values(HELSEID_CLAIMS)])];
      if (faults.has('discovery-no-dpop-algs')) delete body.dpop_signing_alg_values_supported;
      if (faults.has('discovery-wrong-issuer')) body.issuer = `${issuer}/other-tenant`;
      ctx.body = body;
    }
  });
  return provider;
}
