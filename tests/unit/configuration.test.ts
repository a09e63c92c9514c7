// Configuration errors are clear: every variable is validated when it is loaded and a bad one is
// named; .env.example documents every variable the code reads; no spec reads process.env.
import { expect, test } from '../../fixtures/base.ts';
import { EVIDENCE_SETTINGS } from '../../helpers/evidence/bundle.ts';
import { MONITOR_SETTINGS } from '../../helpers/monitor/settings.ts';
import { publishedDocumentSetting } from '../../helpers/monitor/drift.ts';
import fs from 'node:fs';
import path from 'node:path';
import { resolveProfile } from '../../helpers/config/profiles.ts';
import { TWIN_SETTINGS, twinPublicUrlSetting, TWIN_SERVICES } from '../../helpers/config/twin-layout.ts';
import { PACK_SETTINGS, SERVICES } from '../../helpers/packs/index.ts';
import { SUITE_SETTINGS } from '../../helpers/config/profiles.ts';
import { RS_SETTINGS } from '../../sandbox/twin.ts';
import { PIT_TWIN_SETTINGS } from '../../sandbox/apis/pit/index.ts';
import { PERSON_TWIN_SETTINGS } from '../../sandbox/apis/person/index.ts';
import { RUNS_SETTINGS } from '../../helpers/evidence/runs-settings.ts';
import { EVENT_SETTINGS } from '../../sandbox/apis/parek/events.ts';
import { FAULT_SETTING } from '../../sandbox/core/faults.ts';

/** Variables only the suite's own processes set for each other. */
// Set by the suite's own runners for their child processes, not by users.
const INTERNAL = new Set(['NHN_RUN_DIR', 'MUTATION_PLAN', 'MUTATION_OUTPUT', 'MUTATION_RUN', 'MUTATION_RESOLVED', 'MUTATION_MODE', 'NHN_RUN_ID', 'NHN_REPORT_ROOT', 'CI', 'TEST_WORKER_INDEX']);

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

test('a bad value stops the profile with the variable named', () => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ NHN_PIT_LOAD_COUNT: 'many' }, /NHN_PIT_LOAD_COUNT must be an integer/],
    [{ NHN_PIT_LOAD_CONCURRENCY: '0' }, /NHN_PIT_LOAD_CONCURRENCY must be between 1 and 256, got 0/],
    [{ NHN_DPOP_STALE_NONCE_WAIT_MS: '-5' }, /NHN_DPOP_STALE_NONCE_WAIT_MS/],
    [{ NHN_PAREK_API_VERSION: 'one' }, /NHN_PAREK_API_VERSION must match/],
    [{ NHN_PAREK_AMQP_URL: 'https://broker' }, /NHN_PAREK_AMQP_URL must be an absolute amqp or amqps URL/],
    [{ SANDBOX_PORT: '80' }, /SANDBOX_PORT must be between 1024 and 65000/],
    [{ NHN_PIT_URL: 'not a url' }, /NHN_PIT_URL must be an absolute URL/],
  ];
  for (const [env, message] of cases) expect(() => resolveProfile('local', env), JSON.stringify(env)).toThrow(message);
  expect(() => resolveProfile('test', { HELSEID_CLIENT_ID: 'c', HELSEID_CLIENT_JWK_FILE: '/no/such/file.jwk.json' })).toThrow(/HELSEID_CLIENT_JWK_FILE names \/no\/such\/file.jwk.json, which does not exist/);
  // The token-exchange actor: all of it or none, and a partial set names what is missing.
  expect(() => resolveProfile('test', { HELSEID_EXCHANGE_ACTOR_CLIENT_ID: 'my-api', HELSEID_EXCHANGE_ACTOR_AUDIENCE: 'vendor:api' })).toThrow(/missing: HELSEID_EXCHANGE_ACTOR_JWK or HELSEID_EXCHANGE_ACTOR_JWK_FILE, HELSEID_EXCHANGE_ACTOR_SCOPE/);
  expect(() => resolveProfile('test', { HELSEID_EXCHANGE_ACTOR_SCOPE: 'two words' })).toThrow(/HELSEID_EXCHANGE_ACTOR_SCOPE must match/);
  const jwk = JSON.stringify({ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'd' });
  const actor = resolveProfile('test', { HELSEID_EXCHANGE_ACTOR_CLIENT_ID: 'my-api', HELSEID_EXCHANGE_ACTOR_JWK: jwk, HELSEID_EXCHANGE_ACTOR_AUDIENCE: 'vendor:api', HELSEID_EXCHANGE_ACTOR_SCOPE: 'vendor:api/act' }).client('exchangeActor');
  expect(actor).toMatchObject({ clientId: 'my-api', api: { audience: 'vendor:api', scope: 'vendor:api/act' } });
  expect(resolveProfile('test', {}).client('exchangeActor'), 'without the variables there is no actor, and the specs skip').toBeUndefined();
  expect(() => RS_SETTINGS.nonceApis.read({ SANDBOX_RS_NONCE_APIS: 'pit,nope' })).toThrow(/SANDBOX_RS_NONCE_APIS names unknown value\(s\) nope; known: helseid, ttt, pit/);
  expect(() => PIT_TWIN_SETTINGS.delayMs.read({ SANDBOX_PIT_DELAY_MS: '150-20' })).toThrow(/SANDBOX_PIT_DELAY_MS/);
});

test('.env.example documents every variable the code reads', () => {
  const example = fs.readFileSync('.env.example', 'utf8');
  const declared = [
    ...PACK_SETTINGS, ...Object.values(SUITE_SETTINGS), ...Object.values(TWIN_SETTINGS), ...Object.values(RS_SETTINGS), ...Object.values(PIT_TWIN_SETTINGS), ...Object.values(PERSON_TWIN_SETTINGS), ...Object.values(RUNS_SETTINGS), ...Object.values(EVENT_SETTINGS), FAULT_SETTING,
    ...TWIN_SERVICES.map(twinPublicUrlSetting), ...Object.values(EVIDENCE_SETTINGS), ...Object.values(MONITOR_SETTINGS),
    ...Object.keys(SERVICES).map(publishedDocumentSetting),
  ].map((s) => s.env);
  const urls = Object.values(SERVICES).map((s) => s.env);
  const read = ['helpers', 'fixtures', 'specs', 'sandbox', 'tests'].flatMap(sourceFiles).flatMap((f) => [...fs.readFileSync(f, 'utf8').matchAll(/process\.env\.([A-Z][A-Z0-9_]+)/g)].map((m) => m[1]!));
  for (const name of new Set([...declared, ...urls, ...read])) {
    if (INTERNAL.has(name)) continue;
    expect(example.includes(name), `${name} is read but not in .env.example`).toBe(true);
  }
});

test('no spec reads process.env: every variable goes through the profile', () => {
  for (const file of sourceFiles('specs')) expect(fs.readFileSync(file, 'utf8'), file).not.toMatch(/process\.env/);
});

test('a multi-tenant client is all its variables or none, and its organisation has the documented form', () => {
  expect(() => resolveProfile('test', { HELSEID_MULTI_TENANT_CLIENT_ID: 'mt' })).toThrow(/missing: HELSEID_MULTI_TENANT_JWK or HELSEID_MULTI_TENANT_JWK_FILE, HELSEID_MULTI_TENANT_ORGANISATION, HELSEID_MULTI_TENANT_SCOPES/);
  expect(() => resolveProfile('test', { HELSEID_MULTI_TENANT_ORGANISATION: 'NO:ORGNR:123456789' })).toThrow(/HELSEID_MULTI_TENANT_ORGANISATION must match/);
  const jwk = JSON.stringify({ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'd' });
  const mt = resolveProfile('test', { HELSEID_MULTI_TENANT_CLIENT_ID: 'mt', HELSEID_MULTI_TENANT_JWK: jwk, HELSEID_MULTI_TENANT_ORGANISATION: '123456789:', HELSEID_MULTI_TENANT_SCOPES: 'nhn:pit/api.read' }).client('multiTenant');
  expect(mt?.tenancy).toEqual({ organisation: { tenancy: 'multi', parent: '123456789' }, scopes: ['nhn:pit/api.read'] });
});
