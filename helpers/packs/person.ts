// The Person API (Persontjenesten): v2 (legal-basis paths, the api-version header) and v3 (the
// version in the path, access tiers, orgnr_parent). Facts §7, operations §A.
import { documentSourceSetting } from '../config/settings.ts';
import type { PackDescriptor } from './types.ts';

const AUDIENCE = 'nhn:hgd-persontjenesten-api';

export const PERSON_SCOPES = {
  legalBasis: `${AUDIENCE}/read-with-legal-basis`,
  noLegalBasis: `${AUDIENCE}/read-no-legal-basis`,
  fullAccess: `${AUDIENCE}/full-access`,
  restrictedAccess: `${AUDIENCE}/restricted-access`,
} as const;

/** Each version's path tiers and the scope each tier demands (the v2 paths by legal basis, v3 by access). */
export const PERSON_TIERS = {
  2: { 'legal-basis': PERSON_SCOPES.legalBasis, 'no-legal-basis': PERSON_SCOPES.noLegalBasis },
  3: { 'full-access': PERSON_SCOPES.fullAccess, 'restricted-access': PERSON_SCOPES.restrictedAccess },
} as const;

export type PersonVersion = keyof typeof PERSON_TIERS;
export type PersonTier<V extends PersonVersion = PersonVersion> = keyof (typeof PERSON_TIERS)[V] & string;

/** `/api/legal-basis/person/get-by-nin`, `/api/v3/full-access/event`, … */
export function personPath<V extends PersonVersion>(version: V, tier: PersonTier<V>, sub: string): string {
  return `${version === 2 ? '/api' : '/api/v3'}/${tier}/${sub.replace(/^\//, '')}`;
}

/** The most events one call answers (facts §7.2), and the most persons a bulk call or a person search takes or answers. */
export const PERSON_LIMITS = { events: 1000, bulk: 100, searchHits: 100 } as const;

export const PERSON_SETTINGS = {
  nhnV2: documentSourceSetting('NHN_OPENAPI_PERSON_V2', "NHN's published Person API v2 OpenAPI document (a file or URL): answers are also validated against it, and our document compared with it"),
};

export const personPack = {
  id: 'person',
  title: 'Person API',
  audience: AUDIENCE,
  scopes: Object.values(PERSON_SCOPES),
  services: {
    person: {
      title: 'Person API',
      env: 'NHN_PERSON_URL',
      port: 8,
      // v3 first: /ping is in v3's document, and v3 is the current version.
      documents: ['person-v3', 'person-v2'],
      nhnDocuments: { 'person-v2': PERSON_SETTINGS.nhnV2 },
      ninNeverInUrl: true,
      publishedOpenApi: { path: '/swagger/v3/swagger.json', document: 'person-v3', source: 'facts §7: ET Swagger …/swagger/v3/swagger.json (HID-samples persontjenesten.nswag)' },
      defaultScopes: [PERSON_SCOPES.fullAccess],
      // v2's document declares HTTP bearer, v3's sample uses DPoP: the service takes both, and each
      // route takes what its document's scheme says (v2 both, v3 DPoP).
      profiles: {
        local: { auth: ['dpop', 'bearer'] },
        test: { url: 'https://et.persontjenesten.test.nhn.no', auth: ['dpop', 'bearer'] },
        prod: { auth: ['none'] },
      },
    },
  },
  dpopTarget: { service: 'person', method: 'GET', path: () => personPath(3, 'full-access', 'event/latest'), scopes: [PERSON_SCOPES.fullAccess], foreignScope: PERSON_SCOPES.restrictedAccess },
  twin: 'apis/person',
  requirements: ['person.yaml'],
  specs: ['person'],
  settings: PERSON_SETTINGS,
} as const satisfies PackDescriptor;
