// HelseID faults: client authentication, DPoP at the token endpoint, the tokens it issues, token
// exchange, discovery and the test-token service. Each names the requirements that catch it.
import type { FaultDefinition } from '../core/faults.ts';
import type { JWTPayload } from 'jose';

type Body = Record<string, unknown>;

export const faults = {
  'ca-typ-not-required': { rule: 'the token endpoint accepts a client assertion whose typ is not client-authentication+jwt', requirements: ['HID-CA-008'], off: ['assertion.typ'] },
  'ca-long-lived': { rule: 'the token endpoint accepts a client assertion that expires more than 60 s ahead', requirements: ['HID-CA-004'], off: ['assertion.lifetime'] },
  'ca-jti-reuse': { rule: 'the token endpoint keeps no replay cache: a client assertion jti can be used again', requirements: ['HID-CA-005'], off: ['assertion.replay'] },
  'ca-jti-optional': { rule: 'the token endpoint accepts a client assertion without a jti (so its replay cache cannot hold it)', requirements: ['HID-CA-009'], off: ['assertion.jti'] },
  'ca-iat-optional': { rule: 'the token endpoint accepts a client assertion without iat', requirements: ['HID-CA-010'], off: ['assertion.iat'] },
  'ca-nbf-optional': { rule: 'the token endpoint accepts a client assertion without nbf', requirements: ['HID-CA-010'], off: ['assertion.nbf'] },
  'dpop-jti-reuse': { rule: 'the token endpoint keeps no DPoP replay cache: a proof jti can be used again', requirements: ['HID-DPOP-005'], off: ['token.dpop.jti-once'] },
  'ca-aud-lenient': { rule: 'the token endpoint accepts a client assertion whose aud is not the issuer', requirements: ['HID-CA-003'], off: ['assertion.aud'] },
  'ca-sub-unchecked': { rule: 'the token endpoint accepts a client assertion whose sub differs from iss', requirements: ['HID-CA-001'], off: ['assertion.sub'] },
  'ca-alg-lenient': {
    rule: "the token endpoint does not check the client assertion's signature or algorithm (alg none, HS256 and foreign keys pass)",
    requirements: ['HID-CA-006'],
    off: ['assertion.alg', 'assertion.signature'],
  },
  'ca-secret-accepted': { rule: 'the token endpoint accepts a client secret in place of a client assertion', requirements: ['HID-CA-007'], off: ['assertion.method'] },
  'dpop-nonce-optional': { rule: 'the token endpoint issues tokens for DPoP proofs without a server nonce', requirements: ['HID-DPOP-001'], off: ['token.dpop.nonce'] },
  'dpop-nonce-any': { rule: 'the token endpoint accepts any DPoP nonce value', requirements: ['HID-DPOP-003'], off: ['token.dpop.nonce-value'] },
  'dpop-htu-unchecked': { rule: "the token endpoint takes the proof's htu host as its own", requirements: ['HID-DPOP-004'], off: ['token.dpop.htu'] },
  'token-without-dpop': { rule: 'the token endpoint issues tokens to a request without a DPoP proof', requirements: ['HID-DPOP-002'], off: ['token.dpop.required'] },
  'token-unbound': { rule: 'access tokens carry no cnf.jkt, so they are not bound to the DPoP key', requirements: ['HID-TOK-002'], off: ['token.cnf'] },
  'token-no-client-claims': { rule: 'access tokens lack the HelseID client claims (orgnr_parent, orgnr_child, client_name)', requirements: ['HID-TOK-003'], off: ['token.client-claims'] },
  'token-type-bearer': {
    rule: 'the token response says token_type Bearer for a DPoP-bound token',
    requirements: ['HID-TOK-001'],
    respond: [{ services: ['helseid'], operations: ['token'], apply: (r) => (r.status === 200 ? { ...r, body: { ...(r.body as Body), token_type: 'Bearer' } } : r) }],
  },
  'exchange-scope-escalation': { rule: 'token exchange grants scopes the actor client does not have', requirements: ['HID-TX-003'], off: ['exchange.scope-granted'] },
  'exchange-subject-unchecked': { rule: 'token exchange does not verify the subject token', requirements: ['HID-TX-004'], off: ['exchange.subject-signature', 'exchange.subject-valid'] },
  'exchange-any-subject-audience': { rule: "token exchange takes a subject token issued for another API than the actor's", requirements: ['HID-TX-006'], off: ['exchange.subject-audience'] },
  'exchange-no-act': { rule: 'exchanged tokens carry no act claim', requirements: ['HID-TX-005'], off: ['exchange.act'] },
  'exchange-keeps-audience': {
    rule: 'token exchange returns a token for the subject token audience, not the one the scopes ask for',
    requirements: ['HID-TX-001'],
    replace: {
      'exchange.audience': () => (x: { subject?: JWTPayload; audience?: string }) => {
        x.audience = [x.subject?.aud].flat()[0];
      },
    },
  },
  'exchange-unbound': { rule: "token exchange returns a token not bound to the actor's DPoP key", requirements: ['HID-TX-002'], off: ['exchange.cnf'] },
  'code-pkce-optional': { rule: 'the authorization endpoint takes a request without a PKCE code_challenge', requirements: ['HID-CODE-002'], off: ['code.pkce'] },
  'par-unauthenticated': { rule: 'the PAR endpoint takes a pushed request without client authentication', requirements: ['HID-CODE-003'], off: ['par.client-auth'] },
  'attest-double-accepted': { rule: 'a code exchange that sends the attest both in the request object and in the client assertion is answered with a token', requirements: ['HID-CODE-004'], off: ['code.attest.single'] },
  'code-drops-attest': { rule: "a login's access token lacks the attest its request object carried", requirements: ['HID-CODE-001', 'PHR-USER-002'], off: ['code.attest.carried'] },
  'attest-assertion-ignored': { rule: "the attest in the code exchange's client assertion is not carried into the token", requirements: ['HID-CODE-005'], off: ['code.attest.assertion'] },
  'refresh-drops-user': { rule: "a refreshed access token lacks the logged-in user's claims (pid, security level, HPR number)", requirements: ['HID-RT-001'], off: ['refresh.user-claims'] },
  'no-rt-expires-in': { rule: 'a token response with a refresh token does not say rt_expires_in', requirements: ['HID-RT-002'], off: ['token.rt-expires-in'] },
  'refresh-old-token-reusable': { rule: 'a refresh rotates the refresh token but the one it replaced keeps working', requirements: ['HID-RT-004'], off: ['refresh.one-use'] },
  'refresh-drops-attest': { rule: "a refreshed access token lacks the attest the login's request object carried", requirements: ['HID-RT-005'], off: ['refresh.attest.carried'] },
  'refresh-ignores-resource': { rule: "a refresh's resource indicator is ignored: one login cannot give a token for a second API", requirements: ['HID-RT-006'], off: ['refresh.resource'] },
  'mt-ignores-organisation': { rule: "a multi-tenant client's token carries no organisation claims from the helseid_authorization it sent", requirements: ['HID-MT-001'], off: ['tenancy.multi'] },
  'mt-no-supplier': { rule: "a multi-tenant client's token does not name the supplier (orgnr_supplier)", requirements: ['HID-MT-001'], off: ['tenancy.supplier'] },
  'st-ignores-child': { rule: 'a single-tenant client that names a child organisation gets a token with its registered child instead', requirements: ['HID-MT-002'], off: ['tenancy.single-child'] },
  'mt-ignores-terms': { rule: 'a multi-tenant client is granted scopes the organisation it acts for has not signed the terms for, and no rejected_scope', requirements: ['HID-MT-003'], off: ['tenancy.terms'] },
  'testidp-logs-in-someone-else': { rule: "the test IdP's login form logs in another test person than the one typed", requirements: ['HID-CODE-006'], off: ['testidp.person'] },
  'ttt-ignores-broken-flags': { rule: 'the test-token service ignores the flags that ask for broken tokens and issues valid ones', requirements: ['HID-TTT-003'], off: ['ttt.broken-flags'] },
  'ttt-no-trust-framework': { rule: 'the test-token service ignores createTillitsrammeverkClaims', requirements: ['HID-TTT-004'], off: ['ttt.trust-framework'] },
  'ttt-no-key-check': { rule: 'the test-token service issues tokens without a valid X-Auth-Key', requirements: ['HID-TTT-001'], off: ['ttt.api-key'] },
  'discovery-wrong-issuer': {
    rule: 'discovery states an issuer other than the URL it is served from',
    requirements: ['HID-DISC-001'],
    respond: [{ services: ['helseid'], operations: ['discovery'], apply: (r) => (r.status === 200 ? { ...r, body: { ...(r.body as Body), issuer: `${String((r.body as Body).issuer)}/other-tenant` } } : r) }],
  },
  'jwks-private-keys': {
    rule: 'the JWKS publishes the private part of the signing key',
    requirements: ['HID-DISC-003'],
    respond: [
      {
        services: ['helseid'],
        operations: ['jwks'],
        apply: (r, facts) => (r.status === 200 ? { ...r, body: { keys: ((r.body as { keys: Body[] }).keys ?? []).map((k) => ({ ...k, d: facts.signingJwk.d })) } } : r),
      },
    ],
  },
  'jwks-key-rotated': {
    rule: 'HelseID starts a key rotation: its JWKS publishes a second signing key beside the current one',
    requirements: [],
    caughtBy: 'drift',
    respond: [
      {
        services: ['helseid'],
        operations: ['jwks'],
        apply: (r) => {
          const keys = (r.body as { keys?: Body[] } | undefined)?.keys;
          return r.status === 200 && keys?.[0] ? { ...r, body: { keys: [...keys, { ...keys[0], kid: `${String(keys[0].kid)}-next` }] } } : r;
        },
      },
    ],
  },
  'discovery-no-dpop-algs': {
    rule: 'discovery omits dpop_signing_alg_values_supported',
    requirements: ['HID-DISC-002'],
    respond: [
      {
        services: ['helseid'],
        operations: ['discovery'],
        apply: (r) => {
          if (r.status !== 200) return r;
          const { dpop_signing_alg_values_supported: _omitted, ...rest } = r.body as Body;
          return { ...r, body: rest };
        },
      },
    ],
  },
} satisfies Record<string, FaultDefinition>;
