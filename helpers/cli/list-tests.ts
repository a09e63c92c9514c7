// The suite's tests as Playwright lists them for the `local` profile, with their tags: loads
// every spec (loops that generate tests included) without running anything or starting a twin.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { reportDir } from '../config/profiles.ts';

export interface ListedTest {
  /** Describe titles and the test's own, joined with ›. */
  title: string;
  file: string;
  line: number;
  /** With their @. */
  tags: string[];
}

interface JsonSuite {
  title: string;
  file?: string;
  specs?: Array<{ title: string; file: string; line: number; tags?: string[] }>;
  suites?: JsonSuite[];
}

const ROOT = path.resolve(import.meta.dirname, '../..');

export function listTests(env: NodeJS.ProcessEnv = process.env): ListedTest[] {
  const run = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/@playwright/test/cli.js'), 'test', '--list', '--reporter=json', '--project=local'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...env, NHN_PROFILE: 'local', NHN_TWIN_EXTERNAL: '1', NHN_REPORT_DIR: path.join(reportDir(env), '.list') },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`listing tests failed:\n${run.stderr || run.stdout}`);
  const report = JSON.parse(run.stdout) as { suites: JsonSuite[]; errors?: Array<{ message: string }> };
  if (report.errors?.length) throw new Error(`listing tests failed:\n${report.errors.map((e) => e.message).join('\n')}`);
  const out: ListedTest[] = [];
  const walk = (suite: JsonSuite, prefix: string[]) => {
    for (const spec of suite.specs ?? []) out.push({ title: [...prefix, spec.title].join(' › '), file: spec.file, line: spec.line, tags: spec.tags?.map((t) => (t.startsWith('@') ? t : `@${t}`)) ?? [] });
    for (const child of suite.suites ?? []) walk(child, child.file && !prefix.length ? [] : [...prefix, child.title]);
  };
  for (const s of report.suites) walk(s, []);
  return out;
}
