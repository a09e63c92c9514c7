// PTS (Personvern og tilgangsstyring): patient-safety access restrictions.
import { syntheticNin } from '../identifiers.ts';
import type { PackDescriptor } from './types.ts';

export const ptsPack = {
  id: 'pts',
  title: 'PTS',
  audience: 'nhn:pts',
  scopes: ['nhn:pts/api'],
  services: {
    pts: {
      title: 'PTS',
      env: 'NHN_PTS_URL',
      port: 7,
      documents: ['pts'],
      defaultScopes: ['nhn:pts/api'],
      profiles: {
        local: { auth: ['dpop'] },
        test: { url: 'https://api-internett.test.pts.nhn.no', auth: ['dpop'] },
        prod: { url: 'https://api.pts.nhn.no', auth: ['none'] },
      },
    },
  },
  dpopTarget: {
    service: 'pts',
    method: 'POST',
    path: () => '/v0.5/access-restrictions/patient-safety/_search',
    scopes: ['nhn:pts/api'],
    request: () => ({ json: { offId: syntheticNin(7_000) }, contentType: 'application/json' }),
  },
  twin: 'apis/pts',
  requirements: ['pts.yaml'],
  specs: ['pts'],
} as const satisfies PackDescriptor;
