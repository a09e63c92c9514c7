// Every endpoint the monitor keeps (latency, budgets, metrics.prom, the dashboard) is a route
// template, never a concrete path, so the number of series is fixed by the documented routes:
// an API's path is its OpenAPI template; HelseID's are its documented routes with their opaque
// parts templated (a login's /connect/authorize/<id>, /interaction/<id>/login); any other path
// has each segment that looks opaque (an id, a hash, a random string) folded into {id}.
import { documentForService, loadApiDocument, matchOperation } from '../validation/openapi/document.ts';
import { SERVICES, type ServiceName } from '../packs/index.ts';
import { HELSEID_PATHS } from '../protocol.ts';

/** HelseID's routes (facts §2.1) and the login pages' (the twin's test IdP), `{…}` an opaque segment. */
export const HELSEID_ROUTES: readonly string[] = [
  ...Object.values(HELSEID_PATHS),
  `${HELSEID_PATHS.authorize}/{uid}`,
  '/connect/userinfo',
  '/connect/endsession',
  '/connect/revocation',
  '/connect/introspect',
  '/connect/deviceauthorization',
  '/connect/ciba',
  '/connect/expiredjwks',
  '/connect/availableidps',
  '/interaction/{uid}',
  '/interaction/{uid}/{step}',
  '/session/end',
  '/session/end/confirm',
  '/session/end/success',
];

const split = (p: string) => p.split('/').filter(Boolean);
const TEMPLATES = HELSEID_ROUTES.map((r) => ({ route: r, segments: split(r) }));

/** The documented HelseID route a path is, if it is one. */
export function helseIdRoute(pathname: string): string | undefined {
  const segments = split(pathname);
  return TEMPLATES.find((t) => t.segments.length === segments.length && t.segments.every((s, i) => (s.startsWith('{') ? segments[i] !== '' : s === segments[i])))?.route;
}

/** A path segment that names a thing rather than a route: a number, a UUID or hash, or a random-looking token. */
export function opaqueSegment(segment: string): boolean {
  if (/^\d+$/.test(segment)) return true;
  if (/^[0-9a-f-]{16,}$/i.test(segment)) return true;
  if (segment.length >= 24) return true;
  if (/\d/.test(segment) && segment.length >= 6) return true;
  return /[A-Z]/.test(segment) && /[a-z]/.test(segment) && /[\d_-]/.test(segment) && segment.length >= 10;
}

/** The endpoint an exchange belongs to: "<service> <METHOD> <route template>". */
export function endpointOf(service: string | undefined, base: string | undefined, method: string, url: URL): string {
  const host = service ?? url.host;
  const basePath = base ? new URL(base).pathname.replace(/\/$/, '') : '';
  const pathname = url.pathname.slice(basePath.length) || '/';
  if (service && service in SERVICES && (SERVICES[service as ServiceName].documents ?? []).length) {
    const doc = documentForService(service, pathname);
    const op = doc ? matchOperation(loadApiDocument(doc), method, pathname).operation : undefined;
    if (op) return `${host} ${method} ${op.path}`;
  }
  return `${host} ${method} ${service === 'helseid' || service === undefined ? undocumentedRoute(pathname) : folded(pathname)}`;
}

/** A path no OpenAPI document names: HelseID's route if it is one, else its opaque segments folded. */
function undocumentedRoute(pathname: string): string {
  return helseIdRoute(pathname) ?? folded(pathname);
}

function folded(pathname: string): string {
  return `/${split(pathname).map((s) => (opaqueSegment(s) ? '{id}' : s)).join('/')}`;
}

/** An endpoint recorded before endpoints were templated ("<service> <METHOD> <path>"), as its template. */
export function retemplated(endpoint: string): string {
  const [host = '', method = '', ...rest] = endpoint.split(' ');
  const pathname = rest.join(' ');
  if (!pathname.startsWith('/')) return endpoint;
  return `${host} ${method} ${undocumentedRoute(pathname)}`;
}
