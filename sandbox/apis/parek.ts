// PaRek (Pasientens rekvisisjoner) twin: FHIR R5 ServiceRequest and Specimen on three hosts
// (DPoP, backdoor, resident Bearer), each with an unauthenticated metadata endpoint. Facts §3.
import { AUDIENCES } from '../../helpers/config/services.ts';
import { FHIR_JSON, operationOutcomeFormat } from '../http/error-formats.ts';
import type { Route, TwinResponse } from '../http/service.ts';
import type { AuthPolicy } from '../rs/resource-server.ts';
import { FHIR_JSON_TYPES, notYetImplemented, type ApiContext, type ApiModule } from './common.ts';

/** The API version path segment; NHN's page names the pattern, not the value (an assumption). */
export const PAREK_API_VERSION = 'v1';

export type ParekHost = 'parek' | 'parekBackdoor' | 'parekResident';

function capabilityStatement(publicUrl: string, host: ParekHost, fhirVersion: string): TwinResponse {
  return {
    status: 200,
    contentType: FHIR_JSON,
    body: {
      resourceType: 'CapabilityStatement',
      status: 'active',
      date: '2026-04-16',
      kind: 'instance',
      fhirVersion,
      format: ['application/fhir+json'],
      implementation: { description: `PaRek twin (${host})`, url: `${publicUrl}/${PAREK_API_VERSION}` },
      rest: [
        {
          mode: 'server',
          resource: [
            { type: 'ServiceRequest', profile: 'http://hl7.no/fhir/ig/ParekIG/StructureDefinition/parek-service-request', interaction: [{ code: 'read' }, { code: 'create' }, { code: 'search-type' }] },
            { type: 'Specimen', profile: 'http://hl7.no/fhir/ig/ParekIG/StructureDefinition/parek-specimen', interaction: [{ code: 'read' }, { code: 'create' }, { code: 'search-type' }] },
          ],
        },
      ],
    },
  };
}

export function parekModule(ctx: ApiContext, host: ParekHost): ApiModule {
  const errors = operationOutcomeFormat(ctx.faults);
  const v = `/${PAREK_API_VERSION}`;
  const auth: AuthPolicy | undefined =
    host === 'parek' ? { audience: AUDIENCES.parek, modes: ['dpop'], anyScope: ['nhn:parek/rekvisisjon'] }
    : host === 'parekResident' ? { audience: AUDIENCES.parek, modes: ctx.faults.has('resident-refuses-bearer') ? ['dpop'] : ['bearer'] }
    : undefined; // the backdoor takes identity from headers, checked by its pack
  const resourceRoutes: Route[] = ['ServiceRequest', 'Specimen'].flatMap((type) => [
    // Until the PaRek pack: searches answer an empty searchset, so the auth matrix has an endpoint.
    { method: 'GET', path: `${v}/${type}`, auth, handler: () => ({ status: 200, contentType: FHIR_JSON, body: { resourceType: 'Bundle', type: 'searchset', total: 0, link: [{ relation: 'self', url: `${ctx.publicUrl}${v}/${type}` }] } }) },
    { method: 'GET', path: `${v}/${type}/:id`, auth, handler: notYetImplemented(errors, `PaRek ${type} read`) },
    { method: 'POST', path: `${v}/${type}`, auth, consumes: FHIR_JSON_TYPES, handler: notYetImplemented(errors, `PaRek ${type} create`) },
  ]);
  return {
    name: host,
    errors,
    documents: ['parek'],
    routes: [
      {
        method: 'GET',
        path: `${v}/metadata`,
        auth: ctx.faults.has('parek-metadata-requires-auth') && host === 'parek' ? { audience: AUDIENCES.parek, modes: ['dpop'] } : undefined,
        handler: () => capabilityStatement(ctx.publicUrl, host, ctx.faults.has('parek-metadata-r4') ? '4.0.1' : '5.0.0'),
      },
      ...resourceRoutes,
    ],
  };
}
