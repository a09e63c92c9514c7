// `npm run runs`: the runs kept in <NHN_REPORT_DIR>/runs/, newest first: profile, verdict counts,
// whole or partial (with the filter), age, and which one `certify` takes by default.
import { reportDir } from '../config/profiles.ts';
import { listRuns, pruneRuns } from '../evidence/runs.ts';
import { keepRuns } from '../evidence/runs-settings.ts';
import { cliArgs } from './args.ts';

const { values } = cliArgs(`usage: npm run runs [-- --prune]
  Lists the kept runs, newest first: id, profile(s), verdict counts, whole or partial (with its
  filter) and age. The one marked "certify" is what npm run certify takes without --run.
  --prune   prune now to NHN_KEEP_RUNS (default 20), never the newest whole run
`, { prune: { type: 'boolean' } });
const root = reportDir();
if (values.prune) for (const id of pruneRuns(root, keepRuns())) process.stdout.write(`pruned ${id}\n`);
const runs = listRuns(root);
if (!runs.length) {
  process.stdout.write(`no run kept in ${root}/runs yet: npx playwright test keeps one\n`);
  process.exit(0);
}
const newestWhole = runs.find((r) => !r.partial);
const age = (iso: string) => {
  const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  return s < 120 ? `${Math.round(s)} s` : s < 7200 ? `${Math.round(s / 60)} min` : s < 172_800 ? `${Math.round(s / 3600)} h` : `${Math.round(s / 86_400)} d`;
};
for (const r of runs) {
  const counts = Object.entries(r.counts ?? {}).filter(([, n]) => n).map(([k, n]) => `${n} ${k}`).join(', ') || 'no counts';
  process.stdout.write(`${r.id.padEnd(34)} ${r.profiles.join('+').padEnd(10)} ${(r.partial ? `partial (${r.partial})` : 'whole').padEnd(40)} ${age(r.endedAt ?? r.startedAt).padStart(7)} ago  ${counts}${r === newestWhole ? '  ← certify' : ''}\n`);
}
process.stdout.write(`${runs.length} run(s) kept in ${root}/runs (NHN_KEEP_RUNS ${keepRuns()}); ${root}/latest → ${runs[0]!.id}\n`);
