// PTS faults: one per MUST the PTS specs check, each switching off the named check that enforces
// it (sandbox/apis/pts/index.ts, or the shared token checks), changing a route's policy, or
// transforming a response.
import { respondOn, type FaultDefinition, type ResponseTransform } from '../../core/faults.ts';
import { withoutProblemStatus } from '../../http/error-formats.ts';

type Body = Record<string, unknown>;
const onPts = (apply: ResponseTransform['apply'], operations?: readonly string[]) => respondOn('pts', apply, operations);

export const faults = {
  'pts-two-delays': { rule: 'PTS takes two delay fields at once', requirements: ['PTS-VALID-001'], off: ['pts.delay.one-of'] },
  'pts-n-with-delay': { rule: 'PTS takes a delay with code N', requirements: ['PTS-VALID-002'], off: ['pts.code.n-no-delay'] },
  'pts-norn-with-delay': { rule: 'PTS takes a delay with a NORN_* code', requirements: ['PTS-VALID-003'], off: ['pts.code.norn-no-delay'] },
  'pts-norn-no-max-date': { rule: 'PTS leaves a NORN_* restriction without the year-9999 delay', requirements: ['PTS-VALID-003'], off: ['pts.code.norn-max'] },
  'pts-noru-without-delay': { rule: 'PTS takes NORU without a delay', requirements: ['PTS-VALID-004'], off: ['pts.code.delay-required'] },
  'pts-past-delay': { rule: 'PTS takes a delayDeliveryUntil in the past', requirements: ['PTS-VALID-004'], off: ['pts.delay.future'] },
  'pts-delay-days-svarrapport': { rule: 'PTS takes delayDays for a Svarrapport', requirements: ['PTS-VALID-005'], off: ['pts.delay.days-for-requisition'] },
  'pts-assoc-not-derived': { rule: "associate-parent copies delayFromTime without adding the parent's delayDays", requirements: ['PTS-ASSOC-001'], off: ['pts.assoc.derive'] },
  'pts-assoc-cause-manual': { rule: 'associate-parent sets cause Manual, not Derived', requirements: ['PTS-ASSOC-001'], off: ['pts.assoc.cause'] },
  'pts-assoc-unknown-parent': { rule: 'associate-parent takes a parent that has no restriction', requirements: ['PTS-ASSOC-001'], off: ['pts.assoc.parent'] },
  'pts-search-everyone': { rule: "_search returns other persons' restrictions", requirements: ['PTS-SEARCH-001'], off: ['pts.search.person'] },
  'pts-applicable-only-ignored': { rule: '_search ignores ApplicableOnly', requirements: ['PTS-SEARCH-001'], off: ['pts.search.applicable'] },
  'pts-parent-search-ignored': { rule: '_search ignores parentConfidentialObjectId', requirements: ['PTS-SEARCH-001'], off: ['pts.search.parent'] },
  'pts-legacy-no-api-version': { rule: 'the unversioned routes answer without the api-version header', requirements: ['PTS-LEGACY-001'], off: ['pts/request.header.api-version'] },
  'pts-assoc-any-child': { rule: 'associate-parent takes a Rekvisisjon as the child', requirements: ['PTS-ASSOC-001'], off: ['pts.assoc.child-type'] },
  'pts-assoc-no-from': { rule: 'associate-parent derives a delay without delayFromTime (from now)', requirements: ['PTS-ASSOC-001'], off: ['pts.assoc.from'] },
  'pts-bearer-accepted': {
    rule: 'PTS takes Bearer tokens (the seed page\'s outdated "bearer")',
    requirements: ['PTS-AUTH-002'],
    route: (r, p) => (r.service === 'pts' && p.modes.includes('dpop') ? { modes: [...p.modes, 'bearer'] } : undefined),
  },
  'pts-orgnr-optional': { rule: 'PTS serves a token without orgnr_parent', requirements: ['PTS-AUTH-002'], off: ['pts/token.claims'] },
  'pts-problem-without-status': {
    rule: 'PTS errors are ProblemDetails without status',
    requirements: ['PTS-ERR-001'],
    respond: onPts(withoutProblemStatus),
  },
  'pts-problem-as-text': {
    rule: 'PTS answers 400 as plain text',
    requirements: ['PTS-ERR-001'],
    respond: onPts((r) => (r.status === 400 ? { ...r, contentType: 'text/plain; charset=utf-8', body: 'Bad Request' } : r)),
  },
  'pts-crash-on-out-of-range-delay': {
    rule: 'PTS crashes on a delayDays it cannot convert (below 0): 500 and a developer exception page with its stack trace',
    requirements: [],
    caughtBy: 'fuzz',
    respond: onPts(
      (r) =>
        r.status === 400 && /delayDays[^;]*(>=|minimum)/.test(JSON.stringify(r.body ?? ''))
          ? { status: 500, contentType: 'text/html; charset=utf-8', body: '<!DOCTYPE html><html><body><h1>An unhandled exception occurred while processing the request.</h1><pre>System.OverflowException: Value was either too large or too small for a UInt32.\n   at Pts.Api.Restrictions.Create(RestrictionRequest request) in /src/Pts.Api/Restrictions.cs:line 88</pre></body></html>' }
          : r,
      ['createRestriction', 'createRestrictionLegacy'],
    ),
  },
  'pts-create-drops-delay': {
    rule: "PTS's created restriction lacks its delayDays",
    requirements: ['PTS-CREATE-001'],
    respond: onPts((r) => {
      if (r.status !== 201) return r;
      const { delayDays: _dropped, ...rest } = r.body as Body;
      return { ...r, body: rest };
    }, ['createRestriction']),
  },
} satisfies Record<string, FaultDefinition>;
