// The kill matrix's warm twin hosts (twin-host.ts), one per worker slot, and where each slot's
// twin lives. A worker re-plants its slot's twin for each fault (twin-environment.ts) instead of
// starting one cold. Also the Playwright config's global setup.
import { fork } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import type { FullConfig } from '@playwright/test';

export interface Planting {
  faults: string[];
  twinEnv?: Record<string, string>;
}

/**
 * How many projects run side by side, each in one worker with its slot's warm twin: twice the
 * cores (a matrix test mostly waits on its twin), at most 8, unless MUTATION_WORKERS says.
 */
export function matrixWorkers(env: NodeJS.ProcessEnv = process.env): number {
  return env.MUTATION_WORKERS ? Number(env.MUTATION_WORKERS) : Math.min(8, 2 * os.availableParallelism());
}

/** Where a slot's twin, its synthetic credentials and its host's control port live. */
export function slotLayout(slot: number, env: NodeJS.ProcessEnv = process.env) {
  const first = Number(env.MUTATION_PORT ?? 4800);
  /** Ports a twin needs above its base (one per service, fixed offsets); the last is the host's. */
  const span = 20;
  const basePort = first + span * (slot + 1);
  const stateDir = path.join(os.tmpdir(), `nhn-kill-twin-${env.MUTATION_RUN ?? process.pid}-${slot}`);
  return {
    basePort,
    controlPort: basePort + span - 1,
    stateDir,
    /** What the suite's `local` profile needs to reach this slot's twin. */
    env: { SANDBOX_PORT: String(basePort), SANDBOX_STATE_DIR: stateDir, NHN_TWIN_EXTERNAL: '1' },
  };
}

/**
 * Starts a host per worker slot. `ready` settles once every host has its clean twin up (or
 * rejects with the output of one that died, e.g. on a port already taken); `stop` ends them.
 */
export function startHosts(slots: number): { ready: Promise<void>; stop: () => Promise<void> } {
  const hosts = Array.from({ length: slots }, (_, slot) => {
    const child = fork(path.join(import.meta.dirname, 'twin-host.ts'), [String(slot)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    // Kept, and shown only if the host dies: oidc-provider's notices are noise.
    let tail = '';
    const keep = (d: Buffer) => (tail = (tail + d.toString()).slice(-4000));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const ready = new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code, signal) => reject(new Error(`the twin host of worker slot ${slot} exited with ${code ?? signal}:\n${tail.trim()}`)));
    });
    return { child, ready };
  });
  const stop = async () => {
    await Promise.all(
      hosts.map(
        ({ child: h }) =>
          new Promise<void>((resolve) => {
            if (h.exitCode !== null || h.signalCode !== null) return resolve();
            h.once('exit', () => resolve());
            if (h.connected) h.disconnect();
            setTimeout(() => h.kill('SIGKILL'), 5_000).unref();
          }),
      ),
    );
  };
  const ready = Promise.all(hosts.map((h) => h.ready)).then(() => undefined);
  ready.catch(() => undefined);
  return { ready, stop };
}

/** `npm run mutation` starts the hosts itself, earlier (HOSTS_STARTED); a bare Playwright run gets them here. */
export const HOSTS_STARTED = 'MUTATION_HOSTS';

export default async function globalSetup(config: FullConfig): Promise<(() => Promise<void>) | undefined> {
  if (process.env[HOSTS_STARTED] === String(config.workers)) return undefined;
  const hosts = startHosts(config.workers);
  try {
    await hosts.ready;
  } catch (e) {
    await hosts.stop();
    throw e;
  }
  return hosts.stop;
}
