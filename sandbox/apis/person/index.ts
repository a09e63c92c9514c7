// Person API (Persontjenesten) twin: v2 (`api-version` header, legal-basis paths) and v3
// (versioned paths, access tiers). Facts §7 and the operation summary §A.
import type { TwinModule } from '../../core/module.ts';
import { problemDetailsFormat } from '../../http/error-formats.ts';

export const twin: TwinModule = {
  api: () => {
    // 400/404 are ProblemDetails; 401 and 403 have no body (v2 OpenAPI).
    const errors = problemDetailsFormat({ emptyAuthErrors: true });
    // Until the Person API pack: the event feed is empty (404 for the latest event).
    const noEvents = () => errors.render(404, 'not-found', 'no events yet');
    return {
      errors,
      handlers: {
        ping: () => ({ status: 200, body: 'Pong' }),
        getLatestEventLegalBasis: noEvents,
        getLatestEventNoLegalBasis: noEvents,
        getLatestEventFullAccess: noEvents,
        getLatestEventRestrictedAccess: noEvents,
      },
    };
  },
};
