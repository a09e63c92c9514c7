// PIT (Pasientinformasjonstjenesten) twin: FHIR R4 Patient. Facts §6, seed 003.
// POST queues the Patient and answers 202; a worker stores it after a short delay. GET answers a
// searchset Bundle, keyset-paginated by (lastUpdated, write sequence) over a snapshot taken at
// the first page, so concurrent writes neither repeat nor hide rows that existed throughout.
// Scopes, the body limit, content types and the _count bounds come from pit.openapi.yaml.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { rangeSetting, type Env } from '../../../helpers/config/settings.ts';
import { HELSEID_CLAIMS } from '../../../helpers/protocol.ts';
import { loadApiDocument } from '../../../helpers/validation/openapi/document.ts';
import { validateFhir } from '../../../helpers/validation/fhir/validator.ts';
import type { PackContext, TwinModule } from '../../core/module.ts';
import { FHIR_JSON, operationOutcomeFormat } from '../../http/error-formats.ts';
import type { TwinRequest, TwinResponse } from '../../http/service.ts';
import { PitStore, type TimeRange, type Version } from './store.ts';

type Json = Record<string, unknown>;

export const PIT_TWIN_SETTINGS = {
  delayMs: rangeSetting('SANDBOX_PIT_DELAY_MS', "the twin's PIT queue delay, min-max in ms", { min: 0, max: 600_000, fallback: [20, 150] }),
};

/** The largest page the document allows. */
const MAX_COUNT = Number(loadApiDocument('pit').byId.get('searchPatients')?.parameters.find((p) => p.name === '_count')?.schema?.maximum ?? 50);

/** The page size when `_count` is absent: the document's default. */
function defaultCount(): number {
  const count = loadApiDocument('pit').byId.get('searchPatients')?.parameters.find((p) => p.name === '_count');
  return Number(count?.schema?.default ?? 20);
}

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
export function pitDelayBounds(env: Env = process.env): [number, number] {
  return PIT_TWIN_SETTINGS.delayMs.read(env);
}

/** The date and time fields name a real instant: Date.parse rolls 2024-02-30 over to March 1st. */
function isCalendarInstant(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(value);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1).map((v) => Number(v ?? 0));
  const days = new Date(Date.UTC(year!, month!, 0)).getUTCDate();
  return month! >= 1 && month! <= 12 && day! >= 1 && day! <= days && hour! <= 23 && minute! <= 59 && second! <= 59;
}

const PRECISION_MS: Array<[RegExp, number]> = [
  [/T\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/, 60_000],
  [/T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/, 1_000],
  [/T\d{2}:\d{2}:\d{2}\.\d+(Z|[+-]\d{2}:\d{2})$/, 1],
];

/**
 * `ge2024-01-01T12:00Z` → a range, with FHIR's precision-aware prefix semantics. `all`: apply
 * every value (a range of two); `requirePrefix`: refuse a value without one.
 */
export function parseLastUpdated(values: string[], o: { requirePrefix?: boolean; all?: boolean; precision?: boolean } = {}): TimeRange | string {
  const range: TimeRange = {};
  for (const raw of o.all === false ? values.slice(0, 1) : values) {
    let prefix = raw.slice(0, 2);
    let value = raw.slice(2);
    if (!['gt', 'ge', 'lt', 'le'].includes(prefix)) {
      if (o.requirePrefix !== false) return `_lastUpdated "${raw}" needs a prefix: gt, ge, lt or le`;
      prefix = 'ge';
      value = raw;
    }
    const precision = PRECISION_MS.find(([re]) => re.test(value))?.[1];
    const start = Date.parse(value);
    if (!precision || Number.isNaN(start) || !isCalendarInstant(value)) return `_lastUpdated "${raw}" needs at least minute precision and a time zone, e.g. ge2024-01-01T12:00Z`;
    // The value names an interval as long as its precision: gt starts after it, le takes all of it.
    // Without `precision` gt and le compare with its first instant only.
    const end = o.precision === false ? start + 1 : start + precision;
    if (prefix === 'ge') range.from = Math.max(range.from ?? -Infinity, start);
    if (prefix === 'gt') range.from = Math.max(range.from ?? -Infinity, end);
    if (prefix === 'lt') range.to = Math.min(range.to ?? Infinity, start);
    if (prefix === 'le') range.to = Math.min(range.to ?? Infinity, end);
  }
  return range;
}

function api(ctx: PackContext) {
  const { checks } = ctx;
  const on = (rule: string) => checks.on(rule, 'pit');
  const errors = operationOutcomeFormat();
  const store = new PitStore();
  const cursorKey = randomBytes(32);
  const [delayMin, delayMax] = pitDelayBounds(ctx.env);
  const pageSize = defaultCount();
  let submissions = 0;

  const sign = (state: CursorState): string => {
    const body = Buffer.from(JSON.stringify(state)).toString('base64url');
    return `${body}.${createHmac('sha256', cursorKey).update(body).digest('base64url')}`;
  };
  const open = (cursor: string): CursorState | undefined => {
    const [body, mac] = cursor.split('.');
    if (!body || !mac) return undefined;
    if (on('pit.cursor.mac')) {
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

  const bad = (message: string, rule: string): TwinResponse => errors.render(400, 'invalid', `${message} [${rule}]`);

  function search(req: TwinRequest): TwinResponse {
    const org = String(req.token[HELSEID_CLAIMS.orgnrParent] ?? '');
    const cid = String(req.token.client_id ?? '');
    const cursorParam = req.query.get('cursor');
    const lastUpdated = req.query.getAll('_lastUpdated');
    const countParam = req.query.get('_count');
    // The document bounds _count (request.query._count); read what passed leniently.
    const asked = Number(countParam);
    // The document bounds _count (request.query._count); with that bound off (a dialect) a value
    // that is no page size is still refused here, and one above the maximum is clamped.
    if (countParam !== null && !(Number.isInteger(asked) && asked >= 1) && on('pit.count.valid')) return bad(`_count must be an integer from 1, got "${countParam}"`, 'pit.count.valid');
    // Above the document's maximum only when its bound is off (a dialect): clamped, not refused.
    const count = countParam !== null && Number.isInteger(asked) && asked >= 1 ? Math.min(asked, MAX_COUNT) : pageSize;

    let state: CursorState;
    if (cursorParam !== null) {
      if (lastUpdated.length && on('pit.cursor.alone')) return bad('a cursor cannot be combined with _lastUpdated: the cursor carries the original filter', 'pit.cursor.alone');
      const opened = open(cursorParam);
      if (!opened || opened.v !== 1) return bad('the cursor is not valid: use the next link exactly as given', 'pit.cursor.mac');
      if (on('pit.cursor.owner') && (opened.org !== org || opened.cid !== cid)) return bad('the cursor was issued to another client', 'pit.cursor.owner');
      // _sort is ignored with a cursor: the cursor keeps the traversal's order.
      state = { ...opened, count: countParam === null ? opened.count : count };
      const sortParam = req.query.get('_sort');
      if (!on('pit.cursor.keeps-order') && sortParam) state.desc = sortParam === '-_lastUpdated';
    } else {
      const range = parseLastUpdated(lastUpdated, { requirePrefix: on('pit.lastupdated.prefix'), all: on('pit.lastupdated.range'), precision: on('pit.lastupdated.precision') });
      if (typeof range === 'string') return bad(range, 'pit.lastupdated.prefix');
      const desc = req.query.get('_sort') === '-_lastUpdated' && on('pit.sort');
      state = { v: 1, org, cid, desc, snap: store.mark(), lu: desc ? Infinity : -Infinity, seq: desc ? Infinity : -Infinity, count, range };
    }

    const rows = store.snapshot(org, state.snap, state.range, !on('pit.snapshot'));
    if (state.desc) rows.reverse();
    const after = (v: Version) =>
      state.desc
        ? v.lastUpdated < state.lu || (v.lastUpdated === state.lu && v.seq < state.seq)
        : v.lastUpdated > state.lu || (v.lastUpdated === state.lu && v.seq > state.seq);
    const atOrAfter = (v: Version) => after(v) || (v.lastUpdated === state.lu && v.seq === state.seq);
    const remaining = rows.filter(!on('pit.keyset.exclusive') && Number.isFinite(state.lu) ? atOrAfter : after);
    const page = remaining.slice(0, state.count);
    const last = page[page.length - 1];
    const more = remaining.length > page.length && (on('pit.next-link') || cursorParam === null);

    const base = `${ctx.urls.pit}/v1/Patient`;
    // The search as asked, at the service's public address (behind a proxy too).
    const links = [{ relation: 'self', url: `${base}${req.url.search}` }];
    if (more && last) links.push({ relation: 'next', url: `${base}?cursor=${sign({ ...state, lu: last.lastUpdated, seq: last.seq })}` });
    return {
      status: 200,
      contentType: FHIR_JSON,
      body: { resourceType: 'Bundle', type: 'searchset', link: links, entry: page.map((v) => ({ fullUrl: `${base}/${v.id}`, resource: v.resource, search: { mode: 'match' } })) },
    };
  }

  function submit(req: TwinRequest): TwinResponse {
    const org = String(req.token[HELSEID_CLAIMS.orgnrParent] ?? 'unknown');
    let patient: Json;
    try {
      patient = JSON.parse(req.body.toString('utf8')) as Json;
    } catch {
      return bad('the body is not JSON', 'request.body');
    }
    submissions += 1;
    const lost = !on('pit.queue.durable') && submissions % 97 === 0;
    if (!lost) {
      const delay = delayMin + Math.random() * Math.max(0, delayMax - delayMin);
      // With the HTTP layer's body check off (a dialect), validation happens in the queue: what fails it never appears.
      const valid = on('request.body') || validateFhir(patient, { resourceType: 'Patient' }).valid;
      if (valid) setTimeout(() => store.write(org, patient), delay).unref();
    }
    return { status: 202 };
  }

  return { errors, handlers: { searchPatients: search, submitPatient: submit }, digest: () => ({ submissions, writes: store.mark() }) };
}

export const twin: TwinModule = { api };
