// The kill matrix's plan: which faults, which tests each must fail, how faults share Playwright
// projects, and the clean runs that must pass. Shared by the runner, its Playwright config and
// the benchmark.
//
// A Playwright project costs a worker process (and its cold caches) per worker slot, about two
// seconds; a re-planted twin costs about a tenth of that. So faults whose tests are disjoint share
// a project: each test plants the one fault it belongs to before it runs (fixtures/index.ts),
// and the fault's other tests are skipped once one of them has killed it.
import { listTests, type ListedTest } from '../../helpers/cli/list-tests.ts';
import { requirementTags } from '../../helpers/requirements/catalogue.ts';
import { loadFaults, type CatalogedFault } from '../../sandbox/core/faults.ts';

/** What a project's fixtures and the reporter need to know about one fault. */
export interface PlannedFault {
  id: string;
  pack: string;
  rule: string;
  /** A dialect's assumption point, which its specs must name it at. */
  point?: string;
  requirements: string[];
  twinEnv: Record<string, string>;
  /** Tests that name one of its requirements. */
  tests: number;
  /** Whether one of them is tagged @slow (it goes first, so it does not finish the run alone). */
  slow: boolean;
}

export interface Plan {
  faults: PlannedFault[];
  /** Faults with disjoint tests, one Playwright project each: those with @slow tests first, then the largest. */
  groups: PlannedFault[][];
  /**
   * Clean baselines, one per twin setting the faults need (e.g. resource servers that want nonces).
   * The kill matrix only: a kill counts when the same tests pass on a clean twin. The tolerance
   * matrix's verdict is a failure either way, and the main job runs every test on a clean twin.
   */
  cleans: Array<{ key: string; twinEnv: Record<string, string>; requirements: string[] }>;
}

/** Whole IDs only: @HID-CA-002 must not match @HID-CA-0021. */
export function grepFor(requirements: readonly string[]): RegExp {
  return new RegExp(`@(${requirements.map((r) => r.replace(/-/g, '\\-')).join('|')})(?![A-Z0-9-])`);
}

export const SLOW_TAG = '@slow';

export const envKey = (f: { twinEnv?: Readonly<Record<string, string>> }) => JSON.stringify(f.twinEnv ?? {});

/** The faults a test belongs to: those with a requirement among its tags. */
export function faultsOfTest<F extends { requirements: readonly string[] }>(tags: readonly string[], faults: readonly F[]): F[] {
  const ids = new Set(requirementTags(tags));
  return faults.filter((f) => f.requirements.some((r) => ids.has(r)));
}

export const belongsTo = (tags: readonly string[], fault: { requirements: readonly string[] }) => faultsOfTest(tags, [fault]).length > 0;

/** The kill matrix plants faults; the tolerance matrix, dialects (the same machinery, the verdict reversed). */
export type MatrixMode = 'kill' | 'tolerance';

export const matrixMode = (env: NodeJS.ProcessEnv = process.env): MatrixMode => (env.MUTATION_MODE === 'tolerance' ? 'tolerance' : 'kill');

/** The faults (or, for the tolerance matrix, the dialects) selected: the ids named, or all; `shard` "i/n" keeps every n-th, from the i-th. */
export async function selectFaults(ids: readonly string[] = [], shard?: string, mode: MatrixMode = matrixMode()): Promise<CatalogedFault[]> {
  const kind = mode === 'tolerance' ? 'dialect' : 'fault';
  const all = new Map([...(await loadFaults())].filter(([, f]) => f.kind === kind));
  const unknown = ids.filter((id) => !all.has(id));
  if (unknown.length) throw new Error(`unknown ${kind}(s): ${unknown.join(', ')} (npm run sandbox -- --faults lists them)`);
  // Operational faults are caught by the monitor and the drift sentinel (tests/ops), not by specs.
  let faults = ids.length ? ids.map((id) => all.get(id)!) : [...all.values()].filter((f) => !f.caughtBy);
  if (shard) {
    const m = /^(\d+)\/(\d+)$/.exec(shard);
    const [i, n] = [Number(m?.[1]), Number(m?.[2])];
    if (!m || i < 1 || i > n) throw new Error(`--shard must be i/n with 1 ≤ i ≤ n, got "${shard}"`);
    faults = faults.filter((_, k) => k % n === i - 1);
  }
  return faults;
}

/** About how many ordinary tests one @slow test lasts (a stale-nonce wait, an asynchronous bound). */
const SLOW_WEIGHT = 40;

/**
 * Balanced grouping. A test that k faults name must run in k projects, so the most faults any one
 * test belongs to is the fewest projects there can be; that many groups are made. Each fault, the
 * heaviest first, joins the lightest group none of whose faults shares a test with it (a new group
 * only when none is free); a test weighs 1, a @slow one SLOW_WEIGHT. Every test then belongs to at
 * most one fault of its group, and the groups take about as long as each other, so that the
 * projects can run side by side and none runs long after the others. Groups with @slow tests come
 * first, so that those tests do not finish the run alone.
 */
export function groupFaults(faults: readonly PlannedFault[], tests: readonly ListedTest[]): PlannedFault[][] {
  const testsOf = new Map(faults.map((f) => [f.id, new Set<number>()]));
  let overlap = 0;
  tests.forEach((t, i) => {
    const mine = faultsOfTest(t.tags, faults);
    mine.forEach((f) => testsOf.get(f.id)!.add(i));
    overlap = Math.max(overlap, mine.length);
  });
  const weight = (ids: Iterable<number>) => [...ids].reduce((sum, i) => sum + (tests[i]!.tags.includes(SLOW_TAG) ? SLOW_WEIGHT : 1), 0);
  const groups = Array.from({ length: overlap }, () => ({ faults: [] as PlannedFault[], tests: new Set<number>(), weight: 0 }));
  for (const f of [...faults].sort((a, b) => weight(testsOf.get(b.id)!) - weight(testsOf.get(a.id)!))) {
    const mine = testsOf.get(f.id)!;
    let group = groups.filter((g) => ![...mine].some((i) => g.tests.has(i))).sort((a, b) => a.weight - b.weight)[0];
    if (!group) groups.push((group = { faults: [], tests: new Set(), weight: 0 }));
    group.faults.push(f);
    mine.forEach((i) => group.tests.add(i));
    group.weight = weight(group.tests);
  }
  const slow = (g: { faults: PlannedFault[] }) => g.faults.some((f) => f.slow);
  return [...groups.filter(slow), ...groups.filter((g) => !slow(g) && g.faults.length)].map((g) => g.faults);
}

export async function plan(ids: readonly string[] = [], shard?: string, tests: readonly ListedTest[] = listTests()): Promise<Plan> {
  const selected = await selectFaults(ids, shard);
  const faults: PlannedFault[] = selected.map((f) => ({
    id: f.id,
    pack: f.pack,
    rule: f.rule,
    ...(f.point ? { point: f.point } : {}),
    requirements: [...f.requirements],
    twinEnv: { ...f.twinEnv },
    tests: tests.filter((t) => belongsTo(t.tags, f)).length,
    slow: tests.some((t) => t.tags.includes(SLOW_TAG) && belongsTo(t.tags, f)),
  }));
  const cleans = (matrixMode() === 'tolerance' ? [] : [...new Set(faults.map(envKey))]).map((key) => ({
    key,
    twinEnv: JSON.parse(key) as Record<string, string>,
    requirements: [...new Set(faults.filter((f) => envKey(f) === key).flatMap((f) => f.requirements))],
  }));
  return { faults, groups: groupFaults(faults, tests), cleans };
}
