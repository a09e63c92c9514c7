// Latency budgets as data (schemas/monitor/budgets.yaml): a p95 per endpoint and profile, fixed or
// "baseline × k" over the profile's first runs. A file that says something else is an error
// naming the file and the entry.
import fs from 'node:fs';
import { parse } from 'yaml';
import { ConfigurationError } from '../config/settings.ts';

export interface BudgetRule {
  /** A fixed p95 in ms, or k for "baseline × k". */
  fixedMs?: number;
  factor?: number;
  atLeast?: number;
  text: string;
}

export interface Budgets {
  baselineRuns: number;
  minSamples: number;
  profiles: Record<string, { default?: BudgetRule; endpoints: Array<{ pattern: string; match: RegExp; rule: BudgetRule }> }>;
}

export type BudgetState = 'within' | 'over' | 'baseline' | 'few-samples' | 'none';

export interface BudgetVerdict {
  state: BudgetState;
  budgetMs?: number;
  rule?: string;
}

function rule(value: unknown, where: string): BudgetRule {
  const v = value as { p95?: unknown; atLeast?: unknown } | undefined;
  if (!v || typeof v !== 'object') throw new ConfigurationError(`${where}: expected { p95: <ms> | baseline × <k>, atLeast?: <ms> }`);
  const atLeast = v.atLeast === undefined ? undefined : Number(v.atLeast);
  if (atLeast !== undefined && !(atLeast >= 0)) throw new ConfigurationError(`${where}: atLeast must be a number of ms, got ${JSON.stringify(v.atLeast)}`);
  const floor = atLeast === undefined ? '' : `, at least ${atLeast} ms`;
  if (typeof v.p95 === 'number' && v.p95 > 0) return { fixedMs: v.p95, atLeast, text: `${v.p95} ms${floor}` };
  const m = typeof v.p95 === 'string' ? /^baseline\s*[×x*]\s*(\d+(?:\.\d+)?)$/.exec(v.p95.trim()) : null;
  if (m && Number(m[1]) > 0) return { factor: Number(m[1]), atLeast, text: `baseline × ${m[1]}${floor}` };
  throw new ConfigurationError(`${where}: p95 must be a number of ms or "baseline × k", got ${JSON.stringify(v.p95)}`);
}

export function loadBudgets(file: string): Budgets {
  let doc: { baselineRuns?: unknown; minSamples?: unknown; profiles?: Record<string, { default?: unknown; endpoints?: Record<string, unknown> }> };
  try {
    doc = (parse(fs.readFileSync(file, 'utf8')) ?? {}) as typeof doc;
  } catch (e) {
    throw new ConfigurationError(`NHN_MONITOR_BUDGETS: cannot read ${file} (${(e as Error).message.split('\n')[0]})`);
  }
  const int = (v: unknown, name: string, fallback: number) => {
    if (v === undefined) return fallback;
    if (!Number.isInteger(v) || (v as number) < 1) throw new ConfigurationError(`${file}: ${name} must be a whole number ≥ 1, got ${JSON.stringify(v)}`);
    return v as number;
  };
  const profiles: Budgets['profiles'] = {};
  for (const [name, p] of Object.entries(doc.profiles ?? {})) {
    profiles[name] = {
      default: p?.default === undefined ? undefined : rule(p.default, `${file}: profiles.${name}.default`),
      endpoints: Object.entries(p?.endpoints ?? {}).map(([pattern, r]) => ({
        pattern,
        match: new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`),
        rule: rule(r, `${file}: profiles.${name}.endpoints["${pattern}"]`),
      })),
    };
  }
  return { baselineRuns: int(doc.baselineRuns, 'baselineRuns', 3), minSamples: int(doc.minSamples, 'minSamples', 5), profiles };
}

export function ruleFor(budgets: Budgets, profile: string, endpoint: string): BudgetRule | undefined {
  const p = budgets.profiles[profile];
  return p?.endpoints.find((e) => e.match.test(endpoint))?.rule ?? p?.default;
}

const median = (values: readonly number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/**
 * Judges one endpoint's p95. `baseline` holds the endpoint's p95s of the profile's earliest runs
 * (oldest first, this run not among them).
 */
export function judgeLatency(budgets: Budgets, profile: string, endpoint: string, measured: { p95: number; samples: number }, baseline: readonly number[]): BudgetVerdict {
  const r = ruleFor(budgets, profile, endpoint);
  if (!r) return { state: 'none' };
  let budget: number;
  if (r.fixedMs !== undefined) budget = r.fixedMs;
  else {
    if (baseline.length < budgets.baselineRuns) return { state: 'baseline', rule: `${r.text} (baseline ${baseline.length}/${budgets.baselineRuns} runs)` };
    budget = median(baseline.slice(0, budgets.baselineRuns)) * r.factor!;
  }
  budget = Math.round(Math.max(budget, r.atLeast ?? 0));
  if (measured.samples < budgets.minSamples) return { state: 'few-samples', budgetMs: budget, rule: r.text };
  return { state: measured.p95 > budget ? 'over' : 'within', budgetMs: budget, rule: r.text };
}
