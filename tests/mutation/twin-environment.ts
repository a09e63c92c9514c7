// The kill matrix's project environment (loaded through `metadata.environment`, fixtures/index.ts).
// A clean project plants its clean twin once per worker. In a fault group, each test plants the
// one fault of its group it belongs to, in this worker slot's warm twin host (twin-hosts.ts),
// before its profile is resolved; once a test has killed a fault, the fault's remaining tests
// skip; and a failure is the expected outcome, so Playwright keeps the worker (and the twin).
import fs from 'node:fs';
import path from 'node:path';
import type { TestInfo, WorkerInfo } from '@playwright/test';
import { classifyResult, isKill } from '../../helpers/evidence/outcome.ts';
import { GuardError, InfrastructureError } from '../../helpers/http/errors.ts';
import { faultsOfTest, matrixMode, type PlannedFault } from './plan.ts';
import { slotLayout, type Planting } from './twin-hosts.ts';

/** The skip reason of a planted fault's tests once one of them has killed it (the reporter counts them). */
export const KILLED_SKIP = 'fault already killed by';

/** The host may still be starting when the first worker of its slot asks. */
const HOST_WAIT_MS = 30_000;

export interface PlantedFaults {
  faults: PlannedFault[];
  /** A folder where a fault's first kill is written, for every worker of the run to see. */
  killMarkers: string;
}

async function ask(url: string, body: string): Promise<Response> {
  const deadline = performance.now() + HOST_WAIT_MS;
  for (;;) {
    try {
      return await fetch(url, { method: 'POST', body });
    } catch (e) {
      const code = (e as { cause?: { code?: string } }).cause?.code;
      if (code !== 'ECONNREFUSED' || performance.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Re-plants this slot's twin when the planting changes. */
function planter(worker: WorkerInfo) {
  const { controlPort } = slotLayout(worker.parallelIndex);
  let current: string | undefined;
  return async (planting: Planting): Promise<void> => {
    const body = JSON.stringify(planting);
    if (body === current) return;
    current = undefined;
    const what = planting.faults.join(', ') || 'a clean twin';
    let res: Response;
    try {
      res = await ask(`http://127.0.0.1:${controlPort}/plant`, body);
    } catch (e) {
      // Never a kill: the classifier counts only contract failures.
      throw new InfrastructureError('connection-refused', `the twin host of worker slot ${worker.parallelIndex} (port ${controlPort}) did not answer within ${HOST_WAIT_MS / 1000} s; the kill matrix prints its output if it died (${(e as Error).message})`);
    }
    const answer = (await res.json().catch(() => ({}))) as { error?: string };
    if (!res.ok) throw new InfrastructureError('gateway-error', `the twin host of worker slot ${worker.parallelIndex} could not plant ${what}: ${answer.error ?? res.status}`);
    current = body;
  };
}

export async function start(options: { twinEnv?: Record<string, string> }, worker: WorkerInfo) {
  const plant = planter(worker);
  const env = slotLayout(worker.parallelIndex).env;
  const group = worker.project.metadata?.plantedFaults as PlantedFaults | undefined;
  if (!group) {
    await plant({ faults: [], twinEnv: options.twinEnv });
    return { env, async close() {} };
  }
  const marker = (f: PlannedFault) => path.join(group.killMarkers, f.id);
  const faultOf = (info: TestInfo): PlannedFault => {
    const mine = faultsOfTest(info.tags, group.faults);
    // The plan groups only faults with disjoint tests, so this holds unless the specs changed under it.
    if (mine.length !== 1) throw new GuardError(`kill matrix: "${info.title}" belongs to ${mine.length} faults of ${worker.project.name} (${mine.map((f) => f.id).join(', ') || 'none'}); re-run to re-plan`);
    return mine[0]!;
  };
  return {
    env,
    async beforeEach(info: TestInfo): Promise<string | undefined> {
      const fault = faultOf(info);
      // One contract failure kills a fault; its other tests cannot change that verdict.
      if (fs.existsSync(marker(fault))) return `${KILLED_SKIP} "${fs.readFileSync(marker(fault), 'utf8')}"`;
      await plant({ faults: [fault.id], twinEnv: fault.twinEnv });
      return undefined;
    },
    async afterEach(info: TestInfo): Promise<void> {
      // Playwright restarts a worker after an unexpected failure; here a failure is the
      // expected outcome, and a restart would cost a worker and a re-plant.
      if (info.status === 'failed') info.expectedStatus = 'failed';
      if (info.status === 'skipped') return;
      const outcome = classifyResult({ status: info.status ?? 'failed', errors: info.errors }, info.annotations);
      // The kill matrix is decided by a kill; the tolerance matrix by a false failure (any failure).
      if (matrixMode() === 'tolerance' ? outcome.verdict === 'failed' : isKill(outcome)) {
        fs.mkdirSync(group.killMarkers, { recursive: true });
        fs.writeFileSync(marker(faultOf(info)), info.title);
      }
    },
    async close() {},
  };
}
