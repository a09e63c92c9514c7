// HelseID and its test-token service: the authorisation every API pack stands behind.
import type { PackDescriptor } from './types.ts';

export const helseidPack = {
  id: 'helseid',
  title: 'HelseID',
  services: {
    helseid: {
      title: 'HelseID',
      env: 'HELSEID_ISSUER',
      port: 0,
      profiles: {
        local: {},
        test: { url: 'https://helseid-sts.test.nhn.no' },
        'test-resident': { url: 'https://helseid-sts.test.nhn.no' },
        prod: { url: 'https://helseid-sts.nhn.no', auth: ['none'] },
      },
    },
    ttt: {
      title: 'HelseID test-token service',
      env: 'HELSEID_TTT_URL',
      port: 1,
      profiles: { local: {}, test: { url: 'https://helseid-ttt.test.nhn.no' } },
    },
  },
  twin: 'helseid',
  requirements: ['helseid.yaml'],
  specs: ['helseid'],
} as const satisfies PackDescriptor;
