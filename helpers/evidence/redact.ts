// Secrets never leave their source: everything the suite writes into a report, a log or an
// attachment passes through here first.
import { createHash } from 'node:crypto';

const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'dpop', 'x-auth-key', 'x-api-key', 'cookie', 'set-cookie']);
const SECRET_FIELDS = new Set([
  'access_token', 'refresh_token', 'id_token', 'subject_token', 'actor_token', 'client_assertion', 'client_secret',
  'assertion', 'password', 'accesstokenjwt', 'dpopproof', 'privatekeyforproofcreation', 'apikey', 'api_key',
  'd', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'privatejwk', 'ttapikey', 'tttapikey', 'request_uri', 'code_verifier',
]);
/** OAuth parameters that are credentials in a form or a URL, but ordinary words in JSON (a FHIR coding has a code). */
const SECRET_PARAMS = new Set(['code', 'code_verifier', 'request_uri', 'access_token', 'id_token', 'refresh_token']);
const SECRET_PARAM_PATTERN = new RegExp(`([?&#](?:${[...SECRET_PARAMS].join('|')})=)([^&#\\s"'<>]+)`, 'g');
const JWT_PATTERN = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
const PEM_PATTERN = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g;

const knownSecrets = new Set<string>();

/** Registers a value (an API key, a password) that must be scrubbed wherever it appears. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 6) knownSecrets.add(value);
}

export function fingerprint(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 12);
}

function redactedMarker(secret: string): string {
  return `[redacted sha256:${fingerprint(secret)}]`;
}

/** Describes a JWT without reproducing it: header fields and the non-secret claims a reader needs. */
export function describeJwt(jwt: string): string {
  try {
    const [h, p] = jwt.split('.');
    const header = JSON.parse(Buffer.from(h ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    const payload = JSON.parse(Buffer.from(p ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    const keep = ['typ', 'alg', 'kid'];
    const claims = ['htm', 'htu', 'iat', 'exp', 'aud', 'iss', 'scope', 'client_id'];
    const hd = keep.filter((k) => k in header).map((k) => `${k}=${JSON.stringify(header[k])}`);
    if (header.jwk) hd.push('jwk=<public key>');
    const pd = claims.filter((k) => k in payload).map((k) => `${k}=${JSON.stringify(payload[k])}`);
    return `[redacted JWT ${fingerprint(jwt)}: ${hd.join(' ')}; ${pd.join(' ')}]`;
  } catch {
    return redactedMarker(jwt);
  }
}

const SECRET_KEY_PATTERN = new RegExp(`"(?:${[...SECRET_FIELDS].join('|')})"\\s*:`, 'i');
/** A secret field of a form body or a query (client_secret=…, client_assertion=…). */
const SECRET_FORM_FIELD = new RegExp(`(?:^|[?&#])(?:${[...SECRET_FIELDS, ...SECRET_PARAMS].join('|')})=`, 'i');

/**
 * Whether a text might hold something redaction would change: a JWT, a private key, a secret
 * parameter or JSON field, a registered secret. A fast pre-check for large bodies; false means
 * the text is safe as it is.
 */
function holdsKnownSecret(text: string): boolean {
  for (const secret of knownSecrets) if (text.includes(secret)) return true;
  return false;
}

export function mayHoldSecret(text: string): boolean {
  if (text.includes('eyJ') || text.includes('PRIVATE KEY') || SECRET_KEY_PATTERN.test(text) || SECRET_FORM_FIELD.test(text)) return true;
  SECRET_PARAM_PATTERN.lastIndex = 0;
  if (SECRET_PARAM_PATTERN.test(text)) return true;
  for (const secret of knownSecrets) if (text.includes(secret)) return true;
  return false;
}

export function redactText(text: string): string {
  // Most texts (a name, a code, a date) hold nothing any pattern below could match.
  if (!text.includes('eyJ') && !text.includes('PRIVATE KEY') && !text.includes('=') && !holdsKnownSecret(text)) return text;
  let out = text
    .replace(PEM_PATTERN, '[redacted private key]')
    .replace(JWT_PATTERN, (jwt) => describeJwt(jwt))
    .replace(SECRET_PARAM_PATTERN, (_m, name: string, value: string) => `${name}${redactedMarker(value)}`);
  for (const secret of knownSecrets) {
    if (out.includes(secret)) out = out.split(secret).join(redactedMarker(secret));
  }
  return out;
}

export function redactHeaderValue(name: string, value: string): string {
  const lower = name.toLowerCase();
  if (!SECRET_HEADERS.has(lower)) return redactText(value);
  if (lower === 'authorization' || lower === 'proxy-authorization') {
    const [scheme, ...rest] = value.split(' ');
    const credential = rest.join(' ');
    return credential ? `${scheme} ${credential.startsWith('eyJ') ? describeJwt(credential) : redactedMarker(credential)}` : redactedMarker(value);
  }
  if (lower === 'dpop') return value.startsWith('eyJ') ? describeJwt(value) : redactedMarker(value);
  return redactedMarker(value);
}

export function redactHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.map((v) => redactHeaderValue(name, v)) : redactHeaderValue(name, value);
  }
  return out;
}

/** Redacts every secret field and string of a JSON value; answers the value itself when nothing in it changed. */
export function redactJson(value: unknown): unknown {
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const r = redactJson(value[i]);
      if (r !== value[i]) (out ??= value.slice())[i] = r;
    }
    return out ?? value;
  }
  if (value && typeof value === 'object') {
    let out: Record<string, unknown> | undefined;
    for (const k in value as Record<string, unknown>) {
      const v = (value as Record<string, unknown>)[k];
      const r = SECRET_FIELDS.has(k.toLowerCase()) && v !== null && v !== undefined ? (typeof v === 'string' ? redactedMarker(v) : '[redacted]') : redactJson(v);
      if (r !== v) (out ??= { ...(value as Record<string, unknown>) })[k] = r;
    }
    return out ?? value;
  }
  return typeof value === 'string' ? redactText(value) : value;
}

/** Redacts a request or response body of any content type. */
export function redactBody(body: string, contentType: string | undefined): string {
  const type = (contentType ?? '').toLowerCase();
  if (type.includes('x-www-form-urlencoded')) {
    const params = new URLSearchParams(body);
    const out = new URLSearchParams();
    for (const [k, v] of params) out.append(k, SECRET_FIELDS.has(k.toLowerCase()) || SECRET_PARAMS.has(k.toLowerCase()) ? redactedMarker(v) : redactText(v));
    return out.toString();
  }
  if (type.includes('json')) {
    try {
      return JSON.stringify(redactJson(JSON.parse(body)), null, 2);
    } catch {
      return redactText(body);
    }
  }
  return redactText(body);
}
