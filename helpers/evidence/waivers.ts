// Waivers: known deviations in schemas/waivers.yaml, each with a requirement, a reason, an owner
// and an expiry date. A failure of a waived requirement is reported as waived, never as passed;
// an expired waiver no longer applies.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { REQUIREMENT_ID } from '../requirements/catalogue.ts';

export interface Waiver {
  requirement: string;
  reason: string;
  owner: string;
  /** The last day (UTC, YYYY-MM-DD) the waiver applies. */
  expires: string;
}

export class WaiverError extends Error {
  override name = 'WaiverError';
}

export const WAIVERS_FILE = path.join('schemas', 'waivers.yaml');

export function parseWaivers(text: string, where = WAIVERS_FILE): Waiver[] {
  let doc: { waivers?: unknown };
  try {
    doc = (parse(text) ?? {}) as { waivers?: unknown };
  } catch (e) {
    throw new WaiverError(`${where} is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const list = doc.waivers ?? [];
  if (!Array.isArray(list)) throw new WaiverError(`${where}: "waivers" must be a list`);
  const problems: string[] = [];
  const waivers = list.map((raw: Partial<Record<keyof Waiver, unknown>>, i) => {
    const w = { requirement: String(raw?.requirement ?? ''), reason: String(raw?.reason ?? '').trim(), owner: String(raw?.owner ?? '').trim(), expires: raw?.expires instanceof Date ? raw.expires.toISOString().slice(0, 10) : String(raw?.expires ?? '') };
    const at = `${where} #${i + 1}`;
    if (!REQUIREMENT_ID.test(w.requirement)) problems.push(`${at}: requirement must be a requirement ID such as PIT-PAGE-003`);
    if (!w.reason) problems.push(`${at}: reason is empty`);
    if (!w.owner) problems.push(`${at}: owner is empty`);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(w.expires) || Number.isNaN(Date.parse(`${w.expires}T00:00:00Z`))) problems.push(`${at}: expires must be a date, YYYY-MM-DD`);
    return w;
  });
  if (problems.length) throw new WaiverError(problems.join('; '));
  return waivers;
}

export function loadWaivers(root = process.cwd()): Waiver[] {
  const file = path.join(root, WAIVERS_FILE);
  return fs.existsSync(file) ? parseWaivers(fs.readFileSync(file, 'utf8')) : [];
}

/** A waiver applies through the end of its expiry day (UTC). */
export function waiverApplies(waiver: Waiver, at: Date): boolean {
  return at.getTime() < Date.parse(`${waiver.expires}T00:00:00Z`) + 86_400_000;
}

/** The waiver, if any, that covers a failure of a test naming these requirements at this time. */
export function waiverFor(requirements: readonly string[], waivers: readonly Waiver[], at: Date): Waiver | undefined {
  return waivers.find((w) => requirements.includes(w.requirement) && waiverApplies(w, at));
}
