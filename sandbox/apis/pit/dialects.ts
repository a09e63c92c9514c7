// PIT dialects: what PIT's page leaves open about _count, validation and the search answer.
import type { DialectDefinition } from '../../core/faults.ts';
import { withExtensions, withoutTotal } from '../../core/fhir-dialects.ts';

export const dialects = {
  'pit-count-clamped': {
    rule: '_count above 50 is answered with 50 Patients, not refused',
    source: "PIT's page gives _count 1–50 without saying what happens above; FHIR R4 search lets a server return fewer than _count asks",
    point: 'pit.count-over-max',
    requirements: ['PIT-COUNT-001'],
    off: ['pit/request.query._count'],
  },
  'pit-async-validation': {
    rule: 'a Patient that fails validation is accepted with 202 and never appears: validation happens in the queue',
    source: "PIT's page: POST answers 202 and processing is asynchronous; it does not say that validation is synchronous",
    point: 'pit.async-validation',
    requirements: ['PIT-VALID-001'],
    off: ['pit/request.body'],
  },
  'pit-searchset-without-total': {
    rule: 'search Bundles leave out Bundle.total',
    source: 'FHIR R4 Bundle.total 0..1 (optional); PIT does not promise one',
    requirements: ['PIT-SEARCH-001', 'PIT-SEARCH-003', 'PIT-PAGE-001', 'PIT-PAGE-002', 'PIT-LU-001', 'PIT-LU-002', 'PIT-LU-003', 'PIT-SORT-001', 'PIT-COUNT-001'],
    respond: [{ services: ['pit'], operations: ['searchPatients'], apply: withoutTotal }],
  },
  'pit-extensions-and-meta': {
    rule: 'Patients carry an unknown, non-modifier extension and extra meta (source, tag)',
    source: 'FHIR R4 extensibility: a consumer must accept extensions it does not know (not modifierExtension), and meta.source and meta.tag are any server’s',
    requirements: ['PIT-SEARCH-001', 'PIT-SEARCH-002', 'PIT-PAGE-001', 'PIT-SUBMIT-001'],
    respond: [{ services: ['pit'], operations: ['searchPatients'], apply: withExtensions }],
  },
} satisfies Record<string, DialectDefinition>;
