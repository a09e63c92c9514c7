// The one browser the suite drives: Debian's Chromium (CHROMIUM_PATH, default /usr/bin/chromium;
// .ci/run installs it), never one Playwright downloads. Browser logins, the dashboard's ops tests
// and bench:monitor launch it here. Without it they skip, unless NHN_REQUIRE_CHROMIUM (CI) makes
// its absence a failure.
import fs from 'node:fs';
import { chromium, type Browser } from '@playwright/test';
import { ConfigurationError } from './config/settings.ts';

export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.CHROMIUM_PATH || '/usr/bin/chromium';
}

/** Why a browser cannot run here (no Chromium), unless NHN_REQUIRE_CHROMIUM says its absence must fail instead. */
export function chromiumMissing(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (fs.existsSync(chromiumPath(env)) || env.NHN_REQUIRE_CHROMIUM) return undefined;
  return `no Chromium at ${chromiumPath(env)} (apt-get install chromium, or set CHROMIUM_PATH; .ci/run installs it and sets NHN_REQUIRE_CHROMIUM)`;
}

/** Launches it; a missing browser names the variable. */
export async function launchChromium(env: NodeJS.ProcessEnv = process.env): Promise<Browser> {
  const executable = chromiumPath(env);
  if (!fs.existsSync(executable)) throw new ConfigurationError(`no Chromium at ${executable}: install Debian's (apt-get install chromium; .ci/run does) or set CHROMIUM_PATH to its path`);
  return chromium.launch({
    executablePath: executable,
    // The network here is closed and the browser is a tool, not a user's: no background traffic.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
