// `npm run mutation`: the kill matrix, as one Playwright invocation (tests/mutation/playwright.config.ts).
// Prints a line per fault as soon as it is decided, then `mutation score: K/N`.
import { SUITE_SETTINGS } from '../../helpers/config/profiles.ts';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { plan, selectFaults } from './plan.ts';
import { HOSTS_STARTED, matrixWorkers, startHosts } from './twin-hosts.ts';
import { applyLocalDefaults } from '../../helpers/packs/index.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const killUsage = `usage: npm run mutation -- [fault-id ...] [--shard i/n] [--workers n] [--list]
  Plants each fault in a twin of its own and runs the specs of the fault's requirements against
  it; a fault is killed when one of them fails for a contract reason (or warns a SHOULD) while
  the same specs pass against a clean twin. Prints a line per fault, then "mutation score: K/N".
  fault-id      run only these faults (default: all; --list names them)
  --shard i/n   run every n-th fault from the i-th, for spreading the matrix over machines
  --workers n   projects side by side, a worker and a twin each (default twice the cores, at most 8)
  --list        list the faults with their requirements and exit
  The run is strict (NHN_STRICT=1): a deviation from an assumption kills like a failure.
`;
const toleranceUsage = `usage: npm run tolerance -- [dialect-id ...] [--shard i/n] [--workers n] [--list]
  The kill matrix's dual: plants each dialect (a behaviour NHN's pages or a standard permit at an
  assumption point, declared beside its pack in dialects.ts) in a twin of its own and runs the
  specs of its requirements against it. The suite may pass, warn or deviate there, never fail.
  A dialect is recognised when its specs name it at its assumption point and see the base reading
  everywhere else, and unreached when no test of it ran. Prints a line per dialect, then
  "tolerance: K/N dialects without a false failure".
  dialect-id    run only these (default: all; --list names them with their sources)
  --shard i/n   every n-th dialect from the i-th
  --workers n   projects side by side, a worker and a twin each (default twice the cores, at most 8)
  --list        list the dialects with their requirements and sources, and exit
`;

const { values, positionals } = parseArgs({
  options: { help: { type: 'boolean', short: 'h' }, shard: { type: 'string' }, workers: { type: 'string' }, list: { type: 'boolean' }, dialects: { type: 'boolean' } },
  allowPositionals: true,
  strict: true,
});
if (values.dialects) process.env.MUTATION_MODE = 'tolerance';
const tolerance = process.env.MUTATION_MODE === 'tolerance';
const usage = tolerance ? toleranceUsage : killUsage;
if (values.help) {
  process.stdout.write(usage);
  process.exit(0);
}
let selected: Awaited<ReturnType<typeof selectFaults>>;
try {
  // npm test in a CI matrix hands its shard down through NHN_SHARD.
  selected = await selectFaults(positionals, values.shard ?? SUITE_SETTINGS.shard.read());
} catch (e) {
  process.stderr.write(`${(e as Error).message}\n${usage}`);
  process.exit(2);
}
if (values.list) {
  for (const f of selected) process.stdout.write(`${f.id.padEnd(30)} ${f.pack.padEnd(8)} ${f.requirements.join(', ').padEnd(40)} ${f.rule}${f.source ? `  [${f.source}]` : ''}\n`);
  process.exit(0);
}
// A fault that only a user-supplied document can expose (NHN's published OpenAPI) is left out,
// and said so, when the variable naming it is unset: its specs skip, so it could not be killed.
const unmet = (f: (typeof selected)[number]) => (f.suiteEnv ?? []).filter((v: string) => !process.env[v]?.trim());
for (const f of selected.filter((f) => unmet(f).length)) process.stdout.write(`NOT RUN      ${f.id} (${f.requirements.join(', ')}): ${unmet(f).join(', ')} unset\n`);
selected = selected.filter((f) => unmet(f).length === 0);
if (values.workers !== undefined && !/^[1-9]\d*$/.test(values.workers)) {
  process.stderr.write(`--workers must be a positive integer, got "${values.workers}"\n`);
  process.exit(2);
}

// The plan lists the suite's tests (a second or two) while the twin hosts warm up; Playwright
// then starts with both ready.
const workers = values.workers !== undefined ? Number(values.workers) : matrixWorkers();
process.env.MUTATION_RUN ??= `${Date.now()}-${process.pid}`;
// The kill matrix runs the local profile on twins: the packs' local defaults hold for both.
applyLocalDefaults();
const hosts = startHosts(workers);
let resolved: string;
try {
  resolved = JSON.stringify(await plan(selected.map((f) => f.id)));
  await hosts.ready;
} catch (e) {
  await hosts.stop();
  process.stderr.write(`kill matrix could not start: ${(e as Error).message}\n${(e as Error).message.includes('EADDRINUSE') ? 'another kill matrix is running, or MUTATION_PORT is taken: set MUTATION_PORT to move this one\n' : ''}`);
  process.exit(2);
}
const child = spawn(process.execPath, [path.join(ROOT, 'node_modules/@playwright/test/cli.js'), 'test', '-c', path.join(ROOT, 'tests/mutation/playwright.config.ts')], {
  cwd: ROOT,
  stdio: 'inherit',
  // The kill matrix is strict (a deviation kills); the tolerance matrix is not (a deviation is what a dialect may cause).
  env: { ...process.env, MUTATION_RESOLVED: resolved, [HOSTS_STARTED]: String(workers), MUTATION_WORKERS: String(workers), NHN_PROFILE: 'local', NHN_STRICT: tolerance ? '0' : '1' },
});
const stop = () => child.kill('SIGINT');
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
child.on('exit', (code, signal) => void hosts.stop().then(() => process.exit(code ?? (signal ? 1 : 0))));
