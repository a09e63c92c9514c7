import { expect, test } from '../../fixtures/base.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CatalogueError, loadCatalogue, parsedCatalogueFile, requirementTags } from '../../helpers/requirements/catalogue.ts';
import { cacheDir } from '../../helpers/validation/start-cache.ts';
import { summariseTokens } from '../../helpers/evidence/summary-reporter.ts';
import type { LedgerEntry } from '../../helpers/evidence/token-ledger.ts';
import { classifyResult, isKill } from '../../helpers/evidence/outcome.ts';
import { ConfigurationError } from '../../helpers/config/settings.ts';
import { ContractError, GuardError, InconclusiveError, InfrastructureError } from '../../helpers/http/errors.ts';
import { resolveProfile, selectProfiles } from '../../helpers/config/profiles.ts';

const thrown = (e: Error) => ({ message: e.message, stack: e.stack });

test('one classifier: verdicts and failure kinds come from annotations, error classes and timeouts', () => {
  const r = (status: 'passed' | 'failed' | 'skipped' | 'timedOut', ...errors: Array<{ message?: string; stack?: string }>) => ({ status, errors });
  expect(classifyResult(r('passed'), []).verdict).toBe('passed');
  expect(classifyResult(r('passed'), [{ type: 'warned' }]).verdict).toBe('warned');
  expect(classifyResult(r('skipped'), []).verdict).toBe('skipped');
  expect(classifyResult(r('skipped'), [{ type: 'inconclusive' }]).verdict).toBe('inconclusive');
  expect(classifyResult(r('failed', thrown(new InconclusiveError('503'))), []).verdict).toBe('inconclusive');
  expect(classifyResult(r('failed', thrown(new InfrastructureError('timeout', 'x'))), [])).toMatchObject({ verdict: 'failed', kind: 'infrastructure' });
  expect(classifyResult(r('failed', thrown(new ContractError('x'))), [])).toMatchObject({ verdict: 'failed', kind: 'contract' });
  expect(classifyResult(r('failed', thrown(new GuardError('x'))), [])).toMatchObject({ verdict: 'failed', kind: 'suite' });
  expect(classifyResult(r('failed', thrown(new ConfigurationError('NHN_X must be an integer'))), [])).toMatchObject({ verdict: 'failed', kind: 'suite' });
  expect(classifyResult(r('failed', { message: 'Error: expect(received).toBe(expected)' }), [])).toMatchObject({ verdict: 'failed', kind: 'contract' });
  // A test that ran out of time never got its answer: infrastructure, never a kill.
  expect(classifyResult(r('timedOut', { message: 'Test timeout of 30000ms exceeded.' }), [])).toMatchObject({ verdict: 'failed', kind: 'infrastructure' });
  expect(isKill(classifyResult(r('timedOut'), []))).toBe(false);
  expect(isKill(classifyResult(r('failed', thrown(new InfrastructureError('connection-refused', 'x'))), []))).toBe(false);
  expect(isKill(classifyResult(r('failed', { message: 'expect(received).toBe(expected)' }), []))).toBe(true);
  expect(isKill(classifyResult(r('passed'), [{ type: 'warned' }]))).toBe(true);
});

test('token summary flags a tuple granted twice', () => {
  const tuple = { issuer: 'i', clientId: 'c', grant: 'client_credentials' as const, audience: 'nhn:pit', scopes: ['nhn:pit/api.read'], jkt: 'k' };
  const entry = (outcome: LedgerEntry['outcome'], jkt = 'k'): LedgerEntry => ({ at: '', tuple: { ...tuple, jkt }, outcome, httpCalls: 1, nonceChallenges: 0, cached: true });
  expect(summariseTokens([entry('granted'), entry('granted', 'k2')]).oneRequestPerTuple).toBe(true);
  const twice = summariseTokens([entry('granted'), entry('granted'), entry('refused')]);
  expect(twice.oneRequestPerTuple).toBe(false);
  expect(twice.duplicates).toHaveLength(1);
  expect(twice.refused).toBe(1);
});

test('the catalogue rejects malformed, duplicate and incomplete entries', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nhn-catalogue-'));
  fs.writeFileSync(
    path.join(dir, 'x.yaml'),
    'api: x\nrequirements:\n  - { id: X-A-001, level: MUST, text: t, source: s }\n  - { id: X-A-001, level: MUST, text: t, source: s }\n  - { id: bad id, level: OFTEN, text: "", source: s }\n',
  );
  expect(() => loadCatalogue(dir)).toThrow(CatalogueError);
  try {
    loadCatalogue(dir);
  } catch (e) {
    expect((e as Error).message).toContain('duplicate id');
    expect((e as Error).message).toContain('level must be');
    expect((e as Error).message).toContain('text is empty');
  }
  fs.rmSync(dir, { recursive: true, force: true });
  expect(loadCatalogue().size).toBeGreaterThan(20);
  expect(requirementTags(['@PIT-PAGE-003', '@availability', 'PIT-X-1'])).toEqual(['PIT-PAGE-003']);
});

test('profiles: --project picks the profile, env overrides URLs, a bad key is never echoed', () => {
  expect(selectProfiles(['node', 'pw', 'test', '--project=test'], {})).toEqual(['test']);
  expect(selectProfiles(['node', 'pw', 'test', '--project', 'unit'], {})).toEqual([]);
  expect(selectProfiles(['node', 'pw', 'test'], {})).toEqual(['local']);
  expect(() => selectProfiles([], { NHN_PROFILE: 'staging' })).toThrow(/unknown profile "staging"; known profiles: local, test/);
  expect(() => selectProfiles(['node', 'pw', 'test', '--project=loca'], {})).toThrow(/unknown project\(s\) "loca"; known profiles: local/);
  const test = resolveProfile('test', { NHN_PIT_URL: 'https://proxy.example/pit/' });
  expect(test.urls.pit).toBe('https://proxy.example/pit');
  expect(test.urlSources.pit).toBe('environment');
  expect(test.urls.phr).toBe('https://api.pjd.test.nhn.no');
  expect(test.client('default')).toBeUndefined();
  const secret = '{"kty":"EC","d":"SECRET-PART"';
  const broken = () => resolveProfile('test', { HELSEID_CLIENT_ID: 'c', HELSEID_CLIENT_JWK: secret });
  expect(broken).toThrow(/HELSEID_CLIENT_JWK is not valid JSON/);
  try {
    broken();
  } catch (e) {
    expect((e as Error).message).not.toContain('SECRET-PART');
  }
  const prod = resolveProfile('prod', {});
  expect(prod.allowsWrites).toBe(false);
  expect(prod.allowsPatientData).toBe(false);
  expect(prod.urls.pit).toBeUndefined();
});

test('every rule a requirement names is exercised by a spec both ways: refused when broken, accepted when kept', () => {
  const sources = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [fs.readFileSync(path.join(dir, e.name), 'utf8')] : []));
  const specs = sources('specs').join('\n');
  const missing: string[] = [];
  for (const r of loadCatalogue().values()) {
    for (const rule of Object.keys(r.rules ?? {})) {
      for (const polarity of ['refused', 'accepted']) {
        if (!specs.includes(`exercise('${r.id}', '${rule}', '${polarity}')`)) missing.push(`${r.id}/${rule} ${polarity}`);
      }
    }
  }
  expect(missing, 'rules no spec exercises').toEqual([]);
});

test('a parsed catalogue file is cached once per name: copies in other folders replace the entry, they do not add one', () => {
  const dirs = [0, 1, 2].map(() => fs.mkdtempSync(path.join(os.tmpdir(), 'nhn-catalogue-')));
  try {
    dirs.forEach((dir, i) => fs.writeFileSync(path.join(dir, 'cache-probe.yaml'), `api: probe\nrequirements: [{ id: PROBE-A-00${i + 1}, level: MUST, text: t, source: s }]\n`));
    const parsed = dirs.map((dir) => parsedCatalogueFile(path.join(dir, 'cache-probe.yaml')) as { requirements: Array<{ id: string }> });
    expect(parsed.map((p) => p.requirements[0]!.id)).toEqual(['PROBE-A-001', 'PROBE-A-002', 'PROBE-A-003']);
    // A longer name that starts with this one keeps its own entry.
    fs.writeFileSync(path.join(dirs[0]!, 'cache-probe-v2.yaml'), 'api: probe\nrequirements: []\n');
    parsedCatalogueFile(path.join(dirs[0]!, 'cache-probe-v2.yaml'));
    parsedCatalogueFile(path.join(dirs[1]!, 'cache-probe.yaml'));
    const entries = fs.readdirSync(cacheDir('requirements-parsed', ['yaml'], 1)).filter((f) => f.startsWith('cache-probe'));
    expect(entries.map((f) => f.replace(/-[0-9a-f]{16}\.json$/, '')).sort()).toEqual(['cache-probe', 'cache-probe-v2']);
  } finally {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
    const cache = cacheDir('requirements-parsed', ['yaml'], 1);
    for (const f of fs.readdirSync(cache).filter((n) => n.startsWith('cache-probe'))) fs.rmSync(path.join(cache, f), { force: true });
  }
});
