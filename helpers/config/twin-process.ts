// The `local` profile's twin, started by Playwright's global setup without waiting for it: the
// suite's own unit tests, which need no twin, run while it starts, and each worker of the
// `local` project waits for it on its first test. A twin already running on the ports is reused
// outside CI (as Playwright's webServer would); in CI that is an error that names SANDBOX_PORT.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { ConfigurationError } from './settings.ts';
import { twinBasePort, twinStateFile } from './twin-layout.ts';

/** Set by the global setup for the workers: when the twin it started was spawned (epoch ms), or `reused`. */
export const TWIN_SPAWNED_VARIABLE = 'NHN_TWIN_SPAWNED_AT';
const START_TIMEOUT_MS = 60_000;

function stateStartedAt(file: string): number | undefined {
  try {
    return Date.parse((JSON.parse(fs.readFileSync(file, 'utf8')) as { startedAt: string }).startedAt);
  } catch {
    return undefined;
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await r.arrayBuffer();
    return r.ok;
  } catch {
    return false;
  }
}

export interface TwinProcess {
  /** Resolves when the twin has written its state (its clients and keys), rejects if it dies first. */
  ready: Promise<void>;
  stop(): Promise<void>;
}

/** Starts the twin (`node --import tsx sandbox/main.ts`) in the background, or reuses one that answers. */
export async function startTwinProcess(discoveryUrl: string, env: NodeJS.ProcessEnv = process.env): Promise<TwinProcess> {
  if (await answers(discoveryUrl)) {
    if (env.CI) throw new ConfigurationError(`a twin already answers at ${discoveryUrl}; in CI the suite starts its own (stop the other, or set SANDBOX_PORT to move this one)`);
    env[TWIN_SPAWNED_VARIABLE] = 'reused';
    return { ready: Promise.resolve(), stop: async () => {} };
  }
  const spawnedAt = Date.now();
  env[TWIN_SPAWNED_VARIABLE] = String(spawnedAt);
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'sandbox/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  // The twin's own lines go to the run's output, as Playwright's webServer printed them.
  const relay = (prefix: string) => (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
    for (const line of chunk.toString().split('\n').filter(Boolean)) process.stderr.write(`${prefix}${line}\n`);
  };
  child.stderr!.on('data', relay('[twin] '));
  child.stdout!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`the twin exited (${code}) before it was ready: ${output.trim().split('\n').slice(-3).join(' | ')}`))));
  exited.catch(() => undefined);
  const ready = Promise.race([waitForTwin(spawnedAt, env), exited]);
  ready.catch(() => undefined);
  return {
    ready,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await Promise.race([new Promise((r) => child.once('exit', r)), delay(5000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** Waits until the twin started at `spawnedAt` has written its state file (it does so last). */
export async function waitForTwin(spawnedAt: number, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const file = twinStateFile(twinBasePort(env), env);
  const deadline = Date.now() + START_TIMEOUT_MS;
  while ((stateStartedAt(file) ?? 0) < spawnedAt) {
    if (Date.now() > deadline) throw new ConfigurationError(`the twin did not start within ${START_TIMEOUT_MS / 1000} s (its state file ${file} was not written); run npm run sandbox to see why`);
    await delay(25);
  }
}

let waited: Promise<void> | undefined;
/** In a worker: the twin the global setup started is ready (once per process). */
export function twinStarted(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const spawned = env[TWIN_SPAWNED_VARIABLE];
  if (!spawned || spawned === 'reused') return Promise.resolve();
  return (waited ??= waitForTwin(Number(spawned), env));
}
