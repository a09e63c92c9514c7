// Which organisation a token is for (facts §2.6): a single-tenant client may name a child
// organisation in its client assertion's helseid_authorization; a multi-tenant client names the
// organisation that delegated to it (NO:ORGNR:<parent>:<child>), gets that organisation's
// claims and its own as the supplier's, and only the scopes that organisation has signed the
// terms for: the rest are named in rejected_scope. Every rule is a named check.
import type { Middleware } from 'koa';
import { HELSEID_CLAIMS } from '../../helpers/protocol.ts';
import { organisationIn } from '../../helpers/auth/organisation.ts';
import { Refusal, type CheckSet } from '../core/checks.ts';
import { answerRefusal, type AssertionState } from './client-auth.ts';
import { clientById } from './clients.ts';

/** What the token's organisation claims are, and which scopes were rejected, for this request. */
export interface TenancyState {
  organisationClaims?: Record<string, string>;
  rejectedScope?: string[];
}

const refuse = (ctx: Parameters<Middleware>[0], rule: string, error: string, description: string) => answerRefusal(ctx, new Refusal(rule, { status: 400, error, description }));

export function tenancy(options: { tokenPath: string; checks: CheckSet }): Middleware {
  const on = (rule: string) => options.checks.on(rule, 'helseid');
  return async (ctx, next) => {
    const body = (ctx.request as unknown as { body?: Record<string, string> }).body;
    if (ctx.path !== options.tokenPath || ctx.method !== 'POST' || !body) return next();
    const client = clientById(String(body.client_id));
    const state = ctx.state as AssertionState & TenancyState;
    const named = organisationIn(state.assertionDetails);
    if (client?.multiTenant) {
      if (named?.tenancy !== 'multi') {
        refuse(ctx, 'tenancy.multi', 'invalid_request', 'a multi-tenant client names the organisation it acts for in helseid_authorization (urn:oid:1.0.6523, NO:ORGNR:<parent>:<child>)');
        return;
      }
      const signed = client.multiTenant.organisations[named.parent];
      if (!signed) {
        refuse(ctx, 'tenancy.multi', 'invalid_request', `organisation ${named.parent} has not delegated to this client`);
        return;
      }
      if (on('tenancy.multi')) {
        state.organisationClaims = { [HELSEID_CLAIMS.orgnrParent]: named.parent, ...(named.child ? { [HELSEID_CLAIMS.orgnrChild]: named.child } : {}) };
        if (on('tenancy.supplier')) state.organisationClaims[HELSEID_CLAIMS.orgnrSupplier] = client.multiTenant.supplier;
      }
      if (signed !== 'all' && body.scope && on('tenancy.terms')) {
        const asked = body.scope.split(' ').filter(Boolean);
        const rejected = asked.filter((s) => !signed.includes(s));
        const kept = asked.filter((s) => signed.includes(s));
        if (rejected.length && !kept.length) {
          refuse(ctx, 'tenancy.terms', 'invalid_scope', `organisation ${named.parent} has not signed the terms for ${rejected.join(' ')}`);
          return;
        }
        if (rejected.length) {
          body.scope = kept.join(' ');
          state.rejectedScope = rejected;
        }
      }
    } else if (named?.tenancy === 'single' && on('tenancy.single-child')) {
      state.organisationClaims = { [HELSEID_CLAIMS.orgnrChild]: named.child };
    }
    await next();
    if (ctx.status === 200 && state.rejectedScope && ctx.body && typeof ctx.body === 'object') ctx.body = { ...(ctx.body as object), rejected_scope: state.rejectedScope.join(' ') };
  };
}
