// `npm run lint:openapi -- [file ...]`: Spectral's oas rules plus the house rules. Without files it
// lints every document in schemas/openapi. Exits 1 when any document has an error.
import fs from 'node:fs';
import path from 'node:path';
import { lintOpenApi } from '../validation/openapi/lint.ts';
import { openApiDir } from '../validation/openapi/document.ts';
import { cliArgs } from './args.ts';

const usage = `usage: npm run lint:openapi -- [file ...]
  Lints OpenAPI documents with Spectral's oas rules plus the house rules (security on every
  operation, 401 with WWW-Authenticate, the API's error format, x-requirements, no national
  identity number in a URL, paging bounds). Without files: every document in schemas/openapi.
  exit 0 no errors, 1 errors found, 2 bad usage
`;
const { positionals: files } = cliArgs(usage, {}, true);
const targets = files.length ? files : fs.readdirSync(openApiDir()).filter((f) => /\.(ya?ml|json)$/.test(f)).map((f) => path.join(openApiDir(), f));
let failed = false;
const started = performance.now();
for (const file of targets) {
  if (!fs.existsSync(file)) {
    process.stderr.write(`no such file: ${file}\n`);
    process.exit(2);
  }
  const findings = await lintOpenApi(fs.readFileSync(file, 'utf8'), file);
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.filter((f) => f.severity === 'warning').length;
  failed ||= errors > 0;
  process.stdout.write(`${path.relative(process.cwd(), file)}: ${errors} error(s), ${warnings} warning(s)\n`);
  for (const f of findings) process.stdout.write(`  ${f.severity.toUpperCase().padEnd(7)} ${String(f.line).padStart(4)}  [${f.rule}]  ${f.message}  (${f.location})\n`);
}
process.stdout.write(`linted ${targets.length} document(s) in ${Math.round(performance.now() - started)} ms\n`);
process.exit(failed ? 1 : 0);
