// The custom matchers pass on conforming input and fail with every issue's location and rule id.
import { test } from '../../fixtures/base.ts';
import { expect } from '../../fixtures/index.ts';
import { DOCREF, PATIENT } from '../corpus/fhir-corpus.ts';

const response = (status: number, contentType: string | undefined, body: unknown, headers: Record<string, string> = {}) => ({
  status,
  headers: { ...(contentType ? { 'content-type': contentType } : {}), ...headers },
  body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
});

function failure(fn: () => void): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('the matcher passed');
}

test('toMatchFhirResource and toMatchFhirProfile', () => {
  expect(PATIENT).toMatchFhirResource('Patient');
  expect(DOCREF).toMatchFhirProfile('mhd-comprehensive-docref');
  const msg = failure(() => expect({ ...DOCREF, status: undefined, docStatus: 'final' }).toMatchFhirProfile('mhd-minimal-docref'));
  expect(msg).toContain('DocumentReference.status');
  expect(msg).toContain('[structure:min]');
  expect(msg).toContain('[MHD-DR-002]');
  expect(failure(() => expect(PATIENT).toMatchFhirResource('Bundle'))).toContain('expected a Bundle');
});

test('toBeOperationOutcome checks type, shape, code and severity', () => {
  const oo = { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'login', diagnostics: 'no token' }] };
  expect(response(401, 'application/fhir+json', oo)).toBeOperationOutcome({ code: 'login', severity: 'error' });
  expect(failure(() => expect(response(401, 'application/fhir+json', oo)).toBeOperationOutcome({ code: 'forbidden' }))).toContain('no issue has code "forbidden"');
  expect(failure(() => expect(response(401, 'text/html', '<html>')).toBeOperationOutcome())).toContain('text/html');
  expect(failure(() => expect({ resourceType: 'OperationOutcome', issue: [{ severity: 'error' }] }).toBeOperationOutcome())).toContain('[structure:min]');
});

test('toBeProblemDetails checks type, fields and the status echo', () => {
  expect(response(400, 'application/problem+json', { title: 'Bad Request', status: 400, detail: 'x' })).toBeProblemDetails();
  expect(failure(() => expect(response(400, 'application/problem+json', { title: 'Bad', status: 404 })).toBeProblemDetails())).toContain('differs from the HTTP status 400');
  expect(failure(() => expect(response(400, 'application/json', { title: 'Bad' })).toBeProblemDetails())).toContain('application/problem+json');
});

test('toConformToOpenApi lists the OpenAPI and FHIR issues of a response', () => {
  expect(response(200, 'application/fhir+json', { resourceType: 'Bundle', type: 'searchset', total: 0 })).toConformToOpenApi('pit', 'searchPatients');
  const msg = failure(() => expect(response(401, 'application/fhir+json', { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'login' }] })).toConformToOpenApi('pit', 'searchPatients'));
  expect(msg).toContain('header.WWW-Authenticate');
  expect(msg).toContain('[openapi:header]');
});
