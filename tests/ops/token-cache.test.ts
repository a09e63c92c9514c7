// The token cache survives a worker killed mid-request: its lock (proper-lockfile's) goes stale
// and another worker takes over, instead of every worker waiting out a minute. An operations test:
// it kills a process and waits for the staleness, about 11 s that the main run need not carry.
import { expect, test } from '@playwright/test';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

function runChild(script: string, runDir: string): { done: Promise<string>; kill(): void } {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, env: { ...process.env, NHN_RUN_DIR: runDir } });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<string>((resolve, reject) => child.on('exit', (code, signal) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code ?? signal}: ${err}`)))));
  return { done, kill: () => child.kill('SIGKILL') };
}

test('a worker killed while it holds the lock does not block the run: its lock goes stale and another worker produces', async () => {
  test.setTimeout(60_000);
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nhn-cache-test-'));
  const started = path.join(runDir, 'started');
  const cache = JSON.stringify(path.join(ROOT, 'helpers/auth/shared-cache.ts'));
  const holder = runChild(`
    import fs from 'node:fs';
    import { sharedOnce } from ${cache};
    await sharedOnce('test', 'the-key', async () => {
      fs.writeFileSync(${JSON.stringify(started)}, 'x');
      return new Promise(() => setInterval(() => {}, 1000)); // a token request that never ends
    });
  `, runDir);
  const holderExit = holder.done.catch((e: Error) => e.message);
  while (!fs.existsSync(started)) await new Promise((r) => setTimeout(r, 20));
  holder.kill();
  expect(await holderExit).toMatch(/SIGKILL/);
  const { STALE_MS } = await import('../../helpers/auth/shared-cache.ts');
  const t0 = Date.now();
  const taker = runChild(`
    import { sharedOnce } from ${cache};
    process.stdout.write(JSON.stringify(await sharedOnce('test', 'the-key', async () => ({ token: 'value-2' }))));
  `, runDir);
  expect(await taker.done).toBe('{"token":"value-2"}');
  // It waited for the lock to go stale, not for a fixed minute.
  expect(Date.now() - t0).toBeLessThan(STALE_MS + 15_000);
  fs.rmSync(runDir, { recursive: true, force: true });
});
