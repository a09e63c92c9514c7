// PaRek dialects: behaviours NHN's pages, the guide or FHIR permit where the twin takes one
// reading. The tolerance matrix runs the PaRek specs against each; none may fail.
import type { DialectDefinition } from '../../core/faults.ts';
import { withExtensions, withoutTotal } from '../../core/fhir-dialects.ts';

const CREATES = ['createServiceRequest', 'createSpecimen'];

export const dialects = {
  'parek-repeat-create-201': {
    rule: 'a repeated create with the same RequesterDefinedUuid answers 201 with the existing requisition (same id, same Location), not 200',
    source: "the guide says a repeat must not duplicate (RequesterDefinedUuid, 'for idempotency'), not which status answers it; FHIR's conditional create answers 200, a plain create 201",
    point: 'parek.repeat-create',
    requirements: ['PAREK-SR-IDEM-001'],
    respond: [{ services: ['parek'], operations: ['createServiceRequest'], apply: (r) => (r.status === 200 ? { ...r, status: 201 } : r) }],
  },
  'parek-profile-violation-400': {
    rule: "a resource that breaks the guide's rules, or PaRek's own, is refused with 400 instead of 422",
    source: 'FHIR R5 RESTful API (create: 400 for a resource that fails basic validation, 422 for a profile or business rule); PaRek documents neither',
    point: 'parek.rule-violation-status',
    requirements: ['PAREK-SR-RULES-001', 'PAREK-SP-RULES-001'],
    respond: [{ services: ['parek'], operations: CREATES, apply: (r) => (r.status === 422 ? { ...r, status: 400 } : r) }],
  },
  'parek-unknown-search-param-ignored': {
    rule: 'a search with a parameter PaRek does not know is answered as if the parameter were not there',
    source: 'FHIR R5 search (handling=lenient, the default: a server may ignore an unknown parameter)',
    point: 'parek.unknown-search-param',
    requirements: ['PAREK-SR-SEARCH-001'],
    off: ['parek.search.unknown'],
  },
  'parek-event-specimen-id-own': {
    rule: "SpecimenCollected's SpecimenId is the broker's own id for the specimen, not its FHIR Specimen.id",
    source: "NHN's AMQP page shows a SpecimenId (a UUID) without saying which id it is",
    point: 'parek.event-specimen-id',
    requirements: ['PAREK-EVENT-001'],
    off: ['parek.event.specimen-id'],
  },
  'parek-searchset-without-total': {
    rule: 'search Bundles leave out Bundle.total',
    source: 'FHIR R5 Bundle.total 0..1 (optional); PaRek does not promise one',
    requirements: ['PAREK-SR-SEARCH-001', 'PAREK-SR-CREATE-001', 'PAREK-SP-SEARCH-001', 'PAREK-SR-IDEM-001'],
    respond: [{ services: ['parek'], operations: ['searchServiceRequests', 'searchSpecimens'], apply: withoutTotal }],
  },
  'parek-extensions-and-meta': {
    rule: 'requisitions and specimens come back with an unknown, non-modifier extension and extra meta (source, tag)',
    source: "FHIR R5 extensibility: a consumer must accept extensions it does not know (not modifierExtension); the guide's profiles leave extension and meta open",
    requirements: ['PAREK-SR-CREATE-001', 'PAREK-SR-READ-001', 'PAREK-SR-SEARCH-001', 'PAREK-SP-CREATE-001', 'PAREK-SP-READ-001', 'PAREK-SP-SEARCH-001'],
    respond: [{ services: ['parek'], operations: ['createServiceRequest', 'readServiceRequest', 'searchServiceRequests', 'createSpecimen', 'readSpecimen', 'searchSpecimens'], apply: withExtensions }],
  },
} satisfies Record<string, DialectDefinition>;
