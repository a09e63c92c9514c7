// PHR faults: one per MUST the PHR specs check, each switching off the named check that enforces
// it (sandbox/apis/phr/index.ts, or the shared request and claim checks from phr.openapi.yaml),
// or transforming the responses.
import { respondOn, type FaultDefinition, type ResponseTransform } from '../../core/faults.ts';

const onPhr = (apply: ResponseTransform['apply'], operations?: readonly string[]) => respondOn('phr', apply, operations);

export const faults = {
  'phr-ping-requires-auth': {
    rule: 'PHR /ping demands a token',
    requirements: ['PHR-PING-001'],
    route: (r) => (r.service === 'phr' && r.operationId === 'ping' ? { modes: ['dpop'] } : undefined),
  },
  'phr-pingauth-open': {
    rule: 'PHR /pingauth answers without a token',
    requirements: ['PHR-PING-002'],
    route: (r) => (r.service === 'phr' && r.operationId === 'pingAuth' ? { modes: [] } : undefined),
  },
  'phr-attest-unchecked': { rule: 'PHR serves a user token without the trust framework attest', requirements: ['PHR-USER-002'], off: ['phr.user.attest'] },
  'phr-cache-ignored': { rule: "PHR recomputes every page of a search, so pages shift as documents arrive", requirements: ['PHR-CACHE-001'], off: ['phr.cache'] },
  'phr-cache-never-expires': { rule: "PHR keeps a search's result for ever", requirements: ['PHR-CACHE-001'], off: ['phr.cache.expiry'] },
  'phr-get-search-allowed': { rule: 'PHR answers a GET search', requirements: ['PHR-ITI67-002'], off: ['phr.search.post-only'] },
  'phr-status-optional': { rule: 'PHR searches without status', requirements: ['PHR-ITI67-003'], off: ['phr/request.body'] },
  'phr-source-system-optional': { rule: 'PHR searches without nhn-source-system', requirements: ['PHR-ITI67-003'], off: ['phr/request.header.nhn-source-system'] },
  'phr-accept-unchecked': { rule: 'PHR answers FHIR JSON whatever Accept asks for', requirements: ['PHR-ITI67-003'], off: ['phr.accept'] },
  'phr-status-ignored': { rule: 'PHR ignores status: superseded documents come with current ones', requirements: ['PHR-ITI67-004'], off: ['phr.search.status'] },
  'phr-other-patients': { rule: "PHR returns other patients' documents too", requirements: ['PHR-ITI67-001', 'PHR-ITI67-004'], off: ['phr.search.patient'] },
  'phr-dates-ignored': { rule: 'PHR ignores date, creation and period', requirements: ['PHR-ITI67-004'], off: ['phr.search.dates'] },
  'phr-category-ignored': { rule: 'PHR ignores category', requirements: ['PHR-ITI67-004'], off: ['phr.search.category'] },
  'phr-author-ignored': { rule: 'PHR ignores author.given and author.family', requirements: ['PHR-ITI67-004'], off: ['phr.search.author'] },
  'phr-security-label-ignored': { rule: 'PHR ignores security-label', requirements: ['PHR-ITI67-004'], off: ['phr.search.security-label'] },
  'phr-identifier-ignored': { rule: 'PHR ignores identifier', requirements: ['PHR-ITI67-004'], off: ['phr.search.identifier'] },
  'phr-total-page-size': { rule: 'PHR gives the page size as Bundle.total', requirements: ['PHR-PAGE-001'], off: ['phr.paging.total'] },
  'phr-pages-overlap': { rule: 'PHR pages overlap by one document', requirements: ['PHR-PAGE-001'], off: ['phr.paging.disjoint'] },
  'phr-previous-link-stays': {
    rule: "PHR's previous link leads back to the page it is on, not the one before",
    requirements: ['PHR-PAGE-001'],
    respond: onPhr((r) => {
      const body = r.body as { resourceType?: string; link?: Array<{ relation: string; url: string }> } | undefined;
      if (r.status !== 200 || body?.resourceType !== 'Bundle') return r;
      const self = body.link?.find((l) => l.relation === 'self')?.url;
      return { ...r, body: { ...body, link: body.link?.map((l) => (l.relation === 'previous' && self ? { ...l, url: self } : l)) } };
    }, ['findDocumentReferences']),
  },
  'phr-both-scopes': { rule: 'PHR accepts a token with both document-reference scopes', requirements: ['PHR-SCOPE-001'], off: ['phr.scope.exclusive'] },
  'phr-read-document-searches': { rule: 'PHR lets the read-document scope search', requirements: ['PHR-SCOPE-002'], off: ['phr/token.scope'] },
  'phr-basis-optional': { rule: 'PHR accepts the kjernejournalforskriften scope without an access basis', requirements: ['PHR-BASIS-001'], off: ['phr.basis.required'] },
  'phr-basis-any': { rule: 'PHR accepts any access basis value', requirements: ['PHR-BASIS-001'], off: ['phr.basis.known'] },
  'phr-window-a-year-long': { rule: 'PHR keeps every kjernejournalforskriften window a year too long', requirements: ['PHR-BASIS-002'], off: ['phr.filter.window'] },
  'phr-section45-filtered': { rule: 'PHR filters the §45 scope as if it were kjernejournalforskriften', requirements: ['PHR-BASIS-002'], off: ['phr.filter.section45-unfiltered'] },
  'phr-nors-shown': { rule: 'PHR returns NORS-restricted documents', requirements: ['PHR-NORS-001'], off: ['phr.nors.withhold'] },
  'phr-nors-uncounted': { rule: 'PHR withholds NORS documents but says 0', requirements: ['PHR-NORS-001'], off: ['phr.nors.count'] },
  'phr-master-identifier-shared': { rule: 'PHR gives every DocumentReference the same masterIdentifier', requirements: ['PHR-ITI67-001'], off: ['phr.master-identifier.unique'] },
  'phr-url-not-iti68': { rule: 'PHR points attachment.url somewhere other than ITI-68', requirements: ['PHR-ITI68-001'], off: ['phr.attachment.url'] },
  'phr-wrong-hash': { rule: 'PHR states a SHA-1 that is not of the bytes', requirements: ['PHR-ITI68-001'], off: ['phr.attachment.hash'] },
  'phr-wrong-size': { rule: 'PHR states a size one byte too many', requirements: ['PHR-ITI68-001'], off: ['phr.attachment.size'] },
  'phr-stale-bytes': { rule: 'ITI-68 returns bytes that differ from what ITI-67 describes', requirements: ['PHR-ITI68-001'], off: ['phr.attachment.bytes'] },
  'phr-nin-optional': { rule: 'ITI-68 retrieves without nhn-patient-nin', requirements: ['PHR-ITI68-002'], off: ['phr/request.header.nhn-patient-nin', 'phr.retrieve.patient'] },
  'phr-unknown-document-200': {
    rule: 'ITI-68 answers 200 and an empty body for an unknown document',
    requirements: ['PHR-ITI68-002'],
    respond: onPhr((r) => (r.status === 404 ? { status: 200, body: Buffer.alloc(0), contentType: 'application/pdf' } : r)),
  },
  'phr-fhir-json-retrieve': { rule: 'ITI-68 answers a request for application/fhir+json', requirements: ['PHR-ITI68-003'], off: ['phr.retrieve.no-fhir'] },
  'phr-machine-token': { rule: 'PHR checks no user context: a machine token without a user is accepted', requirements: ['PHR-USER-001'], off: ['phr/token.claims', 'phr.user.security-level'] },
  'phr-security-level-3': { rule: 'PHR accepts a user at security level 3', requirements: ['PHR-USER-001'], off: ['phr.user.security-level'] },
  'phr-html-errors': {
    rule: 'PHR answers its own 4xx with an HTML page',
    requirements: ['PHR-ERR-001'],
    respond: onPhr((r) => (r.status >= 400 && r.status < 500 && r.status !== 401 ? { ...r, body: `<!DOCTYPE html><html><body><h1>${r.status}</h1></body></html>`, contentType: 'text/html; charset=utf-8' } : r)),
  },
} satisfies Record<string, FaultDefinition>;
