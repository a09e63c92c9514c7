// PaRek (Pasientens rekvisisjoner) twin: FHIR R5 ServiceRequest and Specimen on three hosts
// (DPoP, backdoor, resident Bearer), each with an unauthenticated metadata endpoint. Facts §3.
// Which host takes which auth mode comes from the pack; routes from parek.openapi.yaml.
import type { PackContext, TwinModule } from '../../core/module.ts';
import { FHIR_JSON, operationOutcomeFormat } from '../../http/error-formats.ts';
import type { TwinRequest, TwinResponse } from '../../http/service.ts';

/** The API version path segment; NHN's page names the pattern, not the value (an assumption). */
export const PAREK_API_VERSION = 'v1';

function capabilityStatement(req: TwinRequest, base: string): TwinResponse {
  return {
    status: 200,
    contentType: FHIR_JSON,
    body: {
      resourceType: 'CapabilityStatement',
      status: 'active',
      date: '2026-04-16',
      kind: 'instance',
      fhirVersion: '5.0.0',
      format: ['application/fhir+json'],
      implementation: { description: `PaRek twin (${req.service})`, url: `${base}/${PAREK_API_VERSION}` },
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

function api(ctx: PackContext) {
  const errors = operationOutcomeFormat();
  const base = (req: TwinRequest) => ctx.urls[req.service]!;
  const versioned = (handler: (req: TwinRequest) => TwinResponse) => (req: TwinRequest) =>
    req.params.version === PAREK_API_VERSION ? handler(req) : errors.render(404, 'not-found', `this twin serves API version ${PAREK_API_VERSION}, not ${req.params.version}`);
  // Until the PaRek pack: searches answer an empty searchset, so the auth matrix has an endpoint.
  const emptySearch = (type: string) => versioned((req) => ({
    status: 200,
    contentType: FHIR_JSON,
    body: { resourceType: 'Bundle', type: 'searchset', total: 0, link: [{ relation: 'self', url: `${base(req)}/${PAREK_API_VERSION}/${type}` }] },
  }));
  return {
    errors,
    handlers: {
      capabilities: versioned((req) => capabilityStatement(req, base(req))),
      searchServiceRequests: emptySearch('ServiceRequest'),
      searchSpecimens: emptySearch('Specimen'),
    },
  };
}

export const twin: TwinModule = { api };
