// RFC 8693 token exchange on the stand-in's token endpoint: the actor client trades a subject
// token for one with other scopes (and so another audience), bound to the actor's DPoP key.
import Provider, { errors, type KoaContextWithOIDC } from 'oidc-provider';
// oidc-provider keeps its DPoP validation internal; the version is pinned in package.json.
import validateDpop, { checkDpopReplay } from 'oidc-provider/lib/helpers/validate_dpop.js';
import { createLocalJWKSet, decodeJwt, jwtVerify, type JWK } from 'jose';
import { ACCESS_TOKEN_TYPE, audienceOfScope, HELSEID_CLAIMS, TOKEN_EXCHANGE_GRANT, type Audience } from '../../helpers/config/services.ts';
import type { Faults } from '../faults.ts';

export interface ExchangeContext {
  claims: Record<string, unknown>;
}

/** Claims of the subject that travel into the exchanged token: the user and the organisation. */
const CARRIED_CLAIMS = [
  HELSEID_CLAIMS.pid,
  HELSEID_CLAIMS.pidPseudonym,
  HELSEID_CLAIMS.securityLevel,
  HELSEID_CLAIMS.assuranceLevel,
  HELSEID_CLAIMS.network,
  HELSEID_CLAIMS.hprNumber,
  HELSEID_CLAIMS.trustFramework,
  HELSEID_CLAIMS.orgnrParent,
  HELSEID_CLAIMS.orgnrChild,
  HELSEID_CLAIMS.orgnrSupplier,
];

interface Options {
  faults: Faults;
  publicJwks: { keys: JWK[] };
  resourceServerInfo: (audience: Audience) => ConstructorParameters<Provider['ResourceServer']>[1];
}

export function registerTokenExchange(provider: Provider, options: Options): void {
  const keys = createLocalJWKSet(options.publicJwks);
  const params = ['subject_token', 'subject_token_type', 'scope', 'resource', 'audience', 'actor_token', 'actor_token_type', 'requested_token_type'];

  provider.registerGrantType(
    TOKEN_EXCHANGE_GRANT,
    async (ctx: KoaContextWithOIDC) => {
      const client = ctx.oidc.client!;
      const p = ctx.oidc.params as Record<string, string | undefined>;
      const dPoP = await validateDpop(provider, ctx);
      if (!dPoP) throw new errors.InvalidRequest('a DPoP proof is required');
      if (!p.subject_token) throw new errors.InvalidRequest('subject_token is required');
      if (p.subject_token_type !== ACCESS_TOKEN_TYPE) throw new errors.InvalidRequest(`subject_token_type must be ${ACCESS_TOKEN_TYPE}`);

      let subject: Record<string, unknown>;
      try {
        subject = options.faults.has('exchange-subject-unchecked') ? decodeJwt(p.subject_token) : (await jwtVerify(p.subject_token, keys, { issuer: provider.issuer, typ: 'at+jwt' })).payload;
      } catch (e) {
        throw new errors.InvalidGrant(`subject_token is not valid: ${(e as Error).message}`);
      }

      const requested = String(p.scope ?? '').split(' ').filter(Boolean);
      if (!requested.length) throw new errors.InvalidScope('scope is required', '');
      const audience = audienceOfScope(requested[0]!);
      const allowed = new Set(String(client.scope ?? '').split(' '));
      for (const s of requested) {
        if (!allowed.has(s) && !options.faults.has('exchange-scope-escalation')) throw new errors.InvalidScope('requested scope is not granted to this client', s);
        if (audienceOfScope(s) !== audience) throw new errors.InvalidScope('all scopes must belong to one audience', s);
      }

      const target = (options.faults.has('exchange-keeps-audience') ? (Array.isArray(subject.aud) ? subject.aud[0] : subject.aud) : audience) as Audience;
      const token = new provider.ClientCredentials({ client, scope: requested.join(' ') });
      token.resourceServer = new provider.ResourceServer(target, options.resourceServerInfo(target));
      await checkDpopReplay(provider, ctx, dPoP, client.clientId);
      token.setThumbprint('jkt', dPoP.thumbprint);

      const claims: Record<string, unknown> = options.faults.has('exchange-no-act') ? {} : { act: { sub: client.clientId } };
      if (typeof subject.sub === 'string') claims.sub = subject.sub;
      for (const c of CARRIED_CLAIMS) if (subject[c] !== undefined) claims[c] = subject[c];
      (ctx as KoaContextWithOIDC & { exchange?: ExchangeContext }).exchange = { claims };

      ctx.oidc.entity('ClientCredentials', token);
      const value = await token.save();
      ctx.body = {
        access_token: value,
        issued_token_type: ACCESS_TOKEN_TYPE,
        token_type: token.tokenType,
        expires_in: token.expiration,
        scope: token.scope,
      };
    },
    params,
  );
}
