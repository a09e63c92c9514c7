// Assumption points: where NHN's pages and the standards allow more than one behaviour (a status
// code, a media type, an error code, a shape, an ordering no source states), the spec names what
// it saw as a variant: `base` (the twin's reading) or a dialect the sources permit. A variant
// other than base deviates: reported with what was expected and seen, never a failure. Two
// things make it one: strict mode (NHN_STRICT=1, as the kill matrix runs), and a calibration that
// pinned the point for this profile (schemas/calibration/<profile>.yaml), after which any other
// variant, base included, is a failure and a drift.
import type { TestInfo } from '@playwright/test';
import { playwrightTest } from './playwright-test.ts';
import { SUITE_SETTINGS } from '../config/profiles.ts';
import { calibrationOf } from './calibration.ts';
import { ContractError, GuardError } from '../http/errors.ts';
import { ASSUMPTION_POINTS } from './assumption-points.ts';
import { DEVIATES, OBSERVED } from './outcome.ts';

export { DEVIATES, OBSERVED } from './outcome.ts';
export { calibrationFile, calibrationOf, type CalibrationFile } from './calibration.ts';

/** What a spec saw at an assumption point. */
export interface Observation {
  point: string;
  /** `base`, a dialect's id, or `other` for a behaviour nobody declared (it deviates too). */
  variant: string;
  expected: string;
  seen: string;
}

/**
 * Records what the environment did at an assumption point, and judges it: base passes, any other
 * variant deviates, unless the run is strict or a calibration pinned the point.
 */
export function observe(o: Observation, info: TestInfo = playwrightTest().info()): void {
  if (!(o.point in ASSUMPTION_POINTS)) throw new GuardError(`${o.point} is not an assumption point: declare it in helpers/evidence/assumption-points.ts`);
  info.annotations.push({ type: OBSERVED, description: JSON.stringify({ point: o.point, variant: o.variant, seen: o.seen }) });
  const profile = String((info.project.metadata as { profile?: string } | undefined)?.profile ?? '');
  const pin = profile ? calibrationOf(profile)?.points[o.point] : undefined;
  if (pin) {
    if (pin.variant !== o.variant) {
      throw new ContractError(`${o.point}: the calibration of ${profile} pinned ${pin.variant}${pin.seen ? ` (${pin.seen})` : ''}, and the environment now shows ${o.variant}: ${o.seen}`);
    }
    return;
  }
  if (o.variant === 'base') return;
  if (SUITE_SETTINGS.strict.read()) throw new ContractError(`${o.point} (strict): expected ${o.expected}; saw ${o.seen}`);
  info.annotations.push({ type: DEVIATES, description: JSON.stringify({ point: o.point, variant: o.variant, expected: o.expected, seen: o.seen }) });
}

/** Records a fact about the environment that no check judges (whether an API serves test-token-service tokens): calibration reports it. */
export function record(point: string, variant: string, seen: string, info: TestInfo = playwrightTest().info()): void {
  info.annotations.push({ type: OBSERVED, description: JSON.stringify({ point, variant, seen }) });
}

/** The observations and deviations a test recorded (summary reporter, calibration). */
export function observationsOf(annotations: ReadonlyArray<{ type: string; description?: string }>, type: typeof OBSERVED | typeof DEVIATES = OBSERVED): Array<Partial<Observation> & { point: string; variant: string }> {
  return annotations.filter((a) => a.type === type && a.description).flatMap((a) => {
    try {
      return [JSON.parse(a.description!) as Partial<Observation> & { point: string; variant: string }];
    } catch {
      return [];
    }
  });
}
