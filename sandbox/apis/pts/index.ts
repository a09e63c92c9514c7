// PTS (Personvern og tilgangsstyring) twin: patient-safety access restrictions. Facts §5.
import type { TwinModule } from '../../core/module.ts';
import { problemDetailsFormat } from '../../http/error-formats.ts';

export const twin: TwinModule = {
  api: () => ({
    // PTS's error format is undocumented; ProblemDetails is the ASP.NET default (an assumption).
    errors: problemDetailsFormat(),
    // Until the PTS pack: no restrictions are stored, so every search answers an empty list.
    handlers: { searchRestrictions: () => ({ status: 200, body: [] }) },
  }),
};
