// Every command the README and the pages under docs/ document works as written: each answers
// --help, and the ones that are quick run exactly as written (placeholders filled with real
// files); the slow ones are run as written by the ops test named beside them.
import { expect, test } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PATIENT } from '../corpus/fhir-corpus.ts';
import { run } from './support/run.ts';

const README = fs.readFileSync('README.md', 'utf8');
const scripts = (JSON.parse(fs.readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;

const DOCS = fs.readdirSync('docs').filter((f) => f.endsWith('.md')).map((f) => ({ file: `docs/${f}`, text: fs.readFileSync(path.join('docs', f), 'utf8') }));

/** The commands in a page's tables and shell blocks, as written (comments after # dropped). */
function commandsIn(text: string): string[] {
  const inTables = [...text.matchAll(/^\| `(npm run [^`]+)` \|/gm)].map((m) => m[1]!);
  const inBlocks = [...text.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.split('\n')).map((l) => l.replace(/\s+#.*$/, '').trim()).filter((l) => l.startsWith('npm run '));
  return [...inTables, ...inBlocks];
}

/** Every command the README and docs/ document, as written. */
const documented = [...new Set([README, ...DOCS.map((d) => d.text)].flatMap(commandsIn))];

/** Documented commands too slow for this test, each run as written by another ops test. */
const RUN_ELSEWHERE: Record<string, string> = {
  'npm run login:check -- --profile local': 'tests/ops/login-recipe.test.ts',
};

/** A command line as a user types it, through the shell. */
const shell = (command: string) => run('sh', ['-c', command]);

test('the README documents the two set-up commands and npm test, in at most 150 lines, and links every page under docs/', () => {
  expect(README).toContain('npm ci\nnpx playwright test');
  expect(README).toMatch(/^npm test$/m);
  expect(README.split('\n').length, 'the README is for a newcomer: the rest belongs in docs/').toBeLessThanOrEqual(150);
  expect(documented.length).toBeGreaterThanOrEqual(20);
  for (const d of DOCS) expect(README, `the README does not link ${d.file}`).toContain(`](${d.file}`);
  // Every relative link of a page resolves to a file, and every anchor to a heading of it.
  const anchors = (text: string) => new Set([...text.matchAll(/^#+ (.+)$/gm)].map((m) => m[1]!.toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-')));
  for (const page of [{ file: 'README.md', text: README }, ...DOCS]) {
    for (const [, target, anchor] of page.text.matchAll(/\]\((?!https?:)([^)#\s]*)(?:#([^)\s]+))?\)/g)) {
      const file = target ? path.join(path.dirname(page.file), target) : page.file;
      expect(fs.existsSync(file), `${page.file} links ${target}, which does not exist`).toBe(true);
      if (anchor && file.endsWith('.md')) expect(anchors(fs.readFileSync(file, 'utf8')), `${page.file} links ${target}#${anchor}, no such heading`).toContain(anchor);
    }
  }
  for (const [command, test] of Object.entries(RUN_ELSEWHERE)) {
    expect(documented, `${command} is no longer documented`).toContain(command);
    expect(fs.readFileSync(test, 'utf8'), `${test} does not run ${command} as written`).toContain(`'${command.split(' ').slice(2).join("', '")}'`);
  }
});

test('every documented command exists and answers --help', async () => {
  test.setTimeout(60_000);
  // One --help per script (several documented commands run the same one).
  const byScript = new Map(documented.map((c) => [/^npm run ([^\s]+)/.exec(c)![1]!, c]));
  const results = await Promise.all(
    [...byScript.values()].map(async (command) => {
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
  // compare:openapi needs NHN's published v2 document: it runs as written where the reference copy is beside the checkout (CI).
  const nhnV2 = '../shared/reference/person-api-v2.openapi.yaml';
  const quick = fs.existsSync(nhnV2) ? /^npm run (validate|lint:openapi|compare:openapi)\b/ : /^npm run (validate|lint:openapi)\b/;
  const exact = documented.filter((c) => quick.test(c)).map((c) => c.replace('<file.json>', file).replace('<file or URL>', nhnV2));
  expect(exact).toContain(`npm run validate -- ${file}`);
  const results = await Promise.all([...exact, 'npm run validate -- --profiles', 'npm run sandbox -- --faults', 'npm run mutation -- --list --shard 1/4'].map(async (c) => ({ c, ...(await shell(c)) })));
  for (const r of results) expect(r.code, `${r.c}: ${r.out.slice(-400)}`).toBe(0);
  const validate = results.find((r) => r.c.includes(file))!;
  expect(validate.out).toContain('0 error(s)');
  fs.rmSync(dir, { recursive: true, force: true });
});
