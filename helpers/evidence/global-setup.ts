// Playwright's global setup (after the twin is up, before any test): empties the run's evidence and
// Allure results folders and takes the environment's fingerprint for every profile the run
// covers. It never fails the run: a profile that cannot be resolved or reached is recorded as such.
import fs from 'node:fs';
import path from 'node:path';
import type { FullConfig } from '@playwright/test';
import { reportDir, resolveProfile, type ProfileName } from '../config/profiles.ts';
import { ENVIRONMENT_FILE, evidenceDir, resetEvidenceDir } from './evidence-dir.ts';
import { fingerprintEnvironment } from './fingerprint.ts';

export default async function globalSetup(config: FullConfig): Promise<void> {
  // allure-playwright adds to its results folder and never empties it: a report would mix runs.
  fs.rmSync(path.join(reportDir(), 'allure-results'), { recursive: true, force: true });
  const dir = evidenceDir();
  if (!dir) return;
  resetEvidenceDir(dir);
  const profiles = [...new Set(config.projects.map((p) => p.metadata?.profile as ProfileName | undefined).filter((p) => p !== undefined))];
  const fingerprints = await Promise.all(profiles.map(async (name) => {
    try {
      return await fingerprintEnvironment(resolveProfile(name));
    } catch (e) {
      return { profile: name, takenAt: new Date().toISOString(), error: (e as Error).message, hosts: [], documents: [] };
    }
  }));
  fs.writeFileSync(path.join(dir, ENVIRONMENT_FILE), `${JSON.stringify(fingerprints, null, 2)}\n`);
}
