// PHR (Pasientens journaldokumenter) twin: an IHE MHD Document Responder as NHN runs it (facts
// §4, seed 001). Routes, scopes, required headers and parameters, the user claims and the body
// schema come from phr.openapi.yaml; this module is the registry and its rules, each a named
// check: the two document-reference scopes exclude each other, the kjernejournalforskriften
// scope needs an access basis and filters by category and age, NORS-restricted documents are
// withheld and counted, search parameters have their FHIR semantics, pages come from a result
// computed once, and ITI-68 returns the bytes the ITI-67 attachment describes.
import type { TwinModule, PackContext } from '../../core/module.ts';
import type { HttpResponseParts as TwinResponse } from '../../core/types.ts';
import { FHIR_JSON, operationOutcomeFormat } from '../../http/error-formats.ts';
import type { TwinRequest } from '../../http/service.ts';
import { HELSEID_CLAIMS } from '../../../helpers/protocol.ts';
import { ACCESS_BASIS, KJERNEJOURNAL_WINDOW_YEARS, PHR_ARRIVALS, PHR_SCOPES, PHR_SETTINGS } from '../../../helpers/packs/phr.ts';
import { arrivedDocument, CATEGORY_NAMES, CATEGORY_SYSTEM, CONFIDENTIALITY_SYSTEM, EVENT_SYSTEM, FACILITY_SYSTEM, FORMAT_SYSTEM, HOME_COMMUNITY, NORS_LABEL, PATIENT_SYSTEM, REPOSITORY, seedDocuments, SETTING_SYSTEM, sha1Base64, TYPE_SYSTEM, type PhrDocument } from './data.ts';

const YEAR_MS = 365.25 * 86_400_000;
const DEFAULT_COUNT = 20;

type Json = Record<string, unknown>;

/** A FHIR date search value with its prefix, as the interval its precision covers. */
function dateTerm(raw: string): { prefix: string; start: number; end: number } | undefined {
  const m = /^(eq|ne|gt|lt|ge|le|sa|eb)?(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/.exec(raw);
  if (!m) return undefined;
  const [, prefix = 'eq', y, mo, d, h, mi, s, zone] = m;
  const start = Date.parse(`${y}-${mo ?? '01'}-${d ?? '01'}T${h ?? '00'}:${mi ?? '00'}:${s ?? '00'}${zone ?? 'Z'}`);
  if (Number.isNaN(start)) return undefined;
  const end = s ? start + 1000 : mi ? start + 60_000 : d ? start + 86_400_000 : mo ? Date.UTC(Number(y), Number(mo), 1) : Date.UTC(Number(y) + 1, 0, 1);
  return { prefix, start, end };
}

/** FHIR date matching of a value range [lo, hi) against one search term. */
function dateMatches(term: { prefix: string; start: number; end: number }, lo: number, hi: number): boolean {
  switch (term.prefix) {
    case 'eq': return lo >= term.start && hi <= term.end;
    case 'ne': return !(lo >= term.start && hi <= term.end);
    case 'gt': return hi > term.end;
    case 'lt': return lo < term.start;
    case 'ge': return hi > term.start;
    case 'le': return lo < term.end;
    case 'sa': return lo >= term.end;
    case 'eb': return hi <= term.start;
    default: return false;
  }
}

/** A token search value: `code`, `system|code`, `|code` (no system) or `system|` (any code). */
function tokenMatches(value: string, codings: ReadonlyArray<{ system?: string; code: string }>): boolean {
  return value.split(',').some((v) => {
    const bar = v.indexOf('|');
    if (bar < 0) return codings.some((c) => c.code === v);
    const [system, code] = [v.slice(0, bar), v.slice(bar + 1)];
    return codings.some((c) => (system === '' ? !c.system : c.system === system) && (code === '' || c.code === code));
  });
}

function api(ctx: PackContext) {
  const on = (rule: string) => ctx.checks.on(rule, 'phr');
  const errors = operationOutcomeFormat();
  const started = Date.now();
  const seeded = seedDocuments(started);
  /**
   * The registry now: the seeded documents, and those that have arrived for the arrivals patient.
   * Documents keep arriving for as long as the twin runs; the patient keeps the newest
   * PHR_ARRIVALS.max of them (the oldest leave), so a long run neither stops changing nor grows.
   */
  const arrived: PhrDocument[] = [];
  let arrivals = 0;
  const registry = (now: number): PhrDocument[] => {
    const due = PHR_ARRIVALS.backlog + Math.floor((now - started) / PHR_ARRIVALS.everyMs);
    for (let k = Math.max(arrivals, due - PHR_ARRIVALS.max) + 1; k <= due; k++) {
      arrived.push(arrivedDocument(PHR_ARRIVALS.nin, k, started + (k - PHR_ARRIVALS.backlog) * PHR_ARRIVALS.everyMs));
    }
    arrivals = Math.max(arrivals, due);
    if (arrived.length > PHR_ARRIVALS.max) arrived.splice(0, arrived.length - PHR_ARRIVALS.max);
    return arrived.length ? [...seeded, ...arrived] : seeded;
  };
  /** NHN keeps a search's result for three minutes (seed 001); the twin the suite starts, for less. */
  const cacheMs = PHR_SETTINGS.cacheMs.read(ctx.env);
  const base = ctx.urls.phr!;
  const bad = (status: number, code: 'invalid' | 'forbidden' | 'not-found' | 'not-supported' | 'required', message: string, rule: string): TwinResponse => errors.render(status, code, `${message} [${rule}]`);
  /** Result sets by query, kept for three minutes so pages come from one computation (seed 001). */
  const cache = new Map<string, { at: number; ids: string[]; nors: number }>();

  const documentUrl = (d: PhrDocument) => `${base}/mhd/document?documentUniqueId=${encodeURIComponent(d.uniqueId)}&homeCommunityId=${encodeURIComponent(HOME_COMMUNITY)}&repositoryUniqueId=${encodeURIComponent(REPOSITORY)}`;

  function resource(d: PhrDocument): Json {
    const bytes = on('phr.attachment.bytes') ? d.bytes : Buffer.concat([d.bytes, Buffer.from(' ')]);
    return {
      resourceType: 'DocumentReference',
      id: d.entryUuid.slice('urn:uuid:'.length),
      meta: { profile: ['https://profiles.ihe.net/ITI/MHD/StructureDefinition/IHE.MHD.Minimal.DocumentReference'] },
      contained: [{ resourceType: 'Practitioner', id: 'author', identifier: [{ system: 'urn:oid:2.16.578.1.12.4.1.4.4', value: d.author.hpr }], name: [{ family: d.author.family, given: [d.author.given] }] }],
      masterIdentifier: { system: 'urn:ietf:rfc:3986', value: `urn:oid:${on('phr.master-identifier.unique') ? d.uniqueId : '2.16.578.1.12.4.5.100.1.3'}` },
      identifier: [{ use: 'official', system: 'urn:ietf:rfc:3986', value: d.entryUuid }],
      status: d.status,
      type: { coding: [{ system: TYPE_SYSTEM, code: d.type.code, display: d.type.display }] },
      category: [{ coding: [{ system: CATEGORY_SYSTEM, code: d.category, display: CATEGORY_NAMES[d.category] }] }],
      subject: { type: 'Patient', identifier: { system: PATIENT_SYSTEM, value: d.nin } },
      date: new Date(d.date).toISOString(),
      author: [{ reference: '#author' }],
      securityLabel: [{ coding: [d.confidentiality === 'NORS' ? { ...NORS_LABEL } : { system: CONFIDENTIALITY_SYSTEM, code: d.confidentiality }] }],
      content: [
        {
          attachment: {
            contentType: d.contentType,
            language: 'nb-NO',
            url: on('phr.attachment.url') ? documentUrl(d) : `${base}/Binary/${d.entryUuid.slice(9)}`,
            size: on('phr.attachment.size') ? bytes.length : bytes.length + 1,
            hash: on('phr.attachment.hash') ? sha1Base64(bytes) : sha1Base64(Buffer.from(d.uniqueId)),
            title: d.title,
            creation: new Date(d.creation).toISOString(),
          },
          format: { system: FORMAT_SYSTEM, code: d.format.code, display: d.format.display },
        },
      ],
      context: {
        event: [{ coding: [{ system: EVENT_SYSTEM, code: d.event }] }],
        period: { start: new Date(d.period.start).toISOString(), end: new Date(d.period.end).toISOString() },
        facilityType: { coding: [{ system: FACILITY_SYSTEM, code: d.facility }] },
        practiceSetting: { coding: [{ system: SETTING_SYSTEM, code: d.setting }] },
        related: [{ identifier: { system: d.related.split('|')[0], value: d.related.split('|')[1] } }],
      },
    };
  }

  /** The user context PHR demands (facts §2.7, §4.4): security level 4 and the attest; the claims are required by the document. */
  function userProblem(req: TwinRequest): TwinResponse | undefined {
    if (on('phr.user.security-level') && String(req.token[HELSEID_CLAIMS.securityLevel] ?? '') !== '4') return bad(403, 'forbidden', 'PHR needs a user logged in at security level 4', 'phr.user.security-level');
    // The attest becomes the care relationship of the downstream XUA assertion (facts §4.1).
    const details = req.token.authorization_details;
    const attested = Array.isArray(details) && details.some((d) => (d as { type?: unknown })?.type === HELSEID_CLAIMS.trustFramework);
    if (on('phr.user.attest') && !attested) return bad(403, 'forbidden', 'PHR needs the trust framework attest (nhn:tillitsrammeverk:parameters) in the token', 'phr.user.attest');
    return undefined;
  }

  function scopeProblem(scopes: Set<string>, basis: string | undefined): TwinResponse | undefined {
    const kj = scopes.has(PHR_SCOPES.kjernejournal);
    if (kj && scopes.has(PHR_SCOPES.section45) && on('phr.scope.exclusive')) return bad(403, 'forbidden', 'the two document-reference scopes cannot be used in the same request', 'phr.scope.exclusive');
    if (kj && basis === undefined && on('phr.basis.required')) return bad(403, 'forbidden', 'the kjernejournalforskriften scope needs the nhn-access-basis header', 'phr.basis.required');
    // Compared without regard to case: NHN's demo EPJ sends lower case (facts §4.3).
    if (kj && basis !== undefined && on('phr.basis.known') && !(ACCESS_BASIS as readonly string[]).includes(basis.toUpperCase())) return bad(403, 'forbidden', `"${basis}" is not an access basis: ${ACCESS_BASIS.join(', ')}`, 'phr.basis.known');
    return undefined;
  }

  /** Whether a document is shown under kjernejournalforskriften: its category's window (seed 001). */
  const inWindow = (d: PhrDocument, now: number) => {
    const years = KJERNEJOURNAL_WINDOW_YEARS[d.category];
    if (years === undefined) return true;
    const window = on('phr.filter.window') ? years : years + 1;
    return d.date >= now - window * YEAR_MS;
  };

  function matches(d: PhrDocument, p: URLSearchParams): string | boolean {
    const patient = p.get('patient.identifier') ?? '';
    if (on('phr.search.patient') && !tokenMatches(patient, [{ system: PATIENT_SYSTEM, code: d.nin }])) return false;
    if (on('phr.search.status') && !(p.get('status') ?? '').split(',').includes(d.status)) return false;
    for (const [name, lo, hi] of [['date', d.date, d.date + 1], ['creation', d.creation, d.creation + 1], ['period', d.period.start, d.period.end]] as const) {
      for (const raw of p.getAll(name)) {
        const term = dateTerm(raw);
        if (!term) return `${name} "${raw}" is not a FHIR date search value (prefix eq, ne, gt, lt, ge, le, sa or eb, then a date)`;
        if (on('phr.search.dates') && !dateMatches(term, lo, hi)) return false;
      }
    }
    const tokens: Array<[string, Array<{ system?: string; code: string }>]> = [
      ['category', [{ system: CATEGORY_SYSTEM, code: d.category }]],
      ['type', [{ system: TYPE_SYSTEM, code: d.type.code }]],
      ['format', [{ system: FORMAT_SYSTEM, code: d.format.code }]],
      ['facility', [{ system: FACILITY_SYSTEM, code: d.facility }]],
      ['setting', [{ system: SETTING_SYSTEM, code: d.setting }]],
      ['event', [{ system: EVENT_SYSTEM, code: d.event }]],
      ['security-label', [d.confidentiality === 'NORS' ? { ...NORS_LABEL } : { system: CONFIDENTIALITY_SYSTEM, code: d.confidentiality }]],
      ['identifier', [{ system: 'urn:ietf:rfc:3986', code: `urn:oid:${d.uniqueId}` }, { system: 'urn:ietf:rfc:3986', code: d.entryUuid }]],
      ['related', [{ system: d.related.split('|')[0], code: d.related.split('|')[1]! }]],
    ];
    for (const [name, codings] of tokens) for (const v of p.getAll(name)) if (on(`phr.search.${name}`) && !tokenMatches(v, codings)) return false;
    const starts = (value: string, wanted: string) => value.toLowerCase().startsWith(wanted.toLowerCase());
    for (const v of p.getAll('author.given')) if (on('phr.search.author') && !starts(d.author.given, v)) return false;
    for (const v of p.getAll('author.family')) if (on('phr.search.author') && !starts(d.author.family, v)) return false;
    return true;
  }

  function find(req: TwinRequest, params: URLSearchParams): TwinResponse {
    const user = userProblem(req);
    if (user) return user;
    const accept = String(req.headers.accept ?? '');
    if (on('phr.accept') && !/application\/fhir\+json/.test(accept)) return bad(406, 'not-supported', 'Accept must be application/fhir+json; fhirVersion=4.0', 'phr.accept');
    const scopes = new Set(String(req.token.scope ?? '').split(' ').filter(Boolean));
    const basisHeader = req.headers['nhn-access-basis'];
    const basis = Array.isArray(basisHeader) ? basisHeader[0] : basisHeader;
    const scoped = scopeProblem(scopes, basis);
    if (scoped) return scoped;
    const sort = params.get('_sort') ?? '-date';
    if (!['date', '-date'].includes(sort)) return bad(400, 'not-supported', `_sort "${sort}" is not supported: date or -date`, 'phr.search.sort');
    const filtered = scopes.has(PHR_SCOPES.kjernejournal) || !on('phr.filter.section45-unfiltered');

    const key = JSON.stringify([String(req.token.client_id), String(req.token[HELSEID_CLAIMS.pid]), [...scopes].sort(), filtered, [...params].filter(([k]) => k !== '_page' && k !== '_count').sort()]);
    const now = Date.now();
    let result = cache.get(key);
    const expired = (r: { at: number }) => now - r.at > cacheMs && on('phr.cache.expiry');
    if (!result || expired(result) || !on('phr.cache')) {
      const hits: PhrDocument[] = [];
      for (const d of registry(now)) {
        const m = matches(d, params);
        if (typeof m === 'string') return bad(400, 'invalid', m, 'phr.search.date-syntax');
        if (m && (!filtered || inWindow(d, now))) hits.push(d);
      }
      hits.sort((a, b) => (sort === 'date' ? a.date - b.date : b.date - a.date) || a.uniqueId.localeCompare(b.uniqueId));
      const shown = on('phr.nors.withhold') ? hits.filter((d) => d.confidentiality !== 'NORS') : hits;
      result = { at: now, ids: shown.map((d) => d.uniqueId), nors: on('phr.nors.count') ? hits.length - shown.length : 0 };
      cache.set(key, result);
    }

    const count = Number(params.get('_count') ?? DEFAULT_COUNT);
    const page = Number(params.get('_page') ?? 1);
    const from = (page - 1) * (on('phr.paging.disjoint') ? count : Math.max(1, count - 1));
    const ids = result.ids.slice(from, from + count);
    const link = (n: number) => {
      const q = new URLSearchParams(params);
      q.set('_page', String(n));
      q.set('_count', String(count));
      return `${base}/R4/fhir/DocumentReference/_search?${q}`;
    };
    const links = [{ relation: 'self', url: link(page) }];
    if (from + count < result.ids.length) links.push({ relation: 'next', url: link(page + 1) });
    if (page > 1) links.push({ relation: 'previous', url: link(page - 1) });
    const byId = new Map(registry(now).map((d) => [d.uniqueId, d]));
    return {
      status: 200,
      contentType: FHIR_JSON,
      headers: { 'NHN-SecurityLabel-Nors-Count': String(result.nors) },
      body: {
        resourceType: 'Bundle',
        type: 'searchset',
        total: on('phr.paging.total') ? result.ids.length : ids.length,
        link: links,
        entry: ids.map((id) => {
          const r = resource(byId.get(id)!);
          return { fullUrl: `${base}/R4/fhir/DocumentReference/${String(r.id)}`, resource: r, search: { mode: 'match' } };
        }),
      },
    };
  }

  function retrieve(req: TwinRequest): TwinResponse {
    const user = userProblem(req);
    if (user) return user;
    const accept = String(req.headers.accept ?? '');
    if (on('phr.retrieve.no-fhir') && /application\/fhir\+json/.test(accept)) return bad(406, 'not-supported', 'ITI-68 returns the document in its own format; a FHIR document Bundle is not available', 'phr.retrieve.no-fhir');
    const nin = String(req.headers['nhn-patient-nin'] ?? '');
    const id = req.query.get('documentUniqueId') ?? '';
    const doc = registry(Date.now()).find((d) => d.uniqueId === id && req.query.get('homeCommunityId') === HOME_COMMUNITY && req.query.get('repositoryUniqueId') === REPOSITORY);
    if (!doc || doc.confidentiality === 'NORS' || (on('phr.retrieve.patient') && doc.nin !== nin)) return bad(404, 'not-found', `no document ${id} for this patient in this repository`, 'phr.retrieve.found');
    return { status: 200, contentType: doc.contentType, body: doc.bytes };
  }

  return {
    errors,
    handlers: {
      ping: () => ({ status: 200, body: 'pong' }),
      pingAuth: () => ({ status: 200, body: 'pong' }),
      findDocumentReferences: (req: TwinRequest) => find(req, new URLSearchParams(req.body.toString('utf8'))),
      findDocumentReferencesByGet: (req: TwinRequest) =>
        on('phr.search.post-only') ? errors.render(405, 'not-supported', 'a DocumentReference search must be POST /R4/fhir/DocumentReference/_search; GET is not allowed [phr.search.post-only]') : find(req, req.query),
      retrieveDocument: retrieve,
    },
  };
}

export const twin: TwinModule = { api };
