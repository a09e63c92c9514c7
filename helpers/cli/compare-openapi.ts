// `npm run compare:openapi -- [<ours>=<file|url> ...]`: compares our OpenAPI documents with the
// ones NHN publishes, fact by fact, and lists every difference: first those our document does not
// acknowledge, then the acknowledged ones grouped by the reason our document gives.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ConfigurationError } from '../config/settings.ts';
import { compareDocuments, formatDifferences } from '../validation/openapi/compare.ts';
import { openApiDir } from '../validation/openapi/document.ts';
import { NHN_DOCUMENTS, readDocumentSource } from '../validation/openapi/nhn-documents.ts';
import { cliArgs } from './args.ts';

const usage = `usage: npm run compare:openapi -- [<ours>=<file|url> ...] [--all]
  Compares our OpenAPI documents (schemas/openapi/<ours>.openapi.yaml) with NHN's published ones:
  operations, parameters and constraints, request bodies, statuses, media types and response
  schemas (names, types, formats, nullability, enums, required fields). Without arguments it
  compares each document whose variable names NHN's (${[...NHN_DOCUMENTS.values()].map((s) => s.env).join(', ')}).
  --all  list every acknowledged difference, not three per reason
  exit 0 only acknowledged differences, 1 an unacknowledged one, 2 bad usage or unreadable document
  example: npm run compare:openapi -- person-v2=../shared/reference/person-api-v2.openapi.yaml
`;
const { positionals, values } = cliArgs(usage, { all: { type: 'boolean' } }, true);
const pairs: Array<[string, string, string]> = [];
for (const arg of positionals) {
  const m = /^([\w-]+)=(.+)$/.exec(arg);
  if (!m) {
    process.stderr.write(`expected <ours>=<file|url>, got "${arg}"\n${usage}`);
    process.exit(2);
  }
  pairs.push([m[1]!, m[2]!, `the argument ${m[1]}=`]);
}
if (pairs.length === 0) {
  for (const [ours, setting] of NHN_DOCUMENTS) {
    const source = setting.read();
    if (source) pairs.push([ours, source, setting.env]);
  }
}
if (pairs.length === 0) {
  process.stderr.write(`nothing to compare: name NHN's document with ${[...NHN_DOCUMENTS.values()].map((s) => s.env).join(' or ')}, or as <ours>=<file|url>\n${usage}`);
  process.exit(2);
}
let open = 0;
for (const [ours, source, variable] of pairs) {
  const file = path.join(openApiDir(), `${ours}.openapi.yaml`);
  if (!fs.existsSync(file)) {
    process.stderr.write(`we have no document ${ours} (looked for ${file})\n`);
    process.exit(2);
  }
  let theirs;
  try {
    theirs = await readDocumentSource(source, variable);
  } catch (e) {
    process.stderr.write(`${e instanceof ConfigurationError ? e.message : String(e)}\n`);
    process.exit(2);
  }
  const differences = compareDocuments(parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>, theirs, file);
  const unacknowledged = differences.filter((d) => !d.acknowledged).length;
  open += unacknowledged;
  process.stdout.write(`${ours} against ${source}: ${differences.length} difference(s), ${unacknowledged} unacknowledged\n`);
  process.stdout.write(`${formatDifferences(differences, { all: values.all === true })}\n`);
}
process.exitCode = open ? 1 : 0;
