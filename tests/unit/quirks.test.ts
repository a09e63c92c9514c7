// NHN's documented environment quirks excuse exactly what NHN documents: PHR test's Let's Encrypt
// staging chain warns; the same host with another untrusted chain, an expired certificate, or
// another host or profile with the same chain, still fails.
import { expect, test } from '../../fixtures/base.ts';
import { documentedTlsQuirk } from '../../helpers/config/quirks.ts';
import { PACKS } from '../../helpers/packs/index.ts';

const staging = { protocol: 'TLSv1.3', authorized: false, authorizationError: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', issuer: '(STAGING) Ersatz Edamame E1' };

test("PHR test's staging chain is the documented quirk, with its source and fix", () => {
  const quirk = documentedTlsQuirk('phr', 'test', staging);
  expect(quirk?.source).toContain('facts §4.1');
  expect(quirk?.fix).toContain('NODE_EXTRA_CA_CERTS');
});

test('anything else untrusted is no quirk', () => {
  expect(documentedTlsQuirk('phr', 'test', { ...staging, issuer: 'Some Private CA' }), 'another issuer').toBeUndefined();
  expect(documentedTlsQuirk('phr', 'test', { ...staging, authorizationError: 'CERT_HAS_EXPIRED' }), 'an expired staging certificate').toBeUndefined();
  expect(documentedTlsQuirk('phr', 'test', { ...staging, authorizationError: 'ERR_TLS_CERT_ALTNAME_INVALID' }), 'a name mismatch').toBeUndefined();
  expect(documentedTlsQuirk('pit', 'test', staging), 'another host').toBeUndefined();
  expect(documentedTlsQuirk('phr', 'prod', staging), 'another profile').toBeUndefined();
  expect(documentedTlsQuirk('phr', 'test', { ...staging, authorized: true }), 'a trusted chain').toBeUndefined();
});

test('every quirk names its source, its explanation and its fix', () => {
  for (const p of PACKS) {
    for (const [service, s] of Object.entries(p.services)) {
      for (const [profile, sp] of Object.entries(s.profiles as Record<string, { quirks?: Array<Record<string, unknown>> }>)) {
        for (const q of sp.quirks ?? []) for (const k of ['source', 'explanation', 'fix']) expect(String(q[k] ?? ''), `${service} ${profile} quirk ${k}`).not.toBe('');
      }
    }
  }
});
