// What every search answer must hold, whatever the data: each entry matches the question asked.
// One function per API's search semantics; each judges only the criteria whose meaning a source
// states, and only what the answer carries (a Person answer without its birth part says nothing
// about the birth date). Name matching in the Person API (phonetic, tokenised compound words in
// v3) is not documented closely enough to judge, so names are never judged.
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export type Params = Record<string, string[]>;

const first = (p: Params, k: string) => p[k]?.[0];
const sameObject = (a: Json | undefined, b: Json | undefined) => !!a && !!b && String(a.type) === String(b.type) && String(a.value).toLowerCase() === String(b.value).toLowerCase();

/** The list of a PTS answer: a bare array, or the one array member of an object that wraps it. */
export function ptsEntries(body: unknown): Json[] | undefined {
  if (Array.isArray(body)) return body as Json[];
  if (body && typeof body === 'object') {
    const arrays = Object.values(body as Json).filter(Array.isArray);
    if (arrays.length === 1) return arrays[0] as Json[];
  }
  return undefined;
}

/**
 * PTS _search (examples and release notes, facts §5.2): every restriction is the person's (offId),
 * is the object asked for and has the parent asked for, and with ApplicableOnly none whose
 * DelayDeliveryUntil has passed.
 */
export function ptsSearchMismatches(request: Json, body: unknown, answeredAt: number): string[] {
  const entries = ptsEntries(body);
  if (!entries) return [];
  const found: string[] = [];
  const offId = request.offId ?? request.OffId;
  const object = request.confidentialObjectId ?? request.ConfidentialObjectId;
  const parent = request.parentConfidentialObjectId ?? request.ParentConfidentialObjectId;
  const applicableOnly = (request.ApplicableOnly ?? request.applicableOnly) === true || String(request.ApplicableOnly ?? request.applicableOnly).toLowerCase() === 'true';
  entries.forEach((e, i) => {
    const pso = e?.patientSafetyObject ?? {};
    const name = `entry ${i} (${String(pso.confidentialObjectId?.value ?? '?')})`;
    if (offId !== undefined && pso.person?.offId !== offId) found.push(`${name} belongs to another person than the offId asked for`);
    if (object && !sameObject(pso.confidentialObjectId, object)) found.push(`${name} is not the confidentialObjectId asked for`);
    if (parent && !sameObject(e?.parentConfidentialObjectId ?? pso.parentConfidentialObjectId, parent)) found.push(`${name} does not have the parentConfidentialObjectId asked for`);
    const until = e?.delayDeliveryUntil ?? e?.DelayDeliveryUntil;
    // A few seconds of grace: the answer's clock and ours differ.
    if (applicableOnly && until && Date.parse(until) < answeredAt - 5_000) found.push(`${name} has a DelayDeliveryUntil in the past (${String(until)}) although ApplicableOnly was asked`);
  });
  return found;
}

/** A FHIR token search value (`value`, `system|value`, `|value`, `system|`) against one identifier. */
function tokenHolds(term: string, id: Json | undefined): boolean {
  if (!id) return false;
  return term.split(',').some((t) => {
    const bar = t.indexOf('|');
    if (bar < 0) return id.value === t;
    const [system, value] = [t.slice(0, bar), t.slice(bar + 1)];
    return (system === '' ? !id.system : id.system === system) && (value === '' || id.value === value);
  });
}

/** PaRek's FHIR searches (FHIR search, token and reference parameters): every match entry meets every parameter it knows. */
export function parekSearchMismatches(params: Params, bundle: Json): string[] {
  const found: string[] = [];
  for (const [i, entry] of ((bundle.entry ?? []) as Json[]).entries()) {
    const r = entry?.resource as Json | undefined;
    if (!r || (entry.search?.mode && entry.search.mode !== 'match')) continue;
    const name = `entry ${i} (${r.resourceType}/${String(r.id)})`;
    for (const [k, values] of Object.entries(params)) {
      for (const v of values) {
        if ((k === 'patient:identifier' || k === 'subject:identifier') && !tokenHolds(v, r.subject?.identifier)) found.push(`${name} is another patient's than ${k}=${v}`);
        if (k === 'identifier' && !((r.identifier ?? []) as Json[]).some((id) => tokenHolds(v, id))) found.push(`${name} has no identifier ${v}`);
        if (k === 'status' && !v.split(',').includes(String(r.status))) found.push(`${name} has status ${String(r.status)}, not ${v}`);
        if (k === 'request') {
          const wanted = v.split(',').map((x) => (x.includes('/') ? x : `ServiceRequest/${x}`));
          const refs = [r.request].flat().map((x: Json | undefined) => String(x?.reference ?? ''));
          if (!refs.some((ref) => wanted.some((w) => ref === w || ref.endsWith(`/${w}`)))) found.push(`${name} is for another request than ${v}`);
        }
      }
    }
  }
  return found;
}

/** A FHIR date search value's range: [lo, hi) at the precision given (FHIR R4 search, date). */
function dateRange(value: string): [number, number] | undefined {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?)?)?(Z|[+-]\d{2}:\d{2})?$/.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac] = m;
  const zone = m[8] ?? 'Z';
  const lo = Date.parse(`${y}-${mo ?? '01'}-${d ?? '01'}T${h ?? '00'}:${mi ?? '00'}:${s ?? '00'}.${(frac ?? '0').padEnd(3, '0').slice(0, 3)}${zone}`);
  if (Number.isNaN(lo)) return undefined;
  const next = new Date(lo);
  if (frac !== undefined) return [lo, lo + 1];
  if (s !== undefined) next.setUTCSeconds(next.getUTCSeconds() + 1);
  else if (mi !== undefined) next.setUTCMinutes(next.getUTCMinutes() + 1);
  else if (h !== undefined) next.setUTCHours(next.getUTCHours() + 1);
  else if (d !== undefined) next.setUTCDate(next.getUTCDate() + 1);
  else if (mo !== undefined) next.setUTCMonth(next.getUTCMonth() + 1);
  else next.setUTCFullYear(next.getUTCFullYear() + 1);
  return [lo, next.getTime()];
}

/** PIT GET /v1/Patient (PIT page): every Patient meets each _lastUpdated condition, in the _sort order asked. A cursor page's filters and order ride in the cursor, so none is judged there. */
export function pitSearchMismatches(params: Params, bundle: Json): string[] {
  const found: string[] = [];
  const resources = ((bundle.entry ?? []) as Json[]).filter((e) => !e?.search?.mode || e.search.mode === 'match').map((e) => e?.resource as Json).filter(Boolean);
  const cursor = params.cursor !== undefined;
  for (const condition of cursor ? [] : (params._lastUpdated ?? [])) {
    const prefix = /^(gt|ge|lt|le|eq)?/.exec(condition)![1] ?? 'eq';
    const range = dateRange(condition.slice(prefix.length));
    if (!range) continue;
    const [lo, hi] = range;
    for (const r of resources) {
      const at = Date.parse(String(r.meta?.lastUpdated ?? ''));
      if (Number.isNaN(at)) continue;
      const ok = prefix === 'gt' ? at >= hi : prefix === 'ge' ? at >= lo : prefix === 'lt' ? at < lo : prefix === 'le' ? at < hi : at >= lo && at < hi;
      if (!ok) found.push(`Patient/${String(r.id)} (lastUpdated ${String(r.meta?.lastUpdated)}) does not meet _lastUpdated=${condition}`);
    }
  }
  const sort = cursor ? undefined : first(params, '_sort');
  if (sort === '_lastUpdated' || sort === '-_lastUpdated') {
    const times = resources.map((r) => Date.parse(String(r.meta?.lastUpdated ?? '')));
    for (let i = 1; i < times.length; i++) {
      const [a, b] = [times[i - 1]!, times[i]!];
      if (Number.isNaN(a) || Number.isNaN(b)) continue;
      if (sort === '_lastUpdated' ? b < a : b > a) found.push(`entries ${i - 1} and ${i} are out of ${sort} order`);
    }
  }
  return found;
}

/** The current (valid) elements of a Person part; without isValid an element counts as current. */
const current = (part: unknown): Json[] => (Array.isArray(part) ? (part as Json[]) : part && typeof part === 'object' ? [part as Json] : []).filter((e) => e && e.isValid !== false);

function deepValues(v: unknown, key: string, out: unknown[] = []): unknown[] {
  if (Array.isArray(v)) v.forEach((x) => deepValues(x, key, out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) (k === key ? out.push(x) : deepValues(x, key, out));
  return out;
}

/**
 * The Person API's search/person (v2 document, v3 sample): only current data is searched, so each
 * person's current birth date starts with BirthDate, their gender is Gender and their current
 * residential address is in MunicipalityNumber, where the answer carries those parts.
 */
export function personSearchMismatches(form: Params, body: Json): string[] {
  const found: string[] = [];
  for (const [i, p] of ((body.results ?? []) as Json[]).entries()) {
    const name = `result ${i} (${String(p?.id)})`;
    const birth = first(form, 'BirthDate');
    if (birth && p?.birth !== undefined && !current(p.birth).some((b) => String(b.birthDate ?? '').startsWith(birth))) found.push(`${name} has no current birth date starting ${birth}`);
    const gender = first(form, 'Gender');
    if (gender && p?.gender !== undefined && !current(p.gender).some((g) => String(g.gender).toLowerCase() === gender.toLowerCase())) found.push(`${name} is not of gender ${gender}`);
    const municipality = first(form, 'MunicipalityNumber');
    if (municipality && p?.residentialAddress !== undefined && !current(p.residentialAddress).some((a) => deepValues(a, 'municipalityNumber').includes(municipality))) found.push(`${name} has no current residential address in municipality ${municipality}`);
  }
  return found;
}

/** The Person API's event feed: every event at or after sequenceNumber, of the eventTypes asked, no more than maxLimit (v3) or 1000. */
export function personEventsMismatches(query: Params, body: Json): string[] {
  const found: string[] = [];
  const results = (body.results ?? []) as Json[];
  const from = first(query, 'sequenceNumber');
  const types = (query.eventTypes ?? []).flatMap((t) => t.split(',')).filter(Boolean);
  const limit = Math.min(1000, Number(first(query, 'maxLimit') ?? 1000) || 1000);
  if (results.length > limit) found.push(`${results.length} events, more than the ${limit} one call may answer`);
  results.forEach((e, i) => {
    if (from !== undefined && /^\d+$/.test(from) && /^\d+$/.test(String(e?.sequenceNumber)) && BigInt(String(e.sequenceNumber)) < BigInt(from)) found.push(`event ${i} has sequenceNumber ${String(e.sequenceNumber)}, before ${from}`);
    if (types.length && !types.includes(String(e?.eventType))) found.push(`event ${i} is a ${String(e?.eventType)}, not one of ${types.join(', ')}`);
  });
  return found;
}
