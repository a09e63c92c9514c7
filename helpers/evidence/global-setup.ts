// Playwright's global setup, before any test: starts the `local` profile's twin in the background
// (helpers/config/twin-process.ts; the unit tests run meanwhile and each local worker waits for
// it), empties the run's evidence and Allure results folders, and takes the environment's
// fingerprint for every profile the run covers, the twin's once it is up. The teardown, after the
// last test, waits for the fingerprints and stops the twin. A fingerprint never fails the run: a
// profile that cannot be resolved or reached is recorded as such.
import fs from 'node:fs';
import path from 'node:path';
import type { FullConfig } from '@playwright/test';
import { reportDir, resolveProfile, SUITE_SETTINGS, type ProfileName } from '../config/profiles.ts';
import { startTwinProcess } from '../config/twin-process.ts';
import { ENVIRONMENT_FILE, evidenceDir, resetEvidenceDir } from './evidence-dir.ts';
import { fingerprintEnvironment } from './fingerprint.ts';

export default async function globalSetup(config: FullConfig): Promise<() => Promise<void>> {
  // allure-playwright adds to its results folder and never empties it: a report would mix runs.
  fs.rmSync(path.join(reportDir(), 'allure-results'), { recursive: true, force: true });
  const profiles = [...new Set(config.projects.map((p) => p.metadata?.profile as ProfileName | undefined).filter((p) => p !== undefined))];
  const twin = profiles.includes('local') && !SUITE_SETTINGS.twinExternal.read() ? await startTwinProcess(`${resolveProfile('local').urls.helseid}/.well-known/openid-configuration`) : undefined;
  const dir = evidenceDir();
  if (dir) resetEvidenceDir(dir);
  const fingerprinted = dir
    ? Promise.all(
        profiles.map(async (name) => {
          try {
            if (name === 'local') await twin?.ready;
            return await fingerprintEnvironment(resolveProfile(name));
          } catch (e) {
            return { profile: name, takenAt: new Date().toISOString(), error: (e as Error).message, hosts: [], documents: [] };
          }
        }),
      ).then((fingerprints) => fs.writeFileSync(path.join(dir, ENVIRONMENT_FILE), `${JSON.stringify(fingerprints, null, 2)}\n`))
    : Promise.resolve();
  return async () => {
    await fingerprinted.catch(() => undefined);
    await twin?.stop();
  };
}
