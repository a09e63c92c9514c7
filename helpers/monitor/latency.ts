// Latency per endpoint, from the run's exchange log (the HAR the evidence recorder writes). An
// endpoint is "<service> <METHOD> <route template>" (routes.ts), so /Patient/123 and /Patient/456
// are one, and so are every login's /connect/authorize/<id>.
import fs from 'node:fs';
import { endpointOf } from './routes.ts';
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

export function latencyOf(entries: ReadonlyArray<Pick<HarEntry, 'time' | 'request' | '_service' | '_base' | 'response'>>): EndpointLatency[] {
  const byEndpoint = new Map<string, number[]>();
  for (const e of entries) {
    // An exchange that never got an answer has no latency to speak of (it is a failure elsewhere).
    if (!e.response?.status || !Number.isFinite(e.time)) continue;
    const key = endpointOf(e._service, e._base, e.request.method.toUpperCase(), new URL(e.request.url));
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
