// `npm run sandbox`: starts the twin alone and prints every base URL. The `local` Playwright
// project starts it the same way, in the background, from its global setup (helpers/config/twin-process.ts).
import { parseArgs } from 'node:util';
import path from 'node:path';
import { loadDotEnv, reportDir } from '../helpers/config/profiles.ts';
import { ConfigurationError } from '../helpers/config/settings.ts';
import { twinBasePort, twinPublicUrlSetting } from '../helpers/config/twin-layout.ts';
import { applyLocalDefaults, SERVICES } from '../helpers/packs/index.ts';
import { loadFaults } from './core/faults.ts';
import { startTwin } from './twin.ts';
import { judgingTwin, type ClientJudge } from './clients/judge.ts';
import { writeClientBundle, writeClientReport } from './clients/report.ts';

const processStart = performance.now();
const { values } = parseArgs({ options: { help: { type: 'boolean', short: 'h' }, faults: { type: 'boolean' }, 'judge-clients': { type: 'boolean' } }, strict: true });
if (values.help) {
  process.stdout.write(
    'usage: npm run sandbox [-- --faults | --judge-clients]\n' +
      '  Starts the twin of every NHN service and prints its base URLs; Ctrl-C stops it.\n' +
      '  SANDBOX_PORT moves it, SANDBOX_FAULTS=<id>,<id> plants faults; --faults lists the faults.\n' +
      '  --judge-clients  client-conformance mode: point your own system at these URLs; every request\n' +
      '                   it makes is judged against the CLIENT-* requirements. The report\n' +
      '                   (<NHN_REPORT_DIR>/client-conformance/client-conformance.{json,md}) is rewritten\n' +
      '                   as requests arrive; Ctrl-C writes the signed bundle there too.\n',
  );
  process.exit(0);
}
if (values.faults) {
  for (const f of (await loadFaults()).values()) process.stdout.write(`${f.id.padEnd(30)} ${f.pack.padEnd(8)} ${f.requirements.join(', ').padEnd(40)} ${f.rule}\n`);
  process.exit(0);
}
loadDotEnv();
applyLocalDefaults();

const judging = values['judge-clients'] === true;
const judgeStarted = new Date().toISOString();
let judge: ClientJudge | undefined;
let env = process.env;
if (judging) ({ env, judge } = judgingTwin(twinBasePort(), process.env));
const twin = await startTwin({ basePort: twinBasePort(), judge, env }).catch((e: Error & { code?: string }) => {
  if (e instanceof ConfigurationError) process.stderr.write(`twin not started: ${e.message}\n`);
  else process.stderr.write(`twin failed to start: ${e.message}${e.code === 'EADDRINUSE' ? ' (another twin running? set SANDBOX_PORT to move this one)' : ''}\n`);
  process.exit(e instanceof ConfigurationError ? 2 : 1);
});

const services = Object.keys(twin.urls) as Array<keyof typeof twin.urls>;
const width = Math.max(...services.map((s) => SERVICES[s].title.length));
const lines = [
  `NHN twin ready in ${Math.round(twin.startMs)} ms (process up ${Math.round(performance.now() - processStart)} ms)`,
  ...services.map((s) => `  ${SERVICES[s].title.padEnd(width)}  ${twin.urls[s]}    (suite: ${SERVICES[s].env}, twin behind a proxy: ${twinPublicUrlSetting(s).env})`),
  ...twin.banner.map((l) => `  ${l}`),
  `  synthetic credentials: ${twin.stateFile}`,
  twin.faults.length ? `  FAULTS ON: ${twin.faults.map((f) => `${f.id} (${f.rule})`).join('; ')}` : '  faults: none',
];
process.stdout.write(`${lines.join('\n')}\n`);

const judgeDir = path.join(reportDir(), 'client-conformance');
if (judge) {
  process.stdout.write(`  CLIENT-CONFORMANCE MODE: every request is judged; report → ${judgeDir}/client-conformance.md\n`);
  let written = 0;
  setInterval(() => {
    if (judge!.seen.length === written) return;
    written = judge!.seen.length;
    void judge!.settled().then(() => writeClientReport(judge!.report(), judgeDir));
  }, 1_000).unref();
}

let closing = false;
const stop = () => {
  if (closing) return;
  closing = true;
  const done = async () => {
    if (judge) {
      await judge.settled();
      const report = judge.report();
      const { markdown } = writeClientReport(report, judgeDir);
      const bundle = await writeClientBundle(judge, twin.urls, judgeDir, judgeStarted);
      const failed = report.requirements.filter((r) => r.verdict === 'failed');
      process.stdout.write(`client conformance: ${report.requests} requests; ${failed.length ? `FAILED ${failed.map((r) => r.id).join(', ')}` : 'no requirement failed'}; ${report.requirements.filter((r) => r.verdict === 'not exercised').length} not exercised\n  report: ${markdown}\n  bundle: ${bundle.file} (key ${bundle.key.thumbprint})\n`);
    }
    await twin.close();
  };
  void done().then(() => process.exit(0), (e: Error) => {
    process.stderr.write(`stopping: ${e.message}\n`);
    process.exit(1);
  });
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
