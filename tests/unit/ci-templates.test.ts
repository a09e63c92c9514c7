// The CI templates (.github/workflows/, .gitlab-ci.yml) and .ci/run call only npm scripts that
// exist, name files that exist, and say that the suite needs no browser download.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '../../fixtures/base.ts';
import { parse } from 'yaml';

const scripts = (JSON.parse(fs.readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
const TEMPLATES = [...fs.readdirSync('.github/workflows').map((f) => path.join('.github/workflows', f)), '.gitlab-ci.yml'];
const NPM_BUILTINS = new Set(['ci', 'test', 'install']);

/** Every shell command of a template: GitHub's `run`, GitLab's `script`, `before_script` and `after_script`. */
function commands(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(commands);
  if (!node || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([k, v]) => (['run', 'script', 'before_script', 'after_script'].includes(k) ? [v].flat().map(String) : commands(v)));
}

test('every npm script the CI templates and .ci/run call exists', () => {
  const calls = [...TEMPLATES.flatMap((f) => commands(parse(fs.readFileSync(f, 'utf8')))), fs.readFileSync('.ci/run', 'utf8')];
  const used = new Set<string>();
  for (const text of calls) {
    for (const m of text.matchAll(/\bnpm (?:run(?:-script)? (?:-s )?)?([\w:-]+)/g)) {
      const name = m[1]!;
      if (!m[0].includes(' run') && NPM_BUILTINS.has(name)) {
        if (name === 'test') expect(scripts.test, 'npm test needs a test script').toBeDefined();
        continue;
      }
      used.add(name);
      expect(scripts[name], `${name}: called by a CI template but not in package.json`).toBeDefined();
    }
  }
  expect([...used].sort()).toEqual(expect.arrayContaining(['monitor', 'report', 'test:broker']));
});

test('the templates shard the local run, merge with the suite\'s config, and need no browser download', () => {
  for (const file of TEMPLATES) {
    const text = fs.readFileSync(file, 'utf8');
    const prose = text.replace(/^\s*#\s?/gm, '').replace(/\s+/g, ' ');
    expect(prose, `${file} says no browser download is needed`).toMatch(/No browser download is needed/);
    for (const c of commands(parse(text))) expect(c, `${file} never downloads Playwright's browsers`).not.toMatch(/playwright install/);
    for (const m of text.matchAll(/merge-reports --config (\S+)/g)) expect(fs.existsSync(m[1]!), `${file}: ${m[1]} exists`).toBe(true);
  }
  const pr = fs.readFileSync('.github/workflows/pull-request.yml', 'utf8');
  expect(pr).toMatch(/NHN_SHARD: \$\{\{ matrix\.shard \}\}\/2/);
  expect(pr).toMatch(/if: always\(\)/);
  const nightly = parse(fs.readFileSync('.github/workflows/nightly.yml', 'utf8')) as { on: { schedule: unknown[] } };
  expect(nightly.on.schedule.length).toBe(1);
  expect(fs.readFileSync('.github/workflows/nightly.yml', 'utf8')).toContain('reports/monitor/history.sqlite');
  expect(fs.readFileSync('.gitlab-ci.yml', 'utf8')).toContain('reports/monitor/history.sqlite');
  // Pull requests fuzz with a fixed seed (npm test); the nightly templates with a new one, 100,000 requests, failures kept.
  expect(JSON.parse(fs.readFileSync('package.json', 'utf8')).scripts.test).toMatch(/fuzz -- --seed \d+/);
  for (const file of ['.github/workflows/nightly.yml', '.gitlab-ci.yml']) {
    const text = fs.readFileSync(file, 'utf8');
    expect(text, `${file} fuzzes with a new seed`).toContain('npm run fuzz -- --seed random --budget 100000');
    expect(text, `${file} keeps the fuzzer's failures`).toContain('reports/fuzz/');
  }
});
