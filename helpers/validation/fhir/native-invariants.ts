// Invariants that run on almost every resource, evaluated natively. Each returns the result of
// HL7's FHIRPath expression when it can decide it exactly from the JSON, and undefined when it
// cannot (then fhirpath evaluates it). A unit test compares both on the whole corpus.

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
export type NativeInvariant = (node: Json) => boolean | undefined;

const has = (v: unknown): boolean => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0);
const list = (v: unknown): Json[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);
const BATCHLIKE = ['batch', 'transaction', 'history'];
const RESPONSELIKE = ['batch-response', 'transaction-response', 'history'];

export const NATIVE_INVARIANTS: Record<string, NativeInvariant> = {
  // contained.contained.empty()
  'dom-2': (n) => !list(n.contained).some((c) => has(c?.contained)),
  // Every contained resource is referred to: trivially true without contained resources.
  'dom-3': (n) => (has(n.contained) ? undefined : true),
  // contained.meta.versionId.empty() and contained.meta.lastUpdated.empty()
  'dom-4': (n) => list(n.contained).every((c) => !has(c?.meta?.versionId) && !has(c?.meta?.lastUpdated)),
  // contained.meta.security.empty()
  'dom-5': (n) => list(n.contained).every((c) => !has(c?.meta?.security)),
  // text.`div`.exists()
  'dom-6': (n) => has(n.text?.div),
  // reference.startsWith('#').not() or …
  'ref-1': (n) => (typeof n.reference !== 'string' || !n.reference.startsWith('#') ? true : undefined),
  // start.hasValue().not() or end.hasValue().not() or (start <= end)
  'per-1': (n) => (!has(n.start) || !has(n.end) ? true : undefined),
  // low.empty() or high.empty() or (low <= high)
  'rng-2': (n) => (!has(n.low) || !has(n.high) ? true : undefined),
  // data.empty() or contentType.exists()
  'att-1': (n) => !has(n.data) || has(n.contentType),
  // code.empty() or system.exists()
  'qty-3': (n) => !has(n.code) || has(n.system),
  // value.empty() or system.exists()
  'cpt-2': (n) => !has(n.value) || has(n.system),
  // name.exists() or telecom.exists() or address.exists() or organization.exists()
  'pat-1': (n) => has(n.name) || has(n.telecom) || has(n.address) || has(n.organization),
  // total.empty() or (type = 'searchset') or (type = 'history')
  'bdl-1': (n) => (!has(n.total) ? true : typeof n.type === 'string' ? n.type === 'searchset' || n.type === 'history' : undefined),
  // entry.search.empty() or (type = 'searchset')
  'bdl-2': (n) => (!list(n.entry).some((e) => has(e?.search)) ? true : typeof n.type === 'string' ? n.type === 'searchset' : undefined),
  // entry.all(request.exists() = (%resource.type in batch, transaction, history))
  'bdl-3': (n) => (typeof n.type === 'string' ? list(n.entry).every((e) => has(e?.request) === BATCHLIKE.includes(n.type)) : undefined),
  // entry.all(response.exists() = (%resource.type in batch-response, transaction-response, history))
  'bdl-4': (n) => (typeof n.type === 'string' ? list(n.entry).every((e) => has(e?.response) === RESPONSELIKE.includes(n.type)) : undefined),
  // (type = 'history') or entry.where(fullUrl.exists()).select(fullUrl & resource.meta.versionId).isDistinct()
  'bdl-7': (n) => {
    if (n.type === 'history') return true;
    const seen = new Set<string>();
    for (const e of list(n.entry)) {
      if (typeof e?.fullUrl !== 'string') continue;
      const key = `${e.fullUrl}${e.resource?.meta?.versionId ?? ''}`;
      if (seen.has(key)) return typeof n.type === 'string' ? false : undefined;
      seen.add(key);
    }
    return true;
  },
  // resource.exists() or request.exists() or response.exists()
  'bdl-5': (n) => has(n.resource) || has(n.request) || has(n.response),
  // fullUrl.exists() implies fullUrl.contains('/_history/').not()
  'bdl-8': (n) => (typeof n.fullUrl === 'string' ? !n.fullUrl.includes('/_history/') : has(n.fullUrl) ? undefined : true),
  // type = 'document' implies …
  'bdl-9': (n) => (typeof n.type === 'string' && n.type !== 'document' ? true : undefined),
  'bdl-10': (n) => (typeof n.type === 'string' && n.type !== 'document' ? true : undefined),
  'bdl-11': (n) => (typeof n.type === 'string' && n.type !== 'document' ? true : undefined),
  // type = 'message' implies …
  'bdl-12': (n) => (typeof n.type === 'string' && n.type !== 'message' ? true : undefined),
};
