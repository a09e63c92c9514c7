// Spectral: the `oas` recommended rules plus our house rules for NHN API documents. Works on any
// OpenAPI document, ours or one downloaded from NHN.
import spectralCore from '@stoplight/spectral-core';
import spectralFunctions from '@stoplight/spectral-functions';
import spectralParsers from '@stoplight/spectral-parsers';
import spectralRulesets from '@stoplight/spectral-rulesets';
import type { ISpectralDiagnostic } from '@stoplight/spectral-core';

// CommonJS packages: default-imported, then destructured (named ESM imports fail at run time).
const { Spectral, Document, createRulesetFunction } = spectralCore;
const { schema } = spectralFunctions;
const { Yaml, Json } = spectralParsers;
const { oas } = spectralRulesets;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const OPERATIONS = '$.paths[*][get,put,post,delete,patch,head,options]';

const NIN_NAME = /(^|[^a-z])(nin|nins|fnr|dnr|fodselsnummer|fødselsnummer|personnummer|ssn|offid|pid)([^a-z]|$)|patient\.identifier|nationalidentity/i;
const PAGING = /^(_count|count|_page|page|pagesize|page_size|limit|maxlimit|indexoffset|offset)$/i;
const SIZE_LIKE = /^(_count|count|pagesize|page_size|limit|maxlimit)$/i;

const operationSecurity = createRulesetFunction<Json, null>({ input: null, options: null }, (op, _o, ctx) => {
  const root = ctx.document.data as Json;
  return Array.isArray(op?.security) || (Array.isArray(root?.security) && root.security.length > 0)
    ? []
    : [{ message: 'the operation declares no security, and the document has no default', path: [...ctx.path] }];
});

const wwwAuthenticate = createRulesetFunction<Json, null>({ input: null, options: null }, (response, _o, ctx) => {
  const headers = Object.keys(response?.headers ?? {}).map((h) => h.toLowerCase());
  return headers.includes('www-authenticate') ? [] : [{ message: 'a 401 response must document the WWW-Authenticate header', path: [...ctx.path] }];
});

const errorFormat = createRulesetFunction<Json, null>({ input: null, options: null }, (responses, _o, ctx) => {
  const root = ctx.document.data as Json;
  const format = root?.info?.['x-error-format'] as string | undefined;
  if (!format) return [{ message: 'info.x-error-format must say OperationOutcome or ProblemDetails', path: ['info'] }];
  const out = [];
  for (const [status, response] of Object.entries(responses ?? {})) {
    if (!/^[45]/.test(status)) continue;
    const content = (response as Json)?.content as Json | undefined;
    const path = [...ctx.path, status];
    if (!content || Object.keys(content).length === 0) {
      const emptyAllowed = root.info['x-empty-auth-errors'] === true && (status === '401' || status === '403');
      if (!emptyAllowed) out.push({ message: `error ${status} documents no ${format} body`, path });
      continue;
    }
    for (const [media, m] of Object.entries(content)) {
      const s = (m as Json)?.schema as Json | undefined;
      const ok =
        format === 'OperationOutcome'
          ? /^application\/fhir\+json/.test(media) && s?.['x-fhir-resource'] === 'OperationOutcome'
          : /^application\/(problem\+)?json/.test(media) && ['type', 'title', 'status', 'detail'].every((k) => s?.properties?.[k]);
      if (!ok) out.push({ message: `error ${status} as ${media} is not a ${format}`, path: [...path, 'content', media] });
    }
  }
  return out;
});

const noNinInUrl = createRulesetFunction<Json, null>({ input: null, options: null }, (paths, _o, ctx) => {
  const out = [];
  for (const [p, item] of Object.entries(paths ?? {})) {
    for (const seg of p.matchAll(/\{([^}]+)\}/g)) if (NIN_NAME.test(seg[1]!)) out.push({ message: `path parameter {${seg[1]}} looks like a national identity number: send it in a body or header`, path: [...ctx.path, p] });
    for (const [method, op] of Object.entries(item as Json)) {
      const params = [...((item as Json).parameters ?? []), ...((op as Json)?.parameters ?? [])] as Json[];
      for (const prm of params) {
        if ((prm.in === 'query' || prm.in === 'path') && NIN_NAME.test(String(prm.name))) {
          out.push({ message: `${prm.in} parameter ${prm.name} looks like a national identity number: it would end up in URLs and logs`, path: [...ctx.path, p, method] });
        }
      }
    }
  }
  return out;
});

function pagingProblems(name: string, s: Json | undefined): string | undefined {
  if (!PAGING.test(name) || !s) return undefined;
  if (s.minimum === undefined) return `paging parameter ${name} must state its minimum`;
  if (SIZE_LIKE.test(name) && s.maximum === undefined) return `page-size parameter ${name} must state its maximum`;
  return undefined;
}

const pagingBounds = createRulesetFunction<Json, null>({ input: null, options: null }, (op, _o, ctx) => {
  const out = [];
  for (const prm of (op?.parameters ?? []) as Json[]) {
    const problem = pagingProblems(String(prm.name), prm.schema);
    if (problem) out.push({ message: problem, path: [...ctx.path, 'parameters'] });
  }
  for (const [media, m] of Object.entries((op?.requestBody?.content ?? {}) as Json)) {
    const s = (m as Json).schema as Json | undefined;
    const props: Json = { ...(s?.properties ?? {}) };
    for (const part of s?.allOf ?? []) Object.assign(props, part.properties ?? {});
    for (const [name, ps] of Object.entries(props)) {
      const problem = pagingProblems(name, ps as Json);
      if (problem) out.push({ message: problem, path: [...ctx.path, 'requestBody', 'content', media] });
    }
  }
  return out;
});

export const HOUSE_RULES = {
  'nhn-operation-security': {
    description: 'Every operation declares its security, itself or through the document default (security: [] for open endpoints).',
    given: OPERATIONS,
    severity: 'error',
    then: { function: operationSecurity },
  },
  'nhn-401-www-authenticate': {
    description: 'Every 401 documents the WWW-Authenticate challenge.',
    given: `${OPERATIONS}.responses['401']`,
    severity: 'error',
    then: { function: wwwAuthenticate },
  },
  'nhn-error-format': {
    description: 'Errors are documented in the API error format: OperationOutcome for the FHIR APIs, ProblemDetails where NHN uses it.',
    given: `${OPERATIONS}.responses`,
    severity: 'error',
    then: { function: errorFormat },
  },
  'nhn-requirements': {
    description: 'Every operation lists the requirement IDs it is tested by (x-requirements).',
    given: OPERATIONS,
    severity: 'error',
    then: { field: 'x-requirements', function: schema, functionOptions: { schema: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^[A-Z]+(-[A-Z0-9]+)+$' } } } },
  },
  'nhn-no-nin-in-url': {
    description: 'A national identity number is never a path or query parameter.',
    given: '$.paths',
    severity: 'error',
    then: { function: noNinInUrl },
  },
  'nhn-paging-bounds': {
    description: 'Paging parameters carry their bounds.',
    given: OPERATIONS,
    severity: 'error',
    then: { function: pagingBounds },
  },
};

let spectral: InstanceType<typeof Spectral> | undefined;

function linter(): InstanceType<typeof Spectral> {
  if (!spectral) {
    spectral = new Spectral();
    spectral.setRuleset({ extends: [[oas, 'recommended']], rules: HOUSE_RULES } as never);
  }
  return spectral;
}

export interface LintFinding {
  severity: 'error' | 'warning' | 'info' | 'hint';
  rule: string;
  location: string;
  line: number;
  message: string;
}

const SEVERITY = ['error', 'warning', 'info', 'hint'] as const;

export async function lintOpenApi(text: string, source: string): Promise<LintFinding[]> {
  const parser = source.endsWith('.json') ? Json : Yaml;
  const diagnostics: ISpectralDiagnostic[] = await linter().run(new Document(text, parser as never, source));
  return diagnostics
    .map((d) => ({
      severity: SEVERITY[d.severity] ?? 'hint',
      rule: String(d.code),
      location: d.path.join('.'),
      line: d.range.start.line + 1,
      message: d.message,
    }))
    .sort((a, b) => SEVERITY.indexOf(a.severity) - SEVERITY.indexOf(b.severity) || a.line - b.line);
}
