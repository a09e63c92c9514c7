// PIT faults: each breaks one documented rule, and names the requirements whose tests catch it.
import type { FaultDefinition } from '../../core/faults.ts';

type Bundle = { entry?: Array<{ resource?: Record<string, unknown> }> };

export const faults = {
  'pit-200-not-202': {
    rule: 'PIT answers a submission with 200 instead of 202 Accepted',
    requirements: ['PIT-SUBMIT-001'],
    respond: [{ services: ['pit'], operations: ['submitPatient'], apply: (r) => (r.status === 202 ? { ...r, status: 200 } : r) }],
  },
  'pit-invalid-accepted': { rule: 'PIT accepts a Patient that is not valid FHIR R4', requirements: ['PIT-VALID-001'], off: ['pit/request.body'] },
  'pit-size-limit-low': {
    rule: 'PIT refuses bodies well under 900 KB (limit 256 KiB)',
    requirements: ['PIT-SIZE-001'],
    route: (r) => (r.service === 'pit' && r.operationId === 'submitPatient' ? { maxBodyBytes: 256 * 1024 } : undefined),
  },
  'pit-count-unbounded': { rule: 'PIT ignores the _count bounds', requirements: ['PIT-COUNT-001'], off: ['pit/request.query._count'] },
  'pit-sort-ignored': { rule: 'PIT ignores _sort=-_lastUpdated and always sorts ascending', requirements: ['PIT-SORT-001'], off: ['pit.sort'] },
  'pit-lastupdated-no-prefix': { rule: 'PIT accepts _lastUpdated without a prefix', requirements: ['PIT-LU-001'], off: ['pit/request.query._lastUpdated', 'pit.lastupdated.prefix'] },
  'pit-lastupdated-precision-ignored': {
    rule: "PIT compares gt and le with the first instant of the value, not the whole minute, second or millisecond it names",
    requirements: ['PIT-LU-003'],
    off: ['pit.lastupdated.precision'],
  },
  'pit-self-link-missing': {
    rule: 'PIT answers a search Bundle without its self link',
    requirements: ['PIT-SEARCH-003'],
    respond: [{ services: ['pit'], operations: ['searchPatients'], apply: (r) => (r.status === 200 ? { ...r, body: { ...(r.body as object), link: ((r.body as { link?: Array<{ relation: string }> }).link ?? []).filter((l) => l.relation !== 'self') } } : r) }],
  },
  'pit-self-link-other-query': {
    rule: "PIT's self link drops the search's parameters (it names the bare endpoint)",
    requirements: ['PIT-SEARCH-003'],
    respond: [
      {
        services: ['pit'],
        operations: ['searchPatients'],
        apply: (r) => (r.status === 200 ? { ...r, body: { ...(r.body as object), link: ((r.body as { link?: Array<{ relation: string; url: string }> }).link ?? []).map((l) => (l.relation === 'self' ? { ...l, url: l.url.split('?')[0]! } : l)) } } : r),
      },
    ],
  },
  'pit-range-ignored': { rule: 'PIT applies only the first of two _lastUpdated values', requirements: ['PIT-LU-002'], off: ['pit.lastupdated.range'] },
  'pit-cursor-with-filter': { rule: 'PIT accepts a cursor together with _lastUpdated', requirements: ['PIT-PAGE-002'], off: ['pit.cursor.alone'] },
  'pit-cursor-unchecked': { rule: 'PIT does not authenticate its cursors: tampered or foreign cursors are served', requirements: ['PIT-PAGE-004'], off: ['pit.cursor.mac', 'pit.cursor.owner'] },
  'pit-repeat-row': { rule: "PIT repeats the previous page's last row on the next page", requirements: ['PIT-PAGE-001'], off: ['pit.keyset.exclusive'] },
  'pit-next-early': { rule: 'PIT drops the next link before the last page', requirements: ['PIT-PAGE-001'], off: ['pit.next-link'] },
  'pit-live-keyset': { rule: 'PIT pages over live data: a row updated during a traversal moves, and is repeated or skipped', requirements: ['PIT-PAGE-005'], off: ['pit.snapshot'] },
  'pit-no-scope-check': { rule: 'PIT does not check the read and write scopes', requirements: ['PIT-SCOPE-001'], off: ['pit/token.scope'] },
  'pit-no-orgnr-check': { rule: 'PIT accepts tokens without orgnr_parent', requirements: ['PIT-CLAIM-001'], off: ['pit/token.claims'] },
  'pit-accepts-bearer': {
    rule: 'PIT accepts its DPoP-bound token as a Bearer token',
    requirements: ['PIT-DPOP-001'],
    route: (r, p) => (r.service === 'pit' && p.modes.includes('dpop') ? { modes: [...p.modes, 'bearer'] } : undefined),
    off: ['pit/token.binding-scheme'],
  },
  'pit-proof-optional': { rule: 'PIT accepts the DPoP scheme without a proof', requirements: ['PIT-DPOP-001'], off: ['pit/dpop.present'] },
  'pit-cursor-honours-sort': { rule: 'PIT re-sorts by _sort when a cursor is given', requirements: ['PIT-PAGE-003'], off: ['pit.cursor.keeps-order'] },
  'pit-strips-identifier': {
    rule: 'PIT returns Patients without their national identifier',
    requirements: ['PIT-SEARCH-002'],
    respond: [
      {
        services: ['pit'],
        operations: ['searchPatients'],
        apply: (r) => (r.status === 200 ? { ...r, body: { ...(r.body as Bundle), entry: ((r.body as Bundle).entry ?? []).map((e) => ({ ...e, resource: { ...e.resource, identifier: undefined } })) } } : r),
      },
    ],
  },
  'pit-bundle-not-searchset': {
    rule: 'PIT answers searches with a collection Bundle instead of a searchset',
    requirements: ['PIT-SEARCH-001'],
    respond: [{ services: ['pit'], operations: ['searchPatients'], apply: (r) => (r.status === 200 ? { ...r, body: { ...(r.body as object), type: 'collection' } } : r) }],
  },
  'pit-slow-search': {
    rule: 'PIT searches take 600 ms longer than usual (a slow backend): every answer still right, only late',
    requirements: [],
    caughtBy: 'monitor',
    route: (r) => (r.service === 'pit' && r.operationId === 'searchPatients' ? { delayMs: 600 } : undefined),
  },
  'pit-loses-submissions': { rule: 'PIT answers 202 but loses about one submission in a hundred', requirements: ['PIT-LOAD-001'], off: ['pit.queue.durable'] },
} satisfies Record<string, FaultDefinition>;
