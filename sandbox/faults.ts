// Fault toggles: SANDBOX_FAULTS=<id>,<id> makes the twin break one documented rule per fault.
// Each fault names the requirement IDs whose tests must catch it (the kill matrix).

export interface FaultDefinition {
  rule: string;
  requirements: string[];
  /** Twin settings the fault's specs need, for the faulty and the clean twin alike (e.g. nonces on). */
  twinEnv?: Record<string, string>;
}

export const FAULTS = {
  'ca-typ-not-required': {
    rule: 'the token endpoint accepts a client assertion whose typ is not client-authentication+jwt',
    requirements: ['HID-CA-002'],
  },
  'ca-long-lived': {
    rule: 'the token endpoint accepts a client assertion that expires more than 60 s ahead',
    requirements: ['HID-CA-004'],
  },
  'ca-jti-reuse': {
    rule: 'the token endpoint keeps no replay cache: a client assertion jti can be used again',
    requirements: ['HID-CA-005'],
  },
  'ca-aud-lenient': {
    rule: 'the token endpoint accepts a client assertion whose aud is the token endpoint URL instead of the issuer',
    requirements: ['HID-CA-003'],
  },
  'ca-sub-unchecked': {
    rule: 'the token endpoint accepts a client assertion whose sub differs from iss',
    requirements: ['HID-CA-001'],
  },
  'ca-alg-lenient': {
    rule: "the token endpoint does not check the client assertion's signature or algorithm (alg none, HS256 and foreign keys pass)",
    requirements: ['HID-CA-006'],
  },
  'ca-secret-accepted': {
    rule: 'the token endpoint accepts a client secret in place of a client assertion',
    requirements: ['HID-CA-007'],
  },
  'dpop-nonce-optional': {
    rule: 'the token endpoint issues tokens for DPoP proofs without a server nonce',
    requirements: ['HID-DPOP-001'],
  },
  'dpop-nonce-any': { rule: 'the token endpoint accepts any DPoP nonce value', requirements: ['HID-DPOP-003'] },
  'dpop-htu-unchecked': { rule: "the token endpoint takes the proof's htu host as its own", requirements: ['HID-DPOP-004'] },
  'exchange-scope-escalation': { rule: 'token exchange grants scopes the actor client does not have', requirements: ['HID-TX-003'] },
  'exchange-subject-unchecked': { rule: 'token exchange does not verify the subject token', requirements: ['HID-TX-004'] },
  'exchange-no-act': { rule: 'exchanged tokens carry no act claim', requirements: ['HID-TX-005'] },
  'token-without-dpop': {
    rule: 'the token endpoint issues tokens to a request without a DPoP proof',
    requirements: ['HID-DPOP-002'],
  },
  'token-type-bearer': {
    rule: 'the token response says token_type Bearer for a DPoP-bound token',
    requirements: ['HID-TOK-001'],
  },
  'token-unbound': {
    rule: 'access tokens carry no cnf.jkt, so they are not bound to the DPoP key',
    requirements: ['HID-TOK-002'],
  },
  'token-no-client-claims': {
    rule: 'access tokens lack the HelseID client claims (orgnr_parent, orgnr_child, client_name)',
    requirements: ['HID-TOK-003'],
  },
  'exchange-keeps-audience': {
    rule: 'token exchange returns a token for the subject token audience, not the one the scopes ask for',
    requirements: ['HID-TX-001'],
  },
  'exchange-unbound': {
    rule: "token exchange returns a token not bound to the actor's DPoP key",
    requirements: ['HID-TX-002'],
  },
  'ttt-ignores-broken-flags': {
    rule: 'the test-token service ignores the flags that ask for broken tokens and issues valid ones',
    requirements: ['HID-TTT-003'],
  },
  'ttt-no-trust-framework': {
    rule: 'the test-token service ignores createTillitsrammeverkClaims',
    requirements: ['HID-TTT-004'],
  },
  'ttt-no-key-check': {
    rule: 'the test-token service issues tokens without a valid X-Auth-Key',
    requirements: ['HID-TTT-001'],
  },
  'discovery-wrong-issuer': {
    rule: 'discovery states an issuer other than the URL it is served from',
    requirements: ['HID-DISC-001'],
  },
  'jwks-private-keys': {
    rule: 'the JWKS publishes the private part of the signing key',
    requirements: ['HID-DISC-003'],
  },
  'discovery-no-dpop-algs': {
    rule: 'discovery omits dpop_signing_alg_values_supported',
    requirements: ['HID-DISC-002'],
  },
  'phr-ping-requires-auth': {
    rule: 'PHR /ping demands a token',
    requirements: ['PHR-PING-001'],
  },
  'phr-pingauth-open': {
    rule: 'PHR /pingauth answers without a token',
    requirements: ['PHR-PING-002'],
  },
  'person-ping-requires-auth': {
    rule: 'Person API /ping demands a token',
    requirements: ['PERSON-PING-001'],
  },
  'parek-metadata-requires-auth': {
    rule: 'PaRek GET /<version>/metadata demands a token',
    requirements: ['PAREK-META-001'],
  },
  'parek-metadata-r4': {
    rule: 'the PaRek CapabilityStatement says FHIR 4.0.1',
    requirements: ['PAREK-META-002'],
  },
  'rs-crash-on-garbage': {
    rule: 'a malformed access token or DPoP proof makes the resource server fail with 500',
    requirements: ['PIT-ERR-001'],
  },
  'rs-any-content-type': {
    rule: 'the FHIR APIs accept a body of any content type',
    requirements: ['PIT-ERR-001'],
  },
  'rs-no-size-limit': {
    rule: 'the FHIR APIs accept bodies of any size',
    requirements: ['PIT-ERR-001'],
  },
  'rs-html-errors': {
    rule: 'the FHIR APIs answer authentication errors with an HTML page instead of an OperationOutcome',
    requirements: ['PIT-ERR-001', 'PHR-ERR-001', 'PAREK-ERR-001'],
  },
  'rs-no-www-authenticate': {
    rule: 'resource servers refuse unauthenticated requests without a WWW-Authenticate: DPoP challenge',
    requirements: ['PIT-AUTH-001', 'PTS-AUTH-001', 'PERSON-AUTH-001'],
  },
  'pit-200-not-202': { rule: 'PIT answers a submission with 200 instead of 202 Accepted', requirements: ['PIT-SUBMIT-001'] },
  'pit-invalid-accepted': { rule: 'PIT accepts a Patient that is not valid FHIR R4', requirements: ['PIT-VALID-001'] },
  'pit-size-limit-low': { rule: 'PIT refuses bodies well under 900 KB (limit 256 KiB)', requirements: ['PIT-SIZE-001'] },
  'pit-count-unbounded': { rule: 'PIT ignores the _count bounds', requirements: ['PIT-COUNT-001'] },
  'pit-sort-ignored': { rule: 'PIT ignores _sort=-_lastUpdated and always sorts ascending', requirements: ['PIT-SORT-001'] },
  'pit-lastupdated-no-prefix': { rule: 'PIT accepts _lastUpdated without a prefix', requirements: ['PIT-LU-001'] },
  'pit-range-ignored': { rule: 'PIT applies only the first of two _lastUpdated values', requirements: ['PIT-LU-002'] },
  'pit-cursor-with-filter': { rule: 'PIT accepts a cursor together with _lastUpdated', requirements: ['PIT-PAGE-002'] },
  'pit-cursor-unchecked': { rule: 'PIT does not authenticate its cursors: tampered or foreign cursors are served', requirements: ['PIT-PAGE-004'] },
  'pit-repeat-row': { rule: "PIT repeats the previous page's last row on the next page", requirements: ['PIT-PAGE-001'] },
  'pit-next-early': { rule: 'PIT drops the next link before the last page', requirements: ['PIT-PAGE-001'] },
  'pit-live-keyset': { rule: 'PIT pages over live data: a row updated during a traversal moves, and is repeated or skipped', requirements: ['PIT-PAGE-005'] },
  'pit-no-scope-check': { rule: 'PIT does not check the read and write scopes', requirements: ['PIT-SCOPE-001'] },
  'pit-no-orgnr-check': { rule: 'PIT accepts tokens without orgnr_parent', requirements: ['PIT-CLAIM-001'] },
  'pit-accepts-bearer': { rule: 'PIT accepts its DPoP-bound token as a Bearer token', requirements: ['PIT-DPOP-001'] },
  'pit-proof-optional': { rule: 'PIT accepts the DPoP scheme without a proof', requirements: ['PIT-DPOP-001'] },
  'pit-cursor-honours-sort': { rule: 'PIT re-sorts by _sort when a cursor is given', requirements: ['PIT-PAGE-003'] },
  'pit-strips-identifier': { rule: 'PIT returns Patients without their national identifier', requirements: ['PIT-SEARCH-002'] },
  'pit-bundle-not-searchset': { rule: 'PIT answers searches with a collection Bundle instead of a searchset', requirements: ['PIT-SEARCH-001'] },
  'pit-loses-submissions': { rule: 'PIT answers 202 but loses about one submission in a hundred', requirements: ['PIT-LOAD-001'] },
  'rs-two-proofs': { rule: 'resource servers accept two DPoP headers (they use the first)', requirements: ['DPOP-RS-002'] },
  'rs-typ-unchecked': { rule: 'resource servers do not check the proof typ', requirements: ['DPOP-RS-004'] },
  'rs-alg-none': { rule: 'resource servers accept proofs with alg none, unsigned', requirements: ['DPOP-RS-005'] },
  'rs-alg-symmetric': { rule: 'resource servers accept HS256 proofs without checking them', requirements: ['DPOP-RS-006'] },
  'rs-alg-any': { rule: 'resource servers accept any alg label and verify with the key type instead', requirements: ['DPOP-RS-007'] },
  'rs-jwk-missing-ok': { rule: 'resource servers accept a proof without jwk, trusting the token binding', requirements: ['DPOP-RS-008'] },
  'rs-private-jwk-ok': { rule: 'resource servers accept a jwk with private key material', requirements: ['DPOP-RS-009'] },
  'rs-signature-unchecked': { rule: 'resource servers do not verify the proof signature', requirements: ['DPOP-RS-010'] },
  'rs-binding-unchecked': { rule: 'resource servers do not compare the proof key with cnf.jkt', requirements: ['DPOP-RS-011'] },
  'rs-htm-unchecked': { rule: 'resource servers do not check htm', requirements: ['DPOP-RS-012'] },
  'rs-htu-unchecked': { rule: 'resource servers do not check htu', requirements: ['DPOP-RS-013'] },
  'rs-htu-strict': { rule: 'resource servers compare htu as an exact string (no normalisation, query not ignored)', requirements: ['DPOP-RS-014', 'DPOP-RS-015'] },
  'rs-iat-unchecked': { rule: 'resource servers accept any iat', requirements: ['DPOP-RS-016'] },
  'rs-jti-unchecked': { rule: 'resource servers accept proofs without jti', requirements: ['DPOP-RS-017'] },
  'rs-replay-accepted': { rule: 'resource servers keep no replay cache', requirements: ['DPOP-RS-018'] },
  'rs-ath-unchecked': { rule: 'resource servers do not check ath', requirements: ['DPOP-RS-019'] },
  'rs-bearer-downgrade': { rule: 'resource servers accept a DPoP-bound token sent as Bearer', requirements: ['DPOP-RS-020'] },
  'rs-expired-accepted': { rule: 'resource servers accept expired tokens', requirements: ['DPOP-RS-021'] },
  'rs-audience-unchecked': { rule: 'resource servers accept tokens for another audience', requirements: ['DPOP-RS-022'] },
  'rs-scope-unchecked': { rule: 'resource servers do not check scopes', requirements: ['DPOP-RS-023'] },
  'rs-extra-claims-refused': { rule: 'resource servers refuse proofs with unknown claims', requirements: ['DPOP-RS-024'] },
  'rs-wrong-error-code': { rule: 'resource servers name every refusal invalid_request', requirements: ['DPOP-RS-028'] },
  'rs-no-algs': { rule: 'DPoP challenges do not list algs', requirements: ['DPOP-RS-029'] },
  'rs-refuse-all': { rule: 'resource servers refuse every DPoP proof, correct ones too', requirements: ['DPOP-RS-030'] },
  'rs-honours-backdoor': { rule: 'DPoP hosts take backdoor identity headers as authentication', requirements: ['AUTH-BACKDOOR-001'] },
  'rs-bearer-everywhere': { rule: 'DPoP-only APIs accept Bearer tokens that are not DPoP-bound', requirements: ['AUTH-BEARER-001'] },
  'resident-refuses-bearer': { rule: 'the resident host refuses Bearer tokens', requirements: ['AUTH-BEARER-002'] },
  'rs-nonce-unchecked': {
    rule: 'resource servers that want DPoP nonces accept any nonce value',
    requirements: ['DPOP-RS-026', 'DPOP-RS-027'],
    twinEnv: { SANDBOX_RS_NONCE_APIS: 'pit', SANDBOX_RS_NONCE_TTL_MS: '1500' },
  },
  'rs-nonce-not-enforced': {
    rule: 'a resource server that wants nonces asks a key for one once, then accepts proofs without',
    requirements: ['DPOP-RS-025'],
    twinEnv: { SANDBOX_RS_NONCE_APIS: 'pit', SANDBOX_RS_NONCE_TTL_MS: '1500' },
  },
} as const satisfies Record<string, FaultDefinition>;

export type FaultId = keyof typeof FAULTS;

export class Faults {
  private readonly active: Set<FaultId>;

  constructor(ids: Iterable<string>) {
    const unknown = [...ids].filter((id) => !(id in FAULTS));
    if (unknown.length) throw new Error(`unknown fault(s): ${unknown.join(', ')}; known: ${Object.keys(FAULTS).join(', ')}`);
    this.active = new Set(ids as Iterable<FaultId>);
  }

  static fromEnv(env: NodeJS.ProcessEnv = process.env): Faults {
    return new Faults((env.SANDBOX_FAULTS ?? '').split(',').map((s) => s.trim()).filter(Boolean));
  }

  has(id: FaultId): boolean {
    return this.active.has(id);
  }

  list(): FaultId[] {
    return [...this.active];
  }
}
