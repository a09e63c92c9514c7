// Person API (Persontjenesten) twin: v2 (the api-version header, legal-basis paths) and v3 (the
// version in the path, access tiers, orgnr_parent), over one synthetic population (data.ts).
// The shared HTTP layer enforces what the OpenAPI documents say (scopes by path, the api-version
// header, informationParts, at most 100 in a bulk call, the search fields' forms); the rules here
// are the ones the documents cannot say, each a named check: a NIN never read from a URL, the
// search's name-and-one-more rule, at most 100 hits, paging, the event feed's order and limits.
import type { PackContext, TwinModule } from '../../core/module.ts';
import { intSetting } from '../../../helpers/config/settings.ts';
import { problemDetailsFormat } from '../../http/error-formats.ts';
import type { Handler, TwinRequest, TwinResponse } from '../../http/service.ts';
import { buildPopulation, parts, type PersonRecord } from './data.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const MAX_EVENTS = 1000;
const MAX_HITS = 100;
const V2_TIERS = ['LegalBasis', 'NoLegalBasis'];
const V3_TIERS = ['FullAccess', 'RestrictedAccess'];
const SUPPORTED_V2_VERSIONS = new Set(['2', '2.0']);
const NIN_SHAPE = /(?<!\d)\d{11}(?!\d)/;

const letters = (s: string | undefined) => (s ?? '').replace(/[^\p{L}]/gu, '').length;
const lower = (s: string | undefined | null) => (s ?? '').toLocaleLowerCase('nb');

/** The twin's Person settings (a dialect sets them through its twinEnv). */
export const PERSON_TWIN_SETTINGS = {
  eventStride: intSetting('SANDBOX_PERSON_EVENT_STRIDE', "the step between two events' sequence numbers in the twin's feed (1: no gaps)", { min: 1, max: 1000, fallback: 1 }),
};

function api(ctx: PackContext) {
  // 400 and 404 are ProblemDetails as application/json (NHN's document); 401 and 403 have no body.
  const errors = problemDetailsFormat({ emptyAuthErrors: true, mediaType: 'application/json' });
  const on = (rule: string) => ctx.checks.on(rule, 'person');
  const { persons, events } = buildPopulation(PERSON_TWIN_SETTINGS.eventStride.read(ctx.env));
  const byId = new Map(persons.map((p) => [p.id, p]));
  const byNumber = new Map<string, { person: PersonRecord; kind: string; current: boolean }>();
  for (const p of persons) for (const x of p.identifiers) byNumber.set(x.number, { person: p, kind: x.kind, current: x.current });

  const ok = (body: unknown): TwinResponse => ({ status: 200, body, contentType: 'application/json; charset=utf-8' });
  const bad = (rule: string, message: string) => errors.render(400, 'invalid', `${message} [${rule}]`);
  const notFound = (message: string) => errors.render(404, 'not-found', message);
  const form = (req: TwinRequest) => new URLSearchParams(req.body.toString('utf8'));

  /** The v2 routes serve version 2 only (ASP.NET API versioning answers others with 400); that the header is there at all is the document's rule. */
  function unsupportedVersion(req: TwinRequest): TwinResponse | undefined {
    const asked = req.headers['api-version'];
    if (asked !== undefined && on('person.api-version.supported') && !SUPPORTED_V2_VERSIONS.has(String(asked))) {
      return bad('person.api-version.supported', `api-version ${String(asked)} is not served here; the v2 routes take "2"`);
    }
    return undefined;
  }

  /** The Person document with the parts asked for; past elements only with includeHistory. */
  function document(p: PersonRecord, req: TwinRequest): Json {
    const asked = req.query.getAll('informationParts').flatMap((v) => v.split(','));
    const history = req.query.get('includeHistory') === 'true' || !on('person.history.current-only');
    const all = parts(p);
    const chosen = asked.length && on('person.parts.filter') ? asked : Object.keys(all);
    const out: Json = { id: p.id, sequenceNumber: p.sequenceNumber };
    for (const name of chosen) {
      const part = all[name];
      if (!part) continue;
      if ('object' in part) out[part.key] = part.object;
      else out[part.key] = part.elements.filter((e) => history || e.current).map((e) => e.value);
    }
    return out;
  }

  /** A person by any of their numbers, as get-by-nin allows: historic numbers and alternate ones too. */
  function byNin(nin: string): PersonRecord | undefined {
    const hit = byNumber.get(nin.trim());
    if (!hit) return undefined;
    if (!hit.current && !on('person.nin.historic')) return undefined;
    if ((hit.kind === 'AlternateIdentificationNumber' || hit.kind === 'DUF') && !on('person.nin.alternate')) return undefined;
    return hit.person;
  }

  const getById: Handler = (req) => {
    const id = decodeURIComponent(req.params.id ?? '');
    // The id is the Person API's own; a national identity number in the URL finds nobody.
    const p = byId.get(id) ?? (NIN_SHAPE.test(id) && !on('person.url.no-nin') ? byNin(id) : undefined);
    return p ? ok(document(p, req)) : notFound(`no person with id ${id.slice(0, 8)}…`);
  };

  const getByNin: Handler = (req) => {
    const fromBody = form(req).get('nin');
    const fromQuery = req.query.get('nin');
    if (!fromBody && fromQuery && on('person.nin.body-only')) return bad('person.nin.body-only', 'the NIN goes in the form body, never in the URL');
    const nin = fromBody ?? fromQuery;
    if (!nin) return bad('person.nin.required', 'the form body must carry nin');
    const p = byNin(nin);
    return p ? ok(document(p, req)) : notFound('no person with that identification number');
  };

  const bulk =
    (field: 'personIds' | 'nins', find: (key: string) => PersonRecord | undefined): Handler =>
    (req) => {
      const keys = form(req).getAll(field);
      if (keys.length === 0) return bad('person.bulk.required', `the form body must carry ${field}`);
      const found = keys.map(find).filter((p): p is PersonRecord => !!p);
      return ok([...new Map(found.map((p) => [p.id, p])).values()].map((p) => document(p, req)));
    };

  // ---- search -------------------------------------------------------------------------------
  const currentName = (p: PersonRecord) => p.names[p.names.length - 1]!;
  const currentAddress = (p: PersonRecord) => (p.protection === 'StrictlyConfidential' ? undefined : p.addresses[p.addresses.length - 1]);
  const hasNin = (p: PersonRecord) => p.identifiers.some((x) => x.current && (x.kind === 'NationalIdentityNumber' || x.kind === 'DNumber'));

  /** Whether a person's current data matches the form's criteria (only current data is searchable). */
  function matches(p: PersonRecord, f: URLSearchParams, includeAin: boolean): boolean {
    const n = currentName(p);
    const full = lower([n.givenName, n.middleName, n.familyName].filter(Boolean).join(' '));
    const a = currentAddress(p);
    const given = (k: string) => f.get(k) ?? undefined;
    if (!includeAin && !hasNin(p) && on('person.search.ain')) return false;
    if (given('GivenName') && !lower(n.givenName).startsWith(lower(given('GivenName')))) return false;
    if (given('MiddleName') && !lower(n.middleName).startsWith(lower(given('MiddleName')))) return false;
    if (given('FamilyName') && lower(n.familyName) !== lower(given('FamilyName'))) return false;
    if (given('FullName') && !lower(given('FullName')).split(/\s+/).filter(Boolean).every((t) => full.split(' ').includes(t))) return false;
    if (given('BirthDate') && on('person.search.birth-date') && !p.birthDate.startsWith(given('BirthDate')!)) return false;
    if (given('BirthDateFrom') && p.birthDate.slice(0, given('BirthDateFrom')!.length) < given('BirthDateFrom')!) return false;
    if (given('BirthDateTo') && p.birthDate.slice(0, given('BirthDateTo')!.length) > given('BirthDateTo')!) return false;
    if (given('DeathDateFrom') && !(p.deceasedDate && p.deceasedDate.slice(0, given('DeathDateFrom')!.length) >= given('DeathDateFrom')!)) return false;
    if (given('DeathDateTo') && !(p.deceasedDate && p.deceasedDate.slice(0, given('DeathDateTo')!.length) <= given('DeathDateTo')!)) return false;
    if (given('Gender') && p.gender !== given('Gender')) return false;
    if (given('MunicipalityNumber') && on('person.search.municipality') && a?.municipality.number !== given('MunicipalityNumber')) return false;
    if (given('PostalCode') && a?.municipality.postalCode !== given('PostalCode')) return false;
    if (given('CityName') && lower(a?.municipality.city) !== lower(given('CityName'))) return false;
    if (given('StreetAddress') && !lower(a ? `${a.street} ${a.houseNumber}` : '').startsWith(lower(given('StreetAddress')))) return false;
    const statuses = f.getAll('PersonStatuses').flatMap((s) => s.split(','));
    if (statuses.length && !statuses.includes(p.status)) return false;
    return true;
  }

  const NAME_FIELDS = ['GivenName', 'MiddleName', 'FamilyName', 'FullName'];
  const CRITERIA = ['FullName', 'GivenName', 'MiddleName', 'FamilyName', 'StreetAddress', 'PostalCode', 'MunicipalityNumber', 'BasicStatisticalUnit', 'BirthDate', 'BirthDateFrom', 'BirthDateTo', 'DeathDateFrom', 'DeathDateTo', 'Gender', 'PersonStatuses', 'CityName'];
  const sorted = (list: PersonRecord[]) => list.sort((a, b) => (a.id < b.id ? -1 : 1));

  const searchPersons: Handler = (req) => {
    const f = form(req);
    if (on('person.search.name-length') && NAME_FIELDS.reduce((n, k) => n + letters(f.get(k) ?? ''), 0) < 3) {
      return bad('person.search.name-length', 'a search needs a name of at least three letters (given, middle, family or full name)');
    }
    if (on('person.search.second-criterion') && !f.get('BirthDate') && !f.get('MunicipalityNumber') && !f.get('StreetAddress')) {
      return bad('person.search.second-criterion', 'a search needs a birth date, a municipality number or a street name besides the name');
    }
    if (on('person.search.street-length') && !f.get('BirthDate') && !f.get('MunicipalityNumber') && f.get('StreetAddress') && letters(f.get('StreetAddress')!) < 3) {
      return bad('person.search.street-length', 'a street name standing as the second criterion needs at least three letters');
    }
    const hits = sorted(persons.filter((p) => matches(p, f, req.query.get('includeAinResults') === 'true')));
    const results = (on('person.search.max-hits') ? hits.slice(0, MAX_HITS) : hits).map((p) => document(p, req));
    return ok({ results, startIndex: 0, endIndex: Math.max(0, results.length - 1) });
  };

  function matchIds(req: TwinRequest): { ids: string[] } | { refusal: TwinResponse } {
    const f = form(req);
    if (!CRITERIA.some((k) => f.has(k))) return { refusal: bad('person.match.criterion', 'a match search needs at least one criterion') };
    return { ids: sorted(persons.filter((p) => matches(p, f, req.query.get('includeAinResults') === 'true'))).map((p) => p.id) };
  }

  const matchList: Handler = (req) => {
    const m = matchIds(req);
    return 'refusal' in m ? m.refusal : ok(m.ids);
  };

  const pagedMatchList: Handler = (req) => {
    const m = matchIds(req);
    if ('refusal' in m) return m.refusal;
    const f = form(req);
    const size = on('person.paging.page-size') ? Number(f.get('PageSize') ?? 1000) : 1000;
    const asked = Number(f.get('IndexOffset') ?? 0);
    const offset = on('person.paging.offset') ? asked : Math.max(0, asked - 1);
    const results = m.ids.slice(offset, offset + size);
    return ok({ results, startIndex: offset, endIndex: offset + results.length - 1 });
  };

  const matchCount: Handler = (req) => {
    const m = matchIds(req);
    return 'refusal' in m ? m.refusal : ok({ matchCount: m.ids.length });
  };

  // ---- events -------------------------------------------------------------------------------
  const eventDocument = (e: (typeof events)[number], v3: boolean) => ({ sequenceNumber: String(e.sequenceNumber), personId: e.personId, eventType: e.eventType, ...(v3 ? { nin: e.nin } : {}) });

  const eventFeed: Handler = (req) => {
    const v3 = req.path.startsWith('/api/v3/');
    const from = Number(req.query.get('sequenceNumber') ?? 1);
    const types = req.query.getAll('eventTypes').flatMap((t) => t.split(',')).filter(Boolean);
    const maxLimit = req.query.get('maxLimit');
    let limit = on('person.events.max') ? MAX_EVENTS : 5 * MAX_EVENTS;
    if (v3 && maxLimit && on('person.events.max-limit')) limit = Math.min(limit, Number(maxLimit));
    const results = events
      .filter((e) => (on('person.events.inclusive') ? e.sequenceNumber >= from : e.sequenceNumber > from))
      .filter((e) => types.length === 0 || !on('person.events.types') || types.includes(e.eventType))
      .slice(0, limit)
      .map((e) => eventDocument(e, v3));
    return ok({ results, startIndex: 0, endIndex: Math.max(0, results.length - 1) });
  };

  const latestEvent: Handler = (req) => {
    const last = events[events.length - 1];
    return last ? ok(eventDocument(last, req.path.startsWith('/api/v3/'))) : notFound('the feed has no events yet');
  };

  const kinds: Record<string, Handler> = {
    getLatestEvent: latestEvent,
    getEvents: eventFeed,
    getPersonById: getById,
    postPersonByNin: getByNin,
    postPersonsByIds: bulk('personIds', (id) => byId.get(id)),
    postPersonsByNins: bulk('nins', byNin),
    postSearchPersons: searchPersons,
    postMatchList: matchList,
    postPagedMatchList: pagedMatchList,
    postMatchCount: matchCount,
  };
  // Every v2 route first asks whether it serves the api-version given.
  const v2: (h: Handler) => Handler = (h) => (req) => unsupportedVersion(req) ?? h(req);
  const handlers: Record<string, Handler> = { ping: () => ({ status: 200, body: 'Pong' }) };
  for (const [kind, handler] of Object.entries(kinds)) {
    for (const tier of V2_TIERS) handlers[`${kind}${tier}`] = v2(handler);
    // v3 has no match-list.
    if (kind !== 'postMatchList') for (const tier of V3_TIERS) handlers[`${kind}${tier}`] = handler;
  }
  return { errors, handlers };
}

export const twin: TwinModule = { api };
