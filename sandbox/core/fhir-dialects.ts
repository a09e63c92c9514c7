// Response transforms the FHIR APIs' dialects share: a searchset without its optional total, and
// resources with an extension the suite does not know and more meta than the twin gives.
import type { HttpResponseParts } from './types.ts';

type Json = Record<string, unknown>;

const EXTENSION = { url: 'http://example.org/fhir/StructureDefinition/unknown-to-the-suite', valueString: 'a server may add what its consumers ignore' };

function decorated(resource: unknown): unknown {
  if (!resource || typeof resource !== 'object' || Array.isArray(resource)) return resource;
  const r = resource as Json;
  if (typeof r.resourceType !== 'string' || r.resourceType === 'Bundle' || r.resourceType === 'OperationOutcome') return r;
  const meta = (r.meta ?? {}) as Json;
  return {
    ...r,
    meta: { ...meta, source: 'urn:nhn:twin-dialect', tag: [...((meta.tag as unknown[]) ?? []), { system: 'http://example.org/fhir/tags', code: 'dialect' }] },
    extension: [...((r.extension as unknown[]) ?? []), EXTENSION],
  };
}

/** A searchset, or any resource, without Bundle.total. */
export function withoutTotal(r: HttpResponseParts): HttpResponseParts {
  const body = r.body as Json | undefined;
  if (r.status !== 200 || body?.resourceType !== 'Bundle' || !('total' in body)) return r;
  const { total: _left, ...rest } = body;
  return { ...r, body: rest };
}

/** Every resource of an answer (a Bundle's entries too) with an unknown extension and extra meta. */
export function withExtensions(r: HttpResponseParts): HttpResponseParts {
  const body = r.body as Json | undefined;
  if (r.status >= 300 || !body || typeof body !== 'object') return r;
  if (body.resourceType === 'Bundle') return { ...r, body: { ...body, entry: ((body.entry as Json[] | undefined) ?? []).map((e) => ({ ...e, resource: decorated(e.resource) })) } };
  return { ...r, body: decorated(body) };
}
