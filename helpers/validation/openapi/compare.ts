// Compares one of our OpenAPI documents with the one NHN publishes for the same API, fact by
// fact: operations, parameters and their constraints, request bodies, statuses, media types and
// response schemas (field names, types, formats, nullability, enums, required fields, closedness).
// Descriptions and examples are prose, not facts, and are not compared. Where our document says
// something on purpose that NHN's does not, the node carries `x-differs-from-nhn` with the reason:
// a difference under such a node is acknowledged, and a marker with no difference under it is
// stale (reported, so the reasons never outlive the differences).
import { METHODS, resolveRefs } from './document.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface Difference {
  /** Where: `GET /api/x 200 application/json .results[].name`. */
  location: string;
  message: string;
  /** The reason our document gives, when it acknowledges this difference. */
  acknowledged?: string;
}

const MARKER = 'x-differs-from-nhn';
/** The extension our documents use to acknowledge a difference from NHN's document, with the reason. */
export const DIFFERS_MARKER = MARKER;
const SCALAR_FACTS = ['type', 'format', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength', 'pattern', 'minItems', 'maxItems', 'uniqueItems', 'default', 'deprecated'] as const;

/** `allOf` with one member and nothing else of substance is that member (NHN wraps enums and nullable objects so). */
function flatten(schema: Json | undefined): Json {
  if (!schema || typeof schema !== 'object') return {};
  if (Array.isArray(schema.allOf) && schema.allOf.length === 1 && !schema.type && !schema.properties) {
    const { allOf, ...rest } = schema;
    const inner = flatten(allOf[0] as Json);
    return { ...inner, ...rest, [MARKER]: rest[MARKER] ?? inner[MARKER] };
  }
  return schema;
}

const show = (v: unknown) => (v === undefined ? 'absent' : JSON.stringify(v));
const closed = (s: Json) => s.additionalProperties === false;

class Comparison {
  readonly differences: Difference[] = [];
  private ack: string | undefined;

  private add(location: string, message: string): void {
    this.differences.push({ location, message, ...(this.ack ? { acknowledged: this.ack } : {}) });
  }

  /** Runs `body` with the node's marker (if any) in force; a marker under which nothing differs is stale. */
  private under(node: Json | undefined, location: string, body: () => void): void {
    const marker = node?.[MARKER] as string | undefined;
    if (!marker) return body();
    const before = this.differences.length;
    const outer = this.ack;
    this.ack = marker;
    body();
    this.ack = outer;
    if (this.differences.length === before) this.differences.push({ location, message: `${MARKER} says "${marker}", but nothing differs here: remove the marker` });
  }

  schema(oursRaw: Json | undefined, theirsRaw: Json | undefined, location: string): void {
    const ours = flatten(oursRaw);
    const theirs = flatten(theirsRaw);
    this.under(ours, location, () => {
      for (const fact of SCALAR_FACTS) {
        if (JSON.stringify(ours[fact]) !== JSON.stringify(theirs[fact])) this.add(location, `${fact}: ours ${show(ours[fact])}, NHN's ${show(theirs[fact])}`);
      }
      if (!!ours.nullable !== !!theirs.nullable) this.add(location, `nullable: ours ${!!ours.nullable}, NHN's ${!!theirs.nullable}`);
      const enumOf = (s: Json) => (Array.isArray(s.enum) ? [...s.enum].map(String).sort() : undefined);
      if (JSON.stringify(enumOf(ours)) !== JSON.stringify(enumOf(theirs))) {
        const a = new Set(enumOf(ours) ?? []);
        const b = new Set(enumOf(theirs) ?? []);
        this.add(location, `enum: only ours ${show([...a].filter((x) => !b.has(x)))}, only NHN's ${show([...b].filter((x) => !a.has(x)))}`);
      }
      const req = (s: Json) => [...((s.required as string[] | undefined) ?? [])].sort();
      if (JSON.stringify(req(ours)) !== JSON.stringify(req(theirs))) this.add(location, `required: ours ${show(req(ours))}, NHN's ${show(req(theirs))}`);
      if ((ours.type === 'object' || theirs.type === 'object') && closed(ours) !== closed(theirs)) {
        this.add(location, `additionalProperties: ours ${closed(ours) ? 'false' : 'open'}, NHN's ${closed(theirs) ? 'false' : 'open'}`);
      }
      const po = (ours.properties ?? {}) as Json;
      const pt = (theirs.properties ?? {}) as Json;
      const missing = Object.keys(pt).filter((k) => !(k in po));
      const extra = Object.keys(po).filter((k) => !(k in pt));
      if (missing.length) this.add(location, `properties only in NHN's: ${missing.join(', ')}`);
      if (extra.length) this.add(location, `properties only in ours: ${extra.join(', ')}`);
      for (const k of Object.keys(po).filter((k) => k in pt)) this.schema(po[k], pt[k], `${location}.${k}`);
      if (ours.items || theirs.items) this.schema(ours.items, theirs.items, `${location}[]`);
    });
  }

  private content(ours: Json | undefined, theirs: Json | undefined, location: string): void {
    const a = Object.keys(ours ?? {});
    const b = Object.keys(theirs ?? {});
    for (const m of b.filter((m) => !a.includes(m))) this.add(location, `media type ${m} only in NHN's`);
    for (const m of a.filter((m) => !b.includes(m))) this.add(location, `media type ${m} only in ours`);
    for (const m of a.filter((m) => b.includes(m))) this.schema(ours![m]?.schema, theirs![m]?.schema, `${location} ${m} body`);
  }

  private parameter(ours: Json, theirs: Json, location: string): void {
    this.under(ours, location, () => {
      if (!!ours.required !== !!theirs.required) this.add(location, `required: ours ${!!ours.required}, NHN's ${!!theirs.required}`);
      const defaultStyle = (p: Json) => p.style ?? (p.in === 'query' || p.in === 'cookie' ? 'form' : 'simple');
      const defaultExplode = (p: Json) => p.explode ?? defaultStyle(p) === 'form';
      if (defaultStyle(ours) !== defaultStyle(theirs)) this.add(location, `style: ours ${defaultStyle(ours)}, NHN's ${defaultStyle(theirs)}`);
      if (defaultExplode(ours) !== defaultExplode(theirs)) this.add(location, `explode: ours ${defaultExplode(ours)}, NHN's ${defaultExplode(theirs)}`);
      this.schema(ours.schema, theirs.schema, location);
    });
  }

  private security(ours: Json, oursDoc: Json, theirs: Json, theirsDoc: Json, location: string): void {
    const schemes = (op: Json, doc: Json) =>
      ((op.security ?? doc.security ?? []) as Json[]).flatMap((r) => Object.keys(r)).map((n) => ({ name: n, scheme: (doc.components?.securitySchemes?.[n] ?? {}) as Json }));
    const a = schemes(ours, oursDoc);
    const b = schemes(theirs, theirsDoc);
    const describe = (l: { name: string; scheme: Json }[]) => l.map((s) => `${s.name} (${s.scheme.type} ${s.scheme.scheme ?? ''})`.trim()).join(', ') || 'none';
    if (describe(a) === describe(b)) return;
    const marker = a.find((s) => s.scheme[MARKER]);
    this.under(marker?.scheme, location, () => this.add(location, `security: ours ${describe(a)}, NHN's ${describe(b)}`));
  }

  operation(ours: Json, oursDoc: Json, theirs: Json, theirsDoc: Json, location: string): void {
    this.under(ours, location, () => {
      this.security(ours, oursDoc, theirs, theirsDoc, `${location} security`);
      const key = (p: Json) => `${p.in}:${String(p.name).toLowerCase()}`;
      const pa = new Map(((ours.parameters ?? []) as Json[]).map((p) => [key(p), p]));
      const pb = new Map(((theirs.parameters ?? []) as Json[]).map((p) => [key(p), p]));
      for (const [k, p] of pb) if (!pa.has(k)) this.add(location, `parameter ${p.in} ${p.name} only in NHN's`);
      for (const [k, p] of pa) if (!pb.has(k)) this.under(p, `${location} ${p.in}.${p.name}`, () => this.add(location, `parameter ${p.in} ${p.name} only in ours`));
      for (const [k, p] of pa) if (pb.has(k)) this.parameter(p, pb.get(k)!, `${location} ${p.in}.${p.name}`);

      const ba = ours.requestBody as Json | undefined;
      const bb = theirs.requestBody as Json | undefined;
      if (!!ba !== !!bb) this.add(location, `request body: ours ${ba ? 'has one' : 'has none'}, NHN's ${bb ? 'has one' : 'has none'}`);
      else if (ba && bb) {
        if (!!ba.required !== !!bb.required) this.add(`${location} request`, `required: ours ${!!ba.required}, NHN's ${!!bb.required}`);
        this.content(ba.content, bb.content, `${location} request`);
      }

      const ra = (ours.responses ?? {}) as Json;
      const rb = (theirs.responses ?? {}) as Json;
      for (const s of Object.keys(rb).filter((s) => !(s in ra))) this.add(location, `status ${s} only in NHN's`);
      for (const s of Object.keys(ra).filter((s) => !(s in rb))) this.under(ra[s], `${location} ${s}`, () => this.add(location, `status ${s} only in ours`));
      for (const s of Object.keys(ra).filter((s) => s in rb)) {
        this.under(ra[s], `${location} ${s}`, () => {
          const ha = Object.keys(ra[s].headers ?? {}).map((h) => h.toLowerCase());
          const hb = Object.keys(rb[s].headers ?? {}).map((h) => h.toLowerCase());
          for (const h of hb.filter((h) => !ha.includes(h))) this.add(`${location} ${s}`, `header ${h} only in NHN's`);
          for (const h of ha.filter((h) => !hb.includes(h))) this.add(`${location} ${s}`, `header ${h} only in ours`);
          this.content(ra[s].content, rb[s].content, `${location} ${s}`);
        });
      }
    });
  }
}

/** Operations by `METHOD path`, with the path item's parameters joined to each operation's own (the operation's win). */
function operations(doc: Json): Map<string, Json> {
  const out = new Map<string, Json>();
  for (const [p, item] of Object.entries((doc.paths ?? {}) as Json)) {
    for (const m of METHODS) {
      const op = item?.[m] as Json | undefined;
      if (!op) continue;
      const own = (op.parameters ?? []) as Json[];
      const shared = ((item.parameters ?? []) as Json[]).filter((s) => !own.some((o) => o.in === s.in && o.name === s.name));
      out.set(`${m.toUpperCase()} ${p}`, shared.length ? { ...op, parameters: [...shared, ...own] } : op);
    }
  }
  return out;
}

/**
 * Every difference between our document and NHN's. `oursFile` lets our document's references into
 * sibling files resolve; NHN's document must be self-contained.
 */
export function compareDocuments(oursRaw: Json, theirsRaw: Json, oursFile?: string): Difference[] {
  const ours = resolveRefs(oursRaw, oursFile);
  const theirs = resolveRefs(theirsRaw);
  const c = new Comparison();
  const a = operations(ours);
  const b = operations(theirs);
  for (const k of [...b.keys()].filter((k) => !a.has(k))) c.differences.push({ location: k, message: 'operation only in NHN\'s' });
  for (const k of [...a.keys()].filter((k) => !b.has(k))) {
    const reason = a.get(k)![MARKER] as string | undefined;
    c.differences.push({ location: k, message: 'operation only in ours', ...(reason ? { acknowledged: reason } : {}) });
  }
  for (const k of [...a.keys()].filter((k) => b.has(k))) c.operation(a.get(k)!, ours, b.get(k)!, theirs, k);
  return c.differences;
}

/** The differences grouped by reason, for a report: unacknowledged first. */
export function formatDifferences(differences: readonly Difference[], o: { all?: boolean } = {}): string {
  const open = differences.filter((d) => !d.acknowledged);
  const byReason = new Map<string, Difference[]>();
  for (const d of differences.filter((d) => d.acknowledged)) byReason.set(d.acknowledged!, [...(byReason.get(d.acknowledged!) ?? []), d]);
  const lines: string[] = [];
  if (open.length) {
    lines.push(`${open.length} unacknowledged difference(s):`);
    for (const d of open) lines.push(`  ${d.location}: ${d.message}`);
  }
  for (const [reason, list] of byReason) {
    lines.push(`${list.length} acknowledged: ${reason}`);
    const shown = o.all ? list : list.slice(0, 3);
    for (const d of shown) lines.push(`  ${d.location}: ${d.message}`);
    if (list.length > shown.length) lines.push(`  … and ${list.length - shown.length} more`);
  }
  return lines.join('\n');
}
