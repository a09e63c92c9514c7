// Protocol constants shared by the suite and the twin, defined once: HelseID claim names, OAuth
// grant and token types, the JWS algorithms HelseID accepts, the private members of a JWK and the
// test-token service's path.

export const HELSEID_CLAIMS = {
  orgnrParent: 'helseid://claims/client/claims/orgnr_parent',
  orgnrChild: 'helseid://claims/client/claims/orgnr_child',
  orgnrSupplier: 'helseid://claims/client/claims/orgnr_supplier',
  clientName: 'helseid://claims/client/client_name',
  clientTenancy: 'helseid://claims/client/client_tenancy',
  clientAmr: 'helseid://claims/client/amr',
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
export const DPOP_TYP = 'dpop+jwt';

/** What the suite names itself in nhn-source-system. */
export const SOURCE_SYSTEM = 'NHN conformance suite 0.1';

/** JWS algorithms HelseID lists for DPoP and client assertions; symmetric algorithms are never acceptable. */
export const ASYMMETRIC_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'] as const;

/** JWK members that carry private key material (RFC 7517, RFC 7518 §6). */
export const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'] as const;

/** HelseID's test-token service (TTT) endpoint. */
export const TTT_PATH = '/v2/create-test-token-with-key';

/** The HelseID stand-in's endpoints (HelseID's own paths). */
export const HELSEID_PATHS = {
  token: '/connect/token',
  jwks: '/.well-known/openid-configuration/jwks',
  discovery: '/.well-known/openid-configuration',
  authorize: '/connect/authorize',
  par: '/connect/par',
} as const;

/** The identity scopes a user login asks for (facts §4.4: NHN's PHR demo), and the HPR number's. */
export const IDENTITY_SCOPES = {
  pid: 'helseid://scopes/identity/pid',
  securityLevel: 'helseid://scopes/identity/security_level',
  hprNumber: 'helseid://scopes/hpr/hpr_number',
} as const;
export const LOGIN_SCOPES = ['openid', 'profile', IDENTITY_SCOPES.pid, IDENTITY_SCOPES.securityLevel, IDENTITY_SCOPES.hprNumber] as const;

/** HelseID's error description prefix when the trust framework attest comes both ways (facts §2.7). */
export const DOUBLE_STRUCTURE = 'HID-DOUBLE-STRUCTURE';

/** PaRek backdoor identity headers (test only). */
export const BACKDOOR_HEADERS = {
  organisation: 'X-Nilar-Organisation',
  requesterHpr: 'X-Nilar-Requester-Hpr',
  requesterPublicId: 'X-Nilar-Requester-Public-Id',
} as const;
