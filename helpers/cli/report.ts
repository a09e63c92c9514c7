// `npm run report`: a single-file Allure 3 HTML report from the last run's allure results.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { reportDir as configuredReportDir } from '../config/profiles.ts';
import { cliArgs } from './args.ts';

cliArgs(`usage: npm run report
  Writes a single-file Allure 3 HTML report of the last run to <NHN_REPORT_DIR>/allure-report/index.html.
`, {});
const reportDir = configuredReportDir();
const results = path.join(reportDir, 'allure-results');
const output = path.join(reportDir, 'allure-report');
if (!fs.existsSync(results) || fs.readdirSync(results).length === 0) {
  process.stderr.write(`no Allure results in ${results}: run the suite first (npx playwright test)\n`);
  process.exit(1);
}
const started = performance.now();
const run = spawnSync(
  process.execPath,
  [path.resolve('node_modules/allure/cli.js'), 'generate', results, '--config', path.resolve('helpers/cli/allurerc.mjs')],
  { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ALLURE_OUTPUT: output, ALLURE_HISTORY: path.join(reportDir, 'allure-history.jsonl') } },
);
if (run.status !== 0) {
  process.stderr.write(run.stderr.toString() || run.stdout.toString());
  process.exit(run.status ?? 1);
}
const file = path.join(output, 'index.html');
process.stdout.write(`Allure report: ${file} (${(fs.statSync(file).size / 1024).toFixed(0)} KiB, ${Math.round(performance.now() - started)} ms)\n`);
