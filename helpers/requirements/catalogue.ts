// The requirement catalogue: one YAML file per API in schemas/requirements/. Each rule has an
// ID, a level, the rule in our words, its source, and (when no test can check it) the reason.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { cachedDerivation, cacheDir, contentDigest } from '../validation/start-cache.ts';

export type Level = 'MUST' | 'SHOULD' | 'MAY';

/**
 * What backs a requirement: NHN's own page or document, a standard the API claims (FHIR, IHE MHD,
 * an RFC), NHN's or HelseID's samples, or our reading where the sources are silent. Whatever the
 * grade, a status code, media type, error code, shape or ordering no source states is an
 * assumption point inside the requirement: it deviates, never fails, until calibrated.
 */
export const EVIDENCE = ['documented', 'standard', 'sample', 'assumption'] as const;
export type Evidence = (typeof EVIDENCE)[number];

export interface Requirement {
  id: string;
  level: Level;
  evidence: Evidence;
  text: string;
  source: string;
  /** Why no test can check this rule; a requirement has a test or this. */
  untestable?: string;
  /** Where the sources disagree or are silent, what the suite assumes. */
  assumption?: string;
  /** Catalogued, not yet tested: which pack brings the tests. Counted apart from covered rules. */
  planned?: string;
  /**
   * The separate request rules the text names, by a short id: each must be exercised by a spec both
   * ways, refused when broken and accepted when kept (`exercise(...)` in helpers/evidence/verdicts.ts).
   */
  rules?: Record<string, string>;
  api: string;
}

export const REQUIREMENT_ID = /^[A-Z]+(?:-[A-Z0-9]+)+$/;
export const TAG_PATTERN = /^@([A-Z]+(?:-[A-Z0-9]+)+)$/;
const LEVELS = new Set(['MUST', 'SHOULD', 'MAY']);
const FIELDS = new Set(['id', 'level', 'evidence', 'text', 'source', 'untestable', 'assumption', 'planned', 'rules']);

export class CatalogueError extends Error {
  override name = 'CatalogueError';
}

export function catalogueDir(root = process.cwd()): string {
  return path.join(root, 'schemas', 'requirements');
}

/**
 * A catalogue file parsed, cached as JSON by its content: the runner, every worker and the coverage
 * gate read them all. One entry per file name (the cache folder is this install's), so a catalogue
 * in a temporary folder replaces its namesake's entry instead of adding one per folder.
 */
export function parsedCatalogueFile(file: string): unknown {
  const text = fs.readFileSync(file, 'utf8');
  return cachedDerivation(cacheDir('requirements-parsed', ['yaml'], 1), path.basename(file, '.yaml'), contentDigest(text), () => parse(text) as unknown);
}

export function loadCatalogue(dir = catalogueDir()): Map<string, Requirement> {
  const all = new Map<string, Requirement>();
  const problems: string[] = [];
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    let doc: { api?: string; requirements?: unknown[] };
    try {
      doc = parsedCatalogueFile(path.join(dir, file)) as typeof doc;
    } catch (e) {
      problems.push(`${file}: not valid YAML (${(e as Error).message.split('\n')[0]})`);
      continue;
    }
    const api = doc?.api ?? path.basename(file, '.yaml');
    for (const [i, raw] of (doc?.requirements ?? []).entries()) {
      const r = raw as Partial<Requirement>;
      const where = `${file} #${i + 1}${r?.id ? ` (${r.id})` : ''}`;
      if (!r?.id || !REQUIREMENT_ID.test(r.id)) problems.push(`${where}: id must look like PIT-PAGE-003`);
      else if (all.has(r.id)) problems.push(`${where}: duplicate id`);
      if (!r?.level || !LEVELS.has(r.level)) problems.push(`${where}: level must be MUST, SHOULD or MAY`);
      if (!r?.evidence || !(EVIDENCE as readonly string[]).includes(r.evidence)) problems.push(`${where}: evidence must be one of ${EVIDENCE.join(', ')} (what backs the rule)`);
      else if (r.evidence === 'assumption' && !r.assumption?.trim()) problems.push(`${where}: an assumption needs its assumption text: our reading, and what else a correct server might do`);
      if (!r?.text?.trim()) problems.push(`${where}: text is empty`);
      if (!r?.source?.trim()) problems.push(`${where}: source is empty`);
      if (r?.rules !== undefined && (typeof r.rules !== 'object' || Array.isArray(r.rules) || Object.entries(r.rules).some(([k, v]) => !/^[a-z0-9-]+$/.test(k) || typeof v !== 'string'))) problems.push(`${where}: rules must map short ids (a-z, 0-9, -) to their text`);
      const unknown = Object.keys(r ?? {}).filter((k) => !FIELDS.has(k));
      // An unquoted comma in a YAML flow mapping silently makes a new key: catch it here.
      if (unknown.length) problems.push(`${where}: unknown field(s) ${unknown.map((k) => JSON.stringify(k)).join(', ')} (quote values that contain commas)`);
      if (r?.id) all.set(r.id, { ...(r as Requirement), api });
    }
  }
  if (problems.length) throw new CatalogueError(`requirement catalogue is invalid:\n  ${problems.join('\n  ')}`);
  return all;
}

/** Requirement IDs named by a test's tags. */
export function requirementTags(tags: readonly string[]): string[] {
  return tags.map((t) => TAG_PATTERN.exec(t)?.[1]).filter((id): id is string => id !== undefined);
}
