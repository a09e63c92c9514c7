// Nothing a user runs destroys the last run's evidence, tried as a new user would: a whole run,
// then --list, a --grep run, a configuration error and a run killed mid-way; npm run certify
// still certifies the whole run, verify-evidence accepts its bundle, and a partial run is
// certified only when asked, with its filter in the manifest.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { opsPort, run } from './support/run.ts';
import { startTwin } from '../../sandbox/twin.ts';
import { applyLocalDefaults } from '../../helpers/packs/index.ts';

test('a whole run stays certifiable through --list, a --grep run, a configuration error and an interrupted run', async ({}, info) => {
  test.setTimeout(300_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nhn-runs-'));
  const env = { NHN_REPORT_DIR: dir, SANDBOX_PORT: String(opsPort(info.parallelIndex)), CI: '' };
  const kept = () => fs.readdirSync(path.join(dir, 'runs')).filter((d) => !d.startsWith('.'));

  const whole = await run('npx', ['playwright', 'test', '--project=local'], env, 240_000);
  expect(whole.code, whole.out.slice(-2000)).toBe(0);
  expect(whole.out).toMatch(/\[runs\] kept as .*\(whole\)/);
  const [wholeId] = kept();
  const sizeOf = (d: string): number => fs.readdirSync(d, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? sizeOf(path.join(d, e.name)) : fs.statSync(path.join(d, e.name)).size), 0);
  test.info().annotations.push({ type: 'measurement', description: `a whole local run kept: ${(sizeOf(path.join(dir, 'runs', wholeId!)) / 1024 / 1024).toFixed(1)} MiB` });

  const listed = await run('npx', ['playwright', 'test', '--project=local', '--list'], env);
  expect(listed.out).toContain('[runs] wrote nothing: it only listed the tests');
  expect(kept()).toEqual([wholeId]);

  const grep = await run('npx', ['playwright', 'test', '--project=local', '--grep', '@PIT-SORT-001'], env);
  expect(grep.code, grep.out.slice(-1500)).toBe(0);
  expect(grep.out).toMatch(/\[runs\] kept as .*\(partial: --grep @PIT-SORT-001\)/);
  expect(fs.realpathSync(path.join(dir, 'latest')), 'latest points at the newest run that executed tests').not.toContain(wholeId!);

  const broken = await run('npx', ['playwright', 'test', '--project=local'], { ...env, NHN_PIT_LOAD_COUNT: 'many' });
  expect(broken.code).not.toBe(0);
  expect(broken.out).toContain('[runs] wrote nothing: a configuration error (NHN_PIT_LOAD_COUNT');

  // Killed once its first test has passed: its staging folder is left, nothing else changes. The
  // twin is this test's own, so that killing the run leaves no twin behind on the port.
  const twinDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nhn-runs-twin-'));
  const twinEnv = { ...process.env, ...env, SANDBOX_STATE_DIR: twinDir, NHN_PIT_LOAD_COUNT: '' };
  applyLocalDefaults(twinEnv);
  const twin = await startTwin({ basePort: Number(env.SANDBOX_PORT), faults: [], env: twinEnv });
  await new Promise<void>((resolve) => {
    const child = spawn('npx', ['playwright', 'test', '--project=local', '--grep', '@PIT-PAGE'], { env: { ...process.env, ...env, SANDBOX_STATE_DIR: twinDir, NHN_TWIN_EXTERNAL: '1', NHN_PROFILE: '', NHN_RUN_ID: '', NHN_REPORT_ROOT: '' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 60_000);
    child.stdout.on('data', (d: Buffer) => /✓/.test(d.toString()) && (clearTimeout(timer), process.kill(-child.pid!, 'SIGKILL')));
    child.on('exit', () => resolve());
  });
  await twin.close();
  fs.rmSync(twinDir, { recursive: true, force: true });
  expect(kept(), 'the interrupted run was not kept').toHaveLength(2);

  const runs = await run('npm', ['run', '-s', 'runs'], env);
  expect(runs.out).toMatch(new RegExp(`${wholeId!.replace(/[.]/g, '\\.')}.*whole.*← certify`));

  const out = path.join(dir, 'bundles');
  const certified = await run('npm', ['run', '-s', 'certify', '--', '--out', out, '--no-html'], env);
  expect(certified.code, certified.out).toBe(0);
  expect(certified.out).toContain(`certifying run ${wholeId} (whole`);
  const bundle = fs.readdirSync(out).find((f) => f.endsWith('.zip'))!;
  const verified = await run('npm', ['run', '-s', 'verify-evidence', '--', path.join(out, bundle)], env);
  expect(verified.code, verified.out.slice(-1500)).toBe(0);

  const refused = await run('npm', ['run', '-s', 'certify', '--', '--run', 'latest', '--out', out, '--no-html'], env);
  expect(refused.code).toBe(1);
  expect(refused.out).toContain('is partial (--grep @PIT-SORT-001)');
  const partial = await run('npm', ['run', '-s', 'certify', '--', '--run', 'latest', '--partial', '--out', path.join(dir, 'partial'), '--no-html'], env);
  expect(partial.code, partial.out).toBe(0);
  fs.rmSync(dir, { recursive: true, force: true });
});
