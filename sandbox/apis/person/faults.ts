import type { FaultDefinition } from '../../core/faults.ts';

export const faults = {
  'person-ping-requires-auth': {
    rule: 'Person API /ping demands a token',
    requirements: ['PERSON-PING-001'],
    route: (r) => (r.service === 'person' && r.operationId === 'ping' ? { modes: ['dpop'] } : undefined),
  },
} satisfies Record<string, FaultDefinition>;
