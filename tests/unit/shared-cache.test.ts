// A value shared by a run is produced once, however many workers ask at the same moment.
import { expect, test } from '../../fixtures/base.ts';
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
