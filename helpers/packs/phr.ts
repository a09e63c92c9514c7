// PHR (Pasientens journaldokumenter): IHE MHD ITI-67 and ITI-68.
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
      // Never both document-reference scopes: PHR refuses a token that has both.
      defaultScopes: [PHR_SCOPES.document],
      profiles: {
        local: { auth: ['dpop'] },
        test: { url: 'https://api.pjd.test.nhn.no', auth: ['dpop'] },
        prod: { auth: ['none'] },
      },
    },
  },
  dpopTarget: { service: 'phr', method: 'GET', path: () => '/pingauth', scopes: [PHR_SCOPES.document], foreignScope: PHR_SCOPES.section45 },
  twin: 'apis/phr',
  requirements: ['phr.yaml'],
  specs: ['phr'],
} as const satisfies PackDescriptor;
