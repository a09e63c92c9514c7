// `npm run sandbox`: starts the twin alone and prints every base URL. The `local` Playwright
// project starts it the same way through `webServer`.
import { loadDotEnv } from '../helpers/config/profiles.ts';
import { SERVICES, SERVICE_NAMES } from '../helpers/config/services.ts';
import { twinBasePort, twinPublicUrlVariable } from '../helpers/config/twin-layout.ts';
import { FAULTS, Faults } from './faults.ts';
import { startTwin } from './twin.ts';

const processStart = performance.now();
loadDotEnv();

let faults: Faults;
try {
  faults = Faults.fromEnv();
} catch (e) {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(2);
}

const twin = await startTwin({ basePort: twinBasePort(), faults }).catch((e: Error & { code?: string }) => {
  const hint = e.code === 'EADDRINUSE' ? ' (another twin running? set SANDBOX_PORT to move this one)' : '';
  process.stderr.write(`twin failed to start: ${e.message}${hint}\n`);
  process.exit(1);
});

const width = Math.max(...SERVICE_NAMES.map((s) => SERVICES[s].title.length));
const lines = [
  `NHN twin ready in ${Math.round(twin.startMs)} ms (process up ${Math.round(performance.now() - processStart)} ms)`,
  ...SERVICE_NAMES.map((s) => `  ${SERVICES[s].title.padEnd(width)}  ${twin.urls[s]}    (suite: ${SERVICES[s].env}, twin behind a proxy: ${twinPublicUrlVariable(s)})`),
  `  synthetic credentials: ${twin.stateFile}`,
  faults.list().length ? `  FAULTS ON: ${faults.list().map((f) => `${f} (${FAULTS[f].rule})`).join('; ')}` : '  faults: none',
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
