// Runs kept apart. Every run of the suite writes into a staging folder of its own; only a run
// that executed tests is kept, as reports/runs/<UTC time>-<profile>/, with its identity in
// run.json. reports/latest points at the newest kept run, and the files users know
// (reports/summary.json, evidence/, junit.xml, html/, allure-results/, the coverage) are links
// through it. What is not a run (--list, a configuration error, a run that executed nothing) is
// discarded and says so; a killed run leaves only its staging folder, which a later run clears.
// A filtered run is kept, marked partial with its filter: certify takes the newest whole run.
import fs from 'node:fs';
import path from 'node:path';

export const RUN_ID_VARIABLE = 'NHN_RUN_ID';
/** The report folder the user named (NHN_REPORT_DIR, default reports): Playwright's processes see the run's staging folder as NHN_REPORT_DIR. */
export const REPORT_ROOT_VARIABLE = 'NHN_REPORT_ROOT';
export const RUN_FILE = 'run.json';
export const LATEST = 'latest';

/** The files and folders of a run that the report folder links to through `latest`. */
export const WELL_KNOWN = ['summary.json', 'evidence', 'junit.xml', 'html', 'allure-results', 'allure-report', 'requirements-coverage.json', 'requirements-coverage.md', 'test-results'] as const;

export interface RunIdentity {
  id: string;
  startedAt: string;
  endedAt?: string;
  suite: { name: string; version: string; commit?: string; dirty: boolean };
  profiles: string[];
  targets?: unknown;
  /** The command line, as typed (no secrets travel on it: credentials come from variables). */
  command: string;
  /** Why the run is not whole (a --grep, files, a shard, --last-failed), or nothing when it is. */
  partial?: string;
  shard?: string;
  counts?: Record<string, number>;
}

export const runsRoot = (reportDir: string) => path.join(reportDir, 'runs');

/** `20261201T231839.042Z-local`: sortable, and the profile(s) at a glance (`unit` for the unit tests alone). */
export function newRunId(profiles: readonly string[], now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '');
  return `${stamp}-${profiles.join('+') || 'unit'}`;
}

export const stagingDir = (reportDir: string, id: string) => path.join(runsRoot(reportDir), `.staging-${id}`);

/**
 * What makes a run partial, from its command line: a test filter (--grep, --grep-invert, files or
 * lines), a shard, --last-failed, --only-changed, or the unit project alone. Choosing profiles
 * with --project is no filter.
 */
export function partialFilter(argv: readonly string[]): string | undefined {
  const args = argv.slice(argv.findIndex((a) => a === 'test') + 1);
  const found: string[] = [];
  const valued = new Set(['--grep', '-g', '--grep-invert', '--shard', '--project', '-p', '--config', '-c', '--reporter', '--workers', '-j', '--retries', '--timeout', '--repeat-each', '--max-failures', '--output', '--trace', '--global-timeout', '--ui-port', '--ui-host', '--tsconfig']);
  const projects: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = inline ?? (valued.has(flag) ? args[++i] : undefined);
    if (flag === '--grep' || flag === '-g') found.push(`--grep ${value}`);
    else if (flag === '--grep-invert') found.push(`--grep-invert ${value}`);
    else if (flag === '--shard') found.push(`--shard ${value}`);
    else if (flag === '--last-failed' || flag === '--only-changed') found.push(flag);
    else if (flag === '--project' || flag === '-p') projects.push(...String(value).split(','));
    else if (!a.startsWith('-')) found.push(a);
  }
  if (projects.length && projects.every((p) => p === 'unit')) found.push('--project unit');
  return found.length ? found.join(' ') : undefined;
}

function linkOrCopy(target: string, link: string): void {
  fs.rmSync(link, { recursive: true, force: true });
  try {
    fs.symlinkSync(target, link);
  } catch {
    // A file system without links: the report folder gets copies of the latest run's files.
    const source = path.resolve(path.dirname(link), target);
    if (fs.existsSync(source)) fs.cpSync(source, link, { recursive: true });
  }
}

/** Keeps a staged run: moves it into place, writes its identity, points `latest` at it, and prunes. */
export function keepRun(reportDir: string, identity: RunIdentity, keep: number): string {
  const root = runsRoot(reportDir);
  const final = path.join(root, identity.id);
  fs.mkdirSync(root, { recursive: true });
  fs.renameSync(stagingDir(reportDir, identity.id), final);
  // A merged run has no Allure results of its own; CI adds the shards' there, through the link.
  fs.mkdirSync(path.join(final, 'allure-results'), { recursive: true });
  fs.writeFileSync(path.join(final, RUN_FILE), `${JSON.stringify(identity, null, 2)}\n`);
  linkOrCopy(path.join('runs', identity.id), path.join(reportDir, LATEST));
  for (const name of WELL_KNOWN) linkOrCopy(path.join(LATEST, name), path.join(reportDir, name));
  pruneRuns(reportDir, keep);
  return final;
}

/** Drops a staged run that was no run. */
export function discardRun(reportDir: string, id: string): void {
  fs.rmSync(stagingDir(reportDir, id), { recursive: true, force: true });
}

export interface KeptRun extends RunIdentity {
  dir: string;
}

/** The kept runs, newest first. */
export function listRuns(reportDir: string): KeptRun[] {
  const root = runsRoot(reportDir);
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root)
    .filter((d) => !d.startsWith('.') && fs.existsSync(path.join(root, d, RUN_FILE)))
    .map((d) => ({ ...(JSON.parse(fs.readFileSync(path.join(root, d, RUN_FILE), 'utf8')) as RunIdentity), dir: path.join(root, d) }))
    .sort((a, b) => b.id.localeCompare(a.id));
}

/**
 * Keeps the newest `keep` runs, and always the newest whole run, however old. Staging folders of
 * runs killed mid-way are removed once they are an hour old.
 */
export function pruneRuns(reportDir: string, keep: number, now = Date.now()): string[] {
  const runs = listRuns(reportDir);
  const newestWhole = runs.find((r) => !r.partial);
  const removed: string[] = [];
  for (const r of runs.slice(keep)) {
    if (r === newestWhole) continue;
    fs.rmSync(r.dir, { recursive: true, force: true });
    removed.push(r.id);
  }
  const root = runsRoot(reportDir);
  for (const d of fs.existsSync(root) ? fs.readdirSync(root).filter((x) => x.startsWith('.staging-')) : []) {
    if (now - fs.statSync(path.join(root, d)).mtimeMs > 3_600_000) fs.rmSync(path.join(root, d), { recursive: true, force: true });
  }
  return removed;
}

export class RunNotFound extends Error {
  override name = 'RunNotFound';
}

/** The run a command means: an id (or its unique prefix), `latest`, or by default the newest whole run. */
export function resolveRun(reportDir: string, id?: string): KeptRun {
  const runs = listRuns(reportDir);
  if (!runs.length) throw new RunNotFound(`no run is kept in ${runsRoot(reportDir)}: run the suite first (npx playwright test)`);
  if (id === 'latest') return runs[0]!;
  if (id) {
    const matches = runs.filter((r) => r.id === id || r.id.startsWith(id));
    if (matches.length === 1) return matches[0]!;
    throw new RunNotFound(matches.length ? `run "${id}" is ambiguous: ${matches.map((m) => m.id).join(', ')}` : `no run "${id}"; npm run runs lists them`);
  }
  const whole = runs.find((r) => !r.partial);
  if (!whole) throw new RunNotFound(`every kept run is partial (the newest: ${runs[0]!.id}, ${runs[0]!.partial}); run the whole suite, or name a run with --run <id> --partial`);
  return whole;
}
