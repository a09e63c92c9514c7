// What produced a run: the suite's version and commit, and hashes of everything that decides a
// verdict — the requirement catalogue, each OpenAPI document, each FHIR rule file, the specs and
// the judging code. An evidence bundle carries it; the verifier compares it with its own checkout
// and names what changed.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** The specifications the suite implements, as the manifest states them. */
export const SPECIFICATIONS = {
  fhir: '4.0.1 (R4: PIT, PHR)',
  fhirParek: '5.0.0 (R5: PaRek, implementation guide 0.1.x)',
  iheMhd: 'IHE MHD ITI-67 / ITI-68 (FHIR R4)',
  dpop: 'RFC 9449',
  tokenExchange: 'RFC 8693',
  jwtClientAuthentication: 'RFC 7523',
  problemDetails: 'RFC 9457',
  helseidDocumentation: 'NHN developer portal and HelseID.Library as read on 2026-03-17',
} as const;

/** The groups of files whose change makes a bundle stale, by the name the verifier reports. */
export const HASHED_GROUPS = {
  catalogue: ['schemas/requirements'],
  documents: ['schemas/openapi'],
  fhirRules: ['schemas/fhir', 'schemas/events'],
  specs: ['specs'],
  oracles: ['helpers', 'fixtures'],
} as const;

export type HashedGroup = keyof typeof HASHED_GROUPS;

export interface SuiteIdentity {
  name: string;
  version: string;
  commit: string;
  /** Files changed since the commit (the run was not of a clean checkout). */
  dirty: boolean;
  files: Record<HashedGroup, Record<string, string>>;
  groups: Record<HashedGroup, string>;
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

function listFiles(root: string, dir: string): string[] {
  const full = path.join(root, dir);
  if (!fs.existsSync(full)) return [];
  return fs
    .readdirSync(full, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

function git(root: string, args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return undefined;
  }
}

/** The suite's name, version and commit, without hashing its files. */
export function suiteVersion(root = process.cwd()): Pick<SuiteIdentity, 'name' | 'version' | 'commit' | 'dirty'> {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { name: string; version: string };
  const status = git(root, ['status', '--porcelain', '--', ...Object.values(HASHED_GROUPS).flat()]);
  return { name: pkg.name, version: pkg.version, commit: git(root, ['rev-parse', 'HEAD']) ?? 'unknown (not a git checkout)', dirty: Boolean(status) };
}

export function suiteIdentity(root = process.cwd()): SuiteIdentity {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { name: string; version: string };
  const files = {} as SuiteIdentity['files'];
  const groups = {} as SuiteIdentity['groups'];
  for (const [group, dirs] of Object.entries(HASHED_GROUPS) as Array<[HashedGroup, readonly string[]]>) {
    const hashes: Record<string, string> = {};
    for (const dir of dirs) for (const file of listFiles(root, dir)) hashes[file] = sha256(fs.readFileSync(path.join(root, file)));
    files[group] = hashes;
    groups[group] = sha256(Object.entries(hashes).map(([f, h]) => `${h}  ${f}\n`).join(''));
  }
  const status = git(root, ['status', '--porcelain', '--', ...Object.values(HASHED_GROUPS).flat()]);
  return { name: pkg.name, version: pkg.version, commit: git(root, ['rev-parse', 'HEAD']) ?? 'unknown (not a git checkout)', dirty: Boolean(status), files, groups };
}

/** What differs between a bundle's identity and this checkout's, group by group, with the files. */
export function identityDifferences(recorded: SuiteIdentity, here: SuiteIdentity): Array<{ group: HashedGroup; files: string[] }> {
  const out: Array<{ group: HashedGroup; files: string[] }> = [];
  for (const group of Object.keys(HASHED_GROUPS) as HashedGroup[]) {
    if (recorded.groups?.[group] === here.groups[group]) continue;
    const a = recorded.files?.[group] ?? {};
    const b = here.files[group];
    const changed = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((f) => a[f] !== b[f]).sort();
    out.push({ group, files: changed.map((f) => (a[f] === undefined ? `${f} (new here)` : b[f] === undefined ? `${f} (gone here)` : f)) });
  }
  return out;
}
