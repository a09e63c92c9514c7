// `npm run drift -- [--profile <name>] [--history <file|postgres-url>] [--openapi <api>=<file|url> ...]`: the
// drift sentinel on its own, and NHN's published documents against ours.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { PROFILES, resolveProfile, type ProfileName } from '../config/profiles.ts';
import { ConfigurationError } from '../config/settings.ts';
import { formatFindings, observe, recordDrift } from '../monitor/drift.ts';
import { History } from '../monitor/history.ts';
import { environmentFor } from '../monitor/monitor.ts';
import { historyLocation } from '../monitor/settings.ts';
import { compareDocuments, formatDifferences } from '../validation/openapi/compare.ts';
import { openApiDir } from '../validation/openapi/document.ts';
import { readDocumentSource } from '../validation/openapi/nhn-documents.ts';
import { cliArgs } from './args.ts';

const usage = `usage: npm run drift -- [--profile <name>] [--history <file|postgres-url>] [--openapi <api>=<file|url> ...]
  Fingerprints what the profile's environment publishes (HelseID discovery and JWKS, each
  CapabilityStatement, each API's published OpenAPI document, each host's TLS chain) and compares
  each with the last fingerprint in the monitor history: operations, parameters and schemas added,
  removed or changed, keys rotated, certificates replaced or expiring within 30 days. The first
  run records the baseline. Against local it starts the twin itself.
  --openapi <api>=<file|url>  also compare NHN's document for our <api> (e.g. person-v2) with ours
                              and list every difference
  exit 0 nothing changed, 1 drift found (or an unacknowledged difference), 2 bad usage or unreadable input
`;
const { values } = cliArgs(usage, { profile: { type: 'string' }, history: { type: 'string' }, openapi: { type: 'string', multiple: true } });
const profile = (values.profile as string | undefined) ?? process.env.NHN_PROFILE?.split(',')[0] ?? 'local';
if (!(profile in PROFILES)) {
  process.stderr.write(`--profile must be one of ${Object.keys(PROFILES).join(', ')}, got "${profile}"\n${usage}`);
  process.exit(2);
}
const log = (line: string) => process.stdout.write(`[drift] ${line}\n`);
let found = 0;
try {
  for (const pair of (values.openapi as unknown as string[] | undefined) ?? []) {
    const m = /^([\w-]+)=(.+)$/.exec(pair);
    if (!m) throw new ConfigurationError(`--openapi wants <api>=<file|url>, got "${pair}"`);
    const ours = path.join(openApiDir(), `${m[1]}.openapi.yaml`);
    if (!fs.existsSync(ours)) throw new ConfigurationError(`--openapi ${m[1]}=…: we have no document ${m[1]} (looked for ${ours})`);
    const theirs = await readDocumentSource(m[2]!, `--openapi ${m[1]}`);
    const differences = compareDocuments(parse(fs.readFileSync(ours, 'utf8')) as Record<string, unknown>, theirs, ours);
    const open = differences.filter((d) => !d.acknowledged).length;
    found += open;
    log(`NHN's ${m[1]} (${m[2]}) against ours: ${differences.length} difference(s), ${open} our document does not acknowledge`);
    process.stdout.write(`${formatDifferences(differences, { all: true })}\n`);
  }
  const environment = await environmentFor(profile as ProfileName, log);
  let observations;
  try {
    observations = (await observe(resolveProfile(profile as ProfileName))).observations;
  } finally {
    await environment.close();
  }
  const history = await History.open(historyLocation(values.history as string | undefined));
  let first: boolean;
  let findings;
  try {
    first = !(await history.one('SELECT 1 FROM fingerprints WHERE profile = ? LIMIT 1', [profile]));
    findings = await recordDrift(history, profile, undefined, observations);
    await history.save();
  } finally {
    await history.close();
  }
  log(`${observations.length} publication(s) fingerprinted: ${observations.map((o) => `${o.subject}${o.error ? ` (${o.error})` : ''}`).join(', ')}`);
  process.stdout.write(`${first && !findings.length ? 'baseline recorded: the next run compares with it' : formatFindings(findings)}\n`);
  found += findings.length;
  process.exitCode = found ? 1 : 0;
} catch (e) {
  process.stderr.write(`[drift] ${e instanceof ConfigurationError ? e.message : `could not run: ${(e as Error).message}`}\n`);
  process.exitCode = 2;
}
