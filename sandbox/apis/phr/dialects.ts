// PHR dialects: what PHR's pages leave open.
import type { DialectDefinition } from '../../core/faults.ts';
import { withExtensions } from '../../core/fhir-dialects.ts';

// Not a dialect: a searchset without Bundle.total. IHE MHD's FindDocumentReferencesResponseMessage
// makes total 1..1, so its absence breaks the standard PHR claims (ITI67-002), not our reading.

const SEARCHES = ['findDocumentReferences', 'findDocumentReferencesByGet'];

export const dialects = {
  'phr-pingauth-dpop-only': {
    rule: '/pingauth demands a DPoP-bound token with its proof, as the older integration page said',
    source: "PHR's older integration page (seed 001) asked for DPoP on /pingauth; the newer one says it is not needed yet",
    point: 'phr.pingauth-bearer',
    requirements: ['PHR-PING-002'],
    route: (r) => (r.service === 'phr' && r.operationId === 'pingAuth' ? { modes: ['dpop'] } : undefined),
  },
  'phr-extensions-and-meta': {
    rule: 'DocumentReferences carry an unknown, non-modifier extension and extra meta (source, tag)',
    source: 'FHIR R4 extensibility: a consumer must accept extensions it does not know (not modifierExtension); IHE MHD profiles leave meta open',
    requirements: ['PHR-ITI67-001', 'PHR-ITI67-004', 'PHR-ITI68-001'],
    respond: [{ services: ['phr'], operations: SEARCHES, apply: withExtensions }],
  },
} satisfies Record<string, DialectDefinition>;
