// Faults of the shared resource-server checks, caught by the RFC 9449 matrix and the tripwires.
import type { FaultDefinition, ResponseTransform } from '../core/faults.ts';
import { Refusal, type CheckRun } from '../core/checks.ts';
import { KNOWN_PROOF_CLAIMS } from '../rs/resource-server.ts';
import type { HttpResponseParts } from '../core/types.ts';

type Ctx = { proofClaims?: Record<string, unknown>; proofHeader?: Record<string, unknown>; proof?: string; req: { url: URL }; jkt?: unknown };

/** Rewrites the WWW-Authenticate challenge of refusals. */
export function challenge(edit: (value: string) => string | undefined): ResponseTransform {
  return {
    apply(r: HttpResponseParts) {
      const value = r.headers?.['www-authenticate'];
      if (typeof value !== 'string') return r;
      const headers = { ...r.headers };
      const edited = edit(value);
      if (edited === undefined) delete headers['www-authenticate'];
      else headers['www-authenticate'] = edited;
      return { ...r, headers };
    },
  };
}

const crash = (what: string, malformed: (c: Ctx & { tokenHeader?: unknown }) => boolean) => (base: CheckRun<Ctx>) => (c: Ctx) => {
  if (malformed(c)) throw new Error(`unhandled: ${what}`);
  return base(c);
};

const NONCE_ENV = { SANDBOX_RS_NONCE_APIS: 'pit', SANDBOX_RS_NONCE_TTL_MS: '1000' };

export const faults = {
  'rs-crash-on-garbage': {
    rule: 'a malformed access token or DPoP proof makes the resource server fail with 500',
    requirements: ['PIT-ERR-001'],
    replace: {
      'token.well-formed': crash('malformed access token', (c) => !(c as { tokenHeader?: unknown }).tokenHeader),
      'dpop.well-formed': crash('malformed DPoP proof', (c) => !c.proofHeader),
    },
  },
  'rs-any-content-type': { rule: 'the FHIR APIs accept a body of any content type', requirements: ['PIT-ERR-001'], off: ['http.content-type'] },
  'rs-no-size-limit': { rule: 'the FHIR APIs accept bodies of any size', requirements: ['PIT-ERR-001'], off: ['http.body-limit'] },
  'rs-html-errors': {
    rule: 'the FHIR APIs answer authentication errors with an HTML page instead of an OperationOutcome',
    requirements: ['PIT-ERR-001', 'PHR-ERR-001', 'PAREK-ERR-001'],
    respond: [
      {
        services: ['pit', 'phr', 'parek', 'parekBackdoor', 'parekResident'],
        apply: (r) => (r.status === 401 || r.status === 403 ? { ...r, body: `<!DOCTYPE html><html><body><h1>${r.status}</h1><p>Access denied</p></body></html>`, contentType: 'text/html; charset=utf-8' } : r),
      },
    ],
  },
  'rs-no-www-authenticate': {
    rule: 'resource servers refuse unauthenticated requests without a WWW-Authenticate: DPoP challenge',
    requirements: ['PIT-AUTH-001', 'PTS-AUTH-001', 'PERSON-AUTH-001'],
    respond: [challenge(() => undefined)],
  },
  'rs-two-proofs': { rule: 'resource servers accept two DPoP headers (they use the first)', requirements: ['DPOP-RS-002'], off: ['dpop.single'] },
  'rs-typ-unchecked': { rule: 'resource servers do not check the proof typ', requirements: ['DPOP-RS-004'], off: ['dpop.typ'] },
  'rs-alg-none': { rule: 'resource servers accept proofs with alg none, unsigned', requirements: ['DPOP-RS-005'], off: ['dpop.alg.none', 'dpop.signature'] },
  'rs-alg-symmetric': { rule: 'resource servers accept HS256 proofs without checking them', requirements: ['DPOP-RS-006'], off: ['dpop.alg.symmetric', 'dpop.signature'] },
  'rs-alg-any': { rule: 'resource servers accept any asymmetric alg, on the allow-list or not', requirements: ['DPOP-RS-007'], off: ['dpop.alg.allowed'] },
  'rs-jwk-missing-ok': { rule: 'resource servers accept a proof without jwk, trusting the token binding', requirements: ['DPOP-RS-008'], off: ['dpop.jwk', 'dpop.signature', 'dpop.binding'] },
  'rs-private-jwk-ok': { rule: 'resource servers accept a jwk with private key material (they verify with its public part)', requirements: ['DPOP-RS-009'], off: ['dpop.jwk.public'] },
  'rs-signature-unchecked': { rule: 'resource servers do not verify the proof signature', requirements: ['DPOP-RS-010'], off: ['dpop.signature'] },
  'rs-binding-unchecked': { rule: 'resource servers do not compare the proof key with cnf.jkt', requirements: ['DPOP-RS-011'], off: ['dpop.binding'] },
  'rs-htm-unchecked': { rule: 'resource servers do not check htm', requirements: ['DPOP-RS-012'], off: ['dpop.htm'] },
  'rs-htu-unchecked': { rule: 'resource servers do not check htu', requirements: ['DPOP-RS-013'], off: ['dpop.htu'] },
  'rs-htu-strict': {
    rule: 'resource servers compare htu as an exact string (no normalisation, query not ignored)',
    requirements: ['DPOP-RS-014', 'DPOP-RS-015'],
    replace: {
      'dpop.htu': () => (c: Ctx) => {
        if (c.proofClaims?.htu !== `${c.req.url.origin}${c.req.url.pathname}`) throw new Refusal('dpop.htu', { status: 401, error: 'invalid_dpop_proof', description: 'the DPoP proof htu is not exactly the request URL' });
      },
    },
  },
  'rs-iat-unchecked': { rule: 'resource servers accept any iat', requirements: ['DPOP-RS-016'], off: ['dpop.iat'] },
  'rs-jti-unchecked': { rule: 'resource servers accept proofs without jti', requirements: ['DPOP-RS-017'], off: ['dpop.jti'] },
  'rs-replay-accepted': { rule: 'resource servers keep no replay cache', requirements: ['DPOP-RS-018'], off: ['dpop.replay'] },
  'rs-ath-unchecked': { rule: 'resource servers do not check ath', requirements: ['DPOP-RS-019'], off: ['dpop.ath'] },
  'rs-bearer-downgrade': {
    rule: 'resource servers accept a DPoP-bound token sent as Bearer',
    requirements: ['DPOP-RS-020'],
    route: (_r, p) => (p.modes.includes('dpop') ? { modes: [...p.modes, 'bearer'] } : undefined),
    off: ['token.binding-scheme'],
  },
  'rs-expired-accepted': { rule: 'resource servers accept expired tokens', requirements: ['DPOP-RS-021'], off: ['token.exp'] },
  'rs-audience-unchecked': { rule: 'resource servers accept tokens for another audience', requirements: ['DPOP-RS-022'], off: ['token.aud'] },
  'rs-scope-unchecked': { rule: 'resource servers do not check scopes', requirements: ['DPOP-RS-023'], off: ['token.scope'] },
  'rs-extra-claims-refused': {
    rule: 'resource servers refuse proofs with unknown claims',
    requirements: ['DPOP-RS-024'],
    replace: {
      'dpop.extensions': () => (c: Ctx) => {
        if (Object.keys(c.proofClaims ?? {}).some((k) => !KNOWN_PROOF_CLAIMS.has(k))) throw new Refusal('dpop.extensions', { status: 401, error: 'invalid_dpop_proof', description: 'the DPoP proof has unknown claims' });
      },
    },
  },
  'rs-wrong-error-code': {
    rule: 'resource servers name every refusal invalid_request',
    requirements: ['DPOP-RS-028'],
    respond: [challenge((v) => v.replace(/error="[^"]+"/, 'error="invalid_request"'))],
  },
  'rs-no-algs': { rule: 'DPoP challenges do not list algs', requirements: ['DPOP-RS-029'], respond: [challenge((v) => v.replace(/,?\s*algs="[^"]*"/, '').replace(/^DPoP\s*$/, 'DPoP'))] },
  'rs-refuse-all': {
    rule: 'resource servers refuse every DPoP proof, correct ones too',
    requirements: ['DPOP-RS-030'],
    replace: { 'dpop.well-formed': () => () => { throw new Refusal('dpop.well-formed', { status: 401, error: 'invalid_dpop_proof', description: 'refused' }); } },
  },
  'rs-honours-backdoor': {
    rule: 'DPoP hosts take backdoor identity headers as authentication',
    requirements: ['AUTH-BACKDOOR-001'],
    route: (_r, p) => (p.modes.includes('dpop') ? { modes: [...p.modes, 'backdoor'] } : undefined),
  },
  'rs-bearer-everywhere': {
    rule: 'DPoP-only APIs accept Bearer tokens that are not DPoP-bound',
    requirements: ['AUTH-BEARER-001'],
    route: (_r, p) => (p.modes.includes('dpop') ? { modes: [...p.modes, 'bearer'] } : undefined),
  },
  'resident-refuses-bearer': {
    rule: 'the resident host refuses Bearer tokens',
    requirements: ['AUTH-BEARER-002'],
    route: (r, p) => (r.service === 'parekResident' && p.modes.includes('bearer') ? { modes: ['dpop'] } : undefined),
  },
  'rs-nonce-unchecked': {
    rule: 'resource servers that want DPoP nonces accept any nonce value',
    requirements: ['DPOP-RS-026', 'DPOP-RS-027'],
    off: ['dpop.nonce-value'],
    twinEnv: NONCE_ENV,
  },
  'rs-nonce-not-enforced': {
    rule: 'a resource server that wants nonces asks a key for one once, then accepts proofs without',
    requirements: ['DPOP-RS-025'],
    replace: {
      'dpop.nonce': (base: CheckRun<Ctx>) => {
        const asked = new Set<unknown>();
        return (c: Ctx) => {
          if (asked.has(c.jkt)) return;
          asked.add(c.jkt);
          return base(c);
        };
      },
    },
    twinEnv: NONCE_ENV,
  },
} satisfies Record<string, FaultDefinition>;
