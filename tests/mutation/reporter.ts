// The kill matrix's reporter: a fault is killed when a test of its requirements fails for a
// contract reason (or warns a SHOULD) against the faulty twin while every such test passes
// against the clean twin. One line per fault as soon as both are known, then the score.
import fs from 'node:fs';
import type { FullConfig, FullResult, Reporter, Suite, TestCase, TestResult } from '@playwright/test/reporter';
import { classifyResult, isKill, type Outcome } from '../../helpers/evidence/outcome.ts';
import { requirementTags } from '../../helpers/requirements/catalogue.ts';
import { belongsTo, envKey, faultsOfTest, matrixMode } from './plan.ts';
import { observationsOf } from '../../helpers/evidence/assumptions.ts';
import { ASSUMPTION_POINTS } from '../../helpers/evidence/assumption-points.ts';
import { KILLED_SKIP, type PlantedFaults } from './twin-environment.ts';

interface Tracked {
  id: string;
  requirements: string[];
  cleanKey: string;
  expected: number;
  /** Clean tests that name one of its requirements. */
  cleanExpected: number;
  /** `afterKill`: skipped because an earlier test had already killed the fault. */
  outcomes: Array<{ title: string; outcome: Outcome; afterKill: boolean }>;
  decided: boolean;
  /** A dialect's assumption point, and what its tests saw at every point (variant by point). */
  point?: string;
  seen: Map<string, Set<string>>;
}

const ran = (f: Tracked) => f.outcomes.filter((o) => o.outcome.verdict !== 'skipped').length;
const afterKill = (f: Tracked) => f.outcomes.filter((o) => o.afterKill).length;

export default class KillMatrixReporter implements Reporter {
  private readonly faults = new Map<string, Tracked>();
  private readonly cleanOutcomes = new Map<string, Array<{ title: string; requirements: string[]; outcome: Outcome }>>();
  private started = performance.now();
  private killed = 0;
  private decided = 0;
  private lines: string[] = [];
  private readonly tolerance = matrixMode() === 'tolerance';
  private recognised = 0;
  private withPoint = 0;

  constructor(private readonly options: { outputFile?: string } = {}) {}

  printsToStdio(): boolean {
    return true;
  }

  onBegin(config: FullConfig, suite: Suite): void {
    this.started = performance.now();
    const projectSuites = new Map(suite.suites.map((s) => [s.title, s]));
    const testsOf = (name: string) => projectSuites.get(name)?.allTests() ?? [];
    for (const project of config.projects) {
      const meta = project.metadata as { clean?: string; plantedFaults?: PlantedFaults };
      // A twin setting's clean baseline may be two projects (its @slow tests run first).
      if (meta.clean !== undefined && !this.cleanOutcomes.has(meta.clean)) this.cleanOutcomes.set(meta.clean, []);
      for (const f of meta.plantedFaults?.faults ?? []) {
        const expected = testsOf(project.name).filter((t) => belongsTo(t.tags, f)).length;
        this.faults.set(f.id, { id: f.id, requirements: f.requirements, cleanKey: envKey(f), expected, cleanExpected: 0, outcomes: [], decided: false, point: f.point, seen: new Map() });
      }
    }
    for (const project of config.projects) {
      const meta = project.metadata as { clean?: string };
      if (meta.clean === undefined) continue;
      for (const f of this.faults.values()) {
        if (f.cleanKey === meta.clean) f.cleanExpected += testsOf(project.name).filter((t) => belongsTo(t.tags, f)).length;
      }
    }
    const groups = config.projects.filter((p) => (p.metadata as { plantedFaults?: unknown }).plantedFaults).length;
    process.stdout.write(`${this.tolerance ? `tolerance matrix: ${this.faults.size} dialects` : `kill matrix: ${this.faults.size} faults`} in ${groups} projects with disjoint tests, ${suite.allTests().length} test runs, ${config.workers} workers\n`);
    for (const f of this.faults.values()) if (f.expected === 0) this.decide(f);
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    const project = test.parent.project();
    if (!project) return;
    const outcome = classifyResult(result, [...test.annotations, ...result.annotations]);
    const meta = project.metadata as { clean?: string; plantedFaults?: PlantedFaults };
    if (meta.clean !== undefined) {
      this.cleanOutcomes.get(meta.clean)!.push({ title: test.title, requirements: requirementTags(test.tags), outcome });
      for (const f of this.faults.values()) if (!f.decided && f.cleanKey === meta.clean) this.tryDecide(f);
      return;
    }
    for (const planned of faultsOfTest(test.tags, meta.plantedFaults?.faults ?? [])) {
      const f = this.faults.get(planned.id)!;
      const afterKill = result.status === 'skipped' && [...test.annotations, ...result.annotations].some((a) => a.type === 'skip' && a.description?.startsWith(KILLED_SKIP));
      f.outcomes.push({ title: test.title, outcome, afterKill });
      for (const o of observationsOf([...test.annotations, ...result.annotations])) (f.seen.get(o.point) ?? f.seen.set(o.point, new Set()).get(o.point)!).add(o.variant);
      this.tryDecide(f);
    }
  }

  private cleanFor(f: Tracked) {
    return (this.cleanOutcomes.get(f.cleanKey) ?? []).filter((o) => o.requirements.some((r) => f.requirements.includes(r)));
  }

  private tryDecide(f: Tracked): void {
    if (f.decided || f.outcomes.length < f.expected) return;
    if (this.cleanFor(f).length < f.cleanExpected) return;
    this.decide(f);
  }

  private decide(f: Tracked): void {
    if (this.tolerance) return this.decideDialect(f);
    f.decided = true;
    this.decided += 1;
    const clean = this.cleanFor(f);
    const cleanBroken = clean.filter((c) => c.outcome.verdict === 'failed' || c.outcome.verdict === 'warned');
    const kills = f.outcomes.filter((o) => isKill(o.outcome));
    const infra = f.outcomes.filter((o) => o.outcome.verdict === 'failed' && o.outcome.kind !== 'contract').length;
    const killed = kills.length > 0 && clean.length > 0 && cleanBroken.length === 0;
    if (killed) this.killed += 1;
    const detail = !f.expected
      ? 'no test carries these requirement tags'
      : cleanBroken.length
        ? `clean twin fails ${cleanBroken.length}: ${cleanBroken.map((c) => `${c.title} (${c.outcome.kind ?? c.outcome.verdict})`).join('; ')}`
        : `${kills.length ? `caught by "${kills[0]!.title}"` : 'no test caught it'}${ran(f) > kills.length ? ` (${kills.length}/${ran(f)} that ran)` : ''}${afterKill(f) ? `, ${afterKill(f)} not run once killed` : ''}${infra ? `, ${infra} non-contract failures not counted` : ''}; clean: ${clean.filter((c) => c.outcome.verdict === 'passed').length} passed`;
    const elapsed = ((performance.now() - this.started) / 1000).toFixed(1);
    const line = `${killed ? 'KILLED  ' : 'SURVIVED'} ${String(this.decided).padStart(3)}/${this.faults.size} ${f.id.padEnd(28)} (${f.requirements.join(', ')})  ${detail}  [${elapsed} s]`;
    this.lines.push(line);
    process.stdout.write(`${line}\n`);
  }

  /**
   * A dialect is tolerated when none of its tests failed (pass, warn, deviate and inconclusive are
   * all a correct server's right), recognised when its tests named it at its point and saw the base
   * reading at every other point, and unreached when none of its tests ran. It has no clean
   * baseline (plan.ts): a failure is false whatever a clean twin does.
   */
  private decideDialect(f: Tracked): void {
    f.decided = true;
    this.decided += 1;
    const falseFailures = f.outcomes.filter((o) => o.outcome.verdict === 'failed');
    const unreached = ran(f) === 0;
    // Only assumption points count: a recorded fact (which APIs serve test-token-service tokens) is no reading.
    const elsewhere = [...f.seen].filter(([point, variants]) => point !== f.point && point in ASSUMPTION_POINTS && [...variants].some((v) => v !== 'base')).map(([p, v]) => `${p}=${[...v].join('|')}`);
    const named = f.point ? [...(f.seen.get(f.point) ?? [])] : [];
    const recognised = !f.point || (named.length > 0 && named.every((v) => v === f.id) && elsewhere.length === 0);
    const tolerated = !unreached && falseFailures.length === 0;
    if (tolerated) this.killed += 1;
    if (tolerated && f.point && recognised) this.recognised += 1;
    if (f.point) this.withPoint += 1;
    const verdicts = f.outcomes.filter((o) => o.outcome.verdict !== 'skipped').reduce<Record<string, number>>((acc, o) => ({ ...acc, [o.outcome.verdict]: (acc[o.outcome.verdict] ?? 0) + 1 }), {});
    const detail = unreached
      ? `unreached: no test of ${f.requirements.join(', ')} ran`
      : falseFailures.length
        ? `FALSE FAILURE in "${falseFailures[0]!.title}": ${(falseFailures[0]!.outcome.message ?? '').split('\n')[0]!.slice(0, 200)} (the main job runs it on a clean twin: if it fails there too, the dialect is not the cause)`
        : `${Object.entries(verdicts).map(([k, n]) => `${n} ${k}`).join(', ')}${f.point ? (recognised ? `; named at ${f.point}` : `; NOT RECOGNISED at ${f.point} (saw ${named.join('|') || 'nothing'}${elsewhere.length ? `; elsewhere ${elsewhere.join(', ')}` : ''})`) : ''}`;
    const elapsed = ((performance.now() - this.started) / 1000).toFixed(1);
    const label = unreached ? 'UNREACHED ' : tolerated ? 'TOLERATED ' : 'FAILED    ';
    const line = `${label} ${String(this.decided).padStart(3)}/${this.faults.size} ${f.id.padEnd(34)} (${f.requirements.join(', ')})  ${detail}  [${elapsed} s]`;
    this.lines.push(line);
    process.stdout.write(`${line}\n`);
  }

  onError(error: { message?: string }): void {
    process.stderr.write(`kill matrix: ${error.message ?? 'error'}\n`);
  }

  async onEnd(_result: FullResult): Promise<{ status: FullResult['status'] }> {
    for (const f of this.faults.values()) if (!f.decided) this.decide(f);
    const seconds = (performance.now() - this.started) / 1000;
    const n = this.faults.size;
    if (this.tolerance) {
      process.stdout.write(`tolerance matrix: ${n} dialects in ${seconds.toFixed(1)} s (${n ? (seconds / n).toFixed(2) : '0'} s per dialect); ${this.recognised}/${this.withPoint} recognised at their assumption point\n`);
      process.stdout.write(`tolerance: ${this.killed}/${n} dialects without a false failure\n`);
      if (this.options.outputFile) fs.writeFileSync(this.options.outputFile, JSON.stringify({ dialects: n, tolerated: this.killed, recognised: this.recognised, withPoint: this.withPoint, seconds, lines: this.lines }));
      return { status: this.killed === n && this.recognised === this.withPoint && n > 0 ? 'passed' : 'failed' };
    }
    process.stdout.write(`kill matrix: ${n} faults in ${seconds.toFixed(1)} s (${((n / seconds) * 60).toFixed(1)} faults per minute, ${n ? (seconds / n).toFixed(2) : '0'} s per fault)\n`);
    process.stdout.write(`mutation score: ${this.killed}/${n}\n`);
    if (this.options.outputFile) fs.writeFileSync(this.options.outputFile, JSON.stringify({ faults: n, killed: this.killed, seconds, lines: this.lines }));
    return { status: this.killed === n && n > 0 ? 'passed' : 'failed' };
  }
}
