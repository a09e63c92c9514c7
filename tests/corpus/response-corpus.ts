// Responses for the OpenAPI validator: conforming ones, and one-thing-wrong variants with the
// rule each must trigger.
import { DOCREF, PATIENT, searchset } from './fhir-corpus.ts';

export interface ResponseCase {
  name: string;
  api: string;
  operationId: string;
  status: number;
  headers: Record<string, string>;
  body: unknown;
  expect: string[];
}

const FHIR = { 'content-type': 'application/fhir+json; charset=utf-8' };
const PROBLEM = { 'content-type': 'application/problem+json' };
const OO = { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'login', diagnostics: 'no token' }] };
const CHALLENGE = { 'www-authenticate': 'DPoP algs="ES256"' };

export const RESPONSE_CORPUS: ResponseCase[] = [
  { name: 'PIT searchset of Patients', api: 'pit', operationId: 'searchPatients', status: 200, headers: FHIR, body: searchset([PATIENT], 'Patient'), expect: [] },
  { name: 'PIT 401 with challenge and OperationOutcome', api: 'pit', operationId: 'searchPatients', status: 401, headers: { ...FHIR, ...CHALLENGE }, body: OO, expect: [] },
  { name: 'PIT 202 without body', api: 'pit', operationId: 'submitPatient', status: 202, headers: {}, body: '', expect: [] },
  { name: 'PHR ITI-67 searchset', api: 'phr', operationId: 'findDocumentReferences', status: 200, headers: { ...FHIR, 'nhn-securitylabel-nors-count': '0' }, body: searchset([DOCREF]), expect: [] },
  { name: 'Person 401 without body', api: 'person-v3', operationId: 'getLatestEventFullAccess', status: 401, headers: CHALLENGE, body: '', expect: [] },
  { name: 'Person 400 ProblemDetails', api: 'person-v2', operationId: 'postPersonByNinLegalBasis', status: 400, headers: { 'content-type': 'application/json; charset=utf-8' }, body: { title: 'Bad Request', status: 400, detail: 'nin is required' }, expect: [] },
  { name: 'PTS search result', api: 'pts', operationId: 'searchRestrictions', status: 200, headers: { 'content-type': 'application/json' }, body: [{ patientSafetyObject: { person: { offId: '01817012345' }, confidentialObjectId: { type: 'Rekvisisjon', value: '3f2b8a9e-1c4d-4e5f-9a6b-7c8d9e0f1a2b' } }, confidentialityCode: 'NORU', cause: 'Manual', delayDays: 14, delayDeliveryUntil: null, createdTime: '2026-11-21T10:00:00Z' }], expect: [] },
  { name: 'an undocumented status', api: 'pit', operationId: 'searchPatients', status: 500, headers: FHIR, body: OO, expect: ['openapi:status'] },
  { name: 'a 401 without WWW-Authenticate', api: 'pit', operationId: 'searchPatients', status: 401, headers: FHIR, body: OO, expect: ['openapi:header'] },
  { name: 'an HTML error page', api: 'phr', operationId: 'pingAuth', status: 401, headers: { 'content-type': 'text/html', ...CHALLENGE }, body: '<html>401</html>', expect: ['openapi:content-type'] },
  { name: 'a searchset sent as application/json', api: 'pit', operationId: 'searchPatients', status: 200, headers: { 'content-type': 'application/json' }, body: searchset([PATIENT], 'Patient'), expect: ['openapi:content-type'] },
  { name: 'a truncated JSON body', api: 'pit', operationId: 'searchPatients', status: 200, headers: FHIR, body: '{"resourceType":"Bundle","ty', expect: ['openapi:body-json'] },
  { name: 'a collection instead of a searchset', api: 'pit', operationId: 'searchPatients', status: 200, headers: FHIR, body: { ...searchset([PATIENT], 'Patient'), type: 'collection' }, expect: ['openapi:schema:enum'] },
  { name: 'a searchset with an invalid Patient', api: 'pit', operationId: 'searchPatients', status: 200, headers: FHIR, body: searchset([{ ...PATIENT, deceasedBoolean: true, deceasedDateTime: '2020-01-01' }], 'Patient'), expect: ['structure:choice'] },
  { name: 'an ITI-67 response without total', api: 'phr', operationId: 'findDocumentReferences', status: 200, headers: FHIR, body: { ...searchset([DOCREF]), total: undefined }, expect: ['ITI67-002'] },
  { name: 'an ITI-67 entry breaking the MHD DocumentReference', api: 'phr', operationId: 'findDocumentReferences', status: 200, headers: FHIR, body: searchset([{ ...DOCREF, docStatus: 'final' }]), expect: ['MHD-DR-002'] },
  { name: 'a Person 400 as problem+json, not the documented application/json', api: 'person-v2', operationId: 'postPersonByNinLegalBasis', status: 400, headers: PROBLEM, body: { title: 'x', status: 400 }, expect: ['openapi:content-type'] },
  { name: 'a Person event with a numeric sequence number', api: 'person-v3', operationId: 'getLatestEventFullAccess', status: 200, headers: { 'content-type': 'application/json' }, body: { sequenceNumber: 1, eventType: 'PersonIsCreated' }, expect: ['openapi:schema:type'] },
  { name: 'a Person with a field NHN does not have', api: 'person-v2', operationId: 'getPersonByIdLegalBasis', status: 200, headers: { 'content-type': 'application/json' }, body: { id: 'a', sequenceNumber: 1, nickname: 'x' }, expect: ['openapi:schema:additionalProperties'] },
  { name: 'a Person name with isValid null (nullable, as NHN documents it)', api: 'person-v2', operationId: 'getPersonByIdLegalBasis', status: 200, headers: { 'content-type': 'application/json' }, body: { id: 'a', sequenceNumber: 1, name: [{ isValid: null, givenName: 'Vakker', originalName: null }], death: null }, expect: [] },
  { name: 'a PTS restriction with an unknown code', api: 'pts', operationId: 'searchRestrictions', status: 200, headers: { 'content-type': 'application/json' }, body: [{ confidentialityCode: 'SECRET' }], expect: ['openapi:schema:enum'] },
];
