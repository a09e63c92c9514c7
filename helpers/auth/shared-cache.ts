// A value computed once per run and shared by every worker: the first worker to ask takes an
// exclusive lock file and computes; the others wait for its result. Falls back to a
// per-process cache when there is no run folder (scripts, unit tests).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { runDir } from '../evidence/run-dir.ts';

const memory = new Map<string, Promise<unknown>>();
const POLL_MS = 15;
const WAIT_LIMIT_MS = 60_000;

function fileFor(dir: string, namespace: string, key: string): string {
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 32);
  const folder = path.join(dir, namespace);
  fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
  return path.join(folder, hash);
}

async function waitFor(file: string, lock: string): Promise<string> {
  const deadline = Date.now() + WAIT_LIMIT_MS;
  while (Date.now() < deadline) {
    if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8');
    if (!fs.existsSync(lock)) {
      // The producer gave up (its request failed); let the caller produce.
      if (!fs.existsSync(file)) throw new Error('retry');
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  throw new Error(`waited ${WAIT_LIMIT_MS} ms for another worker to finish ${path.basename(file)}`);
}

async function produceShared<T>(dir: string, namespace: string, key: string, produce: () => Promise<T>, isFresh: (v: T) => boolean): Promise<T> {
  const file = fileFor(dir, namespace, key);
  for (let attempt = 0; attempt < 3; attempt++) {
    if (fs.existsSync(file)) {
      const value = JSON.parse(fs.readFileSync(file, 'utf8')) as T;
      if (isFresh(value)) return value;
      fs.rmSync(file, { force: true });
    }
    const lock = `${file}.lock`;
    let fd: number | undefined;
    try {
      fd = fs.openSync(lock, 'wx', 0o600);
    } catch {
      try {
        return JSON.parse(await waitFor(file, lock)) as T;
      } catch (e) {
        if ((e as Error).message === 'retry') continue;
        throw e;
      }
    }
    try {
      const value = await produce();
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify(value), { mode: 0o600 });
      fs.renameSync(tmp, file);
      return value;
    } finally {
      fs.closeSync(fd);
      fs.rmSync(lock, { force: true });
    }
  }
  return produce();
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
