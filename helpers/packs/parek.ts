// PaRek (Pasientens rekvisisjoner): FHIR R5 requisitions on three hosts, and AMQP events.
import { randomUUID } from 'node:crypto';
import { intSetting, stringSetting, urlSetting } from '../config/settings.ts';
import { syntheticHprNumber, syntheticNin } from '../identifiers.ts';
import type { PackDescriptor } from './types.ts';

export const PAREK_SETTINGS = {
  apiVersion: stringSetting('NHN_PAREK_API_VERSION', "PaRek's API version path segment (an assumption: v1)", { pattern: /^v\d+$/, fallback: 'v1' }),
  amqpUrl: urlSetting('NHN_PAREK_AMQP_URL', "PaRek's AMQP 1.0 broker (test: amqps://amqps.test.parek.nhn.no:5671)", ['amqp:', 'amqps:']),
  amqpUsername: stringSetting('NHN_PAREK_AMQP_USERNAME', 'your AMQP username (from NHN support)'),
  amqpPassword: stringSetting('NHN_PAREK_AMQP_PASSWORD', 'your AMQP password (sent by SMS; never reaches a report)'),
  amqpQueue: stringSetting('NHN_PAREK_AMQP_QUEUE', 'your queue\'s address: /queues/<name> on RabbitMQ 4, /queue/<name> on RabbitMQ 3'),
  amqpCaFile: stringSetting('NHN_PAREK_AMQP_CA_FILE', "a CA to trust for the broker's certificate (PEM), beside the system's"),
  amqpVhost: stringSetting('NHN_PAREK_AMQP_VHOST', 'the virtual host', { fallback: 'external' }),
  eventQuietMs: intSetting('NHN_PAREK_EVENT_QUIET_MS', "how long the event specs watch for a second copy after an event's delivery (ms)", { min: 100, max: 600_000, fallback: 1_000 }),
  eventWithinMs: intSetting('NHN_PAREK_EVENT_WITHIN_MS', 'how long a SpecimenCollected event may take after the specimen is recorded (ms)', { min: 100, max: 600_000, fallback: 10_000 }),
};

const SCOPES = ['nhn:parek/rekvisisjon'] as const;

/** The IG's NamingSystem for the requester's own id of a requisition: what makes a create idempotent (facts §3.3). */
export const REQUESTER_DEFINED_UUID = 'http://hl7.no/fhir/ig/ParekIG/NamingSystem/RequesterDefinedUuid';

/** The implementation guide the PaRek layer enforces, pinned: its rule data is schemas/fhir/ig/<name>-<version>.rules.json. */
export const PAREK_IG = { name: 'hl7.fhir.no.ParekIG', version: '0.1.7', canonical: 'http://hl7.no/fhir/ig/ParekIG', fhirVersion: '5.0.0' } as const;

/**
 * Guide rules no resource can break alone: breaking one always breaks the rule named with it, so
 * a twin that skipped only this rule would still refuse. They are enforced and tested; they get
 * no fault of their own, because no test could tell such a fault from the clean twin.
 */
export const PAREK_IG_IMPLIED: Readonly<Record<string, string>> = {
  'parek-service-request:ServiceRequest.identifier:min': 'no identifier means no RequesterDefinedUuid either (identifier:RequesterDefinedUuid:min)',
  'parek-service-request:ServiceRequest.identifier:RequesterDefinedUuid.system:min': 'an identifier is in the slice because of its system, so a slice member always has one',
  'parek-service-request:ServiceRequest.identifier:RequesterDefinedUuid.system:pattern': 'an identifier is in the slice because its system is the pattern',
  'parek-service-request:ServiceRequest.contained:min': 'the requester must resolve to the contained resource (requester:target)',
  'parek-service-request:ServiceRequest.contained:contained': 'the one contained resource is the requester, so another type fails requester:target too',
};

/** The twin's AMQP endpoint: this offset from the twin's base port. */
export const PAREK_AMQP_PORT = 9;

/** A synthetic physician who requests and collects: pid, HPR number and security level 4. */
export const PAREK_TEST_USER = { pid: syntheticNin(5_001), hprNumber: syntheticHprNumber(5_001), name: 'Syntetisk Rekvirent' } as const;

export const parekPack = {
  id: 'parek',
  title: 'PaRek',
  audience: 'nhn:parek',
  scopes: SCOPES,
  services: {
    parek: {
      title: 'PaRek',
      env: 'NHN_PAREK_URL',
      port: 4,
      documents: ['parek'],
      defaultScopes: SCOPES,
      profiles: {
        local: { auth: ['dpop'] },
        test: { url: 'https://test.parek.nhn.no', auth: ['dpop'] },
        prod: { url: 'https://parek.nhn.no', auth: ['none'] },
      },
    },
    parekBackdoor: {
      title: 'PaRek backdoor',
      env: 'NHN_PAREK_BACKDOOR_URL',
      port: 5,
      documents: ['parek'],
      profiles: {
        local: { auth: ['backdoor'] },
        'test-backdoor': { url: 'https://backdoor.test.parek.nhn.no', auth: ['backdoor'] },
      },
    },
    parekResident: {
      title: 'PaRek resident',
      env: 'NHN_PAREK_RESIDENT_URL',
      port: 6,
      documents: ['parek'],
      defaultScopes: SCOPES,
      profiles: {
        local: { auth: ['bearer'] },
        'test-resident': { url: 'https://resident.test.parek.nhn.no', auth: ['bearer'] },
      },
    },
  },
  dpopTarget: {
    service: 'parek',
    method: 'GET',
    path: (s) => `/${s.get(PAREK_SETTINGS.apiVersion)}/ServiceRequest`,
    scopes: SCOPES,
    user: PAREK_TEST_USER,
    request: () => ({ headers: { 'nhn-event-id': randomUUID() } }),
  },
  twin: 'apis/parek',
  requirements: ['parek.yaml'],
  specs: ['parek'],
  settings: PAREK_SETTINGS,
  // The twin publishes at once; NHN is given ten seconds.
  localDefaults: { NHN_PAREK_EVENT_WITHIN_MS: '3000' },
} as const satisfies PackDescriptor;
