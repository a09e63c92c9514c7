// Every command the README documents works as written: each answers --help, and the ones that
// are quick run exactly as the README writes them (placeholders filled with real files).
import { expect, test } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PATIENT } from '../corpus/fhir-corpus.ts';
import { run } from './support/run.ts';

const README = fs.readFileSync('README.md', 'utf8');
const scripts = (JSON.parse(fs.readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;

/** The commands in the README's command table, as written. */
const documented = [...README.matchAll(/^\| `(npm run [^`]+)` \|/gm)].map((m) => m[1]!);

/** A command line as a user types it, through the shell. */
const shell = (command: string) => run('sh', ['-c', command]);

test('the README documents the two set-up commands and npm test', () => {
  expect(README).toContain('npm ci\nnpx playwright test');
  expect(README).toMatch(/^npm test$/m);
  expect(documented.length).toBeGreaterThanOrEqual(10);
});

test('every documented command exists and answers --help', async () => {
  test.setTimeout(60_000);
  const results = await Promise.all(
    documented.map(async (command) => {
      const script = /^npm run ([^\s]+)/.exec(command)![1]!;
      expect(scripts[script], `${command}: no such script in package.json`).toBeDefined();
      expect(scripts[script], `${command}: one command, so that --help reaches it`).not.toMatch(/&&|\|\||;|\|/);
      // The script's own command line, as npm would run it (npm's start-up, 16 times over, is the
      // slowest part of this test and proves nothing the quick commands below do not).
      return { command, ...(await shell(`PATH="$PWD/node_modules/.bin:$PATH" ${scripts[script]} --help`)) };
    }),
  );
  for (const r of results) {
    expect(r.code, `${r.command} --help: ${r.out.slice(0, 300)}`).toBe(0);
    expect(r.out, `${r.command} --help prints no usage`).toMatch(/usage: npm run/);
  }
});

test('the quick commands run exactly as written', async () => {
  test.setTimeout(60_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nhn-readme-'));
  const file = path.join(dir, 'patient.json');
  fs.writeFileSync(file, JSON.stringify(PATIENT));
  const exact = documented.filter((c) => /^npm run (validate|lint:openapi)\b/.test(c)).map((c) => c.replace('<file.json>', file));
  expect(exact).toContain(`npm run validate -- ${file}`);
  const results = await Promise.all([...exact, 'npm run validate -- --profiles', 'npm run sandbox -- --faults', 'npm run mutation -- --list --shard 1/4'].map(async (c) => ({ c, ...(await shell(c)) })));
  for (const r of results) expect(r.code, `${r.c}: ${r.out.slice(-400)}`).toBe(0);
  const validate = results.find((r) => r.c.includes(file))!;
  expect(validate.out).toContain('0 error(s)');
  fs.rmSync(dir, { recursive: true, force: true });
});
