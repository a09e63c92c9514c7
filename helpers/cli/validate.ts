// `npm run validate -- <file.json> [--profile <id>]`: every issue of a FHIR resource or Bundle,
// one per line with its location and rule id. Exits 1 when there is an error, 2 on bad usage.
import fs from 'node:fs';
import { profiles } from '../validation/fhir/profile-layer.ts';
import { validateFhir } from '../validation/fhir/validator.ts';
import { formatIssue } from '../validation/issues.ts';
import { cliArgs } from './args.ts';

const usage = `usage: npm run validate -- <file.json> [--profile <id>]
       npm run validate -- --profiles
  Validates a FHIR R4 resource or Bundle in layers (R4 JSON schema, base StructureDefinitions
  and invariants, profile rules) and prints every issue with its location and rule id.
  --profile <id>  also check a profile (--profiles lists them)
  exit 0 valid, 1 errors found, 2 bad usage
`;
const { values, positionals } = cliArgs(usage, { profile: { type: 'string' }, profiles: { type: 'boolean' } }, true);
if (values.profiles) {
  for (const p of profiles().values()) process.stdout.write(`${p.id.padEnd(28)} ${p.resourceType.padEnd(18)} FHIR ${p.fhirVersion}  ${p.title}\n`);
  process.exit(0);
}
const profile = values.profile as string | undefined;
const [file, ...extra] = positionals;
if (!file || extra.length) {
  process.stderr.write(usage);
  process.exit(2);
}
if (profile && !profiles().has(profile)) {
  process.stderr.write(`unknown profile "${profile}"; npm run validate -- --profiles lists them\n`);
  process.exit(2);
}
if (!fs.existsSync(file)) {
  process.stderr.write(`no such file: ${file}\n`);
  process.exit(2);
}
const started = performance.now();
const result = validateFhir(fs.readFileSync(file), { profile });
for (const issue of result.issues) process.stdout.write(`${formatIssue(issue)}\n`);
for (const n of result.notChecked) process.stdout.write(`NOT CHECKED ${n}\n`);
const errors = result.issues.filter((i) => i.severity === 'error').length;
const warnings = result.issues.filter((i) => i.severity === 'warning').length;
process.stdout.write(`${file}: ${errors} error(s), ${warnings} warning(s)${profile ? ` against ${profile}` : ''} in ${Math.round(performance.now() - started)} ms\n`);
process.exit(errors ? 1 : 0);
