// Person API (Persontjenesten) twin: v2 (`api-version` header, legal-basis paths) and v3
// (versioned paths, access tiers). Facts §7 and the operation summary §A.
import { AUDIENCES, HELSEID_CLAIMS } from '../../helpers/config/services.ts';
import { problemDetailsFormat } from '../http/error-formats.ts';
import type { Route } from '../http/service.ts';
import type { AuthPolicy } from '../rs/resource-server.ts';
import { FORM_TYPES, notYetImplemented, type ApiContext, type ApiModule } from './common.ts';

const V2_TIERS = { 'legal-basis': 'read-with-legal-basis', 'no-legal-basis': 'read-no-legal-basis' } as const;
const V3_TIERS = ['full-access', 'restricted-access'] as const;

const OPERATIONS: Array<[string, string]> = [
  ['GET', 'event/latest'],
  ['GET', 'event'],
  ['GET', 'person/:id'],
  ['POST', 'person/get-by-nin'],
  ['POST', 'person/bulk-by-id'],
  ['POST', 'person/bulk-by-nin'],
  ['POST', 'search/person'],
  ['POST', 'search/paged-match-list'],
  ['POST', 'search/match-count'],
];

export function personModule(ctx: ApiContext): ApiModule {
  // 400/404 are ProblemDetails; 401 and 403 have no body (v2 OpenAPI).
  const errors = problemDetailsFormat({ emptyAuthErrors: true });
  const route = (prefix: string, [method, op]: [string, string], auth: AuthPolicy): Route => ({
    method,
    path: `${prefix}/${op}`,
    auth,
    consumes: method === 'POST' ? FORM_TYPES : undefined,
    // Until the Person API pack: the event feed is empty (404 for the latest event).
    handler: op === 'event/latest' ? () => errors.render(404, 'not-found', 'no events yet') : notYetImplemented(errors, `Person API ${op}`),
  });
  const routes: Route[] = [
    {
      method: 'GET',
      path: '/ping',
      auth: ctx.faults.has('person-ping-requires-auth') ? { audience: AUDIENCES.person, modes: ['dpop'] } : undefined,
      handler: () => ({ status: 200, body: 'Pong' }),
    },
  ];
  for (const [tier, scope] of Object.entries(V2_TIERS)) {
    const auth: AuthPolicy = { audience: AUDIENCES.person, modes: ['dpop', 'bearer'], anyScope: [`${AUDIENCES.person}/${scope}`] };
    for (const op of [...OPERATIONS, ['POST', 'search/match-list'] as [string, string]]) routes.push(route(`/api/${tier}`, op, auth));
  }
  for (const tier of V3_TIERS) {
    const auth: AuthPolicy = { audience: AUDIENCES.person, modes: ['dpop'], anyScope: [`${AUDIENCES.person}/${tier}`], requiredClaims: [HELSEID_CLAIMS.orgnrParent] };
    for (const op of OPERATIONS) routes.push(route(`/api/v3/${tier}`, op, auth));
  }
  return { name: 'person', errors, routes, documents: ['person-v2', 'person-v3'] };
}
