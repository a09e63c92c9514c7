// PTS (Personvern og tilgangsstyring) twin: patient-safety access restrictions. Facts §5.
import { AUDIENCES, HELSEID_CLAIMS } from '../../helpers/config/services.ts';
import { problemDetailsFormat } from '../http/error-formats.ts';
import type { AuthPolicy } from '../rs/resource-server.ts';
import { notYetImplemented, type ApiContext, type ApiModule } from './common.ts';

export function ptsModule(_ctx: ApiContext): ApiModule {
  // PTS's error format is undocumented; ProblemDetails is the ASP.NET default (an assumption).
  const errors = problemDetailsFormat();
  const auth: AuthPolicy = { audience: AUDIENCES.pts, modes: ['dpop'], anyScope: ['nhn:pts/api'], requiredClaims: [HELSEID_CLAIMS.orgnrParent] };
  const base = '/v0.5/access-restrictions/patient-safety';
  return {
    name: 'pts',
    errors,
    documents: ['pts'],
    routes: [
      { method: 'POST', path: base, auth, consumes: ['application/json'], handler: notYetImplemented(errors, 'PTS create restriction') },
      { method: 'POST', path: `${base}/associate-parent`, auth, consumes: ['application/json'], handler: notYetImplemented(errors, 'PTS associate parent') },
      // Until the PTS pack: no restrictions are stored, so every search answers an empty list.
      { method: 'POST', path: `${base}/_search`, auth, consumes: ['application/json'], handler: () => ({ status: 200, body: [] }) },
    ],
  };
}
