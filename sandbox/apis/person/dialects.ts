// Person API dialects: what NHN's v2 document and v3 sample leave open.
import type { DialectDefinition } from '../../core/faults.ts';

type Json = Record<string, unknown>;

/** Adds a member our v3 document does not list to every object answer (and every result of a list). */
function extraMember(body: unknown): unknown {
  const add = (o: unknown) => (o && typeof o === 'object' && !Array.isArray(o) ? { ...(o as Json), registerNote: 'a member our v3 document does not list' } : o);
  if (Array.isArray(body)) return body.map(add);
  const b = add(body) as Json;
  return Array.isArray(b?.results) ? { ...b, results: (b.results as unknown[]).map(add) } : b;
}

export const dialects = {
  'person-v2-dpop-only': {
    rule: 'v2 takes DPoP-bound tokens only, as the v3 sample does, and refuses a plain Bearer token',
    source: "NHN's v3 sample sends DPoP; v2's document declares HTTP bearer without saying DPoP is refused",
    point: 'person.v2-bearer',
    requirements: ['PERSON-AUTH-005', 'PERSON-AUTH-001'],
    route: (r) => (r.service === 'person' && /^\/api\/(legal-basis|no-legal-basis)\//.test(r.path) ? { modes: ['dpop'] } : undefined),
  },
  'person-v3-extra-members': {
    rule: 'v3 answers carry members our v3 document does not list',
    source: 'NHN publishes no v3 document; ours is derived from a generated client of the v3 sample, which may lag the service',
    requirements: ['PERSON-GET-001', 'PERSON-GET-002', 'PERSON-EVENT-001', 'PERSON-EVENT-004', 'PERSON-SEARCH-002'],
    respond: [{ services: ['person'], apply: (r, _f, route) => (r.status === 200 && route.path.startsWith('/api/v3/') ? { ...r, body: extraMember(r.body) } : r) }],
  },
  'person-event-gaps': {
    rule: "the event feed's sequence numbers have gaps (every third number is used)",
    source: 'the v2 document and the v3 sample say events come from a sequence number on, not that the numbers are consecutive',
    point: 'person.event-gaps',
    requirements: ['PERSON-EVENT-001', 'PERSON-EVENT-002', 'PERSON-EVENT-003', 'PERSON-EVENT-004'],
    twinEnv: { SANDBOX_PERSON_EVENT_STRIDE: '3' },
  },
} satisfies Record<string, DialectDefinition>;
