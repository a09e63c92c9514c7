// PTS (Personvern og tilgangsstyring) twin: patient-safety access restrictions (facts §5). The
// validation page's rules are named checks, answered with ProblemDetails; associate-parent derives
// a result report's delay from its requisition's; _search takes the NIN in the body and drops
// restrictions whose delay has passed when asked (ApplicableOnly). The unversioned routes with the
// api-version header (0.3, 0.4) share the store; they take no delayDays, which came with 0.5.
import type { PackContext, TwinModule } from '../../core/module.ts';
import { check, Refusal, type Check } from '../../core/checks.ts';
import { problemDetailsFormat } from '../../http/error-formats.ts';
import type { TwinRequest, TwinResponse } from '../../http/service.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** .NET's DateTime.MaxValue: what PTS sets as the delay of a NORN_* restriction (validation page). */
export const MAX_DATE = '9999-12-31T23:59:59.9999999Z';
const DAY_MS = 86_400_000;

interface Restriction {
  patientSafetyObject: { person: { offId: string }; confidentialObjectId: { type: 'Rekvisisjon' | 'Svarrapport'; value: string } };
  confidentialityCode: string;
  delayDays: number | null;
  delayDeliveryUntil: string | null;
  delayFromTime: string | null;
  parentConfidentialObjectId: { type: string; value: string } | null;
  cause: string;
  createdBy: string;
  createdTime: string;
}

interface Candidate {
  body: Json;
  legacy: boolean;
  now: number;
}

const invalid = (description: string) => ({ status: 400, description });
const given = (v: unknown) => v !== undefined && v !== null;

function api(ctx: PackContext) {
  const errors = problemDetailsFormat();
  const on = (rule: string) => ctx.checks.on(rule, 'pts');
  const restrictions: Restriction[] = [];

  const createChecks: Check<Candidate>[] = [
    check('pts.delay.one-of', (c, refuse) => {
      const n = ['delayDeliveryUntil', 'delayDays', 'delayFromTime'].filter((k) => given(c.body[k])).length;
      if (n > 1) refuse(invalid('only one of delayDeliveryUntil, delayDays and delayFromTime may be given'));
    }),
    check('pts.delay.days-for-requisition', (c, refuse) => {
      if (given(c.body.delayDays) && c.legacy) refuse(invalid('delayDays came with v0.5; the api-version 0.3 and 0.4 routes do not take it'));
      if (given(c.body.delayDays) && c.body.patientSafetyObject?.confidentialObjectId?.type !== 'Rekvisisjon') refuse(invalid('delayDays is allowed only for a Rekvisisjon'));
    }),
    check('pts.code.n-no-delay', (c, refuse) => {
      if (c.body.confidentialityCode === 'N' && (given(c.body.delayDeliveryUntil) || given(c.body.delayDays) || given(c.body.delayFromTime))) refuse(invalid('DelayDeliveryUntil cannot be specified with ConfidentialityCode N'));
    }),
    check('pts.code.norn-no-delay', (c, refuse) => {
      if (String(c.body.confidentialityCode).startsWith('NORN_') && (given(c.body.delayDeliveryUntil) || given(c.body.delayDays))) refuse(invalid(`${String(c.body.confidentialityCode)} takes no delay: PTS sets it to the maximum date`));
    }),
    check('pts.code.delay-required', (c, refuse) => {
      const code = String(c.body.confidentialityCode);
      if (code !== 'N' && !code.startsWith('NORN_') && !given(c.body.delayDeliveryUntil) && !given(c.body.delayDays)) refuse(invalid(`${code} needs delayDeliveryUntil in the future or delayDays`));
    }),
    check('pts.delay.future', (c, refuse) => {
      if (given(c.body.delayDeliveryUntil) && !(Date.parse(String(c.body.delayDeliveryUntil)) > c.now)) refuse(invalid('delayDeliveryUntil must be in the future'));
    }),
  ];

  const refusal = (e: Refusal) => errors.render(e.details.status, 'invalid', `${e.details.description} [${e.check}]`);
  /** The posted JSON object. The HTTP layer has checked it against the document (the legacy routes' api-version header too); a fault may have turned that off. */
  const json = (req: TwinRequest): { body: Json } | { refusal: TwinResponse } => {
    try {
      const body = JSON.parse(req.body.toString('utf8')) as unknown;
      if (body && typeof body === 'object' && !Array.isArray(body)) return { body: body as Json };
    } catch {
      // answered below
    }
    return { refusal: errors.render(400, 'invalid', 'the body must be a JSON object [pts.body]') };
  };
  const same = (a: { type?: string; value?: string } | null | undefined, b: { type?: string; value?: string } | null | undefined) => !!a && !!b && a.type === b.type && a.value === b.value;

  async function create(req: TwinRequest): Promise<TwinResponse> {
    const parsed = json(req);
    if ('refusal' in parsed) return parsed.refusal;
    const { body } = parsed;
    const now = Date.now();
    try {
      await ctx.checks.run('pts.create', createChecks, { body, legacy: req.path.startsWith('/access-restrictions'), now }, 'pts');
    } catch (e) {
      if (e instanceof Refusal) return refusal(e);
      throw e;
    }
    const code = String(body.confidentialityCode);
    const until = code.startsWith('NORN_') && on('pts.code.norn-max') ? MAX_DATE : given(body.delayDeliveryUntil) ? new Date(String(body.delayDeliveryUntil)).toISOString() : null;
    const r: Restriction = {
      patientSafetyObject: body.patientSafetyObject,
      confidentialityCode: code,
      delayDays: given(body.delayDays) ? Number(body.delayDays) : null,
      delayDeliveryUntil: until,
      delayFromTime: given(body.delayFromTime) ? new Date(String(body.delayFromTime)).toISOString() : null,
      parentConfidentialObjectId: null,
      cause: String(body.cause ?? 'Manual'),
      createdBy: String(req.token.client_id ?? 'unknown'),
      createdTime: new Date(now).toISOString(),
    };
    restrictions.push(r);
    return { status: 201, body: r };
  }

  /** A Svarrapport under its Rekvisisjon: delayDeliveryUntil = delayFromTime + the parent's delayDays, cause Derived. */
  async function associate(req: TwinRequest): Promise<TwinResponse> {
    const parsed = json(req);
    if ('refusal' in parsed) return parsed.refusal;
    const { body } = parsed;
    const child = body.patientSafetyObject;
    const offId = String(child?.person?.offId ?? '');
    const parent = restrictions.find((r) => r.patientSafetyObject.person.offId === offId && same(r.patientSafetyObject.confidentialObjectId, body.parentConfidentialObjectId));
    if (!parent && on('pts.assoc.parent')) return errors.render(404, 'not-found', 'no restriction for that parent object and person [pts.assoc.parent]');
    if (child?.confidentialObjectId?.type !== 'Svarrapport' && on('pts.assoc.child-type')) return errors.render(400, 'invalid', 'the child of associate-parent is a Svarrapport [pts.assoc.child-type]');
    if (!given(body.delayFromTime) && on('pts.assoc.from')) return errors.render(400, 'invalid', 'associate-parent needs delayFromTime [pts.assoc.from]');
    const from = given(body.delayFromTime) ? Date.parse(String(body.delayFromTime)) : Date.now();
    const days = parent?.delayDays ?? 0;
    const derived = on('pts.assoc.derive') ? from + days * DAY_MS : from;
    const r: Restriction = {
      patientSafetyObject: child,
      confidentialityCode: parent?.confidentialityCode ?? 'NORU',
      delayDays: null,
      delayDeliveryUntil: parent && parent.delayDays === null ? parent.delayDeliveryUntil : new Date(derived).toISOString(),
      delayFromTime: new Date(from).toISOString(),
      parentConfidentialObjectId: parent?.patientSafetyObject.confidentialObjectId ?? body.parentConfidentialObjectId,
      cause: on('pts.assoc.cause') ? 'Derived' : 'Manual',
      createdBy: String(req.token.client_id ?? 'unknown'),
      createdTime: new Date().toISOString(),
    };
    restrictions.push(r);
    return { status: 201, body: r };
  }

  function search(req: TwinRequest): TwinResponse {
    const parsed = json(req);
    if ('refusal' in parsed) return parsed.refusal;
    const { body } = parsed;
    const now = Date.now();
    const hits = restrictions
      .filter((r) => !on('pts.search.person') || r.patientSafetyObject.person.offId === String(body.offId))
      .filter((r) => !given(body.confidentialObjectId) || same(r.patientSafetyObject.confidentialObjectId, body.confidentialObjectId))
      .filter((r) => !given(body.parentConfidentialObjectId) || !on('pts.search.parent') || same(r.parentConfidentialObjectId, body.parentConfidentialObjectId))
      .filter((r) => body.ApplicableOnly !== true || !on('pts.search.applicable') || r.delayDeliveryUntil === null || Date.parse(r.delayDeliveryUntil.replace(/\.\d+Z$/, 'Z')) > now);
    return { status: 200, body: hits };
  }

  return {
    digest: () => restrictions,
    errors,
    handlers: {
      createRestriction: create,
      associateParent: associate,
      searchRestrictions: search,
      createRestrictionLegacy: create,
      associateParentLegacy: associate,
      searchRestrictionsLegacy: search,
    },
  };
}

export const twin: TwinModule = { api };
