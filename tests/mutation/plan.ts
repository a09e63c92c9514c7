// The kill matrix's plan: which faults, which specs each must fail, and the clean runs that must
// pass. Shared by the runner, its Playwright config and the benchmark.
import { loadFaults, type CatalogedFault } from '../../sandbox/core/faults.ts';

export interface Plan {
  faults: CatalogedFault[];
  /** Clean baselines, one per twin setting the faults need (e.g. resource servers that want nonces). */
  cleans: Array<{ key: string; twinEnv: Record<string, string>; requirements: string[] }>;
}

/** Whole IDs only: @HID-CA-002 must not match @HID-CA-0021. */
export function grepFor(requirements: readonly string[]): RegExp {
  return new RegExp(`@(${requirements.map((r) => r.replace(/-/g, '\\-')).join('|')})(?![A-Z0-9-])`);
}

export const envKey = (f: { twinEnv?: Readonly<Record<string, string>> }) => JSON.stringify(f.twinEnv ?? {});

/** The faults to run: the ids named, or every fault; `shard` "i/n" keeps every n-th, from the i-th. */
export async function plan(ids: readonly string[] = [], shard?: string): Promise<Plan> {
  const all = await loadFaults();
  const unknown = ids.filter((id) => !all.has(id));
  if (unknown.length) throw new Error(`unknown fault(s): ${unknown.join(', ')} (npm run sandbox -- --faults lists them)`);
  let faults = ids.length ? ids.map((id) => all.get(id)!) : [...all.values()];
  if (shard) {
    const m = /^(\d+)\/(\d+)$/.exec(shard);
    const [i, n] = [Number(m?.[1]), Number(m?.[2])];
    if (!m || i < 1 || i > n) throw new Error(`--shard must be i/n with 1 ≤ i ≤ n, got "${shard}"`);
    faults = faults.filter((_, k) => k % n === i - 1);
  }
  const cleans = [...new Set(faults.map(envKey))].map((key) => ({
    key,
    twinEnv: JSON.parse(key) as Record<string, string>,
    requirements: [...new Set(faults.filter((f) => envKey(f) === key).flatMap((f) => f.requirements))],
  }));
  return { faults, cleans };
}
