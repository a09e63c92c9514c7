import type { ServiceName } from '../../helpers/packs/index.ts';
import { PAREK_IG, PAREK_SETTINGS } from '../../helpers/packs/parek.ts';
import { expectOperationOutcome } from '../../fixtures/expectations.ts';
import { expect, test } from '../../fixtures/index.ts';

const HOSTS: ServiceName[] = ['parek', 'parekBackdoor', 'parekResident'];

test.describe('PaRek metadata', () => {
  for (const host of HOSTS) {
    test(`GET /<version>/metadata on ${host} answers a CapabilityStatement without authentication`, { tag: ['@PAREK-META-001', '@PAREK-META-002', '@availability'] }, async ({ api, needs, profile, fhirClient }) => {
      needs({ services: [host] });
      const version = profile.get(PAREK_SETTINGS.apiVersion)!;
      const response = await api(host, 'none').get(`/${version}/metadata`);
      expect(response.status).toBe(200);
      expect(response).toConformToOpenApi('parek', 'capabilities');
      // As a FHIR client reads it: fhir-kit-client's capabilityStatement(), no token, no headers.
      const fhir = fhirClient(host, { path: `/${version}`, unsigned: true });
      const body = (await fhir.call((c) => c.capabilityStatement())) as { resourceType?: string; fhirVersion?: string };
      expect(body.resourceType).toBe('CapabilityStatement');
      // The guide states its FHIR version; a CapabilityStatement that says another breaks a documented fact.
      expect(body.fhirVersion, `fhirVersion is ${body.fhirVersion}, not ${PAREK_IG.fhirVersion} as ${PAREK_IG.name} ${PAREK_IG.version} states`).toBe(PAREK_IG.fhirVersion);
    });
  }

  test('an unauthenticated ServiceRequest search is refused with an OperationOutcome', { tag: ['@PAREK-ERR-001'] }, async ({ api, needs, profile }) => {
    needs({ services: ['parek'], auth: [['parek', 'dpop']] });
    const response = await api('parek', 'none').get(`/${profile.get(PAREK_SETTINGS.apiVersion)}/ServiceRequest`, { raw: true });
    expectOperationOutcome(response, 401);
    expect(response).toConformToOpenApi('parek', 'searchServiceRequests');
  });
});
