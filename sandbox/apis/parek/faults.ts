import type { FaultDefinition } from '../../core/faults.ts';

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
} satisfies Record<string, FaultDefinition>;
