// A run's private working folder, shared by Playwright's main process and its workers through
// the environment. It holds the token cache and ledgers; it is not a report and is removed
// at the end of the run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const RUN_DIR_VARIABLE = 'NHN_RUN_DIR';

/** Creates the run folder once (in the main process); workers inherit the variable. */
export function ensureRunDir(env: NodeJS.ProcessEnv = process.env): string {
  if (!env[RUN_DIR_VARIABLE]) {
    env[RUN_DIR_VARIABLE] = fs.mkdtempSync(path.join(os.tmpdir(), 'nhn-run-'));
    fs.chmodSync(env[RUN_DIR_VARIABLE]!, 0o700);
  }
  return env[RUN_DIR_VARIABLE]!;
}

export function runDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dir = env[RUN_DIR_VARIABLE];
  return dir && fs.existsSync(dir) ? dir : undefined;
}

export function appendJsonLine(file: string, record: unknown): void {
  const dir = runDir();
  if (!dir) return;
  fs.appendFileSync(path.join(dir, file), `${JSON.stringify(record)}\n`, { mode: 0o600 });
}

export function readJsonLines<T>(file: string, dir = runDir()): T[] {
  if (!dir) return [];
  const full = path.join(dir, file);
  if (!fs.existsSync(full)) return [];
  return fs
    .readFileSync(full, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as T);
}
