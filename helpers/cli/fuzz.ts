// `npm run fuzz`: generated bad input against every operation of every API (helpers/fuzz/).
import fs from 'node:fs';
import path from 'node:path';
import { PROFILES, reportDir, resolveProfile, type ProfileName } from '../config/profiles.ts';
import { ConfigurationError } from '../config/settings.ts';
import { ClassifiedError } from '../http/errors.ts';
import { documentInApis, fuzz, NHN_REQUEST_CAP, replay } from '../fuzz/fuzz.ts';
import { environmentFor } from '../monitor/monitor.ts';
import { cliArgs } from './args.ts';

const usage = `usage: npm run fuzz -- [--profile <name>] [--requests <n> | --budget <n>] [--seed <n>|random] [--api <name> ...] [--read-only] [--allow-nhn <profile>] [--no-corpus]
       npm run fuzz -- --replay <file or folder> [--profile <name>]
  Derives malformed requests from our OpenAPI documents with fast-check (wrong types, missing
  required fields, numbers out of range, over-long strings, bad enums and dates, duplicate and
  unknown parameters, wrong content types, invalid JSON, oversized bodies, broken forms, hostile
  headers, garbage tokens and proofs, and path structure: dot segments and encoded slashes on
  purpose, where a path that names no route may be 404), signs each correctly, sends it to every operation of every
  API, and wants a documented 4xx in the API's error format: no 5xx, no stack trace, no HTML, no
  credential echoed, and (against the twin) no change in the data. A failing case is shrunk and
  saved under <NHN_REPORT_DIR>/fuzz/failures/ for --replay.
  --profile     local (default: the twin, which it starts itself) or an NHN profile
  --requests    how many requests (default 10000; against NHN at most ${NHN_REQUEST_CAP}, default 100)
  --budget      the same as --requests (the nightly template runs --budget 100000)
  --seed        fast-check's seed: a number, or random (the default: from the clock); always
                printed, so a run can be repeated
  --no-corpus   skip the corpus: before generating, every saved case in tests/fuzz-corpus/ (each a
                failure once found and fixed) is replayed and must pass
  --api         only these APIs (pit, phr, parek, pts, person, or a document such as person-v3)
  --allow-nhn   against an NHN environment, the profile's name again: NHN asks for no load on its
                test environment without agreement, so nothing is sent unless named twice. GET
                operations only. The prod profile is always refused.
  --read-only   GET operations only, no oversized bodies, and never more requests than asked:
                what a run against NHN does; against the twin, to see it first
  --replay      re-send a saved case (or every case in a folder), signed afresh, and judge it again
  exit 0 every answer as documented, 1 a failing case, 2 bad usage or configuration
`;
const { values } = cliArgs(usage, {
  profile: { type: 'string' },
  requests: { type: 'string' },
  budget: { type: 'string' },
  seed: { type: 'string' },
  'no-corpus': { type: 'boolean' },
  api: { type: 'string', multiple: true },
  'allow-nhn': { type: 'string' },
  replay: { type: 'string' },
  'read-only': { type: 'boolean' },
});
/** Saved cases of failures once found and fixed: replayed before every generated run. */
const CORPUS = path.resolve(import.meta.dirname, '../../tests/fuzz-corpus');
const log = (line: string) => process.stdout.write(`[fuzz] ${line}\n`);
const fail = (message: string): never => {
  process.stderr.write(`[fuzz] ${message}\n`);
  process.exit(2);
};

const name = (values.profile as string | undefined) ?? 'local';
if (!(name in PROFILES)) fail(`--profile must be one of ${Object.keys(PROFILES).join(', ')}, got "${name}"`);
const profileName = name as ProfileName;
const local = PROFILES[profileName].kind === 'twin';
// prod sends no patient data and never writes; a fuzzer does nothing else.
if (profileName === 'prod') fail('refused: the prod profile never sends patient data or malformed writes, and the fuzzer sends nothing else');
if (!local && values['allow-nhn'] !== profileName) {
  fail(`refused: ${profileName} is an NHN environment. NHN asks for no load on it without agreement; to fuzz it (GET operations only, at most ${NHN_REQUEST_CAP} requests) name it twice: --profile ${profileName} --allow-nhn ${profileName}`);
}
const asked = values.requests ?? values.budget;
const requested = asked === undefined ? (local ? 10_000 : 100) : Number(asked);
if (!Number.isInteger(requested) || requested < 1) fail(`--requests (--budget) wants a whole number of at least 1, got "${String(asked)}"`);
if (!local && requested > NHN_REQUEST_CAP) fail(`--requests ${requested} is over the cap of ${NHN_REQUEST_CAP} for an NHN environment`);
// GET operations only and capped: always against NHN, on asking against the twin (to see what an NHN run would send).
const readOnly = !local || values['read-only'] === true;
const seed = values.seed === undefined || values.seed === 'random' ? Date.now() % 2 ** 31 : Number(values.seed);
if (!Number.isInteger(seed)) fail(`--seed wants a whole number or random, got "${String(values.seed)}"`);

let environment: Awaited<ReturnType<typeof environmentFor>> = { close: async () => undefined };
try {
  // Against local, the twin in this process (as the monitor starts it), so its data can be compared.
  environment = await environmentFor(profileName, log);
  const twin = environment.twin;
  const digest = twin ? () => twin.digest() : undefined;
  const profile = resolveProfile(profileName);
  /** Replays saved cases; answers how many still fail. */
  const replayAll = async (where: string): Promise<number> => {
    const apis = (values.api as unknown as string[] | undefined) ?? [];
    const inScope = (file: string) => !apis.length || documentInApis((JSON.parse(fs.readFileSync(file, 'utf8')) as { case?: { document?: string } }).case?.document ?? '', apis);
    const files = fs.statSync(where).isDirectory() ? fs.readdirSync(where).filter((f) => f.endsWith('.json')).sort().map((f) => path.join(where, f)).filter(inScope) : [where];
    let failing = 0;
    for (const file of files) {
      const { case: c, sent } = await replay(file, profile, { readOnly, stateDigest: digest });
      const ok = sent.guarded || sent.judgement.ok;
      if (!ok) failing += 1;
      log(`${ok ? 'replayed' : 'STILL FAILING'} ${path.relative(process.cwd(), file)}: ${c.method} ${c.path} (${c.document} ${c.operationId} · ${c.kind}: ${c.note}) → ${sent.guarded ? 'not sent: the identity guard refused it' : `${sent.response?.status} ${sent.response?.header('content-type') ?? ''}`}${sent.guarded ? '' : ok ? ': answered as documented' : `: still failing: ${sent.judgement.problems.join('; ')}`}`);
    }
    return failing;
  };
  if (values.replay) {
    if (!fs.existsSync(values.replay as string)) fail(`--replay names ${String(values.replay)}, which does not exist`);
    if (await replayAll(values.replay as string)) process.exitCode = 1;
  } else {
    // A failure found once is tested forever: the corpus goes first.
    if (!values['no-corpus'] && fs.existsSync(CORPUS) && fs.readdirSync(CORPUS).some((f) => f.endsWith('.json'))) {
      log(`replaying the corpus (${path.relative(process.cwd(), CORPUS)})`);
      if (await replayAll(CORPUS)) process.exitCode = 1;
    }
    const summary = await fuzz({ profile, requests: requested, seed, apis: values.api as unknown as string[] | undefined, outDir: path.join(reportDir(), 'fuzz'), readOnly, stateDigest: digest, log });
    for (const [api, a] of Object.entries(summary.byApi)) {
      log(`${api.padEnd(10)} ${String(a.requests).padStart(6)} requests · ${Object.entries(a.statuses).sort().map(([s, n]) => `${s}×${n}`).join(' ')}${a.httpLevel ? ` (${a.httpLevel} HTTP-level)` : ''}`);
    }
    if (summary.skipped.length) log(`not fuzzed: ${summary.skipped.join('; ')}`);
    log(`${summary.requests.toLocaleString('en')} requests in ${(summary.durationMs / 1000).toFixed(1)} s (${Math.round(summary.requests / (summary.durationMs / 1000))} req/s), ${summary.properties} properties, seed ${seed}${summary.guarded ? `, ${summary.guarded} case(s) held back by the identity guard` : ''}: ${summary.failures.length ? `${summary.failures.length} FAILING` : 'every answer as documented'} → ${path.join(reportDir(), 'fuzz', 'summary.json')}`);
    if (summary.failures.length) process.exitCode = 1;
  }
} catch (e) {
  if (e instanceof ConfigurationError || e instanceof ClassifiedError) {
    process.stderr.write(`[fuzz] ${e.message}\n`);
    process.exitCode = 2;
  } else throw e;
} finally {
  await environment.close();
}
