// PIT (Pasientinformasjonstjenesten) twin: FHIR R4 Patient. Facts §6, seed 003.
// POST queues the Patient and answers 202; a worker stores it after a short delay. GET answers a
// searchset Bundle, keyset-paginated by (lastUpdated, write sequence) over a snapshot taken at
// the first page, so concurrent writes neither repeat nor hide rows that existed throughout.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AUDIENCES, HELSEID_CLAIMS } from '../../helpers/config/services.ts';
import type { ValidationIssue } from '../../helpers/validation/issues.ts';
import { FHIR_JSON, operationOutcomeFormat } from '../http/error-formats.ts';
import type { TwinRequest, TwinResponse } from '../http/service.ts';
import type { AuthPolicy } from '../rs/resource-server.ts';
import { FHIR_JSON_TYPES, type ApiContext, type ApiModule } from './common.ts';
import { PitStore, type TimeRange, type Version } from './pit-store.ts';

export const PIT_MAX_BODY_BYTES = 900 * 1024;
export const PIT_DEFAULT_COUNT = 20;
export const PIT_MAX_COUNT = 50;

type Json = Record<string, unknown>;

interface CursorState {
  v: 1;
  org: string;
  cid: string;
  desc: boolean;
  /** Snapshot mark. */
  snap: number;
  /** Position: the last row served. */
  lu: number;
  seq: number;
  count: number;
  range: TimeRange;
}

/** Asynchronous processing delay of the twin's queue, in ms (uniform between the bounds). */
export function pitDelayBounds(env: NodeJS.ProcessEnv = process.env): [number, number] {
  const [lo, hi] = (env.SANDBOX_PIT_DELAY_MS ?? '20-150').split('-').map(Number);
  return [lo ?? 20, hi ?? lo ?? 150];
}

const PRECISION_MS: Array<[RegExp, number]> = [
  [/T\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/, 60_000],
  [/T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/, 1_000],
  [/T\d{2}:\d{2}:\d{2}\.\d+(Z|[+-]\d{2}:\d{2})$/, 1],
];

/** `ge2024-01-01T12:00Z` → a range, with FHIR's precision-aware prefix semantics. */
export function parseLastUpdated(values: string[], lenientPrefix = false): TimeRange | string {
  const range: TimeRange = {};
  for (const raw of values) {
    let prefix = raw.slice(0, 2);
    let value = raw.slice(2);
    if (!['gt', 'ge', 'lt', 'le'].includes(prefix)) {
      if (!lenientPrefix) return `_lastUpdated "${raw}" needs a prefix: gt, ge, lt or le`;
      prefix = 'ge';
      value = raw;
    }
    const precision = PRECISION_MS.find(([re]) => re.test(value))?.[1];
    const start = Date.parse(value);
    if (!precision || Number.isNaN(start)) return `_lastUpdated "${raw}" needs at least minute precision and a time zone, e.g. ge2024-01-01T12:00Z`;
    const end = start + precision;
    if (prefix === 'ge') range.from = Math.max(range.from ?? -Infinity, start);
    if (prefix === 'gt') range.from = Math.max(range.from ?? -Infinity, end);
    if (prefix === 'lt') range.to = Math.min(range.to ?? Infinity, start);
    if (prefix === 'le') range.to = Math.min(range.to ?? Infinity, end);
  }
  return range;
}

export function pitModule(ctx: ApiContext): ApiModule {
  const { faults } = ctx;
  const errors = operationOutcomeFormat(faults);
  const store = new PitStore();
  const cursorKey = randomBytes(32);
  const [delayMin, delayMax] = pitDelayBounds();
  let submissions = 0;

  const auth = (scope: string): AuthPolicy => ({
    audience: AUDIENCES.pit,
    anyScope: faults.has('pit-no-scope-check') ? undefined : [scope],
    modes: faults.has('pit-accepts-bearer') ? ['dpop', 'bearer'] : ['dpop'],
    bearerIgnoresBinding: faults.has('pit-accepts-bearer'),
    proofOptional: faults.has('pit-proof-optional'),
    requiredClaims: faults.has('pit-no-orgnr-check') ? [] : [HELSEID_CLAIMS.orgnrParent],
  });

  const sign = (state: CursorState): string => {
    const body = Buffer.from(JSON.stringify(state)).toString('base64url');
    return `${body}.${createHmac('sha256', cursorKey).update(body).digest('base64url')}`;
  };
  const open = (cursor: string): CursorState | undefined => {
    const [body, mac] = cursor.split('.');
    if (!body || !mac) return undefined;
    if (!faults.has('pit-cursor-unchecked')) {
      const expected = createHmac('sha256', cursorKey).update(body).digest();
      const given = Buffer.from(mac, 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    }
    try {
      return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as CursorState;
    } catch {
      return undefined;
    }
  };

  const bad = (message: string): TwinResponse => errors.render(400, 'invalid', message);

  function search(req: TwinRequest): TwinResponse {
    const token = req.auth!.token;
    const org = String(token[HELSEID_CLAIMS.orgnrParent] ?? '');
    const cid = String(token.client_id ?? '');
    const cursorParam = req.query.get('cursor');
    const lastUpdated = req.query.getAll('_lastUpdated');
    const countParam = req.query.get('_count');
    let count = countParam === null ? PIT_DEFAULT_COUNT : Number(countParam);
    if (faults.has('pit-count-unbounded')) count = Math.max(1, count);
    else if (!Number.isInteger(count) || count < 1 || count > PIT_MAX_COUNT) return bad(`_count must be between 1 and ${PIT_MAX_COUNT}`);

    let state: CursorState;
    if (cursorParam !== null) {
      if (lastUpdated.length && !faults.has('pit-cursor-with-filter')) return bad('a cursor cannot be combined with _lastUpdated: the cursor carries the original filter');
      const opened = open(cursorParam);
      if (!opened || opened.v !== 1) return bad('the cursor is not valid: use the next link exactly as given');
      if (!faults.has('pit-cursor-unchecked') && (opened.org !== org || opened.cid !== cid)) return bad('the cursor was issued to another client');
      // _sort is ignored with a cursor: the cursor keeps the traversal's order.
      state = { ...opened, count: countParam === null ? opened.count : count };
      const sortParam = req.query.get('_sort');
      if (faults.has('pit-cursor-honours-sort') && sortParam) state.desc = sortParam === '-_lastUpdated';
    } else {
      const sort = req.query.get('_sort') ?? '_lastUpdated';
      if (sort !== '_lastUpdated' && sort !== '-_lastUpdated') return bad('_sort must be _lastUpdated or -_lastUpdated');
      const range = parseLastUpdated(faults.has('pit-range-ignored') ? lastUpdated.slice(0, 1) : lastUpdated, faults.has('pit-lastupdated-no-prefix'));
      if (typeof range === 'string') return bad(range);
      const desc = sort === '-_lastUpdated' && !faults.has('pit-sort-ignored');
      state = { v: 1, org, cid, desc, snap: store.mark(), lu: desc ? Infinity : -Infinity, seq: desc ? Infinity : -Infinity, count, range };
    }

    const rows = store.snapshot(org, state.snap, state.range, faults.has('pit-live-keyset'));
    if (state.desc) rows.reverse();
    const after = (v: Version) =>
      state.desc
        ? v.lastUpdated < state.lu || (v.lastUpdated === state.lu && v.seq < state.seq)
        : v.lastUpdated > state.lu || (v.lastUpdated === state.lu && v.seq > state.seq);
    const atOrAfter = (v: Version) => after(v) || (v.lastUpdated === state.lu && v.seq === state.seq);
    const remaining = rows.filter(faults.has('pit-repeat-row') && Number.isFinite(state.lu) ? atOrAfter : after);
    const page = remaining.slice(0, state.count);
    const last = page[page.length - 1];
    const more = remaining.length > page.length && !(faults.has('pit-next-early') && cursorParam !== null);

    const base = `${ctx.publicUrl}/v1/Patient`;
    const links = [{ relation: 'self', url: req.url.href }];
    if (more && last) links.push({ relation: 'next', url: `${base}?cursor=${sign({ ...state, lu: last.lastUpdated, seq: last.seq })}` });
    return {
      status: 200,
      contentType: FHIR_JSON,
      body: {
        resourceType: 'Bundle',
        type: faults.has('pit-bundle-not-searchset') ? 'collection' : 'searchset',
        link: links,
        entry: page.map((v) => ({ fullUrl: `${base}/${v.id}`, resource: faults.has('pit-strips-identifier') ? { ...v.resource, identifier: undefined } : v.resource, search: { mode: 'match' } })),
      },
    };
  }

  function submit(req: TwinRequest): TwinResponse {
    const org = String(req.auth!.token[HELSEID_CLAIMS.orgnrParent] ?? 'unknown');
    const patient = JSON.parse(req.body.toString('utf8')) as Json;
    submissions += 1;
    const lost = faults.has('pit-loses-submissions') && submissions % 97 === 0;
    if (!lost) {
      const delay = delayMin + Math.random() * Math.max(0, delayMax - delayMin);
      setTimeout(() => store.write(org, patient), delay).unref();
    }
    return { status: faults.has('pit-200-not-202') ? 200 : 202 };
  }

  /** OpenAPI issues the twin lets through when a fault says it does not check that rule. */
  const tolerate = (issue: ValidationIssue): boolean =>
    (faults.has('pit-count-unbounded') && issue.location === 'query._count') ||
    (faults.has('pit-lastupdated-no-prefix') && issue.location.startsWith('query._lastUpdated')) ||
    (faults.has('pit-invalid-accepted') && issue.location.startsWith('Patient'));

  return {
    name: 'pit',
    errors,
    documents: ['pit'],
    tolerate,
    routes: [
      { method: 'GET', path: '/v1/Patient', auth: auth('nhn:pit/api.read'), handler: search },
      {
        method: 'POST',
        path: '/v1/Patient',
        auth: auth('nhn:pit/api.write'),
        consumes: FHIR_JSON_TYPES,
        maxBodyBytes: faults.has('pit-size-limit-low') ? 256 * 1024 : PIT_MAX_BODY_BYTES,
        handler: submit,
      },
    ],
  };
}
