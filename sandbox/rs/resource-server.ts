// The resource-server layer every twin API shares, as named checks: access-token verification
// through the stand-in's JWKS, DPoP proof verification per RFC 9449 §4.3, scope and claim checks,
// the backdoor's identity headers, and `WWW-Authenticate` challenges on refusal.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { calculateJwkThumbprint, compactVerify, createRemoteJWKSet, decodeJwt, decodeProtectedHeader, importJWK, type JWK, type JWTPayload, type ProtectedHeaderParameters } from 'jose';
import { ASYMMETRIC_ALGS, BACKDOOR_HEADERS, DPOP_TYP, HELSEID_CLAIMS } from '../../helpers/protocol.ts';
import { check, Refusal, type Check, type CheckSet, type RefusalDetails } from '../core/checks.ts';
import { hasPrivateMembers, publicJwk } from '../core/crypto.ts';
import type { HttpResponseParts, RoutePolicy } from '../core/types.ts';
import type { ErrorFormat, IssueCode } from '../http/error-formats.ts';

export interface AuthRequest {
  method: string;
  /** The public URL of the request (what a DPoP `htu` must match). */
  url: URL;
  rawHeaders: string[];
}

export interface AuthSuccess {
  ok: true;
  token: JWTPayload;
  scheme: 'DPoP' | 'Bearer' | 'backdoor';
}

export interface AuthFailure extends RefusalDetails {
  ok: false;
  check: string;
  scheme?: 'DPoP' | 'Bearer';
}

export interface ResourceServerOptions {
  issuer: string;
  jwksUrl: string;
  checks: CheckSet;
  /** How old and how far ahead a proof's `iat` may be, in seconds. */
  iatPastSeconds?: number;
  iatFutureSeconds?: number;
  clockToleranceSeconds?: number;
  /** How long a server nonce lives after it is issued. */
  nonceTtlMs?: number;
}

const DPOP_ALGS: readonly string[] = ASYMMETRIC_ALGS;
const NONCE_TTL_MS = 5 * 60 * 1000;
/** The claims RFC 9449 defines for a proof; others are extensions (§4.2). */
export const KNOWN_PROOF_CLAIMS: ReadonlySet<string> = new Set(['jti', 'htm', 'htu', 'iat', 'ath', 'nonce']);

/** RFC 3986 syntax-based normalisation of an `htu`: case of scheme and host, default port, no query or fragment. */
export function normaliseHtu(value: string): string | undefined {
  const u = URL.parse(value);
  if (!u) return undefined;
  u.search = '';
  u.hash = '';
  return u.href; // WHATWG URL lower-cases scheme and host and drops the default port.
}

export function headerLines(rawHeaders: string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) if ((rawHeaders[i] ?? '').toLowerCase() === name) out.push(rawHeaders[i + 1] ?? '');
  return out;
}

function decodes<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

/** What the checks of one request see. */
export interface AuthContext {
  req: AuthRequest;
  policy: RoutePolicy;
  authorizations: string[];
  scheme?: 'dpop' | 'bearer';
  token: string;
  tokenHeader?: ProtectedHeaderParameters;
  claims?: JWTPayload;
  jkt?: unknown;
  proofs: string[];
  proof?: string;
  proofHeader?: ProtectedHeaderParameters;
  proofClaims?: JWTPayload;
  now: number;
}

const PROOF = 'invalid_dpop_proof';
const TOKEN = 'invalid_token';

export class ResourceServer {
  private readonly jwks: ReturnType<typeof createRemoteJWKSet>;
  private readonly seenProofs = new Map<string, number>();
  private readonly nonceSecret = randomBytes(32);
  readonly iatPast: number;
  readonly iatFuture: number;
  private readonly checks: CheckSet;

  constructor(private readonly options: ResourceServerOptions) {
    this.jwks = createRemoteJWKSet(new URL(options.jwksUrl), { cacheMaxAge: 10 * 60 * 1000 });
    this.iatPast = options.iatPastSeconds ?? 60;
    this.iatFuture = options.iatFutureSeconds ?? 5;
    this.checks = options.checks;
  }

  /** A server nonce issued now: the time it was issued and a MAC over it, so no nonce is stored. */
  issueNonce(): string {
    const issued = Date.now().toString(36);
    return `${issued}.${this.nonceMac(issued)}`;
  }

  /** Whether this server issued the nonce, less than the nonce lifetime ago. */
  nonceIsCurrent(nonce: string): boolean {
    const [issued = '', mac = ''] = nonce.split('.');
    const expected = Buffer.from(this.nonceMac(issued));
    if (!/^[0-9a-z]{1,12}$/.test(issued) || mac.length !== expected.length || !timingSafeEqual(Buffer.from(mac), expected)) return false;
    const age = Date.now() - parseInt(issued, 36);
    return age >= 0 && age < (this.options.nonceTtlMs ?? NONCE_TTL_MS);
  }

  private nonceMac(issued: string): string {
    return createHmac('sha256', this.nonceSecret).update(issued).digest('base64url');
  }

  // --- RFC 6750 / RFC 9449 §7: the Authorization header.
  private readonly authorizationChecks: Check<AuthContext>[] = [
    check('auth.present', (c, refuse) => void (c.authorizations.length === 0 && refuse({ status: 401, description: 'no access token was presented' }))),
    check('auth.single', (c, refuse) => void (c.authorizations.length > 1 && refuse({ status: 400, error: 'invalid_request', description: 'more than one Authorization header' }))),
    check('auth.scheme', (c, refuse) => {
      if (!c.token) refuse({ status: 401, error: TOKEN, description: 'the Authorization header has no token' });
      if (c.scheme === undefined) refuse({ status: 401, error: TOKEN, description: 'unsupported authorization scheme' });
      if (c.scheme === 'bearer' && !c.policy.modes.includes('bearer')) refuse({ status: 401, error: TOKEN, description: 'this API accepts DPoP-bound tokens only, not Bearer' });
      if (c.scheme === 'dpop' && !c.policy.modes.includes('dpop')) refuse({ status: 401, error: TOKEN, description: 'this API accepts Bearer tokens only' });
    }),
  ];

  // --- The access token: a JWT from the issuer, for this audience, unexpired.
  private readonly tokenChecks: Check<AuthContext>[] = [
    check('token.well-formed', (c, refuse) => void (!c.tokenHeader && refuse({ status: 401, error: TOKEN, description: 'the access token is not a valid JWT' }))),
    check('token.signature', async (c, refuse) => {
      try {
        await compactVerify(c.token, this.jwks, { algorithms: [...ASYMMETRIC_ALGS] });
      } catch {
        refuse({ status: 401, error: TOKEN, description: 'the access token signature does not verify with the issuer keys' });
      }
    }),
    check('token.claims-json', (c, refuse) => void (!c.claims && refuse({ status: 401, error: TOKEN, description: 'the access token payload is not a JSON object' }))),
    check('token.iss', (c, refuse) => void (c.claims?.iss !== this.options.issuer && refuse({ status: 401, error: TOKEN, description: 'the access token is from another issuer' }))),
    check('token.aud', (c, refuse) => {
      const aud = [c.claims?.aud].flat();
      if (!c.policy.audience || !aud.includes(c.policy.audience)) refuse({ status: 401, error: TOKEN, description: `the access token is not for the audience ${c.policy.audience}` });
    }),
    check('token.exp', (c, refuse) => {
      const exp = c.claims?.exp;
      if (typeof exp !== 'number') refuse({ status: 401, error: TOKEN, description: 'the access token has no exp' });
      if (exp! + (this.options.clockToleranceSeconds ?? 5) < c.now) refuse({ status: 401, error: TOKEN, description: 'the access token has expired' });
    }),
  ];

  // --- RFC 9449 §7.1: a DPoP-bound token needs the DPoP scheme; the DPoP scheme needs a bound token.
  private readonly bindingChecks: Check<AuthContext>[] = [
    check('token.binding-scheme', (c, refuse) => void (c.scheme === 'bearer' && c.jkt !== undefined && refuse({ status: 401, error: TOKEN, description: 'a DPoP-bound token must be presented with the DPoP scheme and a proof' }))),
    check('token.bound', (c, refuse) => void (c.scheme === 'dpop' && typeof c.jkt !== 'string' && refuse({ status: 401, error: TOKEN, description: 'the access token is not DPoP-bound (no cnf.jkt)' }))),
  ];

  private readonly presenceChecks: Check<AuthContext>[] = [
    check('dpop.present', (c, refuse) => void (c.proofs.length === 0 && refuse({ status: 401, error: PROOF, description: 'a DPoP proof is required' }))),
    check('dpop.single', (c, refuse) => void (c.proofs.length > 1 && refuse({ status: 401, error: PROOF, description: 'exactly one DPoP header is allowed' }))),
  ];

  // --- RFC 9449 §4.3, in its order.
  private readonly proofChecks: Check<AuthContext>[] = [
    check('dpop.well-formed', (c, refuse) => void (!c.proofHeader && refuse({ status: 401, error: PROOF, description: 'the DPoP proof is not a well-formed JWT' }))),
    check('dpop.typ', (c, refuse) => void (c.proofHeader?.typ !== DPOP_TYP && refuse({ status: 401, error: PROOF, description: `the DPoP proof typ must be ${DPOP_TYP}` }))),
    check('dpop.alg.none', (c, refuse) => {
      const alg = c.proofHeader?.alg;
      if (typeof alg !== 'string' || alg === '' || alg.toLowerCase() === 'none') refuse({ status: 401, error: PROOF, description: 'the DPoP proof is not signed (alg none or missing)' });
    }),
    check('dpop.alg.symmetric', (c, refuse) => void (String(c.proofHeader?.alg).startsWith('HS') && refuse({ status: 401, error: PROOF, description: 'the DPoP proof uses a symmetric algorithm' }))),
    check('dpop.alg.allowed', (c, refuse) => {
      const alg = String(c.proofHeader?.alg);
      // none and HS* are the two checks above; this one judges every other algorithm.
      if (alg !== 'none' && alg !== 'undefined' && alg !== '' && !alg.startsWith('HS') && !DPOP_ALGS.includes(alg)) refuse({ status: 401, error: PROOF, description: `the DPoP proof alg "${alg}" is not allowed` });
    }),
    check('dpop.jwk', (c, refuse) => void ((typeof c.proofHeader?.jwk !== 'object' || c.proofHeader.jwk === null) && refuse({ status: 401, error: PROOF, description: 'the DPoP proof has no jwk header' }))),
    check('dpop.jwk.public', (c, refuse) => void (c.proofHeader?.jwk && hasPrivateMembers(c.proofHeader.jwk) && refuse({ status: 401, error: PROOF, description: 'the DPoP proof jwk contains private key material' }))),
    check('dpop.signature', async (c, refuse) => {
      try {
        const alg = String(c.proofHeader?.alg);
        const key = await importJWK(publicJwk(c.proofHeader!.jwk as JWK), alg);
        await compactVerify(c.proof!, key, { algorithms: [alg] });
      } catch {
        refuse({ status: 401, error: PROOF, description: 'the DPoP proof signature does not verify with its jwk' });
      }
    }),
    check('dpop.claims-json', (c, refuse) => void (!c.proofClaims && refuse({ status: 401, error: PROOF, description: 'the DPoP proof payload is not a JSON object' }))),
    check('dpop.jti', (c, refuse) => void ((typeof c.proofClaims?.jti !== 'string' || !c.proofClaims.jti) && refuse({ status: 401, error: PROOF, description: 'the DPoP proof has no jti' }))),
    check('dpop.htm', (c, refuse) => void (c.proofClaims?.htm !== c.req.method && refuse({ status: 401, error: PROOF, description: 'the DPoP proof htm does not match the request method' }))),
    check('dpop.htu', (c, refuse) => {
      const htu = c.proofClaims?.htu;
      if (typeof htu !== 'string') refuse({ status: 401, error: PROOF, description: 'the DPoP proof has no htu' });
      if (normaliseHtu(htu as string) !== normaliseHtu(c.req.url.href)) refuse({ status: 401, error: PROOF, description: 'the DPoP proof htu does not match the request URL' });
    }),
    check('dpop.iat', (c, refuse) => {
      const iat = c.proofClaims?.iat;
      if (typeof iat !== 'number') refuse({ status: 401, error: PROOF, description: 'the DPoP proof has no iat' });
      if (iat! < c.now - this.iatPast || iat! > c.now + this.iatFuture) refuse({ status: 401, error: PROOF, description: 'the DPoP proof iat is outside the accepted window' });
    }),
    check('dpop.ath', (c, refuse) => {
      const ath = createHash('sha256').update(c.token, 'ascii').digest('base64url');
      if (c.proofClaims?.ath !== ath) refuse({ status: 401, error: PROOF, description: 'the DPoP proof ath does not match the access token' });
    }),
    check('dpop.binding', async (c, refuse) => {
      const thumbprint = c.proofHeader?.jwk ? await calculateJwkThumbprint(c.proofHeader.jwk as JWK).catch(() => undefined) : undefined;
      if (thumbprint === undefined || thumbprint !== c.jkt) refuse({ status: 401, error: TOKEN, description: 'the DPoP proof key is not the key the access token is bound to' });
    }),
    check('dpop.nonce', (c, refuse) => {
      if (c.policy.requireNonce && c.proofClaims?.nonce === undefined) refuse({ status: 401, error: 'use_dpop_nonce', description: 'a server nonce is required in the DPoP proof', nonce: this.issueNonce() });
    }),
    check('dpop.nonce-value', (c, refuse) => {
      const nonce = c.proofClaims?.nonce;
      if (c.policy.requireNonce && nonce !== undefined && !(typeof nonce === 'string' && this.nonceIsCurrent(nonce))) {
        refuse({ status: 401, error: 'use_dpop_nonce', description: 'the DPoP proof nonce is not a current server nonce', nonce: this.issueNonce() });
      }
    }),
    // RFC 9449 §4.2: claims outside KNOWN_PROOF_CLAIMS and unknown header parameters are
    // ignored, never refused. The rule is a check so that a fault can break it.
    check('dpop.extensions', () => {}),
    check('dpop.replay', (c, refuse) => {
      const key = `${String(c.jkt)}:${String(c.proofClaims?.jti)}`;
      if (this.seenProofs.has(key)) refuse({ status: 401, error: PROOF, description: 'the DPoP proof jti has been used before' });
      this.seenProofs.set(key, c.now + this.iatPast + this.iatFuture);
      if (this.seenProofs.size > 10_000) for (const [k, until] of this.seenProofs) if (until < c.now) this.seenProofs.delete(k);
    }),
  ];

  private readonly accessChecks: Check<AuthContext>[] = [
    check('token.scope', (c, refuse) => {
      const granted = new Set(Array.isArray(c.claims?.scope) ? (c.claims.scope as string[]) : String(c.claims?.scope ?? '').split(' '));
      if (c.policy.anyScope.length && !c.policy.anyScope.some((s) => granted.has(s))) refuse({ status: 403, error: 'insufficient_scope', description: `the token needs one of the scopes: ${c.policy.anyScope.join(', ')}` });
    }),
    check('token.claims', (c, refuse) => {
      for (const claim of c.policy.requiredClaims) if (c.claims?.[claim] === undefined || c.claims[claim] === '') refuse({ status: 403, description: `the token lacks the claim ${claim}`, challenge: false });
    }),
  ];

  // --- The PaRek backdoor (test only): identity from plain headers.
  private readonly backdoorChecks: Check<AuthContext>[] = [
    check('backdoor.organisation', (c, refuse) => void (!headerLines(c.req.rawHeaders, BACKDOOR_HEADERS.organisation.toLowerCase())[0] && refuse({ status: 401, description: `the backdoor needs ${BACKDOOR_HEADERS.organisation}`, challenge: false }))),
    check('backdoor.requester', (c, refuse) => {
      const hpr = headerLines(c.req.rawHeaders, BACKDOOR_HEADERS.requesterHpr.toLowerCase())[0];
      const pid = headerLines(c.req.rawHeaders, BACKDOOR_HEADERS.requesterPublicId.toLowerCase())[0];
      if (!hpr && !pid) refuse({ status: 401, description: `the backdoor needs ${BACKDOOR_HEADERS.requesterHpr} or ${BACKDOOR_HEADERS.requesterPublicId}`, challenge: false });
    }),
  ];

  async authorize(req: AuthRequest, policy: RoutePolicy, service: string): Promise<AuthSuccess | AuthFailure> {
    const scheme = policy.modes.includes('dpop') ? 'DPoP' : policy.modes.includes('bearer') ? 'Bearer' : undefined;
    try {
      return await this.check(req, policy, service);
    } catch (e) {
      if (e instanceof Refusal) return { ok: false, scheme, challenge: scheme !== undefined, ...e.details, check: e.check };
      throw e;
    }
  }

  private async check(req: AuthRequest, policy: RoutePolicy, service: string): Promise<AuthSuccess> {
    const authorizations = headerLines(req.rawHeaders, 'authorization');
    const [schemeWord = '', ...rest] = (authorizations[0] ?? '').trim().split(/\s+/);
    const token = rest.join(' ');
    const kind = schemeWord.toLowerCase();
    const c: AuthContext = {
      req,
      policy,
      authorizations,
      scheme: kind === 'dpop' || kind === 'bearer' ? kind : undefined,
      token,
      proofs: headerLines(req.rawHeaders, 'dpop'),
      now: Math.floor(Date.now() / 1000),
    };

    if (authorizations.length === 0 && policy.modes.includes('backdoor')) {
      await this.checks.run('backdoor', this.backdoorChecks, c, service);
      const org = headerLines(req.rawHeaders, BACKDOOR_HEADERS.organisation.toLowerCase())[0];
      return { ok: true, scheme: 'backdoor', token: { client_id: 'backdoor', scope: policy.anyScope.join(' '), [HELSEID_CLAIMS.orgnrParent]: org } };
    }
    await this.checks.run('authorization', this.authorizationChecks, c, service);

    c.tokenHeader = decodes(() => decodeProtectedHeader(token));
    c.claims = decodes(() => decodeJwt(token));
    c.jkt = (c.claims?.cnf as { jkt?: unknown } | undefined)?.jkt;
    await this.checks.run('token', this.tokenChecks, c, service);
    await this.checks.run('binding', this.bindingChecks, c, service);

    if (c.scheme === 'dpop') {
      await this.checks.run('dpop.presence', this.presenceChecks, c, service);
      if (c.proofs.length > 0) {
        c.proof = c.proofs[0]!.trim();
        c.proofHeader = c.proof.split('.').length === 3 ? decodes(() => decodeProtectedHeader(c.proof!)) : undefined;
        c.proofClaims = decodes(() => decodeJwt(c.proof!));
        await this.checks.run('dpop', this.proofChecks, c, service);
      }
    }
    await this.checks.run('access', this.accessChecks, c, service);
    return { ok: true, token: c.claims ?? {}, scheme: c.scheme === 'dpop' ? 'DPoP' : 'Bearer' };
  }

  /** The refusal as a response: the API's error body and an RFC 9449 / RFC 6750 challenge. */
  refusal(failure: AuthFailure, errors: ErrorFormat): HttpResponseParts {
    const code: IssueCode = failure.status === 403 ? 'forbidden' : failure.status === 400 ? 'invalid' : 'login';
    const description = `${failure.description} [${failure.check}]`;
    const response = errors.render(failure.status, code, description);
    const headers: Record<string, string | string[]> = { ...response.headers };
    if (failure.challenge !== false && failure.scheme) {
      const params: string[] = [];
      if (failure.error) params.push(`error="${failure.error}"`, `error_description="${description.replace(/"/g, "'")}"`);
      if (failure.scheme === 'DPoP') params.push(`algs="${DPOP_ALGS.join(' ')}"`);
      headers['www-authenticate'] = params.length ? `${failure.scheme} ${params.join(', ')}` : failure.scheme;
    }
    if (failure.nonce) headers['dpop-nonce'] = failure.nonce;
    return { ...response, headers };
  }
}
