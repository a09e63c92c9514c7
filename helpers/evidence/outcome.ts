// The one outcome classifier: the summary reporter, the coverage gate and the kill matrix all
// turn a Playwright result into a verdict here. A failure's kind comes from the class of the
// error that ended the test (the suite's errors carry it), a timeout is infrastructure, and a
// configuration error is the suite's own.

/** Annotation types that carry a verdict beyond pass and fail. */
export const WARNED = 'warned';
export const INCONCLUSIVE = 'inconclusive';
/** An assumption point where the environment showed a variant other than the twin's reading (assumptions.ts). */
export const DEVIATES = 'deviates';
/** What the environment showed at an assumption point, base included: the calibration reads these. */
export const OBSERVED = 'observed';

export type Verdict = 'passed' | 'failed' | 'deviates' | 'warned' | 'inconclusive' | 'skipped';

export type FailureKind = 'contract' | 'infrastructure' | 'inconclusive' | 'suite';

/** The kind of every error class the suite throws; anything else (an expect) is a contract failure. */
export const ERROR_KINDS = {
  ContractError: 'contract',
  InfrastructureError: 'infrastructure',
  InconclusiveError: 'inconclusive',
  GuardError: 'suite',
  ConfigurationError: 'suite',
  TokenRequestError: 'suite',
  CatalogueError: 'suite',
  // A login recipe's step did not match HelseID's page: the recipe needs editing.
  LoginStepError: 'suite',
} as const satisfies Record<string, FailureKind>;

export interface ResultLike {
  status: 'passed' | 'failed' | 'timedOut' | 'skipped' | 'interrupted';
  errors: ReadonlyArray<{ message?: string; stack?: string; value?: string }>;
}

export interface Outcome {
  verdict: Verdict;
  /** For a failed test: whose fault. */
  kind?: Exclude<FailureKind, 'inconclusive'>;
  message?: string;
}

const ANSI = /\u001b\[[0-9;]*m/g;

/** The suite error class that ended a test, read from the serialised error ("Name: message"). */
function errorClass(error: ResultLike['errors'][number]): keyof typeof ERROR_KINDS | undefined {
  for (const text of [error.stack, error.message]) {
    const name = /^(?:Error: )?([A-Za-z]+Error)\b/.exec((text ?? '').replace(ANSI, '').trimStart())?.[1];
    if (name && name in ERROR_KINDS) return name as keyof typeof ERROR_KINDS;
  }
  return undefined;
}

export function classifyResult(result: ResultLike, annotations: ReadonlyArray<{ type: string }>): Outcome {
  const message = result.errors.map((e) => e.message ?? e.value ?? '').join('\n').replace(ANSI, '').trim() || undefined;
  const types = new Set(annotations.map((a) => a.type));
  if (result.status === 'skipped') return { verdict: types.has(INCONCLUSIVE) ? 'inconclusive' : 'skipped' };
  if (result.status === 'passed') return { verdict: types.has(DEVIATES) ? 'deviates' : types.has(WARNED) ? 'warned' : 'passed' };
  // A test that ran out of time never got its answer: the environment, not the contract.
  if (result.status === 'timedOut' || result.status === 'interrupted') return { verdict: 'failed', kind: 'infrastructure', message };
  const kinds = result.errors.map(errorClass).filter((c) => c !== undefined).map((c) => ERROR_KINDS[c]);
  const first = kinds[0];
  if (first === 'inconclusive') return { verdict: 'inconclusive', message };
  return { verdict: 'failed', kind: first ?? 'contract', message };
}

/** In the kill matrix only a broken contract (a failed MUST) or a warned SHOULD kills a fault. */
export function isKill(outcome: Outcome): boolean {
  return (outcome.verdict === 'failed' && outcome.kind === 'contract') || outcome.verdict === 'warned';
}
