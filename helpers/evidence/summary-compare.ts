// What must agree between two summaries of the same tests: an unsharded run and the merge of its
// shards' blob reports, say. Timings and the figures measured differ from run to run and are left
// out; which tests ran, their verdicts, the requirements' verdicts, the token requests the run
// made and which measurements each test took must not.
import type { TestRecord } from './summary-reporter.ts';

interface SummaryLike {
  counts: Record<string, number>;
  byApi: Record<string, Record<string, number>>;
  byRequirement: Record<string, { verdict: string; tests: unknown[] }>;
  tokens: { requests: number; granted: number; refused: number; nonceChallenges: number; distinctTuples: number; suiteTokens: unknown; oneRequestPerTuple: boolean };
  tests: TestRecord[];
  run: { profiles: unknown[] };
}

/** The parts of a summary two runs of the same tests must share. */
export function comparableSummary(s: SummaryLike) {
  const { requests, granted, refused, nonceChallenges, distinctTuples, suiteTokens, oneRequestPerTuple } = s.tokens;
  return {
    counts: s.counts,
    byApi: s.byApi,
    byRequirement: Object.fromEntries(Object.entries(s.byRequirement).sort(([a], [b]) => a.localeCompare(b)).map(([id, r]) => [id, { verdict: r.verdict, tests: r.tests.length }])),
    tokens: { requests, granted, refused, nonceChallenges, distinctTuples, suiteTokens, oneRequestPerTuple },
    tests: [...s.tests]
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((t) => ({ id: t.id, title: t.title, project: t.project, verdict: t.verdict, failureClass: t.failureClass, requirements: t.requirements, measured: Object.keys(t.measurements ?? {}).sort() })),
    profiles: s.run.profiles,
  };
}

/** Where two summaries disagree, one line each (empty when they agree). */
export function summaryDifferences(a: SummaryLike, b: SummaryLike): string[] {
  const left = comparableSummary(a);
  const right = comparableSummary(b);
  const out: string[] = [];
  for (const key of Object.keys(left) as Array<keyof typeof left>) {
    if (key === 'tests') continue;
    if (JSON.stringify(left[key]) !== JSON.stringify(right[key])) out.push(`${key}: ${JSON.stringify(left[key])} ≠ ${JSON.stringify(right[key])}`);
  }
  const byId = new Map(right.tests.map((t) => [t.id, t]));
  for (const t of left.tests) {
    const other = byId.get(t.id);
    if (!other) out.push(`test only in the first: ${t.title}`);
    else if (JSON.stringify(t) !== JSON.stringify(other)) out.push(`test ${t.title}: ${JSON.stringify(t)} ≠ ${JSON.stringify(other)}`);
    byId.delete(t.id);
  }
  for (const t of byId.values()) out.push(`test only in the second: ${t.title}`);
  return out;
}
