// PHR (Pasientens journaldokumenter): IHE MHD ITI-67 and ITI-68.
import { intSetting } from '../config/settings.ts';
import { OID, syntheticNin } from '../identifiers.ts';
import { SOURCE_SYSTEM } from '../protocol.ts';
import type { PackDescriptor } from './types.ts';

/** PHR's scopes (find-document-references page): the two document-reference scopes exclude each other. */
export const PHR_SCOPES = {
  /** Helsepersonelloven §45: no access basis, no filtering. */
  section45: 'nhn:phr/mhd/read-documentreferences',
  /** Kjernejournalforskriften: an access basis, and results filtered by category and age. */
  kjernejournal: 'nhn:phr/mhd/read-documentreferences/kjernejournalforskriften',
  /** ITI-68 only. */
  document: 'nhn:phr/mhd/read-document',
} as const;

/** Kjernejournalforskriften: how long each document category is shown, in years (undefined: without limit). */
export const KJERNEJOURNAL_WINDOW_YEARS: Readonly<Record<string, number | undefined>> = { 'A00-1': undefined, 'C00-1': 1, 'D00-1': 5, 'E00-1': 5, 'I00-1': 1 };

/** The nhn-access-basis values (facts §1). */
export const ACCESS_BASIS = ['UNNTAK', 'SAMTYKKE', 'FORHOYET_SAMTYKKE', 'AKUTT', 'FORHOYET_AKUTT'] as const;

/** NHN's PHR test patient with "Brev - test CDA.pdf" (seed 001). */
export const LINE_DANSER = '13116900216';

/** NHN's test health personnel GRØNN VITS, a physician (seed 001). */
export const PHR_TEST_USER = { pid: '13116900216', hprNumber: '565501872', name: 'GRØNN VITS' } as const;

/** The Accept ITI-67 requires (find-document-references page). */
export const FHIR_ACCEPT = 'application/fhir+json; fhirVersion=4.0';

export const PHR_SETTINGS = {
  cacheMs: intSetting('NHN_PHR_CACHE_MS', "how long PHR keeps a search's result, so its pages stay stable (ms; NHN: 180000; the twin the suite starts: 2000)", { min: 100, max: 3_600_000, fallback: 180_000 }),
};

/**
 * Twin only: a synthetic patient whose documents keep arriving (from another community, as
 * NHN's registry gathers them over XCA): `backlog` when the twin starts, then one every `everyMs`,
 * so the registry changes during a run.
 */
export const PHR_ARRIVALS = { nin: syntheticNin(4_100), backlog: 6, everyMs: 500, max: 2_000 } as const;

export const phrPack = {
  id: 'phr',
  title: 'PHR',
  audience: 'nhn:phr',
  scopes: [PHR_SCOPES.section45, PHR_SCOPES.kjernejournal, PHR_SCOPES.document],
  services: {
    phr: {
      title: 'PHR',
      env: 'NHN_PHR_URL',
      port: 3,
      documents: ['phr'],
      // The facts name the Swagger page (/swagger); the document's own path is ASP.NET's default, an assumption.
      publishedOpenApi: { path: '/swagger/v1/swagger.json', document: 'phr', source: 'facts §5: Swagger https://api.pjd.test.nhn.no/swagger (document path assumed: /swagger/v1/swagger.json)' },
      // Never both document-reference scopes: PHR refuses a token that has both.
      defaultScopes: [PHR_SCOPES.document],
      // DPoP everywhere, and a plain token on /pingauth, where the newer integration page says DPoP is not needed.
      profiles: {
        local: { auth: ['dpop', 'bearer'] },
        test: {
          url: 'https://api.pjd.test.nhn.no',
          auth: ['dpop', 'bearer'],
          quirks: [
            {
              kind: 'untrusted-tls',
              // Let's Encrypt's staging hierarchy names its certificates "(STAGING) …".
              issuer: /\(STAGING\)/i,
              errors: ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_GET_ISSUER_CERT'],
              explanation: "NHN documents that PHR's test host uses a Let's Encrypt staging certificate, which no system trusts by default",
              fix: "trust Let's Encrypt's staging roots for the run: NODE_EXTRA_CA_CERTS=<a PEM file with them> npx playwright test --project=test",
              source: 'PHR integration page, environments (facts §4.1)',
            },
          ],
        },
        prod: { auth: ['none'] },
      },
    },
  },
  // ITI-67 (a POST with a form body, a user and NHN's headers), not /pingauth: the matrix is
  // aimed at what clients really call.
  dpopTarget: {
    service: 'phr',
    method: 'POST',
    path: () => '/R4/fhir/DocumentReference/_search',
    scopes: [PHR_SCOPES.section45],
    foreignScope: PHR_SCOPES.document,
    user: PHR_TEST_USER,
    readOnly: true,
    request: () => ({
      form: { 'patient.identifier': `${OID.fnr}|${LINE_DANSER}`, status: 'current', _count: '1' },
      headers: { accept: FHIR_ACCEPT, 'nhn-source-system': SOURCE_SYSTEM },
    }),
  },
  twin: 'apis/phr',
  requirements: ['phr.yaml'],
  specs: ['phr'],
  settings: PHR_SETTINGS,
  localDefaults: { NHN_PHR_CACHE_MS: '2000' },
} as const satisfies PackDescriptor;
