// The drift sentinel as `npm run drift` runs it, against the twin: the first run records the
// baseline, an unchanged twin gives no drift, and a twin whose HelseID starts a key rotation and
// whose Person API publishes a changed OpenAPI document gives both findings with readable diffs.
// With --openapi it also lists every difference between NHN's document and ours.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { expect, test } from '@playwright/test';
import { resolveRefs } from '../../helpers/validation/openapi/document.ts';
import { opsPort, run } from './support/run.ts';
import { HISTORY_BACKENDS } from '../support/histories.ts';
import { History, historyPassword } from '../../helpers/monitor/history.ts';

for (const backend of HISTORY_BACKENDS) test(`a rotated key and a changed published document are reported with their diffs (${backend.name} history)`, async ({}, info) => {
  test.skip(Boolean(backend.skip), backend.skip);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nhn-drift-'));
  const history = backend.location(dir, 'drift');
  const password = historyPassword(history);
  const drift = async (faults = '', ...args: string[]) => {
    const r = await run('npm', ['run', '-s', 'drift', '--', '--profile', 'local', '--history', history, ...args], { SANDBOX_PORT: String(opsPort(info.parallelIndex, 1)), SANDBOX_FAULTS: faults, NHN_REPORT_DIR: dir });
    if (password) expect(r.out, 'the history URL\'s password is a secret').not.toContain(password);
    return r;
  };
  const baseline = await drift();
  expect(baseline.code, baseline.out).toBe(0);
  expect(baseline.out).toContain('baseline recorded');
  expect(baseline.out).toMatch(/publication\(s\) fingerprinted: HelseID discovery, HelseID JWKS, .*PHR published OpenAPI, Person API published OpenAPI/);
  // A restarted twin keeps its signing key: a restart is no rotation.
  const same = await drift();
  expect(same.code, same.out).toBe(0);
  expect(same.out).toContain('no drift: everything published is as last seen');

  const changed = await drift('jwks-key-rotated,person-openapi-changed');
  expect(changed.code, changed.out).toBe(1);
  expect(changed.out).toMatch(/CHANGED HelseID JWKS changed: 1 difference .*\n +key added: \S+-next \(RSA, RS256, sig\)/);
  expect(changed.out).toContain('CHANGED Person API published OpenAPI changed: 2 differences');
  expect(changed.out).toContain('GET /api/v3/full-access/event/latest: operation removed');
  expect(changed.out).toContain('POST /api/v3/full-access/search/person: parameter header x-nhn-tenant added');
  // Only what was planted: nothing else is reported.
  expect(changed.out.match(/^(CHANGED|APPEARED|VANISHED|UNREACHABLE|EXPIRING) /gm)).toHaveLength(2);
  await History.discard(history);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('--openapi lists every difference between NHN\'s document and ours', async ({}, info) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nhn-drift-openapi-'));
  // "NHN's" document: ours, self-contained, with one operation gone and one status added.
  const ours = path.resolve('schemas/openapi/pit.openapi.yaml');
  const theirs = resolveRefs(parse(fs.readFileSync(ours, 'utf8')) as Record<string, unknown>, ours) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
  const methodsOf = (p: string) => Object.keys(theirs.paths[p]!).filter((m) => ['get', 'post', 'put', 'delete', 'patch'].includes(m));
  const first = Object.keys(theirs.paths).find((p) => methodsOf(p).length >= 2)!;
  const second = first;
  const [removed, method] = methodsOf(first) as [string, string];
  delete theirs.paths[first]![removed];
  theirs.paths[second]![method]!.responses['418'] = { description: 'a teapot' };
  const file = path.join(dir, 'nhn-pit.json');
  fs.writeFileSync(file, JSON.stringify(theirs));
  const r = await run('npm', ['run', '-s', 'drift', '--', '--profile', 'local', '--history', path.join(dir, 'h.sqlite'), '--openapi', `pit=${file}`], { SANDBOX_PORT: String(opsPort(info.parallelIndex, 2)), NHN_REPORT_DIR: dir });
  expect(r.code, r.out).toBe(1);
  expect(r.out).toMatch(/NHN's pit \(.*nhn-pit\.json\) against ours: \d+ difference\(s\), 2 our document does not acknowledge/);
  expect(r.out).toContain(`${removed.toUpperCase()} ${first}: operation only in ours`);
  expect(r.out).toContain(`${method.toUpperCase()} ${second}: status 418 only in NHN's`);
  fs.rmSync(dir, { recursive: true, force: true });
});
