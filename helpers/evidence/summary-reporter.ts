// Writes reports/summary.json after every run: verdicts (passed, failed, warned, inconclusive,
// skipped) by API and by requirement, failures classified as contract or infrastructure, the
// token requests the run made, and the wall time.
import fs from 'node:fs';
import path from 'node:path';
import type { FullConfig, FullResult, Reporter, Suite, TestCase, TestResult } from '@playwright/test/reporter';
import { loadCatalogue, requirementTags, type Requirement } from '../requirements/catalogue.ts';
import { classifyResult, DEVIATES, type Outcome } from './outcome.ts';
import { observationsOf } from './assumptions.ts';
import { ledgerEntriesOf, TOKEN_LEDGER, tupleKey, type LedgerEntry } from './token-ledger.ts';
import { readJsonLines, RUN_DIR_VARIABLE } from './run-dir.ts';
import { redactText } from './redact.ts';
import { BACKDOOR, MEASUREMENT, type Verdict } from './verdicts.ts';
import { resolveProfile, type ProfileName } from '../config/profiles.ts';
import { evidenceDir, joinExchanges } from './evidence-dir.ts';
import { suiteIdentity } from './suite-identity.ts';
import { discardRun, keepRun, LATEST, type RunIdentity } from './runs.ts';
import { keepRuns } from './runs-settings.ts';
import { loadWaivers, waiverFor, type Waiver } from './waivers.ts';

function measurementsOf(annotations: Array<{ type: string; description?: string }>): Record<string, number> | undefined {
  const found = annotations.filter((a) => a.type === MEASUREMENT && a.description);
  if (!found.length) return undefined;
  return Object.fromEntries(found.map((a) => {
    const at = a.description!.lastIndexOf(':');
    return [a.description!.slice(0, at).trim(), Number(a.description!.slice(at + 1))];
  }));
}

export type FailureClass = NonNullable<Outcome['kind']>;

export interface TestRecord {
  /** Playwright's test id: the exchanges of the evidence bundle name their test by it. */
  id: string;
  title: string;
  file: string;
  project: string;
  api: string;
  requirements: string[];
  verdict: Verdict;
  failureClass?: FailureClass;
  message?: string;
  backdoor: boolean;
  durationMs: number;
  measurements?: Record<string, number>;
  /** What the test saw at assumption points (every variant, base included): the calibration reads these. */
  observations?: Array<{ point: string; variant: string; seen?: string }>;
  /** The assumption points where it saw another variant than the twin's reading: each with what was expected and seen. */
  deviations?: Array<{ point: string; variant: string; expected?: string; seen?: string }>;
  /** The waiver that covers this failure: it is reported as waived, never as passed. */
  waiver?: Waiver;
  /** Passed only on a retry: the first failure is kept, so a retry never turns a failure silently green. */
  flaky?: { attempts: number; firstFailure: { class?: FailureClass; message?: string } };
}

/** The attachment in which a worker's first test records its profile's targets (fixtures/index.ts). */
export const TARGETS_ATTACHMENT = 'nhn-profile-targets';

export interface ProfileTargets {
  name: string;
  kind: string;
  evidence: boolean;
  targets: Array<{ service: string; url: string; source: string }>;
  /** The HelseID client the run used (its id only). */
  clientId?: string;
}

/** Where a run went: each profile's URLs with their source (profile, environment or twin) and the client id. */
export function profileTargets(name: ProfileName): ProfileTargets {
  const profile = resolveProfile(name);
  let clientId: string | undefined;
  try {
    clientId = profile.client('default')?.clientId;
  } catch {
    clientId = undefined;
  }
  return {
    name,
    kind: profile.kind,
    evidence: profile.evidence,
    targets: Object.entries(profile.urls).map(([service, url]) => ({ service, url: url!, source: profile.urlSources[service as keyof typeof profile.urlSources] ?? 'profile' })),
    clientId,
  };
}

/** The reasons tests skipped, most frequent first. */
export function skipReasons(reasons: readonly string[], top = 5): string {
  const counts = new Map<string, number>();
  for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, top).map(([r, n]) => `  ${n} × ${r}`).join('\n');
}

const nonEmpty = <T>(list: T[]): T[] | undefined => (list.length ? list : undefined);

const cleanMessage = (message: string) => redactText(message.replace(/\u001b\[[0-9;]*m/g, '')).slice(0, 2000);

type Counts = Record<Verdict, number>;
const zero = (): Counts => ({ passed: 0, failed: 0, deviates: 0, warned: 0, inconclusive: 0, skipped: 0 });

/** Worst first: a requirement's verdict is the worst of its tests'. */
const SEVERITY: Verdict[] = ['failed', 'deviates', 'warned', 'inconclusive', 'passed', 'skipped'];

/**
 * Token requests of the run. The suite's own tokens (cached) must be asked for once per
 * distinct issuer, client, grant, audience, scope set and key; direct calls are the token
 * endpoint tests' deliberate requests.
 */
export function summariseTokens(entries: LedgerEntry[]) {
  const granted = new Map<string, number>();
  const count = (pred: (e: LedgerEntry) => boolean) => entries.filter(pred).length;
  for (const e of entries) {
    if (e.outcome === 'granted') granted.set(tupleKey(e.tuple), (granted.get(tupleKey(e.tuple)) ?? 0) + 1);
  }
  const duplicates = [...granted.entries()].filter(([, n]) => n > 1).map(([tuple, n]) => ({ tuple, granted: n }));
  return {
    requests: entries.length,
    granted: count((e) => e.outcome === 'granted'),
    refused: count((e) => e.outcome === 'refused'),
    nonceChallenges: entries.reduce((n, e) => n + e.nonceChallenges, 0),
    httpCalls: entries.reduce((n, e) => n + e.httpCalls, 0),
    distinctTuples: granted.size,
    suiteTokens: { requests: count((e) => e.cached), distinctTuples: new Set(entries.filter((e) => e.cached).map((e) => tupleKey(e.tuple))).size },
    oneRequestPerTuple: duplicates.length === 0,
    duplicates,
  };
}

/**
 * A requirement's verdict: the worst of its tests'. A failure a waiver covers counts as waived
 * (worse than passed, never passed); backdoor results are counted like any other here, the
 * certification bundle leaves them out.
 */
export function requirementVerdict(tests: ReadonlyArray<{ verdict: Verdict; waived?: boolean }>): Verdict | 'waived' {
  let verdict: Verdict = 'skipped';
  let waived = false;
  for (const t of tests) {
    if (t.verdict === 'failed' && t.waived) waived = true;
    else if (SEVERITY.indexOf(t.verdict) < SEVERITY.indexOf(verdict)) verdict = t.verdict;
  }
  if (verdict === 'failed') return 'failed';
  return waived ? 'waived' : verdict;
}

export interface RunOptions {
  /** The report folder the user named; the run stages in runs/.staging-<id> below it. */
  root: string;
  id: string;
  command: string;
  partial?: string;
  shard?: string;
}

/** A browser login's record (helpers/auth/login-setup.ts LoginRecord), attached by the authorizer fixture. */
export const LOGIN_ATTACHMENT = 'nhn-login';

export default class SummaryReporter implements Reporter {
  private readonly outputFile: string;
  /** One record per test, by id, in the order their final attempts ended. */
  private readonly byTest = new Map<string, TestRecord>();
  private get records(): TestRecord[] {
    return [...this.byTest.values()];
  }
  private started = Date.now();
  private projects: string[] = [];
  private profileEvidence = new Map<string, boolean>();
  private readonly targets = new Map<string, ProfileTargets>();
  /** Every token request the tests made, from their results (every attempt's). */
  private readonly ledger: LedgerEntry[] = [];
  /** Every browser login of the run: its recipe, steps and timings (never a code, token or cookie). */
  private readonly logins: Array<Record<string, unknown>> = [];
  /** A test's first failed attempt, until its last attempt says whether it was flaky. */
  private readonly firstFailures = new Map<string, Outcome>();
  /** Why each skipped test skipped (its skip annotation). */
  /** Why each skipped test skipped, by test id (a later attempt's reason replaces an earlier one's). */
  private readonly skipped = new Map<string, string>();

  /** The run's evidence folder (pieces joined at the end) and working folder (removed at the end). */
  private readonly evidenceDir: string | undefined;
  private readonly runDir: string | undefined;

  /** The run this report belongs to (playwright.config.ts): kept as reports/runs/<id> when it executed tests, discarded otherwise. */
  private readonly run: RunOptions | undefined;

  constructor(options: { outputFile?: string; evidenceDir?: string | null; runDir?: string | null; run?: RunOptions } = {}) {
    this.run = options.run;
    this.outputFile = options.outputFile ?? path.join(process.env.NHN_REPORT_DIR ?? 'reports', 'summary.json');
    this.evidenceDir = options.evidenceDir === undefined ? evidenceDir() : (options.evidenceDir ?? undefined);
    this.runDir = options.runDir === undefined ? process.env[RUN_DIR_VARIABLE] : (options.runDir ?? undefined);
  }

  printsToStdio(): boolean {
    return false;
  }

  onBegin(config: FullConfig, suite: Suite): void {
    this.started = Date.now();
    this.projects = suite.suites.map((s) => s.title);
    for (const p of config.projects) this.profileEvidence.set(p.name, Boolean(p.metadata?.evidence));
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    this.ledger.push(...ledgerEntriesOf(result.attachments, (file) => fs.readFileSync(file)));
    // Targets as the tests saw them (the twin up, its client known) win over the config's.
    for (const a of result.attachments.filter((x) => x.name === TARGETS_ATTACHMENT && (x.body || x.path))) {
      const t = JSON.parse((a.body ?? fs.readFileSync(a.path!)).toString('utf8')) as ProfileTargets;
      this.targets.set(t.name, t);
    }
    for (const a of result.attachments.filter((x) => x.name === LOGIN_ATTACHMENT && (x.body || x.path))) {
      this.logins.push({ test: test.title, ...(JSON.parse((a.body ?? fs.readFileSync(a.path!)).toString('utf8')) as Record<string, unknown>) });
    }
    const annotations = [...test.annotations, ...result.annotations];
    const v = classifyResult(result, annotations);
    // Only the final attempt gives the verdict; a failed attempt before it is kept.
    if (result.retry < test.retries && result.status !== 'passed' && result.status !== 'skipped') {
      if (!this.firstFailures.has(test.id)) this.firstFailures.set(test.id, v);
      return;
    }
    const first = this.firstFailures.get(test.id);
    if (v.verdict === 'skipped') this.skipped.set(test.id, annotations.find((a) => a.type === 'skip')?.description ?? 'no reason given');
    else this.skipped.delete(test.id);
    const file = path.relative(process.cwd(), test.location.file);
    const api = /^specs[\\/]([^\\/]+)/.exec(file)?.[1] ?? 'suite';
    const project = test.parent.project();
    const profileName = project?.metadata?.profile as ProfileName | undefined;
    // The targets the tests recorded win (above); the config's, resolved before the twin was up, stand in.
    const declared = project?.metadata?.targets as ProfileTargets | undefined;
    if (profileName && declared && !this.targets.has(profileName)) this.targets.set(profileName, declared);
    // One record per test: a test of a serial group that did not run is skipped on each attempt
    // of its group, and only the last attempt counts (in the place of the last attempt).
    this.byTest.delete(test.id);
    this.byTest.set(test.id, {
      id: test.id,
      title: test.titlePath().slice(3).join(' › '),
      file,
      project: test.parent.project()?.name ?? '',
      api,
      requirements: requirementTags(test.tags),
      verdict: v.verdict,
      failureClass: v.kind,
      message: v.message ? cleanMessage(v.message) : undefined,
      backdoor: annotations.some((a) => a.type === BACKDOOR),
      durationMs: result.duration,
      measurements: measurementsOf(annotations),
      observations: nonEmpty(observationsOf(annotations).map(({ point, variant, seen }) => ({ point, variant, seen }))),
      deviations: nonEmpty(observationsOf(annotations, DEVIATES).map(({ point, variant, expected, seen }) => ({ point, variant, expected, seen }))),
      flaky: first && v.verdict !== 'failed' ? { attempts: result.retry + 1, firstFailure: { class: first.kind, message: first.message ? cleanMessage(first.message) : undefined } } : undefined,
    });
  }

  async onEnd(result: FullResult): Promise<{ status?: FullResult['status'] } | void> {
    let catalogue = new Map<string, Requirement>();
    try {
      catalogue = loadCatalogue();
    } catch {
      // The coverage gate reports catalogue problems; the summary still gets written.
    }
    let waivers: Waiver[] = [];
    let waiversError: string | undefined;
    try {
      waivers = loadWaivers();
    } catch (e) {
      waiversError = (e as Error).message;
      process.stderr.write(`waivers not applied: ${waiversError}\n`);
    }
    const ended = new Date();
    for (const r of this.records) if (r.verdict === 'failed') r.waiver = waiverFor(r.requirements, waivers, ended);
    const counts = zero();
    const byApi: Record<string, Counts> = {};
    const byRequirement: Record<string, { level?: string; verdict: Verdict | 'waived'; tests: Array<{ title: string; project: string; verdict: Verdict; backdoor: boolean; waived?: boolean }> }> = {};
    for (const r of this.records) {
      counts[r.verdict] += 1;
      (byApi[r.api] ??= zero())[r.verdict] += 1;
      for (const id of r.requirements) {
        const entry = (byRequirement[id] ??= { level: catalogue.get(id)?.level, verdict: 'skipped', tests: [] });
        entry.tests.push({ title: r.title, project: r.project, verdict: r.verdict, backdoor: r.backdoor, waived: r.waiver ? true : undefined });
      }
    }
    for (const entry of Object.values(byRequirement)) entry.verdict = requirementVerdict(entry.tests);
    const dir = this.runDir;
    const outside = readJsonLines<LedgerEntry>(TOKEN_LEDGER, dir && fs.existsSync(dir) ? dir : undefined);
    const tokens = summariseTokens([...this.ledger, ...outside].sort((a, b) => a.at.localeCompare(b.at)));
    // A run in which every test was skipped proved nothing: it fails, with the reasons.
    const allSkipped = this.records.length > 0 && this.records.every((r) => r.verdict === 'skipped');
    const suite = suiteIdentity();
    const summary = {
      run: {
        suite: { name: suite.name, version: suite.version, commit: suite.commit, dirty: suite.dirty },
        startedAt: new Date(this.started).toISOString(),
        endedAt: ended.toISOString(),
        profiles: [...this.targets.values()],
        // Playwright's own figure: in a merge of shards' blob reports it spans the shards.
        wallTimeMs: Math.round(result.duration ?? Date.now() - this.started),
        status: allSkipped ? 'failed' : result.status,
        allSkipped: allSkipped || undefined,
        projects: this.projects,
        // Only NHN-run environments reached without the backdoor count as certification evidence.
        certificationEvidence: this.projects.some((p) => this.profileEvidence.get(p)) && !this.records.some((r) => r.backdoor),
        backdoorResults: this.records.filter((r) => r.backdoor).length,
        waiversError,
      },
      counts,
      waived: this.records.filter((r) => r.waiver).length,
      byApi,
      byRequirement,
      logins: this.logins.length ? this.logins : undefined,
      flaky: this.records.filter((r) => r.flaky).map((r) => ({ title: r.title, project: r.project, requirements: r.requirements, ...r.flaky })),
      // Assumption points where the environment showed another behaviour than the twin's reading: never a failure, unless strict or calibrated.
      deviations: this.records.filter((r) => r.deviations).flatMap((r) => r.deviations!.map((d) => ({ title: r.title, project: r.project, requirements: r.requirements, ...d }))),
      failures: this.records
        .filter((r) => r.verdict === 'failed')
        .map((r) => ({ title: r.title, project: r.project, class: r.failureClass, requirements: r.requirements, message: r.message, waived: r.waiver ? `${r.waiver.requirement} until ${r.waiver.expires} (${r.waiver.owner})` : undefined })),
      tokens,
      measurements: this.records.filter((r) => r.measurements).map((r) => ({ title: r.title, project: r.project, ...r.measurements })),
      tests: this.records,
    };
    fs.mkdirSync(path.dirname(this.outputFile), { recursive: true });
    fs.writeFileSync(this.outputFile, `${JSON.stringify(summary, null, 2)}\n`);
    if (dir && fs.existsSync(dir)) fs.rmSync(dir, { recursive: true, force: true });
    const evidence = this.evidenceDir;
    const exchanges = evidence ? joinExchanges(evidence, { name: suite.name, version: suite.version }) : 0;
    const line = Object.entries(counts).map(([k, n]) => `${n} ${k}`).join(', ');
    const infra = summary.failures.filter((f) => f.class === 'infrastructure').length;
    process.stdout.write(
      `\nverdicts: ${line}${infra ? ` (${infra} infrastructure)` : ''}; tokens: ${tokens.suiteTokens.requests} suite requests for ${tokens.suiteTokens.distinctTuples} distinct tuples, ${tokens.granted} granted in all, ${tokens.refused} refused on purpose, ${tokens.httpCalls} HTTP calls; one per tuple: ${tokens.oneRequestPerTuple ? 'yes' : 'NO'}; wall time ${(summary.run.wallTimeMs / 1000).toFixed(1)} s → ${this.run ? path.join(this.run.root, 'runs', this.run.id, 'summary.json') : this.outputFile}${exchanges ? `; ${exchanges} exchanges recorded for \`npm run certify\`` : ''}${summary.waived ? `; ${summary.waived} failure(s) waived` : ''}${summary.flaky.length ? `; ${summary.flaky.length} flaky (passed on a retry, first failure kept)` : ''}\n`,
    );
    if (this.run) this.keepOrDiscard(summary.run, counts, result.status === 'interrupted');
    if (allSkipped) {
      process.stderr.write(`\nevery one of the ${this.records.length} tests was skipped, so this run proved nothing and fails. Why they skipped:\n${skipReasons([...this.skipped.values()])}\n`);
      return { status: 'failed' };
    }
  }

  /**
   * A run that executed tests is kept in its own folder, and reports/latest points at it; what
   * was no run (a --list, a configuration error, nothing executed) is dropped, and says so.
   */
  private keepOrDiscard(run: { startedAt: string; endedAt: string; suite: RunIdentity['suite']; profiles: ProfileTargets[] }, counts: Counts, interrupted: boolean): void {
    // A run stopped by Ctrl-C is kept with what it did, and never passes for a whole one.
    const r = { ...this.run!, partial: [this.run!.partial, interrupted ? 'interrupted' : undefined].filter(Boolean).join(' ') || undefined };
    const executed = this.records.filter((t) => t.verdict !== 'skipped');
    const configuration = executed.length > 0 && executed.every((t) => t.verdict === 'failed' && t.failureClass === 'suite' && /ConfigurationError/.test(t.message ?? ''));
    const why = /(^|\s)--list\b/.test(r.command) ? 'it only listed the tests' : configuration ? 'it stopped on a configuration error' : executed.length === 0 ? 'it executed no test' : undefined;
    if (why) {
      discardRun(r.root, r.id);
      process.stdout.write(`[runs] wrote nothing: ${why}; the last run kept is still ${path.join(r.root, LATEST)}\n`);
      return;
    }
    const kept = keepRun(r.root, { id: r.id, startedAt: run.startedAt, endedAt: run.endedAt, suite: run.suite, profiles: run.profiles.map((p) => p.name), targets: run.profiles, command: r.command, ...(r.partial ? { partial: r.partial } : {}), ...(r.shard ? { shard: r.shard } : {}), counts }, keepRuns());
    process.stdout.write(`[runs] kept as ${kept} (${r.partial ? `partial: ${r.partial}` : 'whole'}); ${path.join(r.root, LATEST)} points at it\n`);
  }
}
