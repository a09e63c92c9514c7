// The calibration files: per profile, the variant an environment showed at each assumption point
// when it was calibrated (npm run calibrate), reviewed and committed by the user as
// schemas/calibration/<profile>.yaml. On that profile a pinned point is a hard check.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { SUITE_SETTINGS } from '../config/profiles.ts';
import { ConfigurationError } from '../config/settings.ts';

export interface CalibrationFile {
  profile: string;
  calibratedAt?: string;
  suite?: string;
  /** Point → the variant the environment showed when it was calibrated, with what was seen. */
  points: Record<string, { variant: string; seen?: string; test?: string }>;
}

const pinned = new Map<string, CalibrationFile | undefined>();

export function calibrationFile(profile: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(SUITE_SETTINGS.calibrationDir.read(env)!, `${profile}.yaml`);
}

/** The calibration pinned for a profile, if one was committed. */
export function calibrationOf(profile: string, env: NodeJS.ProcessEnv = process.env): CalibrationFile | undefined {
  const file = calibrationFile(profile, env);
  if (!pinned.has(file)) {
    let doc: CalibrationFile | undefined;
    if (fs.existsSync(file)) {
      doc = parse(fs.readFileSync(file, 'utf8')) as CalibrationFile;
      if (!doc || typeof doc.points !== 'object') throw new ConfigurationError(`${file} is not a calibration file (no points); regenerate it with npm run calibrate -- --profile ${profile}`);
    }
    pinned.set(file, doc);
  }
  return pinned.get(file);
}

