// TLS of every endpoint the profile names: protocol, trust, and time left on the certificate.
import { SERVICE_NAMES, SERVICES } from '../../helpers/packs/index.ts';
import { should } from '../../helpers/evidence/verdicts.ts';
import { documentedTlsQuirk } from '../../helpers/config/quirks.ts';
import { expect, test } from '../../fixtures/index.ts';

const MIN_DAYS_LEFT = 14;

for (const service of SERVICE_NAMES) {
  test(`${SERVICES[service].title} is served over trusted TLS 1.2 or later`, { tag: ['@NHN-TLS-001', '@NHN-TLS-002', '@availability'] }, async ({ profile, http, needs }) => {
    needs({ services: [service] });
    const base = profile.urls[service]!;
    test.skip(!base.startsWith('https://'), `${base} is plain HTTP (the local twin); TLS is checked against NHN's environments`);
    const origin = new URL(base).origin;
    // The handshake is completed even for an untrusted certificate, so the verdict can say why.
    const response = await http({ method: 'GET', url: `${origin}/`, inspectTls: true });
    const tls = response.tls;
    expect(tls, 'no TLS session information').toBeDefined();
    expect(['TLSv1.2', 'TLSv1.3']).toContain(tls!.protocol);
    // A chain NHN documents as untrusted (PHR test's staging certificate) warns, with NHN's reason and the fix; any other untrusted chain fails.
    const quirk = documentedTlsQuirk(service, profile.name, tls!);
    if (quirk) should(false, `${origin}: certificate not trusted (${tls!.authorizationError}, issued by ${tls!.issuer}). ${quirk.explanation} (${quirk.source}). Fix: ${quirk.fix}`);
    else expect(tls!.authorized, `certificate not trusted: ${tls!.authorizationError}${tls!.issuer ? `, issued by ${tls!.issuer}` : ''}`).toBe(true);
    const daysLeft = (Date.parse(tls!.validTo ?? '') - Date.now()) / 86_400_000;
    should(daysLeft >= MIN_DAYS_LEFT, `certificate of ${origin} expires in ${Math.floor(daysLeft)} days`);
  });
}
