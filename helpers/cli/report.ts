// `npm run report`: a single-file Allure 3 HTML report from the last run's allure results.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { reportDir as configuredReportDir } from '../config/profiles.ts';
import { cliArgs } from './args.ts';
import { resolveRun, RunNotFound, type KeptRun } from '../evidence/runs.ts';

const usage = `usage: npm run report [-- --run <id>]
  Writes a single-file Allure 3 HTML report of a kept run (default the latest) into its folder,
  <NHN_REPORT_DIR>/runs/<id>/allure-report/index.html (also <NHN_REPORT_DIR>/allure-report/ for the latest).
  --run <id>  the run (npm run runs lists them; a unique prefix will do)
`;
const { values } = cliArgs(usage, { run: { type: 'string' } });
const reportDir = configuredReportDir();
let run: KeptRun;
try {
  run = resolveRun(reportDir, (values.run as string | undefined) ?? 'latest');
} catch (e) {
  if (!(e instanceof RunNotFound)) throw e;
  process.stderr.write(`${e.message}\n`);
  process.exit(1);
}
const results = path.join(run.dir, 'allure-results');
const output = path.join(run.dir, 'allure-report');
if (!fs.existsSync(results) || fs.readdirSync(results).length === 0) {
  process.stderr.write(`no Allure results in ${results}: run the suite first (npx playwright test)\n`);
  process.exit(1);
}
const started = performance.now();
const generated = spawnSync(
  process.execPath,
  [path.resolve('node_modules/allure/cli.js'), 'generate', results, '--config', path.resolve('helpers/cli/allurerc.mjs')],
  { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ALLURE_OUTPUT: output, ALLURE_HISTORY: path.join(reportDir, 'allure-history.jsonl') } },
);
if (generated.status !== 0) {
  process.stderr.write(generated.stderr.toString() || generated.stdout.toString());
  process.exit(generated.status ?? 1);
}
const file = path.join(output, 'index.html');
process.stdout.write(`Allure report: ${file} (${(fs.statSync(file).size / 1024).toFixed(0)} KiB, ${Math.round(performance.now() - started)} ms)\n`);
