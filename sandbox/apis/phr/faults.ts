import type { FaultDefinition } from '../../core/faults.ts';

export const faults = {
  'phr-ping-requires-auth': {
    rule: 'PHR /ping demands a token',
    requirements: ['PHR-PING-001'],
    route: (r) => (r.service === 'phr' && r.operationId === 'ping' ? { modes: ['dpop'] } : undefined),
  },
  'phr-pingauth-open': {
    rule: 'PHR /pingauth answers without a token',
    requirements: ['PHR-PING-002'],
    route: (r) => (r.service === 'phr' && r.operationId === 'pingAuth' ? { modes: [] } : undefined),
  },
} satisfies Record<string, FaultDefinition>;
