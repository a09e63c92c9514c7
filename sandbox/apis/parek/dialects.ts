// PaRek dialects: behaviours NHN's pages, the guide or FHIR permit where the twin takes one
// reading. The tolerance matrix runs the PaRek specs against each; none may fail.
import type { DialectDefinition } from '../../core/faults.ts';

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
} satisfies Record<string, DialectDefinition>;
