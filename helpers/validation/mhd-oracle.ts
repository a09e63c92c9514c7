// The suite's semantic oracle for IHE MHD ITI-67 (written from FHIR's search rules, never shared
// with the twin): does a returned DocumentReference really match its query? Pure functions, so the
// specs use it live and the evidence verifier re-judges recorded searches with it offline.
import { KJERNEJOURNAL_WINDOW_YEARS } from '../packs/phr.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const codings = (cc: Json | Json[] | undefined): Json[] => [cc ?? []].flat().flatMap((c: Json) => c.coding ?? []);

function tokenHolds(value: string, candidates: Json[]): boolean {
  return value.split(',').some((v) => {
    const bar = v.indexOf('|');
    if (bar < 0) return candidates.some((c) => c.code === v);
    const system = v.slice(0, bar);
    const code = v.slice(bar + 1);
    return candidates.some((c) => (system ? c.system === system : !c.system) && (!code || c.code === code));
  });
}

/** The interval a FHIR date value covers (its precision), in ms. */
function interval(value: string): [number, number] {
  const start = Date.parse(value.length === 4 ? `${value}-01-01T00:00:00Z` : value.length === 7 ? `${value}-01T00:00:00Z` : value.length === 10 ? `${value}T00:00:00Z` : value);
  const end = value.length === 4 ? Date.UTC(Number(value) + 1, 0, 1) : value.length === 7 ? Date.UTC(Number(value.slice(0, 4)), Number(value.slice(5, 7)), 1) : value.length === 10 ? start + 86_400_000 : start + 1000;
  return [start, end];
}

/** FHIR R4 date search: does the value range [lo, hi) satisfy `prefix` + parameter value? */
function dateHolds(param: string, lo: number, hi: number): boolean {
  const prefix = /^[a-z]{2}/.test(param) ? param.slice(0, 2) : 'eq';
  const [start, end] = interval(/^[a-z]{2}/.test(param) ? param.slice(2) : param);
  return {
    eq: lo >= start && hi <= end,
    ne: !(lo >= start && hi <= end),
    gt: hi > end,
    lt: lo < start,
    ge: hi > start,
    le: lo < end,
    sa: lo >= end,
    eb: hi <= start,
  }[prefix] ?? false;
}

/** Which of the query's conditions a DocumentReference breaks (empty: it matches). */
export function mismatches(d: Json, form: Record<string, string | string[]>): string[] {
  const out: string[] = [];
  const values = (k: string) => [form[k] ?? []].flat();
  const attachment = d.content?.[0]?.attachment ?? {};
  const author = (d.contained ?? []).find((c: Json) => `#${c.id}` === d.author?.[0]?.reference) ?? {};
  const ms = (v: string | undefined) => (v ? Date.parse(v) : NaN);
  const checks: Array<[string, (v: string) => boolean]> = [
    ['patient.identifier', (v) => tokenHolds(v, [{ system: d.subject?.identifier?.system, code: d.subject?.identifier?.value }])],
    ['status', (v) => v.split(',').includes(d.status)],
    ['date', (v) => dateHolds(v, ms(d.date), ms(d.date) + 1)],
    ['creation', (v) => dateHolds(v, ms(attachment.creation), ms(attachment.creation) + 1)],
    ['period', (v) => dateHolds(v, ms(d.context?.period?.start), ms(d.context?.period?.end))],
    ['category', (v) => tokenHolds(v, codings(d.category))],
    ['type', (v) => tokenHolds(v, codings(d.type))],
    ['format', (v) => tokenHolds(v, [d.content?.[0]?.format ?? {}])],
    ['facility', (v) => tokenHolds(v, codings(d.context?.facilityType))],
    ['setting', (v) => tokenHolds(v, codings(d.context?.practiceSetting))],
    ['event', (v) => tokenHolds(v, codings(d.context?.event))],
    ['security-label', (v) => tokenHolds(v, codings(d.securityLabel))],
    ['identifier', (v) => tokenHolds(v, [d.masterIdentifier, ...(d.identifier ?? [])].filter(Boolean).map((i: Json) => ({ system: i.system, code: i.value })))],
    ['related', (v) => tokenHolds(v, (d.context?.related ?? []).map((r: Json) => ({ system: r.identifier?.system, code: r.identifier?.value })))],
    ['author.given', (v) => (author.name ?? []).some((n: Json) => (n.given ?? []).some((g: string) => g.toLowerCase().startsWith(v.toLowerCase())))],
    ['author.family', (v) => (author.name ?? []).some((n: Json) => String(n.family ?? '').toLowerCase().startsWith(v.toLowerCase()))],
  ];
  for (const [name, holds] of checks) for (const v of values(name)) if (!holds(v)) out.push(`${name}=${v}`);
  return out;
}

export function insideWindow(d: Json, now = Date.now()): boolean {
  const years = codings(d.category).map((c) => KJERNEJOURNAL_WINDOW_YEARS[c.code]).find((y) => y !== undefined);
  return years === undefined || Date.parse(d.date) >= now - years * 365.25 * 86_400_000;
}
