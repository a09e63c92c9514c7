// Our OpenAPI documents lint clean, name only catalogued requirements and known profiles, and
// every house rule fires on a document that breaks it.
import { expect, test } from '../../fixtures/base.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { loadCatalogue } from '../../helpers/requirements/catalogue.ts';
import { profiles } from '../../helpers/validation/fhir/profile-layer.ts';
import { API_DOCUMENTS, loadApiDocument, nullableToJsonSchema, openApiDir, resolvedDocument, resolveRefs } from '../../helpers/validation/openapi/document.ts';
import { validateRequest, validateResponse } from '../../helpers/validation/openapi/validator.ts';
import { formatResult } from '../../helpers/validation/issues.ts';
import { RESPONSE_CORPUS } from '../corpus/response-corpus.ts';

// Spectral is loaded by the tests that lint, not when Playwright lists the tests (a quarter second).
const lintOpenApi: typeof import('../../helpers/validation/openapi/lint.ts').lintOpenApi = async (...args) => (await import('../../helpers/validation/openapi/lint.ts')).lintOpenApi(...args);

test('every document lints with zero errors', async () => {
  for (const api of API_DOCUMENTS) {
    const file = `${openApiDir()}/${api}.openapi.yaml`;
    const errors = (await lintOpenApi(fs.readFileSync(file, 'utf8'), file)).filter((f) => f.severity === 'error');
    expect(errors, api).toEqual([]);
  }
});

test('every x-requirements ID is catalogued and every x-fhir-profile exists', () => {
  const catalogue = loadCatalogue();
  const known = profiles();
  for (const api of API_DOCUMENTS) {
    const doc = loadApiDocument(api);
    for (const op of doc.operations) for (const id of op.requirements) expect(catalogue.has(id), `${api} ${op.operationId} names ${id}`).toBe(true);
    const text = JSON.stringify(doc.doc);
    for (const m of text.matchAll(/"x-fhir-profile":"([^"]+)"/g)) expect(known.has(m[1]!), `${api} names profile ${m[1]}`).toBe(true);
  }
});

const BAD = `
openapi: 3.0.3
info: { title: Bad, version: '1', description: x, contact: { name: x, url: 'https://example.org' } }
servers: [{ url: 'https://api.example.org' }]
tags: [{ name: t, description: t }]
paths:
  /patients/{nin}:
    get:
      operationId: byNin
      tags: [t]
      description: x
      parameters:
        - { name: nin, in: path, required: true, schema: { type: string } }
        - { name: _count, in: query, schema: { type: integer } }
      responses:
        '200': { description: ok, content: { application/json: { schema: { type: object } } } }
        '401': { description: no }
        '400': { description: bad, content: { text/plain: { schema: { type: string } } } }
`;

test('each house rule fires on a document that breaks it', async () => {
  const rules = new Set((await lintOpenApi(BAD, 'bad.yaml')).filter((f) => f.severity === 'error').map((f) => f.rule));
  for (const rule of ['nhn-operation-security', 'nhn-401-www-authenticate', 'nhn-error-format', 'nhn-requirements', 'nhn-no-nin-in-url', 'nhn-paging-bounds']) {
    expect(rules, rule).toContain(rule);
  }
});

test('request validation names the right status: 404 path, 405 method, 415 type, 400 invalid', () => {
  const pit = loadApiDocument('pit');
  expect(validateRequest(pit, { method: 'GET', url: '/v1/Nope', headers: {} }).status).toBe(404);
  expect(validateRequest(pit, { method: 'DELETE', url: '/v1/Patient', headers: {} }).status).toBe(405);
  expect(validateRequest(pit, { method: 'POST', url: '/v1/Patient', headers: { 'content-type': 'text/plain' }, body: Buffer.from('x') }).status).toBe(415);
  const bad = validateRequest(pit, { method: 'GET', url: '/v1/Patient?_count=0&_lastUpdated=2024-01-01T12:00Z', headers: {} });
  expect(bad.status).toBe(400);
  expect(bad.issues.map((i) => i.location).sort()).toEqual(['query._count', 'query._lastUpdated/0']);
  expect(validateRequest(pit, { method: 'GET', url: '/v1/Patient?_count=50&_sort=-_lastUpdated', headers: {} }).valid).toBe(true);
});

test('response validation checks status, content type, headers and the FHIR body', () => {
  const ok = validateResponse('pit', 'searchPatients', { status: 200, headers: { 'content-type': 'application/fhir+json' }, body: Buffer.from('{"resourceType":"Bundle","type":"searchset","total":0}') });
  expect(ok.valid).toBe(true);
  const rules = (r: ReturnType<typeof validateResponse>) => r.issues.map((i) => i.rule);
  expect(rules(validateResponse('pit', 'searchPatients', { status: 418, headers: {}, body: Buffer.alloc(0) }))).toEqual(['openapi:status']);
  expect(rules(validateResponse('pit', 'searchPatients', { status: 401, headers: { 'content-type': 'application/fhir+json' }, body: Buffer.from('{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"login"}]}') }))).toEqual(['openapi:header']);
  expect(rules(validateResponse('pit', 'searchPatients', { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from('{}') }))).toEqual(['openapi:content-type']);
  expect(rules(validateResponse('phr', 'findDocumentReferences', { status: 200, headers: { 'content-type': 'application/fhir+json' }, body: Buffer.from('{"resourceType":"Bundle","type":"searchset"}') }))).toContain('ITI67-002');
  expect(rules(validateResponse('pit', 'searchPatients', { status: 200, headers: { 'content-type': 'application/fhir+json' }, body: Buffer.from('{"resourceType":"Bundle","type":"sea') }))).toEqual(['openapi:body-json']);
});

for (const c of RESPONSE_CORPUS) {
  test(`response corpus: ${c.name}`, () => {
    const body = Buffer.from(typeof c.body === 'string' ? c.body : JSON.stringify(c.body));
    const r = validateResponse(c.api, c.operationId, { status: c.status, headers: c.headers, body });
    const errors = r.issues.filter((i) => i.severity === 'error').map((i) => i.rule);
    if (!c.expect.length) expect(errors, formatResult(r)).toEqual([]);
    for (const rule of c.expect) expect(errors, formatResult(r)).toContain(rule);
  });
}

test('a resolved document comes from the cache as the YAML resolves it, and a changed document is resolved again', () => {
  const dir = openApiDir();
  for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.openapi.yaml'))) {
    const file = path.join(dir, name);
    resolvedDocument(file); // cached now, if it was not
    expect(resolvedDocument(file), name).toEqual(nullableToJsonSchema(resolveRefs(parse(fs.readFileSync(file, 'utf8')), file)));
  }
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'nhn-openapi-'));
  try {
    for (const name of fs.readdirSync(dir)) fs.copyFileSync(path.join(dir, name), path.join(copy, name));
    const pit = path.join(copy, 'pit.openapi.yaml');
    fs.writeFileSync(pit, fs.readFileSync(pit, 'utf8').replace(/^  title: .*$/m, '  title: Changed for the cache test'));
    expect((resolvedDocument(pit).info as { title: string }).title).toBe('Changed for the cache test');
  } finally {
    fs.rmSync(copy, { recursive: true, force: true });
  }
});
