// `npm run login:check -- --profile <name> [--recipe <file>]`: checks a login recipe by logging
// its person in through the IdP's pages in Chromium (HID-CODE-006), then prints each step with
// its time and where the screenshots are. A step that does not match is named, with a screenshot
// of the page it stopped on. The run is kept like any other (npm run runs).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cliArgs } from './args.ts';
import { PROFILE_NAMES, SUITE_SETTINGS } from '../config/profiles.ts';
import { ConfigurationError } from '../config/settings.ts';
import { loadRecipe, defaultRecipeFile } from '../auth/login-recipe.ts';
import { newRunId, RUN_ID_VARIABLE } from '../evidence/runs.ts';

const usage = `usage: npm run login:check -- --profile <name> [--recipe <file>]
  Logs the recipe's person in through the IdP's pages in Chromium (the spec HID-CODE-006) and
  prints each step with its time, or the step that did not match, and where its screenshots are
  (the run's HTML report). Against NHN test it needs your client (HELSEID_CLIENT_ID and its key),
  HELSEID_REDIRECT_URI, and the recipe's persons.nhnPhysician.
  --profile <name>  local (the twin's pages, the default) or test
  --recipe <file>   the recipe to check (default schemas/helseid/login-recipes/<profile>.yaml)
  exit 0 logged in, 1 the login failed (the step is named), 2 bad usage or a recipe that is not one
`;
const { values } = cliArgs(usage, { profile: { type: 'string' }, recipe: { type: 'string' } });
const profile = (values.profile as string | undefined) ?? 'local';
if (!(PROFILE_NAMES as readonly string[]).includes(profile)) {
  process.stderr.write(`unknown profile "${profile}"; ${usage}`);
  process.exit(2);
}
const recipe = path.resolve((values.recipe as string | undefined) ?? defaultRecipeFile(profile));
if (!fs.existsSync(recipe)) {
  process.stderr.write(
    values.recipe
      ? `[login:check] --recipe names ${recipe}, which does not exist\n`
      : `[login:check] profile ${profile} has no login recipe: write ${path.relative(process.cwd(), recipe)} (start from test.example.yaml beside it) or pass --recipe <file>; see docs/login-recipes.md\n`,
  );
  process.exit(2);
}
try {
  const read = loadRecipe(recipe);
  process.stdout.write(`[login:check] ${path.relative(process.cwd(), recipe)}: ${read.steps.length} steps (${read.steps.map((s) => `${s.name}${s.optional ? ' (optional)' : ''}`).join(' → ')}) on profile ${profile}\n`);
} catch (e) {
  if (!(e instanceof ConfigurationError)) throw e;
  process.stderr.write(`[login:check] ${e.message}\n`);
  process.exit(2);
}
const reportRoot = SUITE_SETTINGS.reportDir.read()!;
// The run's own id, so that what is read afterwards is this run's, never an earlier one's.
const runId = newRunId([profile]);
const code = await new Promise<number | null>((resolve) => {
  const child = spawn('npx', ['playwright', 'test', `--project=${profile}`, 'specs/helseid/user-login.spec.ts', '--grep', '@HID-CODE-006'], {
    env: { ...process.env, NHN_PROFILE: '', NHN_LOGIN_RECIPE: recipe, [RUN_ID_VARIABLE]: runId },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  child.on('exit', resolve);
});
const summaryFile = path.join(reportRoot, 'runs', runId, 'summary.json');
type Login = { outcome: string; totalMs: number; failedStep?: string; steps: Array<{ name: string; ms: number; skipped?: boolean }> };
const summary = fs.existsSync(summaryFile) ? (JSON.parse(fs.readFileSync(summaryFile, 'utf8')) as { logins?: Login[]; failures?: Array<{ message?: string }>; skipped?: unknown }) : {};
const login = summary.logins?.at(-1);
if (!login) {
  process.stdout.write(`[login:check] no browser login ran: the spec skipped or failed before it (the reason is above)\n`);
  process.exit(1);
}
for (const s of login.steps) process.stdout.write(`  ${s.skipped ? 'skipped' : 'ok     '} ${s.name}${s.skipped ? ' (its page did not come)' : ` ${s.ms} ms`}\n`);
if (login.failedStep) process.stdout.write(`  FAILED  ${login.failedStep}\n`);
process.stdout.write(`[login:check] ${login.outcome === 'logged-in' ? 'logged in' : 'the login failed'} in ${login.totalMs} ms; screenshots of every step are in the run's report: npx playwright show-report ${path.join(reportRoot, 'runs', runId, 'html')}\n`);
process.exit(login.outcome === 'logged-in' && code === 0 ? 0 : 1);
