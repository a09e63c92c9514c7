// The resource-server layer every twin API shares: access-token verification through the
// stand-in's JWKS, DPoP proof verification per RFC 9449, scope and claim checks, and
// `WWW-Authenticate` challenges on refusal.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import {
  calculateJwkThumbprint,
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  importJWK,
  jwtVerify,
  type JWK,
  type JWTPayload,
} from 'jose';
import { ASYMMETRIC_ALGS } from '../../helpers/config/services.ts';
import type { Faults } from '../faults.ts';
import type { ErrorFormat, IssueCode } from '../http/error-formats.ts';
import type { TwinRequest, TwinResponse } from '../http/service.ts';

export interface AuthPolicy {
  audience: string;
  /** The token needs at least one of these scopes; none listed: any token for the audience. */
  anyScope?: string[];
  modes: Array<'dpop' | 'bearer'>;
  requiredClaims?: string[];
  requireNonce?: boolean;
  /** Fault planting only: accept a DPoP-bound token presented as Bearer. */
  bearerIgnoresBinding?: boolean;
  /** Fault planting only: accept the DPoP scheme without a proof. */
  proofOptional?: boolean;
}

export interface AuthSuccess {
  ok: true;
  token: JWTPayload;
  scheme: 'DPoP' | 'Bearer';
}

export type ChallengeError = 'invalid_request' | 'invalid_token' | 'invalid_dpop_proof' | 'use_dpop_nonce' | 'insufficient_scope';

export interface AuthFailure {
  ok: false;
  status: 400 | 401 | 403;
  error?: ChallengeError;
  description: string;
  scheme: 'DPoP' | 'Bearer';
  nonce?: string;
  /** 403s for a missing claim carry no challenge: a new token would not help. */
  challenge: boolean;
}

export interface ResourceServerOptions {
  issuer: string;
  jwksUrl: string;
  faults: Faults;
  /** How old and how far ahead a proof's `iat` may be, in seconds. */
  iatPastSeconds?: number;
  iatFutureSeconds?: number;
  clockToleranceSeconds?: number;
  /** How long a server nonce lives: it is valid in its slot and the next. */
  nonceSlotMs?: number;
}

const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];
const DPOP_ALGS: readonly string[] = ASYMMETRIC_ALGS;
const NONCE_SLOT_MS = 5 * 60 * 1000;

/** RFC 3986 syntax-based normalisation of an `htu`: case of scheme and host, default port, no query or fragment. */
export function normaliseHtu(value: string): string | undefined {
  const u = URL.parse(value);
  if (!u) return undefined;
  u.search = '';
  u.hash = '';
  return u.href; // WHATWG URL lower-cases scheme and host and drops the default port.
}

class Refusal extends Error {
  constructor(readonly failure: Omit<AuthFailure, 'ok' | 'scheme' | 'challenge'> & { challenge?: boolean }) {
    super(failure.description);
  }
}

function refuse(status: AuthFailure['status'], error: ChallengeError | undefined, description: string, extra: Partial<AuthFailure> = {}): never {
  throw new Refusal({ status, error, description, ...extra });
}

export class ResourceServer {
  private readonly jwks: ReturnType<typeof createRemoteJWKSet>;
  private readonly seenProofs = new Map<string, number>();
  private readonly nonceSecret = randomBytes(32);
  private readonly challenged = new Set<string>();
  readonly iatPast: number;
  readonly iatFuture: number;

  constructor(private readonly options: ResourceServerOptions) {
    this.jwks = createRemoteJWKSet(new URL(options.jwksUrl), { cacheMaxAge: 10 * 60 * 1000 });
    this.iatPast = options.iatPastSeconds ?? 60;
    this.iatFuture = options.iatFutureSeconds ?? 5;
  }

  currentNonce(slotOffset = 0): string {
    const slot = Math.floor(Date.now() / (this.options.nonceSlotMs ?? NONCE_SLOT_MS)) + slotOffset;
    return createHmac('sha256', this.nonceSecret).update(String(slot)).digest('base64url');
  }

  private nonceIsValid(nonce: unknown): boolean {
    if (this.options.faults.has('rs-nonce-unchecked')) return typeof nonce === 'string';
    return typeof nonce === 'string' && (nonce === this.currentNonce() || nonce === this.currentNonce(-1));
  }

  async authorize(req: TwinRequest, policy: AuthPolicy): Promise<AuthSuccess | AuthFailure> {
    const preferred: AuthFailure['scheme'] = policy.modes.includes('dpop') ? 'DPoP' : 'Bearer';
    try {
      return await this.check(req, policy);
    } catch (e) {
      if (e instanceof Refusal) return { ok: false, scheme: preferred, challenge: true, ...e.failure };
      throw e;
    }
  }

  private async check(req: TwinRequest, policy: AuthPolicy): Promise<AuthSuccess> {
    const authorizations = headerLines(req.rawHeaders, 'authorization');
    if (authorizations.length === 0 && this.fault('rs-honours-backdoor') && headerLines(req.rawHeaders, 'x-nilar-organisation').length) {
      return { ok: true, scheme: 'Bearer', token: { client_id: 'backdoor', scope: policy.anyScope?.join(' '), 'helseid://claims/client/claims/orgnr_parent': headerLines(req.rawHeaders, 'x-nilar-organisation')[0] } };
    }
    if (authorizations.length === 0) refuse(401, undefined, 'no access token was presented');
    if (authorizations.length > 1) refuse(400, 'invalid_request', 'more than one Authorization header');
    const [scheme = '', ...rest] = authorizations[0]!.trim().split(/\s+/);
    const token = rest.join(' ');
    const kind = scheme.toLowerCase();
    if (!token) refuse(401, 'invalid_token', 'the Authorization header has no token');
    if (kind !== 'dpop' && kind !== 'bearer') refuse(401, 'invalid_token', `unsupported authorization scheme "${scheme}"`);
    const bearerAllowed = policy.modes.includes('bearer') || this.fault('rs-bearer-everywhere') || this.fault('rs-bearer-downgrade');
    if (kind === 'bearer' && !bearerAllowed) refuse(401, 'invalid_token', 'this API accepts DPoP-bound tokens only, not Bearer');
    if (kind === 'dpop' && !policy.modes.includes('dpop')) refuse(401, 'invalid_token', 'this API accepts Bearer tokens only');

    const claims = await this.verifyAccessToken(token, policy.audience);
    const jkt = (claims.cnf as { jkt?: unknown } | undefined)?.jkt;

    if (kind === 'bearer') {
      if (jkt !== undefined && !policy.bearerIgnoresBinding && !this.fault('rs-bearer-downgrade')) refuse(401, 'invalid_token', 'a DPoP-bound token must be presented with the DPoP scheme and a proof');
    } else {
      if (typeof jkt !== 'string') refuse(401, 'invalid_token', 'the access token is not DPoP-bound (no cnf.jkt)');
      if (!(policy.proofOptional && headerLines(req.rawHeaders, 'dpop').length === 0)) await this.verifyProof(req, token, jkt, policy);
    }

    this.checkScopes(claims, policy);
    return { ok: true, token: claims, scheme: kind === 'dpop' ? 'DPoP' : 'Bearer' };
  }

  private async verifyAccessToken(token: string, audience: string): Promise<JWTPayload> {
    try {
      const { payload } = await jwtVerify(token, this.jwks, {
        issuer: this.options.issuer,
        audience: this.fault('rs-audience-unchecked') ? undefined : audience,
        algorithms: [...ASYMMETRIC_ALGS],
        clockTolerance: this.fault('rs-expired-accepted') ? 10 * 365 * 86_400 : (this.options.clockToleranceSeconds ?? 5),
        requiredClaims: ['exp'],
      });
      return payload;
    } catch (e) {
      const code = (e as { code?: string }).code ?? '';
      if (this.options.faults.has('rs-crash-on-garbage') && (code === 'ERR_JWS_INVALID' || code === 'ERR_JWT_INVALID')) throw new Error(`unhandled: ${code}`);
      const reason =
        code === 'ERR_JWT_EXPIRED' ? 'the access token has expired'
        : code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' ? `the access token ${(e as Error).message}`
        : code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' || code === 'ERR_JWKS_NO_MATCHING_KEY' ? 'the access token signature does not verify with the issuer keys'
        : 'the access token is not a valid JWT';
      refuse(401, 'invalid_token', reason);
    }
  }

  private async verifyProof(req: TwinRequest, token: string, jkt: string, policy: AuthPolicy): Promise<void> {
    if (this.fault('rs-refuse-all')) refuse(401, 'invalid_dpop_proof', 'refused');
    const proofs = headerLines(req.rawHeaders, 'dpop');
    if (proofs.length === 0) refuse(401, 'invalid_dpop_proof', 'a DPoP proof is required');
    if (proofs.length > 1 && !this.fault('rs-two-proofs')) refuse(401, 'invalid_dpop_proof', 'exactly one DPoP header is allowed');
    const proof = proofs[0]!.trim();

    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(proof);
      if (proof.split('.').length !== 3) throw new Error('not compact');
    } catch {
      if (this.options.faults.has('rs-crash-on-garbage')) throw new Error('unhandled: malformed DPoP proof');
      refuse(401, 'invalid_dpop_proof', 'the DPoP proof is not a well-formed JWT');
    }
    if (header.typ !== 'dpop+jwt' && !this.fault('rs-typ-unchecked')) refuse(401, 'invalid_dpop_proof', 'the DPoP proof typ must be dpop+jwt');
    const algOk = typeof header.alg === 'string' && DPOP_ALGS.includes(header.alg);
    const lenientAlg = (header.alg === 'none' && this.fault('rs-alg-none')) || (String(header.alg).startsWith('HS') && this.fault('rs-alg-symmetric')) || this.fault('rs-alg-any');
    if (!algOk && !lenientAlg) refuse(401, 'invalid_dpop_proof', `the DPoP proof alg "${String(header.alg)}" is not allowed`);
    const jwk = header.jwk as JWK | undefined;
    // rs-jwk-missing-ok: a server that trusts the token's binding when the proof names no key.
    const trustBinding = (!jwk || typeof jwk !== 'object') && this.fault('rs-jwk-missing-ok');
    if (!trustBinding && (!jwk || typeof jwk !== 'object')) refuse(401, 'invalid_dpop_proof', 'the DPoP proof has no jwk header');
    if (jwk && PRIVATE_JWK_MEMBERS.some((m) => m in jwk) && !this.fault('rs-private-jwk-ok')) refuse(401, 'invalid_dpop_proof', 'the DPoP proof jwk contains private key material');

    let payload: JWTPayload;
    const skipSignature = trustBinding || this.fault('rs-signature-unchecked') || (header.alg === 'none' && this.fault('rs-alg-none')) || (String(header.alg).startsWith('HS') && this.fault('rs-alg-symmetric'));
    try {
      if (skipSignature) payload = decodeJwt(proof);
      else {
        const alg = String(header.alg);
        // rs-private-jwk-ok: a server that ignores the private members instead of refusing them.
        const verifyWith = this.fault('rs-private-jwk-ok') ? Object.fromEntries(Object.entries(jwk!).filter(([k]) => !PRIVATE_JWK_MEMBERS.includes(k))) : jwk!;
        const key = await importJWK(verifyWith as JWK, alg);
        ({ payload } = await jwtVerify(proof, key, { algorithms: [alg], typ: this.fault('rs-typ-unchecked') ? undefined : 'dpop+jwt' }));
      }
    } catch {
      refuse(401, 'invalid_dpop_proof', 'the DPoP proof signature does not verify with its jwk');
    }

    if ((typeof payload.jti !== 'string' || !payload.jti) && !this.fault('rs-jti-unchecked')) refuse(401, 'invalid_dpop_proof', 'the DPoP proof has no jti');
    if (payload.htm !== req.method && !this.fault('rs-htm-unchecked')) refuse(401, 'invalid_dpop_proof', 'the DPoP proof htm does not match the request method');
    if (!this.fault('rs-htu-unchecked')) {
      if (typeof payload.htu !== 'string') refuse(401, 'invalid_dpop_proof', 'the DPoP proof has no htu');
      const matches = this.fault('rs-htu-strict') ? payload.htu === `${req.url.origin}${req.url.pathname}` : normaliseHtu(payload.htu) === normaliseHtu(req.url.href);
      if (!matches) refuse(401, 'invalid_dpop_proof', 'the DPoP proof htu does not match the request URL');
    }
    if (typeof payload.iat !== 'number') refuse(401, 'invalid_dpop_proof', 'the DPoP proof has no iat');
    const now = Math.floor(Date.now() / 1000);
    if ((payload.iat < now - this.iatPast || payload.iat > now + this.iatFuture) && !this.fault('rs-iat-unchecked')) {
      refuse(401, 'invalid_dpop_proof', 'the DPoP proof iat is outside the accepted window');
    }
    if (this.fault('rs-extra-claims-refused') && Object.keys(payload).some((k) => !['jti', 'htm', 'htu', 'iat', 'ath', 'nonce'].includes(k))) {
      refuse(401, 'invalid_dpop_proof', 'the DPoP proof has unknown claims');
    }
    const ath = createHash('sha256').update(token, 'ascii').digest('base64url');
    if (payload.ath !== ath && !this.fault('rs-ath-unchecked')) refuse(401, 'invalid_dpop_proof', 'the DPoP proof ath does not match the access token');
    if (!trustBinding && (await calculateJwkThumbprint(jwk!)) !== jkt && !this.fault('rs-binding-unchecked')) refuse(401, 'invalid_token', 'the DPoP proof key is not the key the access token is bound to');
    // rs-nonce-not-enforced: challenges a key once, then forgets to ask again.
    const nonceNeeded = policy.requireNonce && !(this.fault('rs-nonce-not-enforced') && this.challenged.has(jkt));
    if (policy.requireNonce) this.challenged.add(jkt);
    if (nonceNeeded && !this.nonceIsValid(payload.nonce)) {
      refuse(401, 'use_dpop_nonce', 'a fresh server nonce is required in the DPoP proof', { nonce: this.currentNonce() });
    }

    if (!this.fault('rs-replay-accepted')) this.rememberProof(`${jkt}:${String(payload.jti)}`, now);
  }

  private fault(id: Parameters<Faults['has']>[0]): boolean {
    return this.options.faults.has(id);
  }


  private rememberProof(key: string, now: number): void {
    if (this.seenProofs.has(key)) refuse(401, 'invalid_dpop_proof', 'the DPoP proof jti has been used before');
    this.seenProofs.set(key, now + this.iatPast + this.iatFuture);
    if (this.seenProofs.size > 10_000) {
      for (const [k, until] of this.seenProofs) if (until < now) this.seenProofs.delete(k);
    }
  }

  private checkScopes(claims: JWTPayload, policy: AuthPolicy): void {
    const granted = new Set(Array.isArray(claims.scope) ? (claims.scope as string[]) : String(claims.scope ?? '').split(' '));
    if (policy.anyScope?.length && !policy.anyScope.some((s) => granted.has(s)) && !this.fault('rs-scope-unchecked')) {
      refuse(403, 'insufficient_scope', `the token needs one of the scopes: ${policy.anyScope.join(', ')}`);
    }
    for (const claim of policy.requiredClaims ?? []) {
      if (claims[claim] === undefined || claims[claim] === '') refuse(403, undefined, `the token lacks the claim ${claim}`, { challenge: false });
    }
  }

  /** The refusal as a response: the API's error body and an RFC 9449 / RFC 6750 challenge. */
  refusal(failure: AuthFailure, errors: ErrorFormat): TwinResponse {
    const code: IssueCode = failure.status === 403 ? 'forbidden' : failure.status === 400 ? 'invalid' : 'login';
    const response = errors.render(failure.status, code, failure.description);
    const headers: Record<string, string | string[]> = { ...response.headers };
    if (failure.challenge && !this.options.faults.has('rs-no-www-authenticate')) {
      const params: string[] = [];
      const error = failure.error && this.fault('rs-wrong-error-code') ? 'invalid_request' : failure.error;
      if (error) params.push(`error="${error}"`, `error_description="${failure.description.replace(/"/g, "'")}"`);
      if (failure.scheme === 'DPoP' && !this.fault('rs-no-algs')) params.push(`algs="${DPOP_ALGS.join(' ')}"`);
      headers['www-authenticate'] = params.length ? `${failure.scheme} ${params.join(', ')}` : failure.scheme;
    }
    if (failure.nonce) headers['dpop-nonce'] = failure.nonce;
    return { ...response, headers };
  }
}

export function headerLines(rawHeaders: string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if ((rawHeaders[i] ?? '').toLowerCase() === name) out.push(rawHeaders[i + 1] ?? '');
  }
  return out;
}
