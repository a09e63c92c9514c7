// A value shared by a run is produced once, however many workers ask at the same moment.
import { expect, test } from '@playwright/test';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

test('eight processes asking at once produce the value once and all read it', async () => {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nhn-cache-test-'));
  const counter = path.join(runDir, 'productions');
  const script = `
    import fs from 'node:fs';
    import { sharedOnce } from ${JSON.stringify(path.join(ROOT, 'helpers/auth/shared-cache.ts'))};
    const value = await sharedOnce('test', 'the-key', async () => {
      fs.appendFileSync(${JSON.stringify(counter)}, 'x');
      await new Promise((r) => setTimeout(r, 200));
      return { token: 'value-1' };
    });
    process.stdout.write(JSON.stringify(value));
  `;
  const outputs = await Promise.all(
    Array.from({ length: 8 }, () =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, env: { ...process.env, NHN_RUN_DIR: runDir } });
        let out = '';
        let err = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (err += d.toString()));
        child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(err))));
      }),
    ),
  );
  expect(outputs.every((o) => o === '{"token":"value-1"}')).toBe(true);
  expect(fs.readFileSync(counter, 'utf8')).toBe('x');
  fs.rmSync(runDir, { recursive: true, force: true });
});

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
