// The services the suite knows, with the environment variable that overrides each base URL.
// Pure data, shared by the suite's profiles and the twin.

export const SERVICES = {
  helseid: { env: 'HELSEID_ISSUER', title: 'HelseID' },
  ttt: { env: 'HELSEID_TTT_URL', title: 'HelseID test-token service' },
  pit: { env: 'NHN_PIT_URL', title: 'PIT' },
  phr: { env: 'NHN_PHR_URL', title: 'PHR' },
  parek: { env: 'NHN_PAREK_URL', title: 'PaRek' },
  parekBackdoor: { env: 'NHN_PAREK_BACKDOOR_URL', title: 'PaRek backdoor' },
  parekResident: { env: 'NHN_PAREK_RESIDENT_URL', title: 'PaRek resident' },
  pts: { env: 'NHN_PTS_URL', title: 'PTS' },
  person: { env: 'NHN_PERSON_URL', title: 'Person API' },
} as const;

export type ServiceName = keyof typeof SERVICES;
export const SERVICE_NAMES = Object.keys(SERVICES) as ServiceName[];

/** Audience (HelseID resource) of each API. */
export const AUDIENCES = {
  pit: 'nhn:pit',
  phr: 'nhn:phr',
  parek: 'nhn:parek',
  pts: 'nhn:pts',
  person: 'nhn:hgd-persontjenesten-api',
} as const;
export type Audience = (typeof AUDIENCES)[keyof typeof AUDIENCES];

/** Scopes each audience knows (facts §3.4, §4.4, §5.1, §6, §7.1). */
export const SCOPES: Record<Audience, string[]> = {
  'nhn:pit': ['nhn:pit/api.read', 'nhn:pit/api.write'],
  'nhn:phr': [
    'nhn:phr/mhd/read-documentreferences',
    'nhn:phr/mhd/read-documentreferences/kjernejournalforskriften',
    'nhn:phr/mhd/read-document',
  ],
  'nhn:parek': ['nhn:parek/rekvisisjon'],
  'nhn:pts': ['nhn:pts/api'],
  'nhn:hgd-persontjenesten-api': [
    'nhn:hgd-persontjenesten-api/read-with-legal-basis',
    'nhn:hgd-persontjenesten-api/read-no-legal-basis',
    'nhn:hgd-persontjenesten-api/full-access',
    'nhn:hgd-persontjenesten-api/restricted-access',
  ],
};

/** The audience a scope belongs to: HelseID scopes are prefixed by their audience. */
export function audienceOfScope(scope: string): Audience | undefined {
  for (const [aud, scopes] of Object.entries(SCOPES)) {
    if (scopes.includes(scope)) return aud as Audience;
  }
  return undefined;
}

export const HELSEID_CLAIMS = {
  orgnrParent: 'helseid://claims/client/claims/orgnr_parent',
  orgnrChild: 'helseid://claims/client/claims/orgnr_child',
  orgnrSupplier: 'helseid://claims/client/claims/orgnr_supplier',
  clientName: 'helseid://claims/client/client_name',
  clientTenancy: 'helseid://claims/client/client_tenancy',
  pid: 'helseid://claims/identity/pid',
  pidPseudonym: 'helseid://claims/identity/pid_pseudonym',
  securityLevel: 'helseid://claims/identity/security_level',
  assuranceLevel: 'helseid://claims/identity/assurance_level',
  network: 'helseid://claims/identity/network',
  hprNumber: 'helseid://claims/hpr/hpr_number',
  trustFramework: 'nhn:tillitsrammeverk:parameters',
} as const;

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
export const CLIENT_ASSERTION_TYP = 'client-authentication+jwt';

/** JWS algorithms HelseID lists for DPoP; symmetric algorithms are never acceptable for proofs or client assertions. */
export const ASYMMETRIC_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'] as const;
