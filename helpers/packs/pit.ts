// PIT (Pasientinformasjonstjenesten): FHIR R4 Patient, asynchronous submission, keyset paging.
import { intSetting, optionalIntSetting } from '../config/settings.ts';
import type { PackDescriptor } from './types.ts';

export const PIT_SETTINGS = {
  loadCount: optionalIntSetting('NHN_PIT_LOAD_COUNT', 'how many Patients the load spec submits (default 1000 on the twin; against NHN skipped unless set)', { min: 0, max: 100_000 }),
  loadConcurrency: intSetting('NHN_PIT_LOAD_CONCURRENCY', 'concurrent submissions of the load spec', { min: 1, max: 256, fallback: 16 }),
  settleMs: optionalIntSetting('NHN_PIT_SETTLE_MS', 'how long the load spec waits once no new Patient appears (ms; default 1500 on the twin, ten times its longest queue delay; 15000 elsewhere)', { min: 0, max: 600_000 }),
  asyncLimitMs: intSetting('NHN_PIT_ASYNC_LIMIT_MS', 'the bound on the asynchronous delay of a submission (ms)', { min: 1, max: 600_000, fallback: 30_000 }),
};

export const pitPack = {
  id: 'pit',
  title: 'PIT',
  audience: 'nhn:pit',
  scopes: ['nhn:pit/api.read', 'nhn:pit/api.write'],
  services: {
    pit: {
      title: 'PIT',
      env: 'NHN_PIT_URL',
      port: 2,
      documents: ['pit'],
      defaultScopes: ['nhn:pit/api.read', 'nhn:pit/api.write'],
      profiles: {
        local: { auth: ['dpop'] },
        test: { url: 'https://api.pit.test.nhn.no', auth: ['dpop'] },
        prod: { auth: ['none'] },
      },
    },
  },
  dpopTarget: { service: 'pit', method: 'GET', path: () => '/v1/Patient', scopes: ['nhn:pit/api.read'], foreignScope: 'nhn:pit/api.write' },
  twin: 'apis/pit',
  // The twin processes a submission within 150 ms; NHN is given 30 s. The bound is also how long
  // a test waits to be sure a refused-later submission never appears, so it is kept short here.
  localDefaults: { NHN_PIT_ASYNC_LIMIT_MS: '1000' },
  requirements: ['pit.yaml'],
  specs: ['pit'],
  settings: PIT_SETTINGS,
} as const satisfies PackDescriptor;
