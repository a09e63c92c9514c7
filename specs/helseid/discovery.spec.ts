import { createLocalJWKSet } from 'jose';
import { ASYMMETRIC_ALGS, PRIVATE_JWK_MEMBERS, TOKEN_EXCHANGE_GRANT } from '../../helpers/protocol.ts';
import { parseJson } from '../../helpers/http/client.ts';
import { expect, test } from '../../fixtures/helseid.ts';

test.describe('HelseID discovery', () => {
  test('publishes metadata for its own issuer with token endpoint, JWKS, grants and private_key_jwt', { tag: ['@HID-DISC-001', '@availability'] }, async ({ discovery, profile }) => {
    expect(discovery.issuer).toBe(profile.urls.helseid);
    expect(discovery.token_endpoint).toMatch(/^https?:\/\//);
    expect(discovery.jwks_uri).toMatch(/^https?:\/\//);
    expect(discovery.grant_types_supported).toEqual(expect.arrayContaining(['client_credentials', TOKEN_EXCHANGE_GRANT]));
    expect(discovery.token_endpoint_auth_methods_supported).toContain('private_key_jwt');
  });

  test('lists only asymmetric DPoP signing algorithms', { tag: ['@HID-DISC-002', '@availability'] }, async ({ discovery }) => {
    const algs = discovery.dpop_signing_alg_values_supported;
    expect(algs, 'dpop_signing_alg_values_supported is missing').toBeDefined();
    expect(algs!.length).toBeGreaterThan(0);
    for (const alg of algs!) expect(ASYMMETRIC_ALGS as readonly string[], `DPoP alg ${alg} is not an accepted asymmetric algorithm`).toContain(alg);
  });

  test('publishes public signing keys only, each with a kid', { tag: ['@HID-DISC-003', '@availability'] }, async ({ discovery, http }) => {
    const response = await http({ method: 'GET', url: discovery.jwks_uri, headers: { accept: 'application/json' } });
    expect(response.status).toBe(200);
    const jwks = parseJson<{ keys: Array<Record<string, unknown>> }>(response, discovery.jwks_uri);
    expect(jwks.keys.length).toBeGreaterThan(0);
    for (const key of jwks.keys) {
      expect(key.kid, 'every key needs a kid').toEqual(expect.any(String));
      // Whether, not what: a failure names the member and never prints the key.
      for (const member of PRIVATE_JWK_MEMBERS) expect(member in key, `key ${String(key.kid)} exposes private member ${member} (not printed here)`).toBe(false);
    }
    expect(() => createLocalJWKSet(jwks as never)).not.toThrow();
  });
});
