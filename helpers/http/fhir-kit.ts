// An off-the-shelf FHIR client (fhir-kit-client 2) against NHN's APIs, as an EPJ vendor would use
// it: its requestSigner adds the DPoP-bound token and a fresh DPoP proof to every request. Its
// exchanges travel through the suite's own API client (fhir-kit-client calls the global fetch,
// which is routed here for the service's base URL only), so they are guarded, recorded, redacted
// and checked against the OpenAPI document like every other exchange.
import { Client } from 'fhir-kit-client';
import { createDpopProof } from '../auth/dpop.ts';
import type { ApiClient } from './api-client.ts';

/** The bases whose requests go through an API client, longest first. */
const routes = new Map<string, ApiClient>();
let original: typeof fetch | undefined;

function route(url: string): ApiClient | undefined {
  for (const [base, api] of [...routes].sort((a, b) => b[0].length - a[0].length)) if (url === base || url.startsWith(`${base}/`) || url.startsWith(`${base}?`)) return api;
  return undefined;
}

async function throughApiClient(api: ApiClient, request: Request): Promise<Response> {
  const url = new URL(request.url);
  const basePath = new URL(api.baseUrl).pathname.replace(/\/$/, '');
  const query: Record<string, string[]> = {};
  for (const [k, v] of url.searchParams) (query[k] ??= []).push(v);
  const headers: Record<string, string> = {};
  for (const [k, v] of request.headers) if (k !== 'authorization' && k !== 'dpop') headers[k] = v;
  const dpop = request.headers.get('dpop');
  const response = await api.request({
    method: request.method,
    path: url.pathname.slice(basePath.length) || '/',
    query,
    headers,
    body: request.body ? Buffer.from(await request.arrayBuffer()) : undefined,
    // What the signer put there, exactly; without a signer the API client signs as usual.
    authorization: request.headers.get('authorization') ?? undefined,
    dpopHeaders: dpop ? [dpop] : undefined,
    raw: true,
  });
  const out = new Headers();
  for (const [name, value] of Object.entries(response.headers)) for (const v of [value].flat()) out.append(name, v);
  const empty = response.status === 204 || response.status === 304 || request.method === 'HEAD';
  return new Response(empty ? null : new Uint8Array(response.body), { status: response.status, headers: out });
}

function install(): void {
  if (original) return;
  original = globalThis.fetch;
  const passThrough = original;
  globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = input instanceof Request ? input.url : String(input);
    const api = route(url);
    if (!api) return passThrough(input, init);
    return throughApiClient(api, input instanceof Request && !init ? input : new Request(input, init));
  }) as typeof fetch;
}

export interface StandardFhirClient {
  client: Client;
  /**
   * Runs a fhir-kit-client call, answering a DPoP nonce challenge once as RFC 9449 §9 intends
   * (fhir-kit-client knows nothing of DPoP; the signer uses the nonce the server gave out).
   */
  call<T>(op: (client: Client) => Promise<T>): Promise<T>;
  /** Stops routing this client's base URL through the suite. */
  close(): void;
}

/**
 * A fhir-kit-client for the FHIR base `path` under this API client's service, signed with its
 * token and key; `perRequest` adds headers that must be fresh on every request (a correlation id).
 * `unsigned`: no token and no proof, for what needs no authentication (a CapabilityStatement).
 */
export function standardFhirClient(api: ApiClient, o: { path: string; headers?: Record<string, string>; perRequest?: () => Record<string, string>; unsigned?: boolean }): StandardFhirClient {
  const baseUrl = `${api.baseUrl}${o.path}`.replace(/\/$/, '');
  install();
  routes.set(baseUrl, api);
  const client = new Client({
    baseUrl,
    customHeaders: o.headers,
    requestSigner: o.unsigned ? undefined : async (url: string, init: RequestInit) => {
      const token = await api.token();
      const headers = new Headers(init.headers);
      for (const [name, value] of Object.entries(o.perRequest?.() ?? {})) headers.set(name, value);
      headers.set('authorization', `DPoP ${token.accessToken}`);
      headers.set('dpop', await createDpopProof(await api.dpopKey(), { method: init.method ?? 'GET', url, accessToken: token.accessToken, nonce: api.dpopNonce(url) }));
      init.headers = headers;
    },
  });
  return {
    client,
    async call(op) {
      const before = api.dpopNonce(baseUrl);
      try {
        return await op(client);
      } catch (e) {
        const status = (e as { response?: { status?: number } }).response?.status;
        if (status !== 401 || api.dpopNonce(baseUrl) === before) throw e;
        return op(client);
      }
    },
    close() {
      routes.delete(baseUrl);
    },
  };
}
