// The fuzzer respects the URL: a mistaken path value stays one segment (never ., .., empty, or an
// unencoded /, ? or #), dot segments and encoded slashes come only from the path-structure kind,
// whose oracle takes a 404 for a path that names no route, and a normalised path served.
import { expect, test } from '../../fixtures/base.ts';
import fc from 'fast-check';
import { casesOf, normalisedPaths, oneSegment, removeDotSegments } from '../../helpers/fuzz/cases.ts';
import { judgeAnswer } from '../../helpers/fuzz/oracle.ts';
import { loadApiDocument } from '../../helpers/validation/openapi/document.ts';
import type { WireResponse } from '../../helpers/fuzz/wire.ts';

const documents = ['parek', 'pit', 'phr', 'pts', 'person-v2', 'person-v3'];
// Read when a test runs, not when Playwright lists the tests (parsing six documents takes a quarter second).
let read: Array<{ document: string; op: ReturnType<typeof loadApiDocument>['operations'][number] }> | undefined;
const allOperations = () => (read ??= documents.flatMap((d) => loadApiDocument(d).operations.map((op) => ({ document: d, op }))));

test('no generated case but path-structure puts a dot segment, an empty segment or a raw /, ? or # in the path', () => {
  // One expect at the end: Playwright's expect records a step per call, and 40,000 of them take minutes.
  let withPathParameter = 0;
  const violations: string[] = [];
  for (const { document, op } of allOperations()) {
    for (const kind of ['wrong-type', 'out-of-range', 'over-long', 'bad-enum', 'bad-date', 'duplicate-parameter'] as const) {
      const arb = casesOf(kind, { op, document, authenticated: op.security.length > 0, maxBodyBytes: 1024 * 1024 });
      if (!arb) continue;
      if (op.parameters.some((p) => p.in === 'path')) withPathParameter += 1;
      for (const c of fc.sample(arb, { numRuns: 60, seed: 7 })) {
        const segments = c.path.split('/').slice(1);
        for (const s of segments) if (!oneSegment(s) || /[?#]/.test(s)) violations.push(`${document} ${op.operationId} ${kind}: segment ${JSON.stringify(s)} of ${c.path}`);
      }
    }
  }
  expect(violations).toEqual([]);
  expect(withPathParameter, 'operations with path parameters were sampled').toBeGreaterThan(5);
  expect([oneSegment('.'), oneSegment('..'), oneSegment(''), oneSegment('v1')]).toEqual([false, false, false, true]);
});

test('RFC 3986 dot-segment removal', () => {
  expect(removeDotSegments('/v1/./metadata')).toBe('/v1/metadata');
  expect(removeDotSegments('/v1/zz/../metadata')).toBe('/v1/metadata');
  expect(removeDotSegments('/./metadata')).toBe('/metadata');
  expect(removeDotSegments('/a/b/..')).toBe('/a/');
  // Percent-encoded unreserved characters are decoded first (RFC 3986 §6.2.2.2): %2E is a dot.
  expect(removeDotSegments('/%2E/metadata')).toBe('/metadata');
  expect(removeDotSegments('/v1/%2e%2E/metadata')).toBe('/metadata');
  // An encoded slash is data; repeated slashes are merged only as a gateway may (normalisedPaths).
  expect(removeDotSegments('/v1%2Fmetadata')).toBe('/v1%2Fmetadata');
  expect(normalisedPaths('/v1//metadata')).toContain('/v1/metadata');
  expect(normalisedPaths('/v1%2Fmetadata')).not.toContain('/v1/metadata');
});

test('path-structure cases: reads only, and the oracle takes a 404 in the API format, a redirect, or a served normalised path', () => {
  const metadata = allOperations().find((o) => o.document === 'parek' && o.op.operationId === 'capabilities')!;
  const samples = fc.sample(casesOf('path-structure', { op: metadata.op, document: 'parek', authenticated: false, maxBodyBytes: 1 })!, { numRuns: 40, seed: 3 });
  expect(new Set(samples.map((c) => c.normalisesToOperation))).toEqual(new Set([true, false]));
  const post = allOperations().find((o) => o.op.method === 'POST')!;
  expect(casesOf('path-structure', { op: post.op, document: post.document, authenticated: true, maxBodyBytes: 1 })).toBeUndefined();
  const answer = (status: number, body: object, location?: string): WireResponse => ({ status, headers: { 'content-type': ['application/fhir+json'] }, body: Buffer.from(JSON.stringify(body)), header: (n: string) => (n === 'content-type' ? 'application/fhir+json' : n === 'location' ? location : undefined) }) as unknown as WireResponse;
  const oo = { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found' }] };
  const judge = (status: number, body: object, normalises: boolean) => judgeAnswer(metadata.op, answer(status, body), { sentSecrets: [], stateChanged: false, pathStructure: { normalisesToOperation: normalises } });
  expect(judge(404, oo, false).ok).toBe(true);
  expect(judge(404, { error: 'nope' }, false).problems.join(), 'a 404 outside the API format').toMatch(/documented error format/);
  expect(judge(200, { resourceType: 'CapabilityStatement' }, true).ok, 'a normalised path served').toBe(true);
  expect(judge(200, { resourceType: 'CapabilityStatement' }, false).ok, 'an encoded slash served').toBe(false);
  expect(judge(500, oo, false).ok).toBe(false);
  // A redirect to the canonical path is HTTP's own answer to a non-canonical one; without a Location it is not.
  const redirect = (status: number, location?: string) => judgeAnswer(metadata.op, answer(status, {}, location), { sentSecrets: [], stateChanged: false, pathStructure: { normalisesToOperation: false } });
  expect(redirect(308, '/R5/metadata').ok, 'a 308 to the canonical path').toBe(true);
  expect(redirect(301).ok, 'a 301 without a Location').toBe(false);
  expect(judgeAnswer(metadata.op, answer(308, {}, '/R5/metadata'), { sentSecrets: [], stateChanged: false }).ok, 'a redirect for a case that is not path-structure').toBe(false);
});
