// PHR (Pasientens journaldokumenter): IHE MHD ITI-67 and ITI-68.
import type { PackDescriptor } from './types.ts';

export const phrPack = {
  id: 'phr',
  title: 'PHR',
  audience: 'nhn:phr',
  scopes: [
    'nhn:phr/mhd/read-documentreferences',
    'nhn:phr/mhd/read-documentreferences/kjernejournalforskriften',
    'nhn:phr/mhd/read-document',
  ],
  services: {
    phr: {
      title: 'PHR',
      env: 'NHN_PHR_URL',
      port: 3,
      documents: ['phr'],
      // Never both document-reference scopes: PHR refuses a token that has both.
      defaultScopes: ['nhn:phr/mhd/read-document'],
      profiles: {
        local: { auth: ['dpop'] },
        test: { url: 'https://api.pjd.test.nhn.no', auth: ['dpop'] },
        prod: { auth: ['none'] },
      },
    },
  },
  dpopTarget: { service: 'phr', method: 'GET', path: () => '/pingauth', scopes: ['nhn:phr/mhd/read-document'], foreignScope: 'nhn:phr/mhd/read-documentreferences' },
  twin: 'apis/phr',
  requirements: ['phr.yaml'],
  specs: ['phr'],
} as const satisfies PackDescriptor;
