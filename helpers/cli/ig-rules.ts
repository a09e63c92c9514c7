// `npm run ig:rules -- --from <folder>`: derives an implementation guide's rule data from its own
// StructureDefinitions, ValueSets and CodeSystems (an unpacked FHIR package or a published
// build's JSON files) and writes schemas/fhir/ig/<package>-<version>.rules.json. `--check`
// writes nothing and exits 1 when the data in the project differs from what the folder gives.
import fs from 'node:fs';
import { deriveFromFolder, formatIgRules, igRulesFile } from '../validation/fhir/ig/package.ts';
import { cliArgs } from './args.ts';

const usage = `usage: npm run ig:rules -- --from <folder> [--check]
  Derives the guide's rules (cardinality, types and contained types, reference targets, fixed
  and pattern values, slices, required bindings with their codes, FHIRPath constraints,
  mustSupport) from the StructureDefinitions' differentials in <folder>, and writes them to
  schemas/fhir/ig/<package>-<version>.rules.json, the version in the name.
  --check   compare with the data in the project instead of writing; exit 1 when they differ
  exit 0 done (or the same), 1 differs, 2 bad usage or an unreadable guide
`;
const { values } = cliArgs(usage, { from: { type: 'string' }, check: { type: 'boolean' } });
const from = values.from as string | undefined;
if (!from) {
  process.stderr.write(usage);
  process.exit(2);
}
let text: string;
let file: string;
try {
  const rules = deriveFromFolder(from);
  text = formatIgRules(rules);
  file = igRulesFile(rules.package.name, rules.package.version);
  const enforced = rules.profiles.flatMap((p) => p.rules).filter((r) => r.enforced).length;
  process.stdout.write(`${rules.package.name} ${rules.package.version} (FHIR ${rules.package.fhirVersion}): ${rules.profiles.length} profiles, ${enforced} enforced rules, ${Object.keys(rules.valueSets).length} value sets\n`);
} catch (e) {
  process.stderr.write(`cannot derive rules from ${from}: ${(e as Error).message}\n`);
  process.exit(2);
}
if (values.check) {
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
  if (current === text) {
    process.stdout.write(`${file} is what the guide says\n`);
    process.exit(0);
  }
  process.stdout.write(`${file} ${current === undefined ? 'does not exist' : 'differs from what the guide says'}: run npm run ig:rules -- --from ${from}\n`);
  process.exit(1);
}
fs.mkdirSync(new URL('.', `file://${file}`).pathname, { recursive: true });
fs.writeFileSync(file, text);
process.stdout.write(`wrote ${file}\n`);
