// `npm run coverage`: maps every requirement to the tests that verify it and their last
// verdicts. Fails when a requirement has neither a test nor a reason, or a tag names an ID the
// catalogue does not know.
import fs from 'node:fs';
import path from 'node:path';
import { CatalogueError, EVIDENCE, loadCatalogue, requirementTags, type Requirement } from '../requirements/catalogue.ts';
import { reportDir as configuredReportDir } from '../config/profiles.ts';
import { cliArgs } from './args.ts';
import { listTests, type ListedTest } from './list-tests.ts';

cliArgs(`usage: npm run coverage
  Maps every requirement in schemas/requirements/ to the tests that name it and their last
  verdicts; writes <NHN_REPORT_DIR>/requirements-coverage.{json,md}. Fails (exit 1) when a
  requirement has neither a test nor a reason, a tag names an unknown ID, or the last run asked
  for the same token twice.
`, {});

/** Tags that are not requirement IDs. */
const KNOWN_TAGS = new Set(['@availability', '@slow']);

interface Summary {
  byRequirement?: Record<string, { verdict: string; tests: Array<{ title: string; verdict: string }> }>;
  run?: { startedAt: string; projects: string[] };
  tokens?: { oneRequestPerTuple?: boolean; duplicates?: Array<{ tuple: string; granted: number }> };
}

function main(): number {
  const reportDir = configuredReportDir();
  let catalogue: Map<string, Requirement>;
  try {
    catalogue = loadCatalogue();
  } catch (e) {
    if (e instanceof CatalogueError) {
      process.stderr.write(`${e.message}\n`);
      return 1;
    }
    throw e;
  }
  const tests = listTests();
  const summaryFile = path.join(reportDir, 'summary.json');
  const summary: Summary = fs.existsSync(summaryFile) ? (JSON.parse(fs.readFileSync(summaryFile, 'utf8')) as Summary) : {};

  const problems: string[] = [];
  // The run must have asked for each token once (per issuer, client, grant, audience, scopes and key).
  if (summary.tokens?.oneRequestPerTuple === false) {
    problems.push(`the last run asked for the same token more than once: ${(summary.tokens.duplicates ?? []).map((d) => `${d.tuple.split('|').slice(1, 5).join(' ')} ×${d.granted}`).join('; ')}`);
  }
  const testsByRequirement = new Map<string, ListedTest[]>();
  for (const t of tests) {
    for (const tag of t.tags) {
      const ids = requirementTags([tag]);
      if (!ids.length && !KNOWN_TAGS.has(tag)) problems.push(`${t.file}:${t.line} "${t.title}" has tag ${tag}, which is neither a requirement ID nor a known tag`);
      for (const id of ids) {
        if (!catalogue.has(id)) problems.push(`${t.file}:${t.line} "${t.title}" names unknown requirement ${id}`);
        else testsByRequirement.set(id, [...(testsByRequirement.get(id) ?? []), t]);
      }
    }
  }

  const rows = [...catalogue.values()].map((r) => {
    const covering = testsByRequirement.get(r.id) ?? [];
    if (!covering.length && !r.untestable && !r.planned) problems.push(`${r.id} (${r.api}) has no test and no reason why it cannot be tested`);
    if (covering.length && r.planned) problems.push(`${r.id} is marked planned but ${covering.length} test(s) name it: drop "planned"`);
    if (covering.length && r.untestable) problems.push(`${r.id} is marked untestable but ${covering.length} test(s) name it`);
    return {
      id: r.id,
      api: r.api,
      level: r.level,
      evidence: r.evidence,
      text: r.text,
      source: r.source,
      assumption: r.assumption,
      untestable: r.untestable,
      planned: r.planned,
      tests: covering.map((t) => `${t.file}:${t.line} ${t.title}`),
      verdict: summary.byRequirement?.[r.id]?.verdict ?? (r.untestable ? 'untestable' : r.planned ? 'planned' : 'not run'),
    };
  });

  fs.mkdirSync(reportDir, { recursive: true });
  const result = { generatedAt: new Date().toISOString(), lastRun: summary.run ?? null, requirements: rows.length, tests: tests.length, problems, rows };
  fs.writeFileSync(path.join(reportDir, 'requirements-coverage.json'), `${JSON.stringify(result, null, 2)}\n`);
  const table = [
    '| Requirement | Level | Evidence | API | Tests | Last verdict |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.id} | ${r.level} | ${r.evidence} | ${r.api} | ${r.untestable ? `untestable: ${r.untestable}` : r.planned ? `planned: ${r.planned}` : r.tests.length} | ${r.verdict} |`),
  ].join('\n');
  fs.writeFileSync(path.join(reportDir, 'requirements-coverage.md'), `# Requirement coverage\n\n${table}\n`);

  const byApi = new Map<string, { total: number; tested: number; planned: number; grades: Record<string, number> }>();
  for (const r of rows) {
    const e = byApi.get(r.api) ?? { total: 0, tested: 0, planned: 0, grades: {} };
    e.total += 1;
    e.grades[r.evidence] = (e.grades[r.evidence] ?? 0) + 1;
    if (r.tests.length) e.tested += 1;
    if (r.planned) e.planned += 1;
    byApi.set(r.api, e);
  }
  process.stdout.write(`requirement coverage (${tests.length} tests listed):\n`);
  const grades = (g: Record<string, number>) => EVIDENCE.map((k) => `${g[k] ?? 0} ${k}`).join(', ');
  for (const [api, e] of [...byApi.entries()].sort()) process.stdout.write(`  ${api.padEnd(8)} ${e.tested}/${e.total} requirements tested${e.planned ? `, ${e.planned} planned` : ''}; evidence: ${grades(e.grades)}\n`);
  process.stdout.write(`  all      evidence: ${grades(rows.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.evidence]: (acc[r.evidence] ?? 0) + 1 }), {}))}\n`);
  const verdicts = rows.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.verdict]: (acc[r.verdict] ?? 0) + 1 }), {});
  process.stdout.write(`  last verdicts: ${Object.entries(verdicts).map(([k, n]) => `${n} ${k}`).join(', ')}\n`);
  process.stdout.write(`  → ${path.join(reportDir, 'requirements-coverage.json')}, requirements-coverage.md\n`);
  if (problems.length) {
    process.stderr.write(`coverage gate FAILED:\n  ${problems.join('\n  ')}\n`);
    return 1;
  }
  process.stdout.write('coverage gate passed\n');
  return 0;
}

process.exit(main());
