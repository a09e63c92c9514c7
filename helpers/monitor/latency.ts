// Latency per endpoint, from the run's exchange log (the HAR the evidence recorder writes). An
// endpoint is "<service> <METHOD> <path as our OpenAPI document writes it>", so /Patient/123 and
// /Patient/456 are one; exchanges outside an API document (HelseID's endpoints) keep their path.
import fs from 'node:fs';
import { documentForService, loadApiDocument, matchOperation } from '../validation/openapi/document.ts';
import { SERVICES, type ServiceName } from '../packs/index.ts';
import type { HarEntry } from '../evidence/har.ts';

export interface EndpointLatency {
  endpoint: string;
  samples: number;
  p50: number;
  p95: number;
  max: number;
}

/** The nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function template(service: string | undefined, base: string | undefined, method: string, url: URL): string {
  const host = service ?? url.host;
  const basePath = base ? new URL(base).pathname.replace(/\/$/, '') : '';
  const pathname = url.pathname.slice(basePath.length) || '/';
  if (service && service in SERVICES && (SERVICES[service as ServiceName].documents ?? []).length) {
    const doc = documentForService(service, pathname);
    const op = doc ? matchOperation(loadApiDocument(doc), method, pathname).operation : undefined;
    if (op) return `${host} ${method} ${op.path}`;
  }
  // Not in a document: keep the path, with what looks like an id folded.
  return `${host} ${method} ${pathname.replace(/\/[0-9a-f-]{16,}|\/\d+(?=\/|$)/gi, '/{id}')}`;
}

export function latencyOf(entries: ReadonlyArray<Pick<HarEntry, 'time' | 'request' | '_service' | '_base' | 'response'>>): EndpointLatency[] {
  const byEndpoint = new Map<string, number[]>();
  for (const e of entries) {
    // An exchange that never got an answer has no latency to speak of (it is a failure elsewhere).
    if (!e.response?.status || !Number.isFinite(e.time)) continue;
    const key = template(e._service, e._base, e.request.method.toUpperCase(), new URL(e.request.url));
    const list = byEndpoint.get(key) ?? [];
    list.push(e.time);
    byEndpoint.set(key, list);
  }
  return [...byEndpoint.entries()]
    .map(([endpoint, times]) => {
      const sorted = [...times].sort((a, b) => a - b);
      return { endpoint, samples: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted.at(-1)! };
    })
    .sort((a, b) => a.endpoint.localeCompare(b.endpoint));
}

/** Reads the run's HAR; an absent file (recording off) gives no latencies. */
export function latencyFromHar(file: string): EndpointLatency[] {
  if (!fs.existsSync(file)) return [];
  const har = JSON.parse(fs.readFileSync(file, 'utf8')) as { log?: { entries?: HarEntry[] } };
  return latencyOf(har.log?.entries ?? []);
}
