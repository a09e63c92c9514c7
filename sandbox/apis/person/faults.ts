// Person API faults: one per MUST the Person specs check. Each switches off a named check of the
// twin (sandbox/apis/person/index.ts) or of the shared HTTP layer (`person/request.…`,
// `person/token.claims`), changes a route's policy, or transforms a response.
import { respondOn, type FaultDefinition, type ResponseTransform } from '../../core/faults.ts';
import { withoutProblemStatus } from '../../http/error-formats.ts';
import { PUBLISHED_OPENAPI } from '../../http/service.ts';
import type { RouteInfo, RoutePolicy } from '../../core/types.ts';
import { PERSON_SCOPES, PERSON_SETTINGS } from '../../../helpers/packs/person.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const EVENT_OPERATIONS = ['LegalBasis', 'NoLegalBasis', 'FullAccess', 'RestrictedAccess'].map((t) => `getEvents${t}`);
const LATEST_OPERATIONS = ['LegalBasis', 'NoLegalBasis', 'FullAccess', 'RestrictedAccess'].map((t) => `getLatestEvent${t}`);
const onPerson = (apply: ResponseTransform['apply'], operations?: readonly string[]) => respondOn('person', apply, operations);
const onResults = (change: (results: Json[]) => Json[]) =>
  onPerson((r) => {
    const body = r.body as Json | undefined;
    return r.status === 200 && Array.isArray(body?.results) ? { ...r, body: { ...body, results: change(body.results as Json[]) } } : r;
  }, EVENT_OPERATIONS);
const tierTakes = (path: string, scope: string) => (r: RouteInfo, p: RoutePolicy) => (r.service === 'person' && r.path.startsWith(path) ? { anyScope: [...p.anyScope, scope] } : undefined);

export const faults = {
  'person-ping-requires-auth': {
    rule: 'Person API /ping demands a token',
    requirements: ['PERSON-PING-001'],
    route: (r) => (r.service === 'person' && r.operationId === 'ping' ? { modes: ['dpop'] } : undefined),
  },
  // Scopes, tokens and versions
  'person-v2-wrong-tier': { rule: 'a v2 legal-basis path serves a no-legal-basis token', requirements: ['PERSON-AUTH-002'], route: tierTakes('/api/legal-basis/', PERSON_SCOPES.noLegalBasis) },
  'person-v3-wrong-tier': { rule: 'a v3 full-access path serves a restricted-access token', requirements: ['PERSON-AUTH-003'], route: tierTakes('/api/v3/full-access/', PERSON_SCOPES.restrictedAccess) },
  'person-403-with-body': {
    rule: 'the Person API answers a wrong scope with a ProblemDetails body',
    requirements: ['PERSON-AUTH-002', 'PERSON-AUTH-003'],
    respond: onPerson((r) => (r.status === 403 ? { ...r, contentType: 'application/json', body: { title: 'Forbidden', status: 403 } } : r)),
  },
  'person-orgnr-optional': { rule: 'v3 serves a token without orgnr_parent', requirements: ['PERSON-AUTH-004'], off: ['person/token.claims'] },
  'person-v2-no-api-version': { rule: 'the v2 routes answer without the api-version header', requirements: ['PERSON-VERSION-001'], off: ['person/request.header.api-version'] },
  'person-v2-any-api-version': { rule: 'the v2 routes answer api-version 3', requirements: ['PERSON-VERSION-001'], off: ['person.api-version.supported'] },
  // NINs never in URLs
  'person-id-takes-nin': { rule: 'GET person/{id} finds a person by a NIN in the URL', requirements: ['PERSON-NIN-001'], off: ['person.url.no-nin'] },
  'person-nin-in-query': { rule: 'get-by-nin takes the NIN from the query string', requirements: ['PERSON-NIN-001'], off: ['person.nin.body-only'] },
  // Lookups
  'person-historic-nin-unknown': { rule: 'get-by-nin does not find a person by a historic NIN', requirements: ['PERSON-GET-002'], off: ['person.nin.historic'] },
  'person-alternate-nin-unknown': { rule: 'get-by-nin does not find a person by a felles hjelpenummer or DUF number', requirements: ['PERSON-GET-002'], off: ['person.nin.alternate'] },
  'person-parts-optional': { rule: 'informationParts may be left out', requirements: ['PERSON-GET-003'], off: ['person/request.query.informationParts'] },
  'person-parts-unfiltered': { rule: 'the answer has every part, not only those asked for', requirements: ['PERSON-GET-003'], off: ['person.parts.filter'] },
  'person-history-always': { rule: 'past elements are answered without includeHistory', requirements: ['PERSON-GET-004'], off: ['person.history.current-only'] },
  'person-unknown-200': {
    rule: 'an unknown person is answered 200 with an empty document',
    requirements: ['PERSON-GET-005'],
    respond: onPerson((r) => (r.status === 404 ? { status: 200, contentType: 'application/json', body: {} } : r)),
  },
  'person-bulk-101': { rule: 'a bulk call takes 101 identifiers', requirements: ['PERSON-BULK-001'], off: ['person/request.body'] },
  // Search and paging
  'person-search-two-letters': { rule: 'a person search takes a two-letter name', requirements: ['PERSON-SEARCH-001'], off: ['person.search.name-length'] },
  'person-search-name-alone': { rule: 'a person search takes a name without a birth date, municipality or street', requirements: ['PERSON-SEARCH-001'], off: ['person.search.second-criterion'] },
  'person-search-unlimited': { rule: 'a person search answers more than 100 hits', requirements: ['PERSON-SEARCH-002'], off: ['person.search.max-hits'] },
  'person-search-ignores-municipality': { rule: 'a person search ignores the municipality number it was given (only the search oracle sees it: every hit is judged against the question)', requirements: ['PERSON-SEARCH-002'], off: ['person.search.municipality'] },
  'person-search-short-municipality': { rule: 'a person search takes a municipality number of three digits as its second criterion', requirements: ['PERSON-SEARCH-001'], off: ['person/request.body'] },
  'person-search-short-street': { rule: 'a person search takes a two-letter street name as its second criterion', requirements: ['PERSON-SEARCH-001'], off: ['person.search.street-length'] },
  'person-search-ignores-birth-date': { rule: "a person search ignores the birth date it was given", requirements: ['PERSON-SEARCH-002'], off: ['person.search.birth-date'] },
  'person-search-includes-ain': { rule: 'a search answers persons known only by an alternate number without includeAinResults', requirements: ['PERSON-SEARCH-002'], off: ['person.search.ain'] },
  'person-paging-overlap': { rule: 'paged-match-list starts a page one match early (pages overlap)', requirements: ['PERSON-SEARCH-003'], off: ['person.paging.offset'] },
  'person-paging-ignores-size': { rule: 'paged-match-list ignores PageSize', requirements: ['PERSON-SEARCH-003'], off: ['person.paging.page-size'] },
  // The event feed
  'person-events-over-1000': { rule: 'the event feed answers more than 1000 events in a call', requirements: ['PERSON-EVENT-001'], off: ['person.events.max'] },
  'person-events-exclusive': { rule: 'the event feed starts after sequenceNumber, not at it', requirements: ['PERSON-EVENT-001'], off: ['person.events.inclusive'] },
  'person-events-out-of-order': { rule: 'the event feed answers events out of order', requirements: ['PERSON-EVENT-001'], respond: onResults((results) => [...results].reverse()) },
  'person-events-skip': { rule: 'the event feed skips a sequence number', requirements: ['PERSON-EVENT-001'], respond: onResults((results) => results.filter((_, i) => i !== 1)) },
  'person-event-types-ignored': { rule: 'the event feed ignores eventTypes', requirements: ['PERSON-EVENT-002'], off: ['person.events.types'] },
  'person-max-limit-ignored': { rule: 'the v3 event feed ignores maxLimit', requirements: ['PERSON-EVENT-003'], off: ['person.events.max-limit'] },
  'person-latest-stale': {
    rule: 'event/latest answers an older event than the newest',
    requirements: ['PERSON-EVENT-004'],
    respond: onPerson((r) => (r.status === 200 ? { ...r, body: { ...(r.body as Json), sequenceNumber: String(Number((r.body as Json).sequenceNumber) - 1) } } : r), LATEST_OPERATIONS),
  },
  // NHN's published document
  'person-nhn-unknown-field': {
    rule: "the twin's answers carry a field NHN's document does not have, in a part our document does not describe field by field",
    requirements: ['PERSON-DOC-001'],
    suiteEnv: [PERSON_SETTINGS.nhnV2.env],
    respond: onPerson((r) => {
      const body = r.body as Json | undefined;
      return r.status === 200 && body && typeof body === 'object' && !Array.isArray(body) && 'id' in body ? { ...r, body: { ...body, commonContactRegisterInformation: { preferredChannel: 'sms' } } } : r;
    }),
  },
  // Errors
  'person-problem-without-status': {
    rule: 'Person API errors are ProblemDetails without status',
    requirements: ['PERSON-ERR-001'],
    respond: onPerson(withoutProblemStatus),
  },
  'person-problem-as-problem-json': {
    rule: 'Person API errors come as application/problem+json, not the documented application/json',
    requirements: ['PERSON-ERR-001'],
    respond: onPerson((r) => (r.status >= 400 && r.body ? { ...r, contentType: 'application/problem+json' } : r)),
  },
  'person-openapi-changed': {
    rule: "the Person API's published OpenAPI document changes: event/latest is gone and person search takes a new required parameter",
    requirements: [],
    caughtBy: 'drift',
    respond: [
      {
        services: ['person'],
        operations: [PUBLISHED_OPENAPI],
        apply: (r) => {
          if (r.status !== 200 || !r.body || typeof r.body !== 'object') return r;
          const doc = structuredClone(r.body) as { paths: Record<string, Record<string, { parameters?: unknown[] }>> };
          delete doc.paths['/api/v3/full-access/event/latest'];
          const search = doc.paths['/api/v3/full-access/search/person']?.post;
          if (search) search.parameters = [...(search.parameters ?? []), { name: 'x-nhn-tenant', in: 'header', required: true, schema: { type: 'string' } }];
          return { ...r, body: doc };
        },
      },
    ],
  },
} satisfies Record<string, FaultDefinition>;
