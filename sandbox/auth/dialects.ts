// Resource-server dialects, for every API behind HelseID: what RFC 9449 and RFC 6750 let a server do.
import type { DialectDefinition } from '../core/faults.ts';
import { challenge } from './faults.ts';

export const dialects = {
  'rs-dpop-nonce-everywhere': {
    rule: 'every resource server demands a DPoP nonce (use_dpop_nonce, then the DPoP-Nonce it gave)',
    source: 'RFC 9449 §9: a resource server may demand a nonce; NHN documents none for its APIs',
    requirements: ['DPOP-RS-001', 'DPOP-RS-025', 'DPOP-RS-026', 'DPOP-RS-030', 'PIT-SEARCH-001', 'PHR-ITI67-001', 'PTS-SEARCH-001', 'PERSON-GET-001', 'PAREK-SR-CREATE-001'],
    twinEnv: { SANDBOX_RS_NONCE_APIS: 'pit,phr,parek,pts,person', SANDBOX_RS_NONCE_TTL_MS: '1000' },
  },
  'rs-challenge-invalid-token': {
    rule: 'every refusal of a DPoP proof names invalid_token in its challenge, not invalid_dpop_proof',
    source: "RFC 6750 §3.1 (invalid_token for a token that is 'malformed, or invalid for other reasons'); RFC 9449 §7.1 names invalid_dpop_proof without making it the only code",
    point: 'rs.challenge-error',
    requirements: ['DPOP-RS-001', 'DPOP-RS-003', 'DPOP-RS-004', 'DPOP-RS-005', 'DPOP-RS-006', 'DPOP-RS-008', 'DPOP-RS-009', 'DPOP-RS-010', 'DPOP-RS-012', 'DPOP-RS-013', 'DPOP-RS-016', 'DPOP-RS-017', 'DPOP-RS-019'],
    respond: [challenge((v) => v.replace(/error="invalid_dpop_proof"/, 'error="invalid_token"'))],
  },
} satisfies Record<string, DialectDefinition>;
