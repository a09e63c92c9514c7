// What every answer to a malformed request must be: a 4xx the operation documents (or one HTTP
// itself defines for a request a server cannot take), in the API's own error format; never a
// 5xx, a stack trace, an HTML page or a credential echoed back; and nothing changed in the data.
import type { Operation } from '../validation/openapi/document.ts';
import { mediaType, validateOperationResponse } from '../validation/openapi/validator.ts';
import type { WireResponse } from './wire.ts';

/**
 * Statuses RFC 9110 §15.5 defines for a request a server (or the gateway before it) cannot take,
 * whatever the operation documents: malformed syntax (400: a control character in a header, a
 * path segment that is not the type its template says), too large (413), a URI too long (414), a
 * media type it does not take (415), header fields too large (431). They still must come in the
 * API's error format.
 */
export const HTTP_LEVEL_STATUSES = new Set([400, 413, 414, 415, 431]);
/** Redirects a server may answer a non-canonical path with, to its canonical form (RFC 9110 §15.4). */
const REDIRECTS = new Set([301, 302, 307, 308]);

const STACK = [/\n\s+at [\w$.<>[\]`]+ \(?[^\s)]*:\d+(:\d+)?\)?/, /\bat [\w./-]+\.(ts|js|mjs|cjs):\d+/, /\.cs:line \d+/, /Traceback \(most recent call last\)/, /\bat (System|Microsoft)\.[\w.]+\(/];

export interface Judgement {
  ok: boolean;
  problems: string[];
  /** The status was documented by HTTP, not by the operation. */
  httpLevel: boolean;
}

function errorFamily(op: Operation): 'fhir' | 'problem' | undefined {
  for (const [status, spec] of Object.entries(op.responses)) {
    if (!/^4/.test(status)) continue;
    const types = Object.keys(spec.content ?? {});
    if (types.some((t) => t.includes('fhir'))) return 'fhir';
    if (types.length) return 'problem';
  }
  return undefined;
}

/**
 * `pathStructure`: the request's path was changed on purpose (dot segments, an encoded slash, an
 * empty segment). A path that names no route may be answered 404 (RFC 9110 §15.5.5), and one that
 * still names the operation once its dot segments are removed may be served (RFC 3986 §5.2.4).
 */
export function judgeAnswer(op: Operation, response: WireResponse, o: { sentSecrets: readonly string[]; stateChanged: boolean; pathStructure?: { normalisesToOperation: boolean } }): Judgement {
  const problems: string[] = [];
  const status = response.status;
  const type = mediaType(response.header('content-type'));
  const text = response.body.toString('utf8');
  const documented = status in op.responses;
  // A changed path may name no route (404, RFC 9110 §15.5.5), or be redirected to its canonical form (RFC 9110 §15.4).
  const pathLevel = !!o.pathStructure && (status === 404 || (REDIRECTS.has(status) && !!response.header('location')));
  const httpLevel = !documented && (HTTP_LEVEL_STATUSES.has(status) || pathLevel);
  if (status >= 500) problems.push(`answered ${status}: a server error`);
  else if (status < 400 && !pathLevel && !(o.pathStructure?.normalisesToOperation && status < 300)) problems.push(`answered ${status}: the malformed request was taken`);
  else if (!documented && !httpLevel) problems.push(`answered ${status}, which ${op.method} ${op.path} does not document (documented: ${Object.keys(op.responses).join(', ')})`);
  if (type.includes('html') || /^\s*<(!doctype|html)/i.test(text.slice(0, 64))) problems.push(`answered an HTML page (${type || 'no content type'})`);
  if (STACK.some((re) => re.test(text))) problems.push('the answer holds a stack trace');
  const headerText = Object.values(response.headers).flat().join('\n');
  if (o.sentSecrets.some((s) => s.length >= 12 && (text.includes(s) || headerText.includes(s)))) problems.push('the answer echoes a credential the request carried');
  if (o.stateChanged) problems.push("the twin's data changed");
  if (status >= 400 && status < 500) {
    if (documented) {
      const issues = validateOperationResponse(op, { status, headers: Object.fromEntries(Object.entries(response.headers).map(([k, v]) => [k, v.join(', ')])), body: response.body }).issues.filter((i) => i.severity === 'error');
      if (issues.length) problems.push(`not in the documented error format: ${issues.map((i) => `${i.location}: ${i.message}`).join('; ').slice(0, 300)}`);
    } else if (httpLevel) {
      const family = errorFamily(op);
      let json: Record<string, unknown> | undefined;
      try {
        json = JSON.parse(text) as Record<string, unknown>;
      } catch {
        json = undefined;
      }
      if (family === 'fhir' && json?.resourceType !== 'OperationOutcome') problems.push(`a ${status} that is not an OperationOutcome (${type || 'no content type'})`);
      if (family === 'problem' && json?.status !== status) problems.push(`a ${status} that is not a ProblemDetails with status ${status} (${type || 'no content type'})`);
    }
  }
  return { ok: problems.length === 0, problems, httpLevel };
}
