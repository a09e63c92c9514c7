// RFC 8693 token exchange on the stand-in's token endpoint, as HelseID runs it (facts §2.5), as
// named checks: a caller's client got the subject token for API 1; API 1's own client, the
// actor, trades it for API 2's scopes (and so API 2's audience), bound to the actor's DPoP key,
// with an act claim naming the actor. A subject token for another API than the actor's is refused.
import Provider, { errors, type KoaContextWithOIDC } from 'oidc-provider';
// oidc-provider keeps its DPoP validation internal; the version is pinned in package.json.
import validateDpop, { checkDpopReplay } from 'oidc-provider/lib/helpers/validate_dpop.js';
import { compactVerify, createLocalJWKSet, decodeJwt, type JWK, type JWTPayload } from 'jose';
import { audienceOfScope } from '../../helpers/packs/index.ts';
import { ACCESS_TOKEN_TYPE, HELSEID_CLAIMS, TOKEN_EXCHANGE_GRANT } from '../../helpers/protocol.ts';
import { check, Refusal, type Check, type CheckSet } from '../core/checks.ts';
import { clientById } from './clients.ts';

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
  checks: CheckSet;
  publicJwks: { keys: JWK[] };
  resourceServerInfo: (audience: string) => ConstructorParameters<Provider['ResourceServer']>[1];
}

interface Exchange {
  /** The audience of the API the actor client is the client of. */
  actorAudience?: string;
  subjectToken: string;
  subject?: JWTPayload;
  requested: string[];
  allowed: Set<string>;
  audience?: string;
  claims: Record<string, unknown>;
  actor: string;
}

const problem = (error: string, description: string) => ({ status: 400, error, description });

export function registerTokenExchange(provider: Provider, options: Options): void {
  const keys = createLocalJWKSet(options.publicJwks);
  const params = ['subject_token', 'subject_token_type', 'scope', 'resource', 'audience', 'actor_token', 'actor_token_type', 'requested_token_type'];

  const exchangeChecks: Check<Exchange>[] = [
    check('exchange.subject-signature', async (x, refuse) => {
      try {
        await compactVerify(x.subjectToken, keys);
      } catch {
        refuse(problem('invalid_grant', 'subject_token is not signed by this issuer'));
      }
    }),
    check('exchange.subject-valid', (x, refuse) => {
      if (!x.subject) refuse(problem('invalid_grant', 'subject_token is not a JWT'));
      if (x.subject!.iss !== provider.issuer) refuse(problem('invalid_grant', 'subject_token is from another issuer'));
      if (typeof x.subject!.exp !== 'number' || x.subject!.exp < Math.floor(Date.now() / 1000)) refuse(problem('invalid_grant', 'subject_token has expired'));
    }),
    check('exchange.subject-audience', (x, refuse) => {
      // The subject token was issued for the actor's own API (API 1), not for some other.
      const aud = [x.subject?.aud ?? []].flat();
      if (!x.actorAudience) refuse(problem('unauthorized_client', 'this client is no API: it has no audience that subject tokens could be issued for'));
      if (!aud.includes(x.actorAudience!)) refuse(problem('invalid_request', `subject_token is for ${aud.join(', ') || 'no audience'}, not for ${x.actorAudience}, the API of this client`));
    }),
    check('exchange.scope-present', (x, refuse) => void (!x.requested.length && refuse(problem('invalid_scope', 'scope is required')))),
    check('exchange.scope-granted', (x, refuse) => {
      for (const s of x.requested) if (!x.allowed.has(s)) refuse(problem('invalid_scope', `requested scope ${s} is not granted to this client`));
    }),
    check('exchange.scope-audience', (x, refuse) => {
      const first = audienceOfScope(x.requested[0] ?? '');
      if (!first || x.requested.some((s) => audienceOfScope(s) !== first)) refuse(problem('invalid_scope', 'all scopes must belong to one known audience'));
    }),
    check('exchange.audience', (x) => {
      // The exchanged token is for the audience of the requested scopes.
      x.audience = audienceOfScope(x.requested[0] ?? '');
    }),
    check('exchange.act', (x) => {
      x.claims.act = { sub: x.actor };
    }),
  ];

  provider.registerGrantType(
    TOKEN_EXCHANGE_GRANT,
    async (ctx: KoaContextWithOIDC) => {
      const client = ctx.oidc.client!;
      const p = ctx.oidc.params as Record<string, string | undefined>;
      const dPoP = await validateDpop(provider, ctx);
      if (!dPoP) throw new errors.InvalidRequest('a DPoP proof is required');
      if (!p.subject_token) throw new errors.InvalidRequest('subject_token is required');
      if (p.subject_token_type !== ACCESS_TOKEN_TYPE) throw new errors.InvalidRequest(`subject_token_type must be ${ACCESS_TOKEN_TYPE}`);

      let subject: JWTPayload | undefined;
      try {
        subject = decodeJwt(p.subject_token);
      } catch {
        subject = undefined;
      }
      const x: Exchange = {
        subjectToken: p.subject_token,
        subject,
        requested: String(p.scope ?? '').split(' ').filter(Boolean),
        allowed: new Set(String(client.scope ?? '').split(' ')),
        claims: {},
        actor: client.clientId,
        actorAudience: clientById(client.clientId)?.api?.audience,
      };
      try {
        await options.checks.run('exchange', exchangeChecks, x);
      } catch (e) {
        if (!(e instanceof Refusal)) throw e;
        const description = `${e.details.description} [${e.check}]`;
        if (e.details.error === 'invalid_scope') throw new errors.InvalidScope(description, x.requested.join(' '));
        if (e.details.error === 'invalid_request') throw new errors.InvalidRequest(description);
        if (e.details.error === 'unauthorized_client') throw new errors.UnauthorizedClient(description);
        throw new errors.InvalidGrant(description);
      }

      const target = x.audience ?? audienceOfScope(x.requested[0] ?? '')!;
      const token = new provider.ClientCredentials({ client, scope: x.requested.join(' ') });
      token.resourceServer = new provider.ResourceServer(target, options.resourceServerInfo(target));
      await checkDpopReplay(provider, ctx, dPoP, client.clientId);
      token.setThumbprint('jkt', dPoP.thumbprint);

      if (typeof subject?.sub === 'string') x.claims.sub = subject.sub;
      for (const c of CARRIED_CLAIMS) if (subject?.[c] !== undefined) x.claims[c] = subject[c];
      (ctx as KoaContextWithOIDC & { exchange?: ExchangeContext }).exchange = { claims: x.claims };

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
