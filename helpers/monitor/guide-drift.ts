// The drift sentinel's view of an implementation guide the suite enforces: where the guide is
// published (its canonical URL, or a folder or URL the user names), which version it is now, and
// whether any profile's differential differs from the one our rule data was derived from.
import fs from 'node:fs';
import path from 'node:path';
import { documentSourceSetting } from '../config/settings.ts';
import { PAREK_IG } from '../packs/parek.ts';
import { loadIgRules } from '../validation/fhir/ig/package.ts';
import { differentialDigest } from '../validation/fhir/ig/rules.ts';

export const GUIDE_SOURCE = documentSourceSetting('NHN_PAREK_IG_URL', `where the drift sentinel reads the published PaRek guide: its canonical URL (default ${PAREK_IG.canonical}, read on NHN profiles only), another URL, or a folder of the guide's JSON files`);

type Json = Record<string, unknown>;

async function readJson(base: string, file: string): Promise<Json> {
  if (!/^https?:\/\//i.test(base)) return JSON.parse(fs.readFileSync(path.join(base, file), 'utf8').replace(/^\uFEFF/, '')) as Json;
  const response = await fetch(`${base.replace(/\/$/, '')}/${file}`, { signal: AbortSignal.timeout(15_000) });
  if (!response.ok) throw new Error(`HTTP ${response.status} for ${file}`);
  return (await response.json()) as Json;
}

export interface GuideObservation {
  subject: string;
  url: string;
  facts?: Record<string, unknown>;
  /** What the suite enforces, when the publication differs from it: said every run until the rule data is regenerated. */
  unpinned?: string[];
  error?: string;
}

/** The published guide against the pinned one; undefined when there is nothing to read (the twin, with no source named). */
export async function observeGuide(kind: 'twin' | 'nhn', env: NodeJS.ProcessEnv = process.env): Promise<GuideObservation | undefined> {
  const source = GUIDE_SOURCE.read(env) ?? (kind === 'nhn' ? PAREK_IG.canonical : undefined);
  if (!source) return undefined;
  const subject = `${PAREK_IG.name} published guide`;
  const pinned = loadIgRules().find((g) => g.package.name === PAREK_IG.name && g.package.version === PAREK_IG.version);
  try {
    const manifest = await readJson(source, 'package.manifest.json').catch(() => readJson(source, 'package.json'));
    const version = String(manifest.version);
    const differentials: Record<string, string> = {};
    const unpinned: string[] = [];
    if (version !== PAREK_IG.version) unpinned.push(`the published version is ${version}; the suite enforces ${PAREK_IG.version} (regenerate with npm run ig:rules -- --from <the new guide>)`);
    for (const profile of pinned?.profiles ?? []) {
      try {
        const sd = await readJson(source, `StructureDefinition-${profile.id}.json`);
        differentials[profile.id] = differentialDigest(sd);
        if (differentials[profile.id] !== pinned!.differentials[profile.url]) unpinned.push(`${profile.id}: the published differential differs from the one ${PAREK_IG.version}'s rules were derived from`);
      } catch (e) {
        unpinned.push(`${profile.id}: not published at ${source} (${(e as Error).message})`);
      }
    }
    return { subject, url: source, facts: { version, differentials }, ...(unpinned.length ? { unpinned } : {}) };
  } catch (e) {
    return { subject, url: source, error: (e as Error).message };
  }
}
