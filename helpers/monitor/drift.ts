// The drift sentinel: fingerprints what an environment publishes (HelseID discovery and its JWKS,
// each CapabilityStatement, each API's published OpenAPI document, each host's TLS chain) and
// compares each with the last one stored. A change is a finding with a readable diff: operations,
// parameters and schemas added, removed or changed; keys added or removed; a new certificate; and,
// every time it is seen, a certificate expiring within 30 days.
import { createHash } from 'node:crypto';
import { fingerprintEnvironment, type EnvironmentFingerprint } from '../evidence/fingerprint.ts';
import { SERVICES, type ServiceName } from '../packs/index.ts';
import type { Profile } from '../config/profiles.ts';
import { documentSourceSetting } from '../config/settings.ts';
import { readDocumentSource } from '../validation/openapi/nhn-documents.ts';
import { compareDocuments, DIFFERS_MARKER } from '../validation/openapi/compare.ts';
import type { History } from './history.ts';
import { observeGuide } from './guide-drift.ts';

export const EXPIRY_WARNING_DAYS = 30;

/** Where an API's published document is read from: the pack's Swagger path on its base URL, or this variable (a URL or a file). */
export function publishedDocumentSetting(service: string) {
  return documentSourceSetting(`NHN_DRIFT_OPENAPI_${service.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`, `where the drift sentinel reads ${SERVICES[service as ServiceName]?.title ?? service}'s published OpenAPI document (default: the pack's Swagger path on its base URL)`);
}

export interface Observation {
  subject: string;
  url: string;
  sha256?: string;
  facts?: Record<string, unknown>;
  error?: string;
  /** The document itself, for a diff next time (OpenAPI documents, discovery). */
  body?: string;
  /** Certificates: when the first one of the chain expires. */
  expires?: string;
  /** How the observation differs from what the suite pins (a guide's version and differentials): a finding every time it is seen. */
  unpinned?: string[];
}

export interface DriftFinding {
  subject: string;
  url: string;
  kind: 'changed' | 'appeared' | 'vanished' | 'unreachable' | 'expiring' | 'unpinned';
  summary: string;
  diff?: string[];
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

async function publishedDocuments(profile: Profile): Promise<Observation[]> {
  const out: Observation[] = [];
  for (const [service, base] of Object.entries(profile.urls) as Array<[ServiceName, string]>) {
    const setting = publishedDocumentSetting(service);
    const published = SERVICES[service]?.publishedOpenApi;
    const subject = `${SERVICES[service].title} published OpenAPI`;
    let source: string | undefined;
    try {
      source = setting.read() ?? (published ? `${base.replace(/\/$/, '')}${published.path}` : undefined);
      if (!source) continue;
      // Canonical JSON, so a change of key order or whitespace is no change.
      const doc = await readDocumentSource(source, setting.env);
      const body = JSON.stringify(sortKeys(doc));
      out.push({ subject, url: source, sha256: sha256(body), body, facts: { version: (doc.info as { version?: string } | undefined)?.version, paths: Object.keys(doc.paths ?? {}).length } });
    } catch (e) {
      out.push({ subject, url: source ?? setting.env, error: (e as Error).message });
    }
  }
  return out;
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  return v;
}

/** Everything the environment publishes, as observations. */
export async function observe(profile: Profile): Promise<{ observations: Observation[]; environment: EnvironmentFingerprint }> {
  const [environment, documents, guide] = await Promise.all([fingerprintEnvironment(profile), publishedDocuments(profile), observeGuide(profile.kind)]);
  const observations: Observation[] = [];
  for (const d of environment.documents) observations.push({ subject: d.what, url: d.url, sha256: d.sha256, facts: d.facts, error: d.error ?? (d.status && d.status !== 200 ? `HTTP ${d.status}` : undefined) });
  for (const h of environment.hosts) {
    const t = h.tls;
    if ('plain' in t) continue;
    if ('error' in t) {
      observations.push({ subject: 'TLS certificate chain', url: h.origin, error: t.error });
      continue;
    }
    const chain = t.chain.map((c) => ({ subject: c.subject, issuer: c.issuer, validTo: c.validTo, sha256: c.sha256 }));
    const expires = chain.map((c) => new Date(c.validTo)).filter((d) => !Number.isNaN(d.getTime())).sort((a, b) => a.getTime() - b.getTime())[0];
    observations.push({ subject: 'TLS certificate chain', url: h.origin, sha256: sha256(chain.map((c) => c.sha256).join(',')), facts: { chain, authorized: t.authorized }, expires: expires?.toISOString() });
  }
  observations.push(...documents);
  if (guide) observations.push({ subject: guide.subject, url: guide.url, facts: guide.facts, error: guide.error, unpinned: guide.unpinned, sha256: guide.facts ? sha256(JSON.stringify(guide.facts)) : undefined });
  return { observations, environment };
}

type Key = { kid?: string; alg?: string; kty?: string; use?: string };

/** What changed between two observations of one subject, in words. */
export function describeChange(subject: string, before: { facts?: Record<string, unknown>; body?: string }, after: Observation): string[] {
  if (subject.endsWith('JWKS')) {
    const keys = (o: { facts?: Record<string, unknown> }) => ((o.facts?.keys ?? []) as Key[]).map((k) => `${k.kid} (${[k.kty, k.alg, k.use].filter(Boolean).join(', ')})`);
    const a = keys(before);
    const b = keys(after);
    const lines = [...b.filter((k) => !a.includes(k)).map((k) => `key added: ${k}`), ...a.filter((k) => !b.includes(k)).map((k) => `key removed: ${k}`)];
    if (lines.length && a.length && b.length && !a.some((k) => b.includes(k))) lines.unshift('keys rotated: none of the previous keys remains');
    return lines.length ? lines : ['the key set is the same; other members changed'];
  }
  if (subject.endsWith('published OpenAPI') && before.body && after.body) {
    // Two publications of one API: our acknowledgement markers say nothing about either.
    const plain = (body: string) => withoutMarkers(JSON.parse(body)) as Record<string, unknown>;
    return compareDocuments(plain(before.body), plain(after.body)).map((d) => `${d.location}: ${wordsOfDrift(d.message)}`);
  }
  if (subject === 'TLS certificate chain') {
    const chain = (o: { facts?: Record<string, unknown> }) => ((o.facts?.chain ?? []) as Array<{ subject: string; validTo: string; sha256: string }>);
    const a = chain(before);
    const b = chain(after);
    return [`certificate chain replaced: ${a.map((c) => `${c.subject} until ${c.validTo}`).join(' ← ')} → ${b.map((c) => `${c.subject} until ${c.validTo}`).join(' ← ')}`];
  }
  const fa = before.facts ?? {};
  const fb = after.facts ?? {};
  const changed = [...new Set([...Object.keys(fa), ...Object.keys(fb)])].filter((k) => JSON.stringify(fa[k]) !== JSON.stringify(fb[k]));
  return changed.length ? changed.map((k) => `${k}: was ${JSON.stringify(fa[k])}, now ${JSON.stringify(fb[k])}`) : ['the content changed (same facts)'];
}

function withoutMarkers(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutMarkers);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([k]) => k !== DIFFERS_MARKER).map(([k, x]) => [k, withoutMarkers(x)]));
  return v;
}

/** The comparison's words are ours-against-NHN's; in drift they are before-against-now. */
function wordsOfDrift(message: string): string {
  return message
    .replace(/operation only in NHN's/, 'operation added')
    .replace(/operation only in ours/, 'operation removed')
    .replace(/only in NHN's/g, 'added')
    .replace(/only in ours/g, 'removed')
    .replace(/\bours\b/g, 'was')
    .replace(/NHN's/g, 'now');
}

/**
 * Compares each observation with the last stored for its subject and URL, stores the new ones
 * (a document's body once per hash) and the findings, and answers the findings.
 */
export async function recordDrift(history: History, profile: string, runId: number | undefined, observations: readonly Observation[], now = new Date()): Promise<DriftFinding[]> {
  const findings: DriftFinding[] = [];
  const at = now.toISOString();
  // Nothing stored yet for the profile: this is the baseline, and nothing "appears".
  const baseline = !(await history.one('SELECT 1 FROM fingerprints WHERE profile = ? LIMIT 1', [profile]));
  await history.transaction(async () => {
    const seen = new Set<string>();
    for (const o of observations) {
      seen.add(`${o.subject}\n${o.url}`);
      const last = await history.one('SELECT sha256, facts, error FROM fingerprints WHERE profile = ? AND subject = ? AND url = ? ORDER BY id DESC LIMIT 1', [profile, o.subject, o.url]);
      const lastBody = last?.sha256 ? (await history.one('SELECT body FROM documents WHERE sha256 = ?', [last.sha256]))?.body : undefined;
      if (o.error) {
        if (!last?.error) findings.push({ subject: o.subject, url: o.url, kind: 'unreachable', summary: `${o.subject} could not be fetched: ${o.error}` });
      } else if (last && !last.error && last.sha256 !== o.sha256) {
        const diff = describeChange(o.subject, { facts: last.facts ? (JSON.parse(String(last.facts)) as Record<string, unknown>) : undefined, body: lastBody ? String(lastBody) : undefined }, o);
        findings.push({ subject: o.subject, url: o.url, kind: 'changed', summary: `${o.subject} changed: ${diff.length} difference${diff.length === 1 ? '' : 's'}`, diff });
      } else if (!last && !baseline) {
        findings.push({ subject: o.subject, url: o.url, kind: 'appeared', summary: `${o.subject} is published for the first time` });
      }
      if (o.expires) {
        const days = Math.floor((Date.parse(o.expires) - now.getTime()) / 86_400_000);
        if (days < EXPIRY_WARNING_DAYS) findings.push({ subject: o.subject, url: o.url, kind: 'expiring', summary: `the TLS certificate of ${o.url} ${days < 0 ? `expired ${-days} day(s) ago` : `expires in ${days} day(s)`} (${o.expires})` });
      }
      if (o.unpinned?.length) findings.push({ subject: o.subject, url: o.url, kind: 'unpinned', summary: `${o.subject} is not the one the suite enforces`, diff: o.unpinned });
      if (o.body && o.sha256) await history.run('INSERT INTO documents (sha256, body) VALUES (?, ?) ON CONFLICT DO NOTHING', [o.sha256, o.body]);
      await history.insert('fingerprints', { run_id: runId, profile, taken_at: at, subject: o.subject, url: o.url, sha256: o.sha256, facts: o.facts ? JSON.stringify(o.facts) : undefined, error: o.error });
    }
    // Subjects published last time and gone now (a document path that vanished is also a 404 above).
    const previous = await history.all('SELECT DISTINCT subject, url FROM fingerprints WHERE profile = ? AND taken_at = (SELECT MAX(taken_at) FROM fingerprints WHERE profile = ? AND taken_at < ?)', [profile, profile, at]);
    for (const p of previous) {
      if (!seen.has(`${p.subject}\n${p.url}`)) findings.push({ subject: String(p.subject), url: String(p.url), kind: 'vanished', summary: `${p.subject} is no longer observed at ${p.url}` });
    }
    for (const f of findings) await history.insert('drift_events', { run_id: runId, profile, at, subject: f.subject, url: f.url, kind: f.kind, summary: f.summary, diff: f.diff?.join('\n') });
  });
  return findings;
}

export function formatFindings(findings: readonly DriftFinding[]): string {
  if (!findings.length) return 'no drift: everything published is as last seen';
  return findings.map((f) => [`${f.kind.toUpperCase()} ${f.summary} (${f.url})`, ...(f.diff ?? []).map((d) => `    ${d}`)].join('\n')).join('\n');
}
