// The stand-in's synthetic test IdP: it logs a test person in without a browser, the way HelseID's
// test IdP does for a person typed into its form. The person is named by `login_hint` (their
// national identity number); only NHN's named test persons and synthetic numbers are known. The
// interaction finishes at once: login, and a grant of exactly what the request asked for,
// including its authorization_details (the trust framework attest).
import { createHash } from 'node:crypto';
import type { Middleware } from 'koa';
import type Provider from 'oidc-provider';
import { HELSEID_CLAIMS, IDENTITY_SCOPES } from '../../helpers/protocol.ts';
import { audienceOfScope } from '../../helpers/packs/index.ts';
import { TEST_IDP_PERSONS } from '../../helpers/packs/helseid.ts';

export const INTERACTION_PATH = '/interaction/';

export interface TestPerson {
  pid: string;
  name: string;
  /** Health personnel have one; others log in without. */
  hprNumber?: string;
  securityLevel: '3' | '4';
}

/** Who the test IdP knows (helpers/packs/helseid.ts). */
export const TEST_PERSONS: readonly TestPerson[] = Object.values(TEST_IDP_PERSONS);

/** The account id HelseID would give a person: a pseudonym, never the number itself. */
export const accountIdOf = (pid: string) => `testidp-${createHash('sha256').update(pid).digest('base64url').slice(0, 22)}`;
const byAccount = new Map(TEST_PERSONS.map((p) => [accountIdOf(p.pid), p]));
export const personOf = (accountId: string | undefined) => (accountId ? byAccount.get(accountId) : undefined);

/** The user claims an access token carries for a login: pid and security level as their scopes ask, the HPR number when there is one. */
export function userClaims(person: TestPerson, scopes: readonly string[]): Record<string, string> {
  const claims: Record<string, string> = { [HELSEID_CLAIMS.assuranceLevel]: person.securityLevel === '4' ? 'high' : 'substantial', [HELSEID_CLAIMS.network]: 'internett' };
  if (scopes.includes(IDENTITY_SCOPES.pid)) claims[HELSEID_CLAIMS.pid] = person.pid;
  if (scopes.includes(IDENTITY_SCOPES.securityLevel)) claims[HELSEID_CLAIMS.securityLevel] = person.securityLevel;
  if (person.hprNumber) claims[HELSEID_CLAIMS.hprNumber] = person.hprNumber;
  return claims;
}

/** Finishes every interaction at once: the hinted person logs in and grants what was asked. */
export function testIdp(provider: Provider): Middleware {
  return async (ctx, next) => {
    if (ctx.method !== 'GET' || !ctx.path.startsWith(INTERACTION_PATH)) return next();
    let details;
    try {
      details = await provider.interactionDetails(ctx.req, ctx.res);
    } catch {
      ctx.status = 400;
      ctx.type = 'application/json';
      ctx.body = { error: 'invalid_request', error_description: 'no interaction in progress (the interaction cookie is missing or expired)' };
      return;
    }
    const params = details.params as Record<string, string | undefined>;
    const hint = params.login_hint ?? '';
    const person = TEST_PERSONS.find((p) => p.pid === hint);
    let result: Parameters<Provider['interactionResult']>[2];
    if (!person) {
      result = { error: 'access_denied', error_description: 'the synthetic test IdP knows no test person with that login_hint' };
    } else {
      const accountId = accountIdOf(person.pid);
      const grant = details.grantId ? ((await provider.Grant.find(details.grantId)) ?? new provider.Grant({ accountId, clientId: String(params.client_id) })) : new provider.Grant({ accountId, clientId: String(params.client_id) });
      const scopes = String(params.scope ?? '').split(' ').filter(Boolean);
      // The API scopes are in the provider's scope list (discovery names them), so oidc-provider
      // asks consent for them as OIDC scopes as well as for their resource.
      grant.addOIDCScope(scopes.join(' '));
      for (const scope of scopes) {
        const audience = audienceOfScope(scope);
        if (audience) grant.addResourceScope(audience, scope);
      }
      if (params.authorization_details) {
        for (const detail of JSON.parse(params.authorization_details) as Array<{ type: string }>) grant.addRar(detail);
      }
      result = { login: { accountId }, consent: { grantId: await grant.save() } };
    }
    const to = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
    ctx.status = 303;
    ctx.redirect(to);
  };
}
