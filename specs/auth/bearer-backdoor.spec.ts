// Bearer only where the profile says so, and the backdoor only on its own host: tripwires on
// every DPoP base URL.
import { randomUUID } from 'node:crypto';
import { AUTH_SETTINGS } from '../../helpers/packs/auth.ts';
import { DPOP_TARGETS, SERVICES, type ServiceName } from '../../helpers/packs/index.ts';
import { PAREK_SETTINGS } from '../../helpers/packs/parek.ts';
import { backdoorHeaders } from '../../helpers/auth/backdoor.ts';
import { send } from '../../helpers/http/client.ts';
import { syntheticHprNumber, syntheticNin, syntheticOrgnr } from '../../helpers/identifiers.ts';
import { accepted } from '../../fixtures/expectations.ts';
import { expect, test } from '../../fixtures/index.ts';
import { testToken } from '../../fixtures/ttt.ts';

for (const target of DPOP_TARGETS) {
  const service = target.service as ServiceName;
  test.describe(`${SERVICES[service].title} tripwires`, () => {
    test.beforeEach(({ needs }) => {
      needs({ services: [service], auth: [[service, 'dpop']] });
      if (target.method !== 'GET') needs({ writes: true, patientData: true });
    });

    test('backdoor identity headers grant nothing on the DPoP host', { tag: ['@AUTH-BACKDOOR-001', '@availability'] }, async ({ api, profile }) => {
      const identity = backdoorHeaders({ organisation: syntheticOrgnr(31), requesterHpr: syntheticHprNumber(31) });
      const response = await api(service, 'none').request({ ...target.request?.(), headers: { ...target.request?.().headers, ...identity }, path: target.path(profile), method: target.method, raw: true });
      expect(response.status, `backdoor headers on the DPoP host got ${response.status}`).toBe(401);
    });

    test('a Bearer token that is not DPoP-bound is refused', { tag: ['@AUTH-BEARER-001'] }, async ({ api, profile, needs, http }) => {
      needs({ ttt: true });
      const token = await testToken(http, profile, { audience: target.audience, clientClaimsParameters: { scope: target.scopes } });
      const response = await api(service, 'none').request({ ...target.request?.(), authorization: `Bearer ${token}`, path: target.path(profile), method: target.method, raw: true });
      expect(response.status, `an unbound Bearer token got ${response.status} from a DPoP-only API`).toBe(401);
    });
  });
}

test('the resident (Helsenorge) host accepts Bearer tokens', { tag: ['@AUTH-BEARER-002'] }, async ({ api, profile, needs, http }) => {
  needs({ services: ['parekResident'], auth: [['parekResident', 'bearer']], ttt: true });
  // A citizen: the resident host wants a pid (its own data only).
  const token = await testToken(http, profile, { audience: 'nhn:parek', clientClaimsParameters: { scope: ['nhn:parek/rekvisisjon'] }, userClaimsParameters: { pid: syntheticNin(5_002) } });
  const response = await api('parekResident', 'none').get(`/${profile.get(PAREK_SETTINGS.apiVersion)}/ServiceRequest`, { authorization: `Bearer ${token}`, headers: { 'nhn-event-id': randomUUID() }, raw: true });
  expect(accepted(response), `the resident host refused a Bearer token: ${response.status}`).toBe(true);
});

test('production has no reachable backdoor', { tag: ['@AUTH-BACKDOOR-002', '@availability'] }, async ({ profile }) => {
  test.skip(profile.name !== 'prod', 'only the prod profile can prove production has no backdoor');
  expect(profile.urls.parekBackdoor, 'a backdoor URL is configured for production').toBeUndefined();
  // By analogy with the test host name; NHN publishes no production backdoor.
  const probe = profile.get(AUTH_SETTINGS.prodBackdoorProbeUrl) ?? 'https://backdoor.parek.nhn.no/v1/metadata';
  const answered = await send({ method: 'GET', url: probe, timeoutMs: 5_000 }).then(
    (r) => r.status,
    () => undefined,
  );
  expect(answered === undefined || answered === 404 || answered === 401 || answered === 403, `${probe} answered ${answered}`).toBe(true);
});
