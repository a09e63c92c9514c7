// `npm run sandbox`: starts the twin alone and prints every base URL. The `local` Playwright
// project starts it the same way through `webServer`.
import { parseArgs } from 'node:util';
import { loadDotEnv } from '../helpers/config/profiles.ts';
import { ConfigurationError } from '../helpers/config/settings.ts';
import { twinBasePort, twinPublicUrlSetting } from '../helpers/config/twin-layout.ts';
import { applyLocalDefaults, SERVICES } from '../helpers/packs/index.ts';
import { loadFaults } from './core/faults.ts';
import { startTwin } from './twin.ts';

const processStart = performance.now();
const { values } = parseArgs({ options: { help: { type: 'boolean', short: 'h' }, faults: { type: 'boolean' } }, strict: true });
if (values.help) {
  process.stdout.write(
    'usage: npm run sandbox [-- --faults]\n' +
      '  Starts the twin of every NHN service and prints its base URLs; Ctrl-C stops it.\n' +
      '  SANDBOX_PORT moves it, SANDBOX_FAULTS=<id>,<id> plants faults; --faults lists the faults.\n',
  );
  process.exit(0);
}
if (values.faults) {
  for (const f of (await loadFaults()).values()) process.stdout.write(`${f.id.padEnd(30)} ${f.pack.padEnd(8)} ${f.requirements.join(', ').padEnd(40)} ${f.rule}\n`);
  process.exit(0);
}
loadDotEnv();
applyLocalDefaults();

const twin = await startTwin({ basePort: twinBasePort() }).catch((e: Error & { code?: string }) => {
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

let closing = false;
const stop = () => {
  if (closing) return;
  closing = true;
  void twin.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
