// Each API's documented error format: OperationOutcome for the FHIR APIs (PIT, PHR, PaRek),
// ProblemDetails for PTS and the Person API (whose 401 and 403 have no body).
import type { ValidationIssue } from '../../helpers/validation/issues.ts';
import type { HttpResponseParts as TwinResponse } from '../core/types.ts';

export type IssueCode = 'invalid' | 'login' | 'forbidden' | 'not-found' | 'not-supported' | 'too-costly' | 'exception' | 'security' | 'processing' | 'required' | 'value';

export interface ErrorFormat {
  /** `details`: validation issues to list one by one (location and rule). */
  render(status: number, code: IssueCode, message: string, details?: ValidationIssue[]): TwinResponse;
}

export const FHIR_JSON = 'application/fhir+json; charset=utf-8';
export const PROBLEM_JSON = 'application/problem+json; charset=utf-8';

/** A FHIR string holds no whitespace but space, tab, CR and LF: anything else a client sent (a BOM, a no-break space) becomes a space. */
export function fhirString(text: string): string {
  return text.replace(/[^\S \r\n\t]/g, ' ');
}

export function operationOutcome(code: IssueCode, message: string, severity: 'error' | 'fatal' | 'warning' | 'information' = 'error') {
  return { resourceType: 'OperationOutcome', issue: [{ severity, code, diagnostics: fhirString(message) }] };
}

export function operationOutcomeFormat(): ErrorFormat {
  return {
    render(status, code, message, details) {
      const body = operationOutcome(code, message);
      for (const d of details ?? []) {
        body.issue.push({ severity: d.severity === 'information' ? 'information' : d.severity, code: 'invalid', diagnostics: fhirString(`[${d.rule}] ${d.message}`), expression: [fhirString(d.location)] } as never);
      }
      return { status, body, contentType: FHIR_JSON };
    },
  };
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Payload Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  501: 'Not Implemented',
};

/** ProblemDetails; `mediaType` where the API documents plain JSON (the Person API) rather than RFC 9457's type. */
export function problemDetailsFormat(options: { emptyAuthErrors?: boolean; mediaType?: string } = {}): ErrorFormat {
  return {
    render(status, _code, message, details) {
      if (options.emptyAuthErrors && (status === 401 || status === 403)) return { status };
      const body: Record<string, unknown> = { type: `https://tools.ietf.org/html/rfc9110#status.${status}`, title: TITLES[status] ?? 'Error', status, detail: message };
      // ASP.NET's validation problem shape: field → messages.
      if (details?.length) body.errors = Object.fromEntries(details.map((d) => [d.location, [`[${d.rule}] ${d.message}`]]));
      return { status, body, contentType: options.mediaType ? `${options.mediaType}; charset=utf-8` : PROBLEM_JSON };
    },
  };
}

/** A ProblemDetails error answer with its `status` member dropped (what a fault that breaks the format plants). */
export function withoutProblemStatus(r: TwinResponse): TwinResponse {
  if (r.status < 400 || !r.body || typeof r.body !== 'object' || Buffer.isBuffer(r.body)) return r;
  const { status: _dropped, ...rest } = r.body as Record<string, unknown>;
  return { ...r, body: rest };
}
