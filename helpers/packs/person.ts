// The Person API (Persontjenesten): v2 (legal-basis paths) and v3 (access tiers).
import type { PackDescriptor } from './types.ts';

const AUDIENCE = 'nhn:hgd-persontjenesten-api';

export const personPack = {
  id: 'person',
  title: 'Person API',
  audience: AUDIENCE,
  scopes: [`${AUDIENCE}/read-with-legal-basis`, `${AUDIENCE}/read-no-legal-basis`, `${AUDIENCE}/full-access`, `${AUDIENCE}/restricted-access`],
  services: {
    person: {
      title: 'Person API',
      env: 'NHN_PERSON_URL',
      port: 8,
      // v3 first: /ping is in both, and v3 is the current version.
      documents: ['person-v3', 'person-v2'],
      defaultScopes: [`${AUDIENCE}/read-with-legal-basis`],
      profiles: {
        local: { auth: ['dpop'] },
        test: { url: 'https://et.persontjenesten.test.nhn.no', auth: ['dpop'] },
        prod: { auth: ['none'] },
      },
    },
  },
  dpopTarget: { service: 'person', method: 'GET', path: () => '/api/v3/full-access/event/latest', scopes: [`${AUDIENCE}/full-access`], foreignScope: `${AUDIENCE}/restricted-access` },
  twin: 'apis/person',
  requirements: ['person.yaml'],
  specs: ['person'],
} as const satisfies PackDescriptor;
