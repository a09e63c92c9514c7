// PTS dialects: what PTS's pages leave open (its answers' statuses, shapes and error bodies are
// not documented), played where the twin takes one reading.
import type { DialectDefinition } from '../../core/faults.ts';

const CREATES = ['createRestriction', 'createRestrictionLegacy', 'associateParent', 'associateParentLegacy'];

export const dialects = {
  'pts-create-200': {
    rule: 'a create (and associate-parent) answers 200 with the restriction, not 201',
    source: 'PTS examples page: the create is shown, its answer is not; RFC 9110 §15.3 lets a POST that creates answer 200 or 201',
    point: 'pts.create-status',
    requirements: ['PTS-CREATE-001', 'PTS-ASSOC-001', 'PTS-VALID-001', 'PTS-VALID-002', 'PTS-VALID-003', 'PTS-VALID-004', 'PTS-VALID-005', 'PTS-LEGACY-001', 'PTS-SEARCH-001'],
    respond: [{ services: ['pts'], operations: CREATES, apply: (r) => (r.status === 201 ? { ...r, status: 200 } : r) }],
  },
  'pts-search-wrapped': {
    rule: '_search answers an object holding the restrictions, not a bare array',
    source: 'PTS examples page: the _search request is shown, its answer is not',
    point: 'pts.search-shape',
    requirements: ['PTS-SEARCH-001', 'PTS-CREATE-001', 'PTS-LEGACY-001', 'PTS-ASSOC-001'],
    respond: [{ services: ['pts'], operations: ['searchRestrictions', 'searchRestrictionsLegacy'], apply: (r) => (r.status === 200 && Array.isArray(r.body) ? { ...r, body: { restrictions: r.body } } : r) }],
  },
  'pts-401-no-body': {
    rule: 'a 401 carries its DPoP challenge and no body',
    source: 'RFC 6750 §3 and RFC 9449 §7.1 (the challenge is the answer); PTS documents no error body',
    point: 'pts.401-body',
    requirements: ['PTS-AUTH-001', 'PTS-AUTH-002', 'PTS-ERR-001'],
    respond: [{ services: ['pts'], apply: (r) => (r.status === 401 ? { status: 401, headers: r.headers } : r) }],
  },
} satisfies Record<string, DialectDefinition>;
