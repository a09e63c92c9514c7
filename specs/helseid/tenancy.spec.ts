// The organisation a token is for (facts §2.6): a single-tenant client naming a child
// organisation, a multi-tenant client naming the organisation that delegated to it, the supplier
// claim, and rejected_scope for scopes whose terms that organisation has not signed.
import { decodeUnverified } from '../../helpers/auth/jws.ts';
import { helseidAuthorization, type Organisation } from '../../helpers/auth/organisation.ts';
import { redactJson } from '../../helpers/evidence/redact.ts';
import { HELSEID_CLAIMS } from '../../helpers/protocol.ts';
import type { ClientRole } from '../../helpers/config/profiles.ts';
import type { TokenCallResult } from '../../helpers/auth/token-endpoint.ts';
import { expect, test, type HelseIdFixtures } from '../../fixtures/helseid.ts';

function asOrganisation(tokenCall: HelseIdFixtures['tokenCall'], role: ClientRole, organisation: Organisation, scopes: string[]): Promise<TokenCallResult> {
  return tokenCall({ role, assertion: { extraClaims: { assertion_details: [helseidAuthorization(organisation)] } }, params: { grant_type: 'client_credentials', scope: scopes.join(' ') } });
}

function claimsOf(result: TokenCallResult, what: string): Record<string, unknown> {
  expect(result.status, `${what} answered ${result.status} ${JSON.stringify(redactJson(result.body))}`).toBe(200);
  return decodeUnverified(String(result.body.access_token)).payload;
}

const scopesIn = (value: unknown) => [value ?? []].flat().flatMap((s) => String(s).split(' ')).filter(Boolean);

test.describe('HelseID multi-tenant clients', () => {
  test.beforeEach(({ needs }) => needs({ services: ['helseid'], clients: ['multiTenant'] }));

  test("a multi-tenant client's token names the organisation it acts for and the supplier", { tag: ['@HID-MT-001'] }, async ({ tokenCall, profile }) => {
    const { organisation, scopes } = profile.client('multiTenant')!.tenancy!;
    if (organisation.tenancy !== 'multi') throw new Error('unreachable');
    const claims = claimsOf(await asOrganisation(tokenCall, 'multiTenant', organisation, scopes), 'a token request naming the organisation');
    expect(claims[HELSEID_CLAIMS.orgnrParent], 'orgnr_parent is not the organisation the request named').toBe(organisation.parent);
    if (organisation.child) expect(claims[HELSEID_CLAIMS.orgnrChild], 'orgnr_child is not the child organisation the request named').toBe(organisation.child);
    const supplier = claims[HELSEID_CLAIMS.orgnrSupplier];
    expect(String(supplier ?? ''), 'a multi-tenant token does not name its supplier (orgnr_supplier)').toMatch(/^\d{9}$/);
    expect(supplier, 'the supplier is the organisation acted for').not.toBe(organisation.parent);
  });

  test('scopes whose terms the organisation has not signed are left out and named in rejected_scope', { tag: ['@HID-MT-003'] }, async ({ tokenCall, profile, needs }) => {
    const partly = profile.client('multiTenant')!.tenancy!.partlySigned;
    needs({ twin: true });
    if (!partly) throw new Error('the twin names an organisation that signed part of the terms');
    const result = await asOrganisation(tokenCall, 'multiTenant', partly.organisation, [partly.signedScope, partly.unsignedScope]);
    const claims = claimsOf(result, 'a request with one scope the organisation has not signed');
    expect(scopesIn(claims.scope), 'the token carries a scope whose terms were not signed').not.toContain(partly.unsignedScope);
    expect(scopesIn(claims.scope)).toContain(partly.signedScope);
    expect(scopesIn(result.body.rejected_scope), 'the response does not name the rejected scope in rejected_scope').toEqual([partly.unsignedScope]);
  });
});

test.describe('HelseID single-tenant client naming a child organisation', () => {
  test.beforeEach(({ needs }) => needs({ services: ['helseid'], clients: ['default'] }));

  test('the token names the child organisation the request named, and the client\'s own parent', { tag: ['@HID-MT-002'] }, async ({ tokenCall, profile }) => {
    const child = profile.client('default')!.childOrganisation;
    test.skip(!child, 'set HELSEID_CLIENT_CHILD_ORGNR to a child organisation your client may name');
    const plain = claimsOf(await tokenCall({ params: { grant_type: 'client_credentials', scope: 'nhn:pit/api.read' } }), 'a token request without an organisation');
    const named = claimsOf(await asOrganisation(tokenCall, 'default', { tenancy: 'single', child: child! }, ['nhn:pit/api.read']), 'a token request naming a child organisation');
    expect(named[HELSEID_CLAIMS.orgnrChild], 'orgnr_child is not the child organisation the request named').toBe(child);
    expect(named[HELSEID_CLAIMS.orgnrParent], "naming a child changed the client's parent organisation").toBe(plain[HELSEID_CLAIMS.orgnrParent]);
  });
});
