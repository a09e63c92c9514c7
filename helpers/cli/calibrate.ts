// `npm run calibrate -- --profile <name> [-- <playwright args>]`: runs the suite against an
// environment (read-only where the profile demands it: prod runs its availability checks only),
// names what it showed at every assumption point, and writes reports/calibration/<profile>.{json,md}
// and schemas/calibration/<profile>.yaml, which the user reviews and commits.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PROFILE_NAMES, SUITE_SETTINGS, type ProfileName } from '../config/profiles.ts';
import { calibrationMarkdown, calibrationYaml, readCalibration } from '../evidence/calibrate.ts';
import { suiteIdentity } from '../evidence/suite-identity.ts';
import type { TestRecord } from '../evidence/summary-reporter.ts';
import { cliArgs } from './args.ts';

const usage = `usage: npm run calibrate -- --profile <name> [--out <folder>] [-- <playwright args>]
  Runs the suite against the profile's environment and names, for each assumption point, the
  behaviour it showed: the twin's reading (base), a dialect the sources permit, or another. Writes
  reports/calibration/<profile>.{json,md} and schemas/calibration/<profile>.yaml (NHN_CALIBRATION_DIR);
  review the YAML and commit it: on that profile each pinned point becomes a hard check. The run
  is non-strict, so a deviation is recorded, not failed; a calibration already pinned for the
  profile is set aside while it runs.
  --out <folder>  where the run's own reports go (default reports/calibration/<profile>-run)
  exit 0 written, 1 the run failed (the files are still written), 2 bad usage
`;
const { values, positionals } = cliArgs(usage, { profile: { type: 'string' }, out: { type: 'string' } }, true);
const profile = values.profile as string | undefined;
if (!profile || !(PROFILE_NAMES as readonly string[]).includes(profile)) {
  process.stderr.write(`${profile ? `unknown profile "${profile}"; ` : ''}${usage}`);
  process.exit(2);
}
const reports = path.resolve(SUITE_SETTINGS.reportDir.read()!, 'calibration');
const runDir = path.resolve((values.out as string | undefined) ?? path.join(reports, `${profile}-run`));
fs.mkdirSync(reports, { recursive: true });
// A calibration reads what is there; the pins of an earlier one would turn a changed behaviour into a failure first.
const pinsAside = fs.mkdtempSync(path.join(reports, '.pins-aside-'));
process.stdout.write(`[calibrate] ${profile}: running the suite (reports in ${path.relative(process.cwd(), runDir)})\n`);
const code = await new Promise<number | null>((resolve) => {
  const child = spawn('npx', ['playwright', 'test', `--project=${profile}`, ...positionals], {
    env: { ...process.env, NHN_PROFILE: '', NHN_STRICT: '0', NHN_REPORT_DIR: runDir, NHN_CALIBRATION_DIR: pinsAside },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  child.on('error', () => resolve(null));
  child.on('exit', (c) => resolve(c));
});
fs.rmSync(pinsAside, { recursive: true, force: true });
const summaryFile = path.join(runDir, 'summary.json');
if (!fs.existsSync(summaryFile)) {
  process.stderr.write(`[calibrate] the run wrote no ${summaryFile}: nothing to calibrate from\n`);
  process.exit(1);
}
const summary = JSON.parse(fs.readFileSync(summaryFile, 'utf8')) as { tests: TestRecord[] };
const reading = readCalibration(summary.tests.filter((t) => t.project === profile));
const suite = suiteIdentity();
const at = new Date().toISOString();
const suiteName = `${suite.name} ${suite.version} ${suite.commit ?? 'unknown commit'}${suite.dirty ? ' (uncommitted changes)' : ''}`;
fs.writeFileSync(path.join(reports, `${profile}.json`), `${JSON.stringify({ profile, calibratedAt: at, suite: suiteName, ...reading }, null, 2)}\n`);
fs.writeFileSync(path.join(reports, `${profile}.md`), calibrationMarkdown(profile, reading, { at, suite: suiteName }));
if (!reading.points.length) {
  // Nothing seen pins nothing: an empty calibration file would only look like one. Usually the profile's credentials are missing.
  const tests = summary.tests.filter((t) => t.project === profile);
  const byVerdict = new Map<string, number>();
  for (const t of tests) byVerdict.set(t.verdict, (byVerdict.get(t.verdict) ?? 0) + 1);
  const counts = [...byVerdict].map(([v, n]) => `${n} ${v}`).join(', ');
  process.stderr.write(`[calibrate] no assumption point was observed on ${profile} (${tests.length} tests: ${counts || 'none'}), so no calibration file was written; the report is in ${path.relative(process.cwd(), reports)}. A run that mostly skips lacks its settings: see the skip reasons above, and the README's NHN section\n`);
  process.exit(1);
}
const yamlFile = path.resolve(SUITE_SETTINGS.calibrationDir.read()!, `${profile as ProfileName}.yaml`);
fs.mkdirSync(path.dirname(yamlFile), { recursive: true });
fs.writeFileSync(yamlFile, calibrationYaml(profile, reading, { at, suite: suiteName }));
for (const p of reading.points) process.stdout.write(`[calibrate] ${p.point.padEnd(34)} ${p.variant}${p.variant === 'mixed' ? ` (${p.variants.map((v) => `${v.variant} ×${v.count}`).join(', ')})` : ''}\n`);
for (const [service, e] of Object.entries(reading.ttt)) process.stdout.write(`[calibrate] test-token-service tokens at ${service}: ${e.refused ? (e.accepted ? 'mixed' : 'refused') : 'served'} (${e.accepted} served, ${e.refused} refused)\n`);
process.stdout.write(`[calibrate] wrote ${path.relative(process.cwd(), path.join(reports, `${profile}.md`))}, ${path.relative(process.cwd(), path.join(reports, `${profile}.json`))} and ${path.relative(process.cwd(), yamlFile)}: review the YAML, then commit it\n`);
process.exit(code === 0 ? 0 : 1);
