// The kill matrix's per-worker environment: a twin with this project's faults planted, started
// in the worker's own process, on ports of its own. The suite's fixtures load it through the
// project's `metadata.environment` and resolve the `local` profile against it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { WorkerInfo } from '@playwright/test';
import { startTwin } from '../../sandbox/twin.ts';

export const MUTATION_PORT = Number(process.env.MUTATION_PORT ?? 4800);
/** Ports a twin needs above its base (one per service, fixed offsets). */
const SPAN = 20;

export async function start(options: { faults: string[]; twinEnv?: Record<string, string> }, worker: WorkerInfo) {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nhn-kill-twin-'));
  const basePort = MUTATION_PORT + SPAN * (worker.parallelIndex + 1);
  const env = { ...process.env, ...options.twinEnv, SANDBOX_PORT: String(basePort), SANDBOX_STATE_DIR: stateDir };
  const twin = await startTwin({ basePort, faults: options.faults, env });
  return {
    env: { SANDBOX_PORT: String(basePort), SANDBOX_STATE_DIR: stateDir, NHN_TWIN_EXTERNAL: '1' },
    async close() {
      await twin.close();
      fs.rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
