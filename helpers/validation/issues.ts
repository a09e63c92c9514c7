// One result format for every validation layer and every validator: severity, location
// (FHIRPath-like, or a JSON pointer for OpenAPI), rule id, message.

export type Severity = 'error' | 'warning' | 'information';
export type Layer = 'parse' | 'schema' | 'structure' | 'invariant' | 'profile' | 'openapi';

export interface ValidationIssue {
  severity: Severity;
  location: string;
  rule: string;
  message: string;
  layer: Layer;
}

export interface ValidationResult {
  valid: boolean;
  issues: ValidationIssue[];
  /** What the validator could not check, said out loud (e.g. an invariant it cannot evaluate). */
  notChecked: string[];
}

export function result(issues: ValidationIssue[], notChecked: string[] = []): ValidationResult {
  return { valid: !issues.some((i) => i.severity === 'error'), issues, notChecked };
}

export function formatIssue(issue: ValidationIssue): string {
  return `${issue.severity.toUpperCase().padEnd(11)} ${issue.location}  [${issue.rule}]  ${issue.message}`;
}

export function formatResult(r: ValidationResult): string {
  const lines = r.issues.map(formatIssue);
  if (r.notChecked.length) lines.push(...r.notChecked.map((n) => `NOT CHECKED ${n}`));
  return lines.join('\n');
}

/** The first line of whatever was thrown: libraries throw strings, objects and Errors without a message too. */
export function thrownText(e: unknown): string {
  const text = e instanceof Error ? e.message : typeof e === 'string' ? e : (e as { message?: unknown })?.message !== undefined ? String((e as { message?: unknown }).message) : JSON.stringify(e) ?? String(e);
  return (text || (e instanceof Error ? e.name : 'an error without a message')).split('\n')[0]!.slice(0, 200);
}
