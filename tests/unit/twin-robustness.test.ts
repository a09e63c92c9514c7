// Bad input never crashes the twin: malformed tokens, garbage proofs, wrong content types,
// oversized bodies and junk paths get the API's own error format and a 4xx status.
import { expect, test } from '../../fixtures/base.ts';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { send } from '../../helpers/http/client.ts';
import { startTwin, type RunningTwin } from '../../sandbox/twin.ts';
import { unitTwinPort } from './support/ports.ts';

let twin: RunningTwin;
let stateDir: string;

// One twin for the file, its tests in one worker. Its ports belong to the worker's slot, so that
// two workers (or two repeats, --repeat-each) never start twins on the same ports.
test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({}, info) => {
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nhn-unit-twin-'));
  twin = await startTwin({ basePort: unitTwinPort(info.parallelIndex, 0), faults: [], env: { ...process.env, SANDBOX_STATE_DIR: stateDir } });
});

test.afterAll(async () => {
  await twin.close();
  fs.rmSync(stateDir, { recursive: true, force: true });
});

const FHIR = ['pit', 'phr', 'parek'] as const;
const TARGETS: Record<(typeof FHIR)[number] | 'pts' | 'person', { method: string; path: string }> = {
  pit: { method: 'POST', path: '/v1/Patient' },
  phr: { method: 'POST', path: '/R4/fhir/DocumentReference/_search' },
  parek: { method: 'POST', path: '/v1/ServiceRequest' },
  pts: { method: 'POST', path: '/v0.5/access-restrictions/patient-safety/_search' },
  person: { method: 'POST', path: '/api/v3/full-access/person/get-by-nin' },
};

function junk(seed: number): string {
  const choices = ['', 'DPoP', 'Bearer', 'DPoP eyJ', 'DPoP a.b.c', `DPoP ${randomBytes(40).toString('base64url')}`, 'Basic Zm9vOmJhcg==', 'DPoP eyJhbGciOiJub25lIn0.eyJ9.', `DPoP ${'x'.repeat(5000)}`];
  return choices[seed % choices.length]!;
}

test('malformed credentials get 4xx in the API error format, never 5xx', async () => {
  for (const [service, target] of Object.entries(TARGETS)) {
    for (let i = 0; i < 24; i++) {
      const headers: Record<string, string> = { 'content-type': i % 3 === 0 ? 'text/plain' : 'application/json' };
      const authorization = junk(i);
      if (authorization) headers.authorization = authorization;
      if (i % 2) headers.dpop = i % 4 === 1 ? randomBytes(30).toString('base64') : 'eyJ0eXAiOiJkcG9wK2p3dCJ9.e30.AAAA';
      const response = await send({ method: target.method, url: `${twin.urls[service as keyof typeof TARGETS]}${target.path}`, headers, body: '{"resourceType":"Patient"', timeoutMs: 5_000 });
      const where = `${service} case ${i} (${authorization.slice(0, 20)})`;
      expect(response.status, where).toBeGreaterThanOrEqual(400);
      expect(response.status, where).toBeLessThan(500);
      expect(response.text(), where).not.toMatch(/at .+\.(ts|js):\d+/); // no stack trace
      if ((FHIR as readonly string[]).includes(service)) {
        expect(JSON.parse(response.text()).resourceType, where).toBe('OperationOutcome');
      } else if (response.status !== 401 && response.status !== 403) {
        expect(response.contentType(), where).toContain('application/problem+json');
      }
    }
  }
});

test('unknown paths, wrong methods and invalid targets get the API error format', async () => {
  const cases: Array<[string, string, number]> = [
    ['GET', '/no/such/path', 404],
    ['DELETE', '/v1/Patient', 405],
    ['GET', '/v1/Patient/%E0%A4%A', 404],
  ];
  for (const [method, p, status] of cases) {
    const response = await send({ method, url: `${twin.urls.pit}${p}` });
    expect(response.status, `${method} ${p}`).toBe(status);
    expect(JSON.parse(response.text()).resourceType).toBe('OperationOutcome');
  }
  const badEscape = await send({ method: 'GET', url: `${twin.urls.parek}/v1/ServiceRequest/%E0%A4%A` });
  expect(badEscape.status).toBe(400);
  expect(JSON.parse(badEscape.text()).resourceType).toBe('OperationOutcome');
  const allowed = await send({ method: 'DELETE', url: `${twin.urls.pit}/v1/Patient` });
  expect(allowed.header('allow')).toBe('GET, POST');
});

test('the test-token service answers bad input in its own error shape', async () => {
  const url = `${twin.urls.ttt}/v2/create-test-token-with-key`;
  for (const body of ['', 'not json', '[]', '{"audience": 5}']) {
    const response = await send({ method: 'POST', url, headers: { 'content-type': 'application/json', 'x-auth-key': 'wrong' }, body });
    expect(response.status).toBe(401);
    expect(JSON.parse(response.text()).isError).toBe(true);
  }
});
