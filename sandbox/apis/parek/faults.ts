// PaRek faults: one per MUST the PaRek specs check, each switching off the named check that
// enforces it (store.ts, index.ts, or the shared request and claim checks from
// parek.openapi.yaml), changing a route's policy, or transforming a response.
import type { FaultDefinition } from '../../core/faults.ts';
import { PAREK_IG, PAREK_IG_IMPLIED } from '../../../helpers/packs/parek.ts';
import { loadIgRules } from '../../../helpers/validation/fhir/ig/package.ts';

/** Which requirement's specs send resources of each guide profile. */
const RULES_REQUIREMENT: Record<string, readonly string[]> = {
  'parek-service-request': ['PAREK-SR-RULES-001'],
  'parek-requester-pr': ['PAREK-SR-RULES-001'],
  'parek-practitioner-role': ['PAREK-SR-RULES-001', 'PAREK-SP-RULES-001'],
  'parek-specimen': ['PAREK-SP-RULES-001'],
  'parek-collector-pr': ['PAREK-SP-RULES-001'],
  'parek-device': ['PAREK-SP-RULES-001'],
};

/**
 * One fault per enforced rule of the pinned guide, as its rule data says (a new guide version
 * brings its faults with it): the twin stores what breaks that rule alone. Rules that cannot be
 * broken alone are listed in PAREK_IG_IMPLIED instead.
 */
function guideFaults(): Record<string, FaultDefinition> {
  const guide = loadIgRules().find((g) => g.package.name === PAREK_IG.name && g.package.version === PAREK_IG.version);
  const out: Record<string, FaultDefinition> = {};
  for (const profile of guide?.profiles ?? []) {
    for (const rule of profile.rules.filter((r) => r.enforced && !(r.id in PAREK_IG_IMPLIED))) {
      out[`ig-${rule.id.replace(/[^A-Za-z0-9]+/g, '-').replace(/-$/, '')}`] = {
        rule: `a resource that breaks ${rule.id} of ${PAREK_IG.name} ${PAREK_IG.version}, and nothing else, is stored`,
        requirements: RULES_REQUIREMENT[profile.id] ?? ['PAREK-SR-RULES-001', 'PAREK-SP-RULES-001'],
        off: [`parek.ig.${rule.id}`],
      };
    }
  }
  return out;
}

export const faults = {
  'parek-metadata-requires-auth': {
    rule: 'PaRek GET /<version>/metadata demands a token',
    requirements: ['PAREK-META-001'],
    route: (r) => (r.service === 'parek' && r.operationId === 'capabilities' ? { modes: ['dpop'] } : undefined),
  },
  'parek-metadata-r4': {
    rule: 'the PaRek CapabilityStatement says FHIR 4.0.1',
    requirements: ['PAREK-META-002'],
    respond: [{ operations: ['capabilities'], apply: (r) => (r.status === 200 ? { ...r, body: { ...(r.body as object), fhirVersion: '4.0.1' } } : r) }],
  },
  'parek-idempotency-broken': { rule: 'a repeated RequesterDefinedUuid creates a second requisition', requirements: ['PAREK-SR-IDEM-001'], off: ['parek.sr.idempotent'] },
  'amqp-any-vhost': { rule: 'the AMQP endpoint lets a connection in on any virtual host', requirements: ['PAREK-EVENT-003'], off: ['amqp.vhost'] },
  'parek-specimen-unknown-request': { rule: 'a specimen for a requisition that does not exist is stored', requirements: ['PAREK-SP-RULES-001'], off: ['parek.sp.request-exists'] },
  'parek-specimen-other-patient': { rule: "a specimen for another patient than its requisition's is stored", requirements: ['PAREK-SP-RULES-001'], off: ['parek.sp.same-patient'] },
  'parek-never-completed': { rule: 'a requisition stays active when every expected specimen is in', requirements: ['PAREK-SR-COMPLETE-001'], off: ['parek.sr.completion'] },
  'parek-completed-early': { rule: 'a requisition is completed one specimen early', requirements: ['PAREK-SR-COMPLETE-001'], off: ['parek.sr.completion-count'] },
  'parek-search-patient-ignored': { rule: 'searches ignore the patient', requirements: ['PAREK-SR-SEARCH-001', 'PAREK-SP-SEARCH-001'], off: ['parek.search.patient'] },
  'parek-search-status-ignored': { rule: 'requisition searches ignore status', requirements: ['PAREK-SR-SEARCH-001'], off: ['parek.search.status'] },
  'parek-search-identifier-ignored': { rule: 'requisition searches ignore identifier', requirements: ['PAREK-SR-SEARCH-001', 'PAREK-SR-IDEM-001'], off: ['parek.search.identifier'] },
  'parek-search-request-ignored': { rule: 'specimen searches ignore request', requirements: ['PAREK-SP-SEARCH-001'], off: ['parek.search.request'] },
  'parek-event-id-optional': { rule: 'the DPoP host answers without nhn-event-id', requirements: ['PAREK-AUTH-001'], off: ['parek/request.header.nhn-event-id'] },
  'parek-level-3-accepted': { rule: 'the DPoP host serves a user at security level 3', requirements: ['PAREK-AUTH-002'], off: ['parek.user.security-level'] },
  'parek-user-claims-unchecked': { rule: 'the DPoP host serves tokens without pid or HPR number (machine tokens)', requirements: ['PAREK-AUTH-002'], off: ['parek/token.claims'] },
  'parek-backdoor-no-requester': { rule: 'the backdoor serves a request that names no requester', requirements: ['PAREK-BACKDOOR-001'], off: ['parekBackdoor/backdoor.requester'] },
  'parek-resident-sees-all': { rule: "the resident host shows a citizen other citizens' requisitions", requirements: ['PAREK-RESIDENT-001'], off: ['parek.resident.own'] },
  'parek-resident-writes': { rule: 'the resident host lets a citizen create requisitions', requirements: ['PAREK-RESIDENT-001'], off: ['parek.resident.read-only'] },
  'parek-event-missing': { rule: 'a recorded specimen publishes no SpecimenCollected event', requirements: ['PAREK-EVENT-001'], off: ['parek.event.publish'] },
  'parek-event-duplicated': { rule: 'a recorded specimen publishes two SpecimenCollected events', requirements: ['PAREK-EVENT-001'], off: ['parek.event.once'] },
  'parek-event-late': { rule: 'SpecimenCollected comes 20 s after the specimen is recorded', requirements: ['PAREK-EVENT-001'], off: ['parek.event.prompt'] },
  'parek-event-wrong-requisition': { rule: "the event's ExternalRequisitionId is PaRek's ServiceRequest id, not the RequesterDefinedUuid", requirements: ['PAREK-EVENT-001'], off: ['parek.event.requisition-id'] },
  'parek-event-invalid': { rule: 'the event lacks CollectedTime', requirements: ['PAREK-EVENT-001'], off: ['parek.event.schema'] },
  'amqp-redelivery-new-event': { rule: 'a released or modified delivery comes back as a new event with a new EventId', requirements: ['PAREK-EVENT-002'], off: ['amqp.redelivery.same'] },
  'amqp-anonymous-accepted': { rule: 'the AMQP endpoint lets SASL ANONYMOUS (and no SASL) in', requirements: ['PAREK-EVENT-003'], off: ['amqp.sasl.plain-only'] },
  'amqp-any-password': { rule: 'the AMQP endpoint takes any password for a known user', requirements: ['PAREK-EVENT-003'], off: ['amqp.sasl.password'] },
  'amqp-plain-accepted': { rule: 'the AMQP endpoint listens without TLS', requirements: ['PAREK-EVENT-004'], off: ['amqp.tls'] },
  'amqp-tls-1-1-accepted': { rule: 'the AMQP endpoint accepts TLS 1.0 and 1.1', requirements: ['PAREK-EVENT-004'], off: ['amqp.tls.min-version'] },
  ...guideFaults(),
} satisfies Record<string, FaultDefinition>;
