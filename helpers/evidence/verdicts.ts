// Verdicts beyond pass and fail (DESIGN.md): a broken SHOULD warns, an unmet precondition is
// inconclusive. Both travel as test annotations, which the summary reporter reads.
import type { TestInfo } from '@playwright/test';
import { playwrightTest } from './playwright-test.ts';

import { INCONCLUSIVE, WARNED } from './outcome.ts';

export { DEVIATES, INCONCLUSIVE, WARNED, type Verdict } from './outcome.ts';
export { observe } from './assumptions.ts';
export const BACKDOOR = 'backdoor';
export const MEASUREMENT = 'measurement';

/** Records a SHOULD-level check: a failure warns instead of failing the test. */
export function should(condition: boolean, message: string, info: TestInfo = playwrightTest().info()): boolean {
  if (!condition) info.annotations.push({ type: WARNED, description: message });
  return condition;
}

/** Ends the test as inconclusive: the environment did not let it exercise the rule. */
export function inconclusive(reason: string, info: TestInfo = playwrightTest().info()): never {
  info.annotations.push({ type: INCONCLUSIVE, description: reason });
  playwrightTest().skip(true, `inconclusive: ${reason}`);
  throw new Error('unreachable');
}

/** Records a figure the run observed (a delay, a window): reported in summary.json, never asserted. */
export function measure(name: string, value: number, info: TestInfo = playwrightTest().info()): void {
  info.annotations.push({ type: MEASUREMENT, description: `${name}: ${value}` });
}

export const EXERCISES = 'exercises';

/**
 * Says that the test sends a request breaking (`refused`) or keeping (`accepted`) one of the rules
 * a requirement names (its `rules` in schemas/requirements/): a unit test wants both for each.
 */
export function exercise(requirement: string, rule: string, polarity: 'refused' | 'accepted', info: TestInfo = playwrightTest().info()): void {
  info.annotations.push({ type: EXERCISES, description: `${requirement}/${rule} ${polarity}` });
}
