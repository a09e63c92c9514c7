// PHR (Pasientens journaldokumenter) twin: IHE MHD ITI-67/ITI-68 façade. Facts §4.
// Routes, scopes and auth come from phr.openapi.yaml; ITI-67 and ITI-68 arrive with the PHR pack.
import type { TwinModule } from '../../core/module.ts';
import { operationOutcomeFormat } from '../../http/error-formats.ts';

export const twin: TwinModule = {
  api: () => {
    const errors = operationOutcomeFormat();
    const pong = () => ({ status: 200, body: 'pong' });
    return {
      errors,
      handlers: {
        ping: pong,
        pingAuth: pong,
        findDocumentReferencesByGet: () => errors.render(405, 'not-supported', 'a DocumentReference search must be POST /R4/fhir/DocumentReference/_search; GET is not allowed'),
      },
    };
  },
};
