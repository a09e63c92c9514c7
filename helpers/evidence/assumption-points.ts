// The assumption points: where NHN's pages and the standards leave a behaviour open and the twin
// takes one reading. Specs name what they saw at a point (observe); the packs' dialects play the
// other readings; calibration names, point by point, which one an environment shows. A unit
// test keeps this list, the specs and the dialects in step.
export const ASSUMPTION_POINTS = {
  'parek.repeat-create': { requirement: 'PAREK-SR-IDEM-001', base: 'a repeated create answers 200 with the existing requisition and its Location' },
  'parek.rule-violation-status': { requirement: 'PAREK-SR-RULES-001', base: "a resource breaking the guide's or PaRek's rules is refused with 422" },
  'parek.unknown-search-param': { requirement: 'PAREK-SR-SEARCH-001', base: 'an unknown search parameter is refused with 400' },
  'parek.event-specimen-id': { requirement: 'PAREK-EVENT-001', base: "SpecimenCollected's SpecimenId is the FHIR Specimen.id" },
  'pts.create-status': { requirement: 'PTS-CREATE-001', base: 'a create answers 201' },
  'pts.search-shape': { requirement: 'PTS-SEARCH-001', base: '_search answers a bare array of restrictions' },
  'pts.401-body': { requirement: 'PTS-ERR-001', base: 'a 401 carries a ProblemDetails body' },
  'person.v2-bearer': { requirement: 'PERSON-AUTH-005', base: 'v2 serves a plain Bearer token (its document declares HTTP bearer)' },
  'person.event-gaps': { requirement: 'PERSON-EVENT-001', base: "the event feed's sequence numbers are consecutive" },
  'phr.pingauth-bearer': { requirement: 'PHR-PING-002', base: '/pingauth serves a token without a DPoP proof (the newer integration page)' },
  'pit.count-over-max': { requirement: 'PIT-COUNT-001', base: '_count above 50 is refused with 400' },
  'pit.async-validation': { requirement: 'PIT-VALID-001', base: 'a Patient that fails validation is refused with 400 at once' },
  'helseid.assertion-typ': { requirement: 'HID-CA-008', base: 'a client assertion with typ JWT, or none, is refused' },
  'helseid.assertion-aud': { requirement: 'HID-CA-003', base: "a client assertion whose aud is the token endpoint's URL is refused" },
  'helseid.assertion-times': { requirement: 'HID-CA-010', base: 'a client assertion without iat, or without nbf, is refused' },
  'helseid.refresh-rotation': { requirement: 'HID-RT-003', base: 'a refresh rotates the refresh token, and the one it replaced is refused afterwards' },
  'rs.challenge-error': { requirement: 'DPOP-RS-028', base: 'a refusal names the error code of the rule it broke (invalid_dpop_proof for a proof, invalid_token for a token)' },
} as const satisfies Record<string, { requirement: string; base: string }>;

export type AssumptionPoint = keyof typeof ASSUMPTION_POINTS;
