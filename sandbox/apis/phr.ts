// PHR (Pasientens journaldokumenter) twin: IHE MHD ITI-67/ITI-68 façade. Facts §4.
import { AUDIENCES } from '../../helpers/config/services.ts';
import { operationOutcomeFormat } from '../http/error-formats.ts';
import { FORM_TYPES, notYetImplemented, type ApiContext, type ApiModule } from './common.ts';

export const PHR_DOCUMENT_REFERENCE_SCOPES = ['nhn:phr/mhd/read-documentreferences', 'nhn:phr/mhd/read-documentreferences/kjernejournalforskriften'];

export function phrModule(ctx: ApiContext): ApiModule {
  const errors = operationOutcomeFormat(ctx.faults);
  return {
    name: 'phr',
    errors,
    documents: ['phr'],
    routes: [
      {
        method: 'GET',
        path: '/ping',
        auth: ctx.faults.has('phr-ping-requires-auth') ? { audience: AUDIENCES.phr, modes: ['dpop'] } : undefined,
        handler: () => ({ status: 200, body: 'pong' }),
      },
      {
        method: 'GET',
        path: '/pingauth',
        // The getting-started page asks for DPoP and nhn:phr/mhd/read-document; the integration
        // page says DPoP is not needed yet. The twin takes the stricter reading.
        auth: ctx.faults.has('phr-pingauth-open') ? undefined : { audience: AUDIENCES.phr, modes: ['dpop'], anyScope: ['nhn:phr/mhd/read-document'] },
        handler: () => ({ status: 200, body: 'pong' }),
      },
      {
        method: 'POST',
        path: '/R4/fhir/DocumentReference/_search',
        auth: { audience: AUDIENCES.phr, modes: ['dpop'], anyScope: PHR_DOCUMENT_REFERENCE_SCOPES },
        consumes: FORM_TYPES,
        handler: notYetImplemented(errors, 'ITI-67 Find Document References'),
      },
      {
        method: 'GET',
        path: '/R4/fhir/DocumentReference',
        auth: { audience: AUDIENCES.phr, modes: ['dpop'] },
        handler: () => errors.render(405, 'not-supported', 'a DocumentReference search must be POST /R4/fhir/DocumentReference/_search; GET is not allowed'),
      },
      {
        method: 'GET',
        path: '/mhd/document',
        auth: { audience: AUDIENCES.phr, modes: ['dpop'], anyScope: ['nhn:phr/mhd/read-document'] },
        handler: notYetImplemented(errors, 'ITI-68 Retrieve Document'),
      },
    ],
  };
}
