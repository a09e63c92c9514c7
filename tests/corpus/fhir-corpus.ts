// The FHIR validation corpus: valid resources and one-thing-wrong variants, each invalid case
// with the rule it must trigger and the layer that owns the rule. A case owned by a higher layer
// must pass every lower layer, which proves the layer catches what the others miss.
// All identifiers are synthetic.

export type CorpusLayer = 'parse' | 'schema' | 'structure' | 'invariant' | 'profile';

export interface CorpusCase {
  name: string;
  /** A resource, or raw text for parse cases. */
  input: unknown;
  profile?: string;
  /** Empty: the case is valid (no errors). */
  expect: string[];
  layer?: CorpusLayer;
  /** The expected rule is a warning, not an error. */
  warning?: boolean;
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const clone = <T>(v: T): T => structuredClone(v);
const narrative = (text: string) => ({ status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">${text}</div>` });

const FNR = 'urn:oid:2.16.578.1.12.4.1.4.1';
const NIN = '13818849017'; // synthetic (+80 month offset)

export const DOCREF: Json = {
  resourceType: 'DocumentReference',
  id: 'dr-1',
  text: narrative('Epikrise'),
  masterIdentifier: { system: 'urn:ietf:rfc:3986', value: 'urn:oid:2.16.578.1.12.4.1.7.1.1' },
  identifier: [{ system: 'urn:ietf:rfc:3986', value: 'urn:uuid:7d5bb8ac-68ee-4926-85e7-b8a8c6e2a5f0' }],
  status: 'current',
  type: { coding: [{ system: 'urn:oid:2.16.578.1.12.4.1.1.9602', code: 'J01-2', display: 'Epikrise' }] },
  category: [{ coding: [{ system: 'urn:oid:2.16.578.1.12.4.1.1.9602', code: 'A00-1' }] }],
  subject: { reference: 'Patient/p-1' },
  date: '2026-01-05T10:00:00+01:00',
  securityLabel: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'N' }] }],
  content: [
    {
      attachment: { contentType: 'application/pdf', url: 'https://api.pjd.test.nhn.no/mhd/document?documentUniqueId=1', language: 'nb-NO', creation: '2026-01-05T10:00:00+01:00' },
      format: { system: 'http://ihe.net/fhir/ihe.formatcode.fhir/CodeSystem/formatcode', code: 'urn:ihe:iti:xds:2017:mimeTypeSufficient' },
    },
  ],
  context: {
    facilityType: { coding: [{ system: 'urn:oid:2.16.578.1.12.4.1.1.8662', code: '86' }] },
    practiceSetting: { coding: [{ system: 'urn:oid:2.16.578.1.12.4.1.1.8451', code: '1' }] },
    sourcePatientInfo: { reference: 'Patient/p-1' },
  },
};

export const PATIENT: Json = {
  resourceType: 'Patient',
  id: 'p-1',
  text: narrative('Vakker Blomst'),
  identifier: [{ system: FNR, value: NIN }],
  name: [{ family: 'Blomst', given: ['Vakker'] }],
  gender: 'female',
  birthDate: '1988-01-13',
};

export function searchset(resources: Json[], type = 'DocumentReference'): Json {
  return {
    resourceType: 'Bundle',
    id: 'b-1',
    type: 'searchset',
    total: resources.length,
    link: [{ relation: 'self', url: `https://api.pjd.test.nhn.no/R4/fhir/${type}/_search` }],
    entry: resources.map((r, i) => ({ fullUrl: `https://api.pjd.test.nhn.no/R4/fhir/${type}/${r.id ?? i}`, resource: r, search: { mode: 'match' } })),
  };
}

const REQUESTER = {
  resourceType: 'PractitionerRole',
  id: 'requester',
  practitioner: { identifier: { system: 'urn:oid:2.16.578.1.12.4.1.4.4', value: '990000001' }, display: 'Lege Synt' },
  organization: { identifier: { system: 'urn:oid:2.16.578.1.12.4.1.4.101', value: '310000008' }, display: 'Syntetisk legekontor' },
};

export const SERVICE_REQUEST: Json = {
  resourceType: 'ServiceRequest',
  id: 'sr-1',
  contained: [REQUESTER],
  identifier: [{ system: 'http://hl7.no/fhir/ig/ParekIG/NamingSystem/RequesterDefinedUuid', value: 'urn:uuid:2b8d6a1e-55b4-4c3a-9f1b-0d9e3f6a7c21' }],
  status: 'active',
  intent: 'plan',
  code: { concept: { coding: [{ system: 'urn:oid:2.16.578.1.12.4.1.1.7280', code: 'NPU01961' }] } },
  orderDetail: [{ parameterFocus: { concept: { text: 'Blodprøve' } }, parameter: [{ code: { text: 'Antall' }, valueString: '1' }] }],
  subject: { identifier: { system: FNR, value: NIN } },
  occurrencePeriod: { start: '2026-02-01', end: '2026-03-01' },
  authoredOn: '2026-01-20T09:00:00+01:00',
  requester: { reference: '#requester' },
};

export const SPECIMEN: Json = {
  resourceType: 'Specimen',
  id: 'sp-1',
  contained: [
    { resourceType: 'PractitionerRole', id: 'collector', practitioner: { identifier: { system: 'urn:oid:2.16.578.1.12.4.1.4.4', value: '990000002' }, display: 'Sykepleier Synt' } },
    { resourceType: 'Device', id: 'tube', identifier: [{ system: 'urn:oid:2.16.578.1.12.4.1.7.9', value: 'ABC123' }], property: [{ type: { text: 'kork' }, valueString: 'Rød kork' }] },
  ],
  identifier: [{ system: 'urn:oid:2.16.578.1.12.4.1.7.8', value: 'S-1' }],
  type: { coding: [{ system: 'http://ehelse.no/fhir/CodeSystem/no-kodeverk-8351', code: 'B' }] },
  subject: { identifier: { system: FNR, value: NIN } },
  request: [{ reference: 'ServiceRequest/sr-1' }],
  collection: { collector: { reference: '#collector' }, collectedDateTime: '2026-02-03T08:30:00+01:00' },
  container: [{ device: { reference: '#tube' } }],
};

function variant(base: Json, change: (r: Json) => void): Json {
  const r = clone(base);
  change(r);
  return r;
}

function nested(depth: number): Json {
  let ext: Json = { url: 'http://example.org/leaf', valueString: 'x' };
  for (let i = 0; i < depth; i++) ext = { url: `http://example.org/level-${i}`, extension: [ext] };
  return { ...clone(PATIENT), extension: [ext] };
}

export const FHIR_CORPUS: CorpusCase[] = [
  // ---- valid
  { name: 'valid MHD minimal DocumentReference', input: DOCREF, profile: 'mhd-minimal-docref', expect: [] },
  { name: 'valid MHD comprehensive DocumentReference', input: DOCREF, profile: 'mhd-comprehensive-docref', expect: [] },
  { name: 'valid DocumentReference without a profile', input: DOCREF, expect: [] },
  { name: 'valid PIT Patient', input: PATIENT, profile: 'pit-patient', expect: [] },
  { name: 'valid ITI-67 searchset of two documents', input: searchset([DOCREF, { ...clone(DOCREF), id: 'dr-2' }]), profile: 'iti67-bundle', expect: [] },
  { name: 'valid empty ITI-67 searchset', input: searchset([]), profile: 'iti67-bundle', expect: [] },
  { name: 'valid PIT searchset of Patients', input: searchset([PATIENT], 'Patient'), expect: [] },
  { name: 'valid PaRek ServiceRequest (R5)', input: SERVICE_REQUEST, profile: 'parek-service-request', expect: [] },
  { name: 'valid PaRek Specimen (R5)', input: SPECIMEN, profile: 'parek-specimen', expect: [] },
  { name: 'valid OperationOutcome', input: { resourceType: 'OperationOutcome', text: narrative('error'), issue: [{ severity: 'error', code: 'login', diagnostics: 'no token' }] }, expect: [] },
  { name: 'valid large searchset of 500 Patients', input: searchset(Array.from({ length: 500 }, (_, i) => ({ ...clone(PATIENT), id: `p-${i}` })), 'Patient'), expect: [] },
  { name: 'PIT Patient without a name only warns', input: variant(PATIENT, (r) => delete r.name), profile: 'pit-patient', expect: ['PIT-PAT-003'], layer: 'profile', warning: true },

  // ---- parse
  { name: 'truncated JSON', input: '{"resourceType": "Bundle", "type": "sea', expect: ['parse:json'], layer: 'parse' },
  { name: 'an HTML error page', input: '<!DOCTYPE html><html><body>502 Bad Gateway</body></html>', expect: ['parse:json'], layer: 'parse' },
  { name: 'an empty body', input: '   ', expect: ['parse:empty'], layer: 'parse' },
  { name: 'a JSON array', input: '[{"resourceType":"Patient"}]', expect: ['parse:resource'], layer: 'parse' },
  { name: 'an object without resourceType', input: { id: 'x', name: [{ family: 'X' }] }, expect: ['parse:resourceType'], layer: 'parse' },
  { name: 'nesting 200 levels deep', input: nested(200), expect: ['parse:depth'], layer: 'parse' },
  { name: 'an unknown resource type', input: { resourceType: 'Patients', id: 'x' }, expect: ['schema:resourceType'], layer: 'schema' },

  // ---- layer 1: the JSON schema
  { name: 'unknown element on DocumentReference', input: variant(DOCREF, (r) => (r.documentStatus = 'final')), expect: ['schema:additionalProperties'], layer: 'schema' },
  { name: 'date is a number', input: variant(DOCREF, (r) => (r.date = 20260105)), expect: ['schema:type'], layer: 'schema' },
  // The schema does require complex elements; it is the required primitives it lets through.
  { name: 'DocumentReference without content', input: variant(DOCREF, (r) => delete r.content), expect: ['schema:required'], layer: 'schema' },
  { name: 'gender outside the code set', input: variant(PATIENT, (r) => (r.gender = 'kvinne')), expect: ['schema:enum'], layer: 'schema' },
  { name: 'birthDate in Norwegian notation', input: variant(PATIENT, (r) => (r.birthDate = '13.01.1988')), expect: ['schema:pattern'], layer: 'schema' },
  { name: 'Bundle.type outside the code set', input: variant(searchset([]), (r) => (r.type = 'search-set')), expect: ['schema:enum'], layer: 'schema' },
  { name: 'active as a string', input: variant(PATIENT, (r) => (r.active = 'true')), expect: ['schema:type'], layer: 'schema' },
  { name: 'identifier as an object, not an array', input: variant(PATIENT, (r) => (r.identifier = r.identifier[0])), expect: ['schema:type'], layer: 'schema' },
  { name: 'a code with a double space', input: variant(DOCREF, (r) => (r.type.coding[0].code = 'J01  2')), expect: ['schema:pattern'], layer: 'schema' },
  { name: 'an id with forbidden characters', input: variant(PATIENT, (r) => (r.id = 'p_1!')), expect: ['schema:pattern'], layer: 'schema' },
  { name: 'a misspelled element in a nested Bundle entry', input: searchset([variant(PATIENT, (r) => (r.birthdate = '1988-01-13'))], 'Patient'), expect: ['schema:additionalProperties'], layer: 'schema' },
  { name: 'a dateTime without a time zone', input: variant(DOCREF, (r) => (r.date = '2026-01-05T10:00:00')), expect: ['schema:pattern'], layer: 'schema' },

  // ---- layer 2: structure from the StructureDefinitions
  { name: 'Bundle without type', input: variant(searchset([]), (r) => delete r.type), expect: ['structure:min'], layer: 'structure' },
  { name: 'DocumentReference without status', input: variant(DOCREF, (r) => delete r.status), expect: ['structure:min'], layer: 'structure' },
  { name: 'OperationOutcome issue without code', input: { resourceType: 'OperationOutcome', text: narrative('x'), issue: [{ severity: 'error' }] }, expect: ['structure:min'], layer: 'structure' },
  { name: 'Observation without status', input: { resourceType: 'Observation', text: narrative('x'), code: { text: 'x' }, valueString: 'x' }, expect: ['structure:min'], layer: 'structure' },
  { name: 'deceasedBoolean and deceasedDateTime together', input: variant(PATIENT, (r) => Object.assign(r, { deceasedBoolean: true, deceasedDateTime: '2020-01-01' })), expect: ['structure:choice'], layer: 'structure' },
  { name: 'Observation with valueString and valueQuantity', input: { resourceType: 'Observation', text: narrative('x'), status: 'final', code: { text: 'x' }, valueString: 'a', valueQuantity: { value: 1 } }, expect: ['structure:choice'], layer: 'structure' },
  { name: 'multipleBirth as boolean and integer', input: variant(PATIENT, (r) => Object.assign(r, { multipleBirthBoolean: true, multipleBirthInteger: 2 })), expect: ['structure:choice'], layer: 'structure' },
  { name: 'generalPractitioner pointing at a Patient', input: variant(PATIENT, (r) => (r.generalPractitioner = [{ reference: 'Patient/p-2' }])), expect: ['structure:reference-target'], layer: 'structure' },
  { name: 'DocumentReference subject pointing at an Encounter', input: variant(DOCREF, (r) => (r.subject = { reference: 'Encounter/e-1' })), expect: ['structure:reference-target'], layer: 'structure' },
  { name: 'managingOrganization as an absolute URL to a Patient', input: variant(PATIENT, (r) => (r.managingOrganization = { reference: 'https://fhir.example.no/Patient/p-2' })), expect: ['structure:reference-target'], layer: 'structure' },
  { name: 'an empty contact object', input: variant(PATIENT, (r) => (r.contact = [{}])), expect: ['ele-1'], layer: 'structure' },
  { name: 'an extension with a value and extensions', input: variant(PATIENT, (r) => (r.extension = [{ url: 'http://example.org/x', valueString: 'a', extension: [{ url: 'y', valueString: 'b' }] }])), expect: ['ext-1'], layer: 'structure' },
  { name: 'an extension with neither value nor extensions', input: variant(PATIENT, (r) => (r.extension = [{ url: 'http://example.org/x' }])), expect: ['ext-1'], layer: 'structure' },
  { name: 'two gender values', input: variant(PATIENT, (r) => (r._gender = [{ id: 'a' }, { id: 'b' }])), expect: ['structure:max'], layer: 'structure' },

  // ---- layer 2: invariants evaluated with fhirpath
  { name: 'duplicate fullUrl in a Bundle', input: variant(searchset([PATIENT, { ...clone(PATIENT), id: 'p-2' }], 'Patient'), (r) => (r.entry[1].fullUrl = r.entry[0].fullUrl)), expect: ['bdl-7'], layer: 'invariant' },
  { name: 'total on a collection Bundle', input: variant(searchset([]), (r) => (r.type = 'collection')), expect: ['bdl-1'], layer: 'invariant' },
  { name: 'entry.search outside a searchset', input: variant(searchset([PATIENT], 'Patient'), (r) => Object.assign(r, { type: 'collection', total: undefined })), expect: ['bdl-2'], layer: 'invariant' },
  { name: 'an entry with neither resource, request nor response', input: variant(searchset([PATIENT], 'Patient'), (r) => (r.entry = [{ fullUrl: 'urn:uuid:7d5bb8ac-68ee-4926-85e7-b8a8c6e2a5f1' }])), expect: ['bdl-5'], layer: 'invariant' },
  { name: 'a contact without any details', input: variant(PATIENT, (r) => (r.contact = [{ gender: 'male' }])), expect: ['pat-1'], layer: 'invariant' },
  { name: 'contained resource with its own contained', input: variant(PATIENT, (r) => (r.contained = [{ resourceType: 'Organization', id: 'o', name: 'x', contained: [{ resourceType: 'Organization', id: 'o2', name: 'y' }] }])), expect: ['dom-2'], layer: 'invariant' },
  { name: 'contained resource with meta.versionId', input: variant(PATIENT, (r) => { r.contained = [{ resourceType: 'Organization', id: 'o', name: 'x', meta: { versionId: '1' } }]; r.managingOrganization = { reference: '#o' }; }), expect: ['dom-4'], layer: 'invariant' },
  { name: 'a period that ends before it starts', input: variant(DOCREF, (r) => (r.context.period = { start: '2026-02-01', end: '2026-01-01' })), expect: ['per-1'], layer: 'invariant' },
  { name: 'attachment data without contentType', input: variant(DOCREF, (r) => (r.content[0].attachment = { data: 'SGVp' })), expect: ['att-1'], layer: 'invariant' },
  { name: 'a resource without narrative only warns', input: variant(PATIENT, (r) => delete r.text), expect: ['dom-6'], layer: 'invariant', warning: true },
  { name: 'a quantity comparator without a value', input: { resourceType: 'Observation', text: narrative('x'), status: 'final', code: { text: 'x' }, valueQuantity: { comparator: '<', unit: 'mg', system: 'http://unitsofmeasure.org', code: 'mg' } }, expect: [], },

  // ---- layer 3: MHD DocumentReference
  { name: 'MHD: modifierExtension present', input: variant(DOCREF, (r) => (r.modifierExtension = [{ url: 'http://example.org/m', valueBoolean: true }])), profile: 'mhd-minimal-docref', expect: ['MHD-DR-001'], layer: 'profile' },
  { name: 'MHD: docStatus present', input: variant(DOCREF, (r) => (r.docStatus = 'final')), profile: 'mhd-minimal-docref', expect: ['MHD-DR-002'], layer: 'profile' },
  { name: 'MHD: no masterIdentifier', input: variant(DOCREF, (r) => delete r.masterIdentifier), profile: 'mhd-minimal-docref', expect: ['MHD-DR-003'], layer: 'profile' },
  { name: 'MHD: status entered-in-error', input: variant(DOCREF, (r) => (r.status = 'entered-in-error')), profile: 'mhd-minimal-docref', expect: ['MHD-DR-004'], layer: 'profile' },
  { name: 'MHD: two content elements', input: variant(DOCREF, (r) => r.content.push(clone(r.content[0]))), profile: 'mhd-minimal-docref', expect: ['MHD-DR-005'], layer: 'profile' },
  { name: 'MHD: attachment without contentType', input: variant(DOCREF, (r) => delete r.content[0].attachment.contentType), profile: 'mhd-minimal-docref', expect: ['MHD-DR-006'], layer: 'profile' },
  { name: 'MHD: attachment without url', input: variant(DOCREF, (r) => delete r.content[0].attachment.url), profile: 'mhd-minimal-docref', expect: ['MHD-DR-007'], layer: 'profile' },
  { name: 'MHD: attachment carries data', input: variant(DOCREF, (r) => (r.content[0].attachment.data = 'SGVp')), profile: 'mhd-minimal-docref', expect: ['MHD-DR-008'], layer: 'profile' },
  { name: 'MHD: subject is a Practitioner', input: variant(DOCREF, (r) => (r.subject = { reference: 'Practitioner/pr-1' })), profile: 'mhd-minimal-docref', expect: ['MHD-DR-009'], layer: 'profile' },
  { name: 'MHD: entryUUID is not a urn:uuid', input: variant(DOCREF, (r) => (r.identifier[0].value = '7d5bb8ac-68ee-4926-85e7-b8a8c6e2a5f0')), profile: 'mhd-minimal-docref', expect: ['MHD-DR-010'], layer: 'profile' },
  { name: 'MHD comprehensive: no context', input: variant(DOCREF, (r) => delete r.context), profile: 'mhd-comprehensive-docref', expect: ['MHD-CDR-008'], layer: 'profile' },
  { name: 'MHD comprehensive: no securityLabel', input: variant(DOCREF, (r) => delete r.securityLabel), profile: 'mhd-comprehensive-docref', expect: ['MHD-CDR-004'], layer: 'profile' },
  { name: 'MHD comprehensive: attachment without language', input: variant(DOCREF, (r) => delete r.content[0].attachment.language), profile: 'mhd-comprehensive-docref', expect: ['MHD-CDR-005'], layer: 'profile' },
  { name: 'MHD comprehensive: no type', input: variant(DOCREF, (r) => delete r.type), profile: 'mhd-comprehensive-docref', expect: ['MHD-CDR-001'], layer: 'profile' },

  // ---- layer 3: ITI-67 response
  { name: 'ITI-67: a collection, not a searchset', input: variant(searchset([DOCREF]), (r) => Object.assign(r, { type: 'collection', total: undefined, entry: r.entry.map((e: Json) => ({ fullUrl: e.fullUrl, resource: e.resource })) })), profile: 'iti67-bundle', expect: ['ITI67-001'], layer: 'profile' },
  { name: 'ITI-67: no total', input: variant(searchset([DOCREF]), (r) => delete r.total), profile: 'iti67-bundle', expect: ['ITI67-002'], layer: 'profile' },
  { name: 'ITI-67: an entry without fullUrl', input: variant(searchset([DOCREF]), (r) => delete r.entry[0].fullUrl), profile: 'iti67-bundle', expect: ['ITI67-003'], layer: 'profile' },
  { name: 'ITI-67: a Patient entry', input: searchset([DOCREF, PATIENT]), profile: 'iti67-bundle', expect: ['ITI67-004'], layer: 'profile' },
  { name: 'ITI-67: an entry breaking the MHD DocumentReference', input: searchset([variant(DOCREF, (r) => delete r.masterIdentifier)]), profile: 'iti67-bundle', expect: ['MHD-DR-003'], layer: 'profile' },

  // ---- layer 3: PIT Patient
  { name: 'PIT: no Norwegian identifier', input: variant(PATIENT, (r) => (r.identifier = [{ system: 'http://example.org/mrn', value: '1' }])), profile: 'pit-patient', expect: ['PIT-PAT-001'], layer: 'profile' },
  { name: 'PIT: a 10-digit fødselsnummer', input: variant(PATIENT, (r) => (r.identifier[0].value = '1381884901')), profile: 'pit-patient', expect: ['PIT-PAT-002'], layer: 'profile' },

  // ---- layer 3: PaRek (R5 structural layer and IG profiles)
  { name: 'PaRek SR: no RequesterDefinedUuid', input: variant(SERVICE_REQUEST, (r) => delete r.identifier), profile: 'parek-service-request', expect: ['parek-service-request:ServiceRequest.identifier:RequesterDefinedUuid:min'], layer: 'profile' },
  { name: 'PaRek SR: patient by reference', input: variant(SERVICE_REQUEST, (r) => (r.subject = { reference: 'Patient/p-1' })), profile: 'parek-service-request', expect: ['parek-service-request:ServiceRequest.subject.identifier:min'], layer: 'profile' },
  { name: 'PaRek SR: requester not contained', input: variant(SERVICE_REQUEST, (r) => (r.requester = { reference: 'PractitionerRole/pr-1' })), profile: 'parek-service-request', expect: ['parek-service-request:ServiceRequest.requester:constraint:local-reference-only'], layer: 'profile' },
  { name: 'PaRek SR: no orderDetail', input: variant(SERVICE_REQUEST, (r) => delete r.orderDetail), profile: 'parek-service-request', expect: ['parek-service-request:ServiceRequest.orderDetail:min'], layer: 'profile' },
  { name: 'PaRek SR: orderDetail without parameterFocus', input: variant(SERVICE_REQUEST, (r) => delete r.orderDetail[0].parameterFocus), profile: 'parek-service-request', expect: ['parek-service-request:ServiceRequest.orderDetail.parameterFocus:min'], layer: 'profile' },
  { name: 'PaRek SR: occurrence as a dateTime', input: variant(SERVICE_REQUEST, (r) => { delete r.occurrencePeriod; r.occurrenceDateTime = '2026-02-01'; }), profile: 'parek-service-request', expect: ['parek-service-request:ServiceRequest.occurrence[x]:types'], layer: 'profile' },
  { name: 'PaRek SR: period without end', input: variant(SERVICE_REQUEST, (r) => delete r.occurrencePeriod.end), profile: 'parek-service-request', expect: ['parek-service-request:ServiceRequest.occurrence[x].end:min'], layer: 'profile' },
  { name: 'PaRek SR: no authoredOn', input: variant(SERVICE_REQUEST, (r) => delete r.authoredOn), profile: 'parek-service-request', expect: ['parek-service-request:ServiceRequest.authoredOn:min'], layer: 'profile' },
  { name: 'PaRek SR: requester without organization', input: variant(SERVICE_REQUEST, (r) => delete r.contained[0].organization), profile: 'parek-service-request', expect: ['parek-requester-pr:PractitionerRole.organization:min'], layer: 'profile' },
  { name: 'R5 SR: status outside the R5 code set', input: variant(SERVICE_REQUEST, (r) => (r.status = 'sent')), profile: 'parek-service-request', expect: ['R5-SR-002'], layer: 'profile' },
  { name: 'R5 SR: an element R5 does not have', input: variant(SERVICE_REQUEST, (r) => (r.orderDetails = r.orderDetail)), profile: 'parek-service-request', expect: ['R5-SR-001'], layer: 'profile' },
  { name: 'R5 SR: no intent', input: variant(SERVICE_REQUEST, (r) => delete r.intent), profile: 'parek-service-request', expect: ['R5-SR-003'], layer: 'profile' },
  { name: 'PaRek Specimen: no request', input: variant(SPECIMEN, (r) => delete r.request), profile: 'parek-specimen', expect: ['parek-specimen:Specimen.request:min'], layer: 'profile' },
  { name: 'PaRek Specimen: request pointing at a Patient', input: variant(SPECIMEN, (r) => (r.request = [{ reference: 'Patient/p-1' }])), profile: 'parek-specimen', expect: ['R5-SP-003'], layer: 'profile' },
  { name: 'PaRek Specimen: no container', input: variant(SPECIMEN, (r) => delete r.container), profile: 'parek-specimen', expect: ['parek-specimen:Specimen.container:min'], layer: 'profile' },
  { name: 'PaRek Specimen: collector without display', input: variant(SPECIMEN, (r) => delete r.contained[0].practitioner.display), profile: 'parek-specimen', expect: ['parek-practitioner-role:PractitionerRole.practitioner.display:min'], layer: 'profile' },
  { name: 'PaRek Specimen: device property as a quantity', input: variant(SPECIMEN, (r) => (r.contained[1].property = [{ type: { text: 'volum' }, valueQuantity: { value: 4 } }])), profile: 'parek-specimen', expect: ['parek-device:Device.property.value[x]:types'], layer: 'profile' },
  { name: 'PaRek Specimen: no collection time', input: variant(SPECIMEN, (r) => delete r.collection.collectedDateTime), profile: 'parek-specimen', expect: ['parek-specimen:Specimen.collection.collected[x]:min'], layer: 'profile' },
];
