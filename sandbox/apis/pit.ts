// PIT (Pasientinformasjonstjenesten) twin: FHIR R4 Patient. Facts §6.
import { AUDIENCES, HELSEID_CLAIMS } from '../../helpers/config/services.ts';
import { operationOutcomeFormat } from '../http/error-formats.ts';
import type { AuthPolicy } from '../rs/resource-server.ts';
import { FHIR_JSON_TYPES, notYetImplemented, type ApiContext, type ApiModule } from './common.ts';

export const PIT_MAX_BODY_BYTES = 900 * 1024;

export function pitModule(ctx: ApiContext): ApiModule {
  const errors = operationOutcomeFormat(ctx.faults);
  const auth = (scope: string): AuthPolicy => ({
    audience: AUDIENCES.pit,
    anyScope: [scope],
    modes: ['dpop'],
    requiredClaims: [HELSEID_CLAIMS.orgnrParent],
  });
  return {
    name: 'pit',
    errors,
    documents: ['pit'],
    routes: [
      { method: 'GET', path: '/v1/Patient', auth: auth('nhn:pit/api.read'), handler: notYetImplemented(errors, 'PIT search') },
      {
        method: 'POST',
        path: '/v1/Patient',
        auth: auth('nhn:pit/api.write'),
        consumes: FHIR_JSON_TYPES,
        maxBodyBytes: PIT_MAX_BODY_BYTES,
        handler: notYetImplemented(errors, 'PIT submission'),
      },
    ],
  };
}
