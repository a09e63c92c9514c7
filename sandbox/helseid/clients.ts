// The synthetic HelseID clients of the twin: their scopes and claims are configuration; their
// keys are generated when the twin starts and handed to the `local` profile, never committed.
import { ALL_SCOPES, SCOPES } from '../../helpers/packs/index.ts';
import { HELSEID_CLAIMS } from '../../helpers/protocol.ts';
import { syntheticOrgnr } from '../../helpers/identifiers.ts';
import { TWIN_ACTOR_API, TWIN_TENANTS } from '../../helpers/packs/helseid.ts';

export interface SyntheticClient {
  role: string;
  clientId: string;
  name: string;
  scopes: string[];
  tokenExchange: boolean;
  claims: Record<string, string>;
  /** A multi-tenant client: the supplier organisation it is, and what each organisation that delegated to it has signed. */
  multiTenant?: { supplier: string; organisations: Record<string, readonly string[] | 'all'> };
  /** The API this client is the client of, when it acts as one in token exchange: subject tokens must be for it. */
  api?: { audience: string; scope: string };
}


function orgClaims(parent: string, child: string, name: string): Record<string, string> {
  return {
    [HELSEID_CLAIMS.orgnrParent]: parent,
    [HELSEID_CLAIMS.orgnrChild]: child,
    [HELSEID_CLAIMS.clientName]: name,
  };
}

export const SYNTHETIC_CLIENTS: SyntheticClient[] = [
  {
    role: 'suite',
    clientId: 'nhn-suite-vendor',
    name: 'Synthetic EPJ vendor',
    // Every API's scopes, and the actor API's: the EPJ calls API 1, which exchanges its token.
    scopes: [...ALL_SCOPES, TWIN_ACTOR_API.scope],
    tokenExchange: false,
    claims: orgClaims(syntheticOrgnr(1), syntheticOrgnr(2), 'Synthetic EPJ vendor'),
  },
  {
    role: 'read-only',
    clientId: 'nhn-suite-read-only',
    name: 'Synthetic read-only client',
    scopes: ['nhn:pit/api.read', 'nhn:phr/mhd/read-document'],
    tokenExchange: false,
    claims: orgClaims(syntheticOrgnr(3), syntheticOrgnr(4), 'Synthetic read-only client'),
  },
  {
    role: 'no-orgnr-parent',
    clientId: 'nhn-suite-no-orgnr',
    name: 'Synthetic client without organisation',
    scopes: [...ALL_SCOPES],
    tokenExchange: false,
    claims: { [HELSEID_CLAIMS.clientName]: 'Synthetic client without organisation' },
  },
  {
    role: 'exchange-actor',
    clientId: 'nhn-suite-actor-api',
    name: 'Synthetic API acting on behalf of a caller',
    scopes: [...SCOPES['nhn:pts']!, ...SCOPES['nhn:phr']!, ...SCOPES['nhn:hgd-persontjenesten-api']!],
    tokenExchange: true,
    claims: orgClaims(syntheticOrgnr(5), syntheticOrgnr(6), 'Synthetic API acting on behalf of a caller'),
    api: TWIN_ACTOR_API,
  },
  {
    role: 'multi-tenant',
    clientId: 'nhn-suite-multi-tenant',
    name: 'Synthetic multi-tenant EPJ',
    scopes: [...TWIN_TENANTS.scopes],
    tokenExchange: false,
    // Its organisation claims come from the organisation it names in each request.
    claims: { [HELSEID_CLAIMS.clientName]: 'Synthetic multi-tenant EPJ' },
    multiTenant: {
      supplier: TWIN_TENANTS.supplier,
      organisations: { [TWIN_TENANTS.signed.parent]: 'all', [TWIN_TENANTS.partlySigned.parent]: TWIN_TENANTS.partlySigned.signedScopes },
    },
  },
];

export function clientById(clientId: string): SyntheticClient | undefined {
  return SYNTHETIC_CLIENTS.find((c) => c.clientId === clientId);
}
