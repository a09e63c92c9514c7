// A value computed once per run and shared by every worker: the first worker to ask takes the
// lock and computes; the others wait for its result. The lock is proper-lockfile's: its holder
// refreshes it while it works, so a worker killed mid-request leaves a lock that goes stale and
// is taken over, instead of one that blocks the run. Falls back to a per-process cache when
// there is no run folder (scripts, unit tests).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { runDir } from '../evidence/run-dir.ts';
import { InfrastructureError } from '../http/errors.ts';

const memory = new Map<string, Promise<unknown>>();
/** A lock not refreshed for this long belongs to a dead worker (the holder refreshes it every STALE_MS / 4). */
export const STALE_MS = 8_000;
const WAIT_LIMIT_MS = 90_000;

function fileFor(dir: string, namespace: string, key: string): string {
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 32);
  const folder = path.join(dir, namespace);
  fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
  return path.join(folder, hash);
}

function readFresh<T>(file: string, isFresh: (v: T) => boolean): T | undefined {
  try {
    const value = JSON.parse(fs.readFileSync(file, 'utf8')) as T;
    return isFresh(value) ? value : undefined;
  } catch {
    return undefined; // absent, or torn by a killed writer: produce again
  }
}

async function produceShared<T>(dir: string, namespace: string, key: string, produce: () => Promise<T>, isFresh: (v: T) => boolean): Promise<T> {
  const file = fileFor(dir, namespace, key);
  const cached = readFresh(file, isFresh);
  if (cached !== undefined) return cached;
  const release = await lockfile.lock(file, {
    realpath: false,
    stale: STALE_MS,
    update: STALE_MS / 4,
    retries: { retries: Math.ceil(WAIT_LIMIT_MS / 100), factor: 1, minTimeout: 20, maxTimeout: 100 },
    // A holder whose refresh came late (a loaded machine) lost the lock to another worker; both
    // produce, and both results are valid. Nothing to abort.
    onCompromised: () => {},
  }).catch((e: unknown) => {
    if ((e as { code?: string }).code !== 'ELOCKED') throw e;
    throw new InfrastructureError('timeout', `another worker held the shared ${namespace} lock for over ${WAIT_LIMIT_MS / 1000} s while alive`);
  });
  try {
    // Whoever held the lock before us may have produced it meanwhile.
    const produced = readFresh(file, isFresh);
    if (produced !== undefined) return produced;
    const value = await produce();
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(value), { mode: 0o600 });
    fs.renameSync(tmp, file);
    return value;
  } finally {
    await release().catch(() => {});
  }
}

export function sharedOnce<T>(namespace: string, key: string, produce: () => Promise<T>, isFresh: (v: T) => boolean = () => true): Promise<T> {
  const memoKey = `${namespace}\u0000${key}`;
  const existing = memory.get(memoKey) as Promise<T> | undefined;
  if (existing) {
    return existing.then((v) => {
      if (isFresh(v)) return v;
      memory.delete(memoKey);
      return sharedOnce(namespace, key, produce, isFresh);
    });
  }
  const dir = runDir();
  const pending = dir ? produceShared(dir, namespace, key, produce, isFresh) : produce();
  memory.set(memoKey, pending);
  pending.catch(() => memory.delete(memoKey));
  return pending;
}
