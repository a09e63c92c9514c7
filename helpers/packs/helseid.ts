// HelseID and its test-token service: the authorisation every API pack stands behind.
import { syntheticHprNumber, syntheticNin, syntheticOrgnr } from '../identifiers.ts';
import type { PackDescriptor } from './types.ts';

/**
 * Whom the twin's synthetic test IdP logs in (by login_hint): NHN's test physician from the PHR
 * page (the number NHN lists, the first HPR number with it) and synthetic people, one of them no
 * health professional and one logged in at security level 3.
 */
export const TEST_IDP_PERSONS = {
  nhnPhysician: { pid: '13116900216', name: 'GRØNN VITS', hprNumber: '565501872', securityLevel: '4' },
  physician: { pid: syntheticNin(40), name: 'Syntetisk Lege', hprNumber: syntheticHprNumber(40), securityLevel: '4' },
  citizen: { pid: syntheticNin(41), name: 'Syntetisk Innbygger', hprNumber: undefined, securityLevel: '4' },
  levelThree: { pid: syntheticNin(42), name: 'Syntetisk Lege På Nivå 3', hprNumber: syntheticHprNumber(42), securityLevel: '3' },
} as const satisfies Record<string, { pid: string; name: string; hprNumber: string | undefined; securityLevel: '3' | '4' }>;

/**
 * The API the twin's exchange-actor client stands for (HelseID's token exchange, facts §2.5): a
 * caller's client gets its token for this audience and scope (API 1), and the actor, API 1's own
 * client, exchanges it for another API's scopes. Against NHN the vendor names their own API
 * (HELSEID_EXCHANGE_ACTOR_AUDIENCE and HELSEID_EXCHANGE_ACTOR_SCOPE).
 */
/**
 * The twin's multi-tenant client (facts §2.6): the supplier it is, the organisation that has
 * delegated to it and signed every API's terms, and one that has signed PIT's read terms only
 * (a request for PIT's write scope on its behalf is answered with rejected_scope).
 */
export const TWIN_TENANTS = {
  supplier: syntheticOrgnr(71),
  signed: { parent: syntheticOrgnr(72), child: syntheticOrgnr(73) },
  partlySigned: { parent: syntheticOrgnr(74), signedScopes: ['nhn:pit/api.read'], unsignedScope: 'nhn:pit/api.write' },
  /** A child organisation a single-tenant client may name (facts §2.6). */
  singleTenantChild: syntheticOrgnr(75),
  scopes: ['nhn:pit/api.read', 'nhn:pit/api.write'],
} as const;

export const TWIN_ACTOR_API = { audience: 'nhn:suite-actor-api', scope: 'nhn:suite-actor-api/exchange' } as const;

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
