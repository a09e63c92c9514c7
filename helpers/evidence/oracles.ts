// The oracles that judge one recorded exchange: OpenAPI conformance, the FHIR layers and
// profiles, the OperationOutcome and ProblemDetails forms, WWW-Authenticate challenges and the
// MHD search semantics. Pure functions of the request and the response: the suite's matchers
// judge with them during a run, and `npm run verify-evidence` re-judges the recorded exchanges
// with the same code offline. A check is data ({ oracle, …arguments }), so it can be recorded.
import { validateFhir } from '../validation/fhir/validator.ts';
import { formatResult, type ValidationResult } from '../validation/issues.ts';
import { mismatches } from '../validation/mhd-oracle.ts';
import { parekSearchMismatches, personEventsMismatches, personSearchMismatches, pitSearchMismatches, ptsSearchMismatches } from '../validation/search-oracles.ts';
import { documentForService, loadApiDocument, matchOperation, type LoadedDocument, type Operation } from '../validation/openapi/document.ts';
import { validateOperationResponse, validateResponse } from '../validation/openapi/validator.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface ResponseLike {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

export interface RequestLike {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body?: string;
}

/**
 * What an oracle looks at: a response, the request that got it, and where in the body (a JSON
 * pointer); or a bare value that is no HTTP answer (a resource a test built), judged without the
 * checks that need one.
 */
export interface Subject {
  request?: RequestLike;
  response?: ResponseLike;
  pointer?: string;
  value?: unknown;
}

export type Check =
  | { oracle: 'openapi'; document: string; operationId: string }
  | { oracle: 'nhn-openapi'; document: string; operationId: string }
  | { oracle: 'fhir-resource'; resourceType: string }
  | { oracle: 'fhir-profile'; profile: string }
  | { oracle: 'operation-outcome'; code?: string; severity?: string }
  | { oracle: 'problem-details'; mediaTypes?: readonly string[] }
  | { oracle: 'challenge'; scheme: 'DPoP' | 'Bearer'; error?: string }
  | { oracle: 'mhd-search' }
  | { oracle: 'search'; semantics: SearchSemantics };

/** The search semantics an operation names with `x-oracles: [search:<semantics>]`. */
export const SEARCH_SEMANTICS = ['pts', 'parek', 'pit', 'person', 'person-events'] as const;
export type SearchSemantics = (typeof SEARCH_SEMANTICS)[number];

export type OracleName = Check['oracle'];

export interface Judgement {
  pass: boolean;
  /** What is wrong, for a failure message (empty when it passes). */
  message: string;
}

/** Checks that need something the checkout may not hold (NHN's own document): judged only when it is given. */
export interface OracleContext {
  nhnDocuments?: ReadonlyMap<string, LoadedDocument>;
}

export class UndecidableCheck extends Error {
  override name = 'UndecidableCheck';
}

function header(headers: RequestLike['headers'], name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  const v = key === undefined ? undefined : headers[key];
  return Array.isArray(v) ? v.join(', ') : v;
}

function parsedBody(response: ResponseLike | undefined): unknown {
  try {
    return response ? JSON.parse(response.body.toString('utf8')) : undefined;
  } catch {
    return undefined;
  }
}

/** The answer itself, when the subject is one (not a value or a part of a body). */
function wholeAnswer(subject: Subject): ResponseLike | undefined {
  return subject.value === undefined && !subject.pointer ? subject.response : undefined;
}

function needResponse(subject: Subject, oracle: string): ResponseLike {
  if (!subject.response) throw new UndecidableCheck(`${oracle} needs an HTTP answer`);
  return subject.response;
}

/** RFC 6901: the value at `pointer` in `value`. */
export function atPointer(value: unknown, pointer: string | undefined): unknown {
  if (!pointer) return value;
  let node = value as Json | undefined;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    node = node === null || typeof node !== 'object' ? undefined : (node as Json)[key];
  }
  return node;
}

function fromValidation(r: ValidationResult): Judgement {
  const errors = r.issues.filter((i) => i.severity === 'error');
  return { pass: errors.length === 0, message: errors.length ? `${errors.length} error(s):\n${formatResult({ ...r, issues: r.issues.filter((i) => i.severity !== 'information') })}` : '' };
}

function problems(list: string[]): Judgement {
  return { pass: list.length === 0, message: list.join('\n') };
}

/** The payload a FHIR oracle validates: the value, the resource the pointer names, or the body. */
function fhirPayload(subject: Subject): unknown {
  if (subject.value !== undefined) return subject.value;
  return subject.pointer ? atPointer(parsedBody(subject.response), subject.pointer) : needResponse(subject, 'a FHIR oracle').body;
}

function operationOutcome(subject: Subject, expected: { code?: string; severity?: string }): Judgement {
  const answer = wholeAnswer(subject);
  const payload = fhirPayload(subject);
  const body = (Buffer.isBuffer(payload) ? parsedBody(answer) : payload) as { issue?: Array<{ code?: string; severity?: string }> } | undefined;
  const r = validateFhir(body ?? payload, { resourceType: 'OperationOutcome', bestPractice: false });
  const found: string[] = [];
  if (answer && !/^application\/(fhir\+)?json/.test(header(answer.headers, 'content-type') ?? '')) {
    found.push(`content type is ${header(answer.headers, 'content-type') ?? 'missing'}, not application/fhir+json`);
  }
  const issues = body?.issue ?? [];
  if (expected.code && !issues.some((i) => i.code === expected.code)) found.push(`no issue has code "${expected.code}" (codes: ${issues.map((i) => i.code).join(', ') || 'none'})`);
  if (expected.severity && !issues.some((i) => i.severity === expected.severity)) found.push(`no issue has severity "${expected.severity}"`);
  const formatted = formatResult(r);
  return { pass: r.valid && found.length === 0, message: [...found, r.valid ? '' : formatted].filter(Boolean).join('\n') };
}

function problemDetails(subject: Subject, mediaTypes: readonly string[] = ['application/problem+json']): Judgement {
  const answer = wholeAnswer(subject);
  const body = (answer ? parsedBody(answer) : subject.value ?? atPointer(parsedBody(subject.response), subject.pointer)) as Record<string, unknown> | undefined;
  const found: string[] = [];
  const type = answer ? (header(answer.headers, 'content-type') ?? '') : '';
  if (answer && !mediaTypes.some((m) => type.startsWith(m))) found.push(`content type is ${type || 'missing'}, not ${mediaTypes.join(' or ')}`);
  if (!body || typeof body !== 'object') found.push('the body is not a JSON object');
  else {
    for (const [k, t] of [['type', 'string'], ['title', 'string'], ['status', 'number'], ['detail', 'string']] as const) {
      if (body[k] !== undefined && body[k] !== null && typeof body[k] !== t) found.push(`${k} must be a ${t}`);
    }
    if (body.title === undefined && body.type === undefined) found.push('neither title nor type is present');
    if (answer && body.status === undefined) found.push('status is missing');
    if (answer && typeof body.status === 'number' && body.status !== answer.status) found.push(`status ${String(body.status)} differs from the HTTP status ${answer.status}`);
  }
  return problems(found);
}

function challenge(subject: Subject, scheme: string, error?: string): Judgement {
  const response = needResponse(subject, 'challenge');
  const value = header(response.headers, 'www-authenticate');
  if (value === undefined) return problems([`${response.status} without a WWW-Authenticate challenge`]);
  const found: string[] = [];
  if (!value.toLowerCase().startsWith(scheme.toLowerCase())) found.push(`challenge "${value}" is not for ${scheme}`);
  if (error && !new RegExp(`error="${error}"`).test(value)) found.push(`challenge "${value}" lacks error="${error}"`);
  return problems(found);
}

/** The search parameters of a request: the form body of a POST _search, or the query. */
export function searchParameters(request: RequestLike): Record<string, string[]> {
  const params = new URLSearchParams(request.method.toUpperCase() === 'POST' && /x-www-form-urlencoded/i.test(header(request.headers, 'content-type') ?? '') ? (request.body ?? '') : new URL(request.url).search);
  const out: Record<string, string[]> = {};
  for (const [k, v] of params) (out[k] ??= []).push(v);
  return out;
}

/** IHE MHD ITI-67: every DocumentReference a search returns matches every condition of the query. */
function mhdSearch(subject: Subject): Judgement {
  if (!subject.request) throw new UndecidableCheck('mhd-search needs the request');
  const response = needResponse(subject, 'mhd-search');
  if (response.status !== 200) return problems([]);
  const bundle = parsedBody(response) as Json | undefined;
  if (bundle?.resourceType !== 'Bundle') return problems([]);
  const form = searchParameters(subject.request);
  const found: string[] = [];
  for (const [i, entry] of ((bundle.entry ?? []) as Json[]).entries()) {
    if (entry?.resource?.resourceType !== 'DocumentReference') continue;
    const broken = mismatches(entry.resource as Json, form);
    if (broken.length) found.push(`entry ${i} (${String(entry.resource.id)}) does not match ${broken.join(', ')}`);
  }
  return problems(found);
}

/** Any API's search: every entry of a successful answer matches the question (search-oracles.ts). */
function searchAnswer(subject: Subject, semantics: SearchSemantics): Judgement {
  if (!subject.request) throw new UndecidableCheck('a search oracle needs the request');
  const response = needResponse(subject, 'search');
  if (response.status !== 200) return problems([]);
  const body = parsedBody(response);
  if (body === undefined) return problems([]);
  const params = searchParameters(subject.request);
  switch (semantics) {
    case 'pts': {
      let request: Json = {};
      try {
        request = JSON.parse(subject.request.body ?? '{}') as Json;
      } catch {
        return problems([]);
      }
      const date = Date.parse(header(response.headers as RequestLike['headers'], 'date') ?? '');
      return problems(ptsSearchMismatches(request, body, Number.isNaN(date) ? Date.now() : date));
    }
    case 'parek':
      return problems((body as Json)?.resourceType === 'Bundle' ? parekSearchMismatches(params, body as Json) : []);
    case 'pit':
      return problems((body as Json)?.resourceType === 'Bundle' ? pitSearchMismatches(params, body as Json) : []);
    case 'person':
      return problems(personSearchMismatches(params, (body ?? {}) as Json));
    case 'person-events':
      return problems(personEventsMismatches(params, (body ?? {}) as Json));
  }
}

function nhnOperation(check: { document: string; operationId: string }, context: OracleContext): Operation {
  const doc = context.nhnDocuments?.get(check.document);
  const op = doc?.operations.find((o) => o.operationId === check.operationId);
  if (!op) throw new UndecidableCheck(`NHN's ${check.document} document is not given here (set its variable to re-judge this check)`);
  return op;
}

/** Judges one check. Throws UndecidableCheck when the check cannot be decided with what is at hand. */
export function judge(check: Check, subject: Subject, context: OracleContext = {}): Judgement {
  switch (check.oracle) {
    case 'openapi':
      return fromValidation(validateResponse(check.document, check.operationId, needResponse(subject, 'openapi')));
    case 'nhn-openapi':
      return fromValidation(validateOperationResponse(nhnOperation(check, context), needResponse(subject, 'nhn-openapi')));
    case 'fhir-resource':
      return fromValidation(validateFhir(fhirPayload(subject), { resourceType: check.resourceType }));
    case 'fhir-profile':
      return fromValidation(validateFhir(fhirPayload(subject), { profile: check.profile }));
    case 'operation-outcome':
      return operationOutcome(subject, check);
    case 'problem-details':
      return problemDetails(subject, check.mediaTypes);
    case 'challenge':
      return challenge(subject, check.scheme, check.error);
    case 'mhd-search':
      return mhdSearch(subject);
    case 'search':
      return searchAnswer(subject, check.semantics);
    default:
      throw new UndecidableCheck(`no oracle named ${(check as { oracle: string }).oracle} in this checkout`);
  }
}

/** A short name for a check, for a report line. */
export function describeCheck(check: Check): string {
  const { oracle, ...args } = check;
  const list = Object.values(args).filter((v) => v !== undefined).map((v) => (Array.isArray(v) ? v.join('|') : String(v)));
  return list.length ? `${oracle}(${list.join(', ')})` : oracle;
}

/**
 * The checks that apply to every answer of an API by itself, whatever the test: conformance to our
 * document for the operation, to NHN's published one where given, and the semantic oracle an
 * operation names with `x-oracles`. The api fixture applies them live; the verifier derives them
 * again from the recorded exchange, so a bundle cannot leave one out.
 */
export function automaticChecks(service: string, method: string, pathname: string, nhnDocuments?: ReadonlyMap<string, LoadedDocument>): Check[] {
  const document = documentForService(service, pathname);
  if (!document) return [];
  const operation = matchOperation(loadApiDocument(document), method, pathname).operation;
  if (!operation) return [];
  const checks: Check[] = [{ oracle: 'openapi', document, operationId: operation.operationId }];
  const nhn = nhnDocuments?.get(document);
  const nhnOp = nhn && matchOperation(nhn, method, pathname).operation;
  if (nhnOp) checks.push({ oracle: 'nhn-openapi', document, operationId: nhnOp.operationId });
  for (const name of (operation.raw['x-oracles'] ?? []) as string[]) {
    if (name === 'mhd-search') checks.push({ oracle: 'mhd-search' });
    const semantics = /^search:(.+)$/.exec(name)?.[1];
    if (semantics && (SEARCH_SEMANTICS as readonly string[]).includes(semantics)) checks.push({ oracle: 'search', semantics: semantics as SearchSemantics });
  }
  return checks;
}
