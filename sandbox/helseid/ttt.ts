// A test-token service shaped like HelseID's TTT: POST /v2/create-test-token-with-key with an
// X-Auth-Key issues user-context access tokens signed by the stand-in's key, and, on request,
// deliberately broken tokens and DPoP proofs for negative tests.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { base64url, calculateJwkThumbprint, CompactSign, exportJWK, importJWK, SignJWT, type JWK } from 'jose';
import { HELSEID_CLAIMS, TTT_PATH } from '../../helpers/protocol.ts';
import { OID, syntheticHprNumber, syntheticNin, syntheticOrgnr } from '../../helpers/identifiers.ts';
import type { CheckSet } from '../core/checks.ts';
import { newKey, publicJwk, type TwinKey } from '../core/crypto.ts';

const MAX_BODY = 64 * 1024;
const randomId = () => randomBytes(16).toString('base64url');

type Json = Record<string, unknown>;

export interface TttOptions {
  issuer: string;
  apiKey: string;
  signingKey: JWK; // the stand-in's private key
  checks: CheckSet;
}

type ProofEdit = (parts: { header: Json; payload: Json }) => void;

/** The TTT's `invalidDPoPProofParameters` values, each as an edit of a correct proof. */
const INVALID_PROOF: Record<string, ProofEdit | 'symmetric' | 'tamper' | 'private-jwk' | 'no-alg'> = {
  None: () => {},
  DontSetHtuClaimValue: ({ payload }) => void delete payload.htu,
  DontSetHtmClaimValue: ({ payload }) => void delete payload.htm,
  SetIatValueInThePast: ({ payload }) => void (payload.iat = Number(payload.iat) - 3600),
  SetIatValueInTheFuture: ({ payload }) => void (payload.iat = Number(payload.iat) + 3600),
  DontSetAthClaimValue: ({ payload }) => void delete payload.ath,
  DontSetAlgHeader: 'no-alg',
  DontSetJwkHeader: ({ header }) => void delete header.jwk,
  DontSetJtiClaim: ({ payload }) => void delete payload.jti,
  SetAlgHeaderToASymmetricAlgorithm: 'symmetric',
  SetPrivateKeyInJwkHeader: 'private-jwk',
  SetInvalidTypHeaderValue: ({ header }) => void (header.typ = 'jwt'),
  SetAnInvalidSignature: 'tamper',
};

const segment = (value: unknown) => base64url.encode(JSON.stringify(value));

/** A DPoP proof made here with jose, broken on request the way the TTT breaks them. */
async function dpopProof(key: TwinKey, request: { method: string; url: string; accessToken: string }, variant: string): Promise<string> {
  const u = new URL(request.url);
  u.search = '';
  u.hash = '';
  const header: Json = { typ: 'dpop+jwt', alg: key.alg, jwk: key.publicJwk };
  const payload: Json = { jti: randomId(), htm: request.method.toUpperCase(), htu: u.href, iat: Math.floor(Date.now() / 1000), ath: createHash('sha256').update(request.accessToken, 'ascii').digest('base64url') };
  const edit = INVALID_PROOF[variant]!;
  if (edit === 'symmetric') {
    const input = `${segment({ ...header, alg: 'HS256' })}.${segment(payload)}`;
    return `${input}.${createHmac('sha256', randomBytes(32)).update(input).digest('base64url')}`;
  }
  if (edit === 'private-jwk') header.jwk = { ...(await exportJWK(key.privateKey)) };
  else if (typeof edit === 'function') edit({ header, payload });
  const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload))).setProtectedHeader(header as { alg: string }).sign(key.privateKey);
  const [h, p, sig = ''] = jws.split('.');
  if (edit === 'no-alg') {
    const { alg: _alg, ...rest } = header;
    return `${segment(rest)}.${p}.${sig}`;
  }
  if (edit !== 'tamper') return jws;
  const bytes = base64url.decode(sig);
  bytes[0] = (bytes[0] ?? 0) ^ 0xff;
  return `${h}.${p}.${base64url.encode(bytes)}`;
}

async function importPrivate(jwk: JWK): Promise<TwinKey> {
  const alg = jwk.alg ?? (jwk.kty === 'RSA' ? 'RS256' : jwk.crv === 'P-384' ? 'ES384' : jwk.crv === 'P-521' ? 'ES512' : 'ES256');
  const privateKey = (await importJWK({ ...jwk, ext: true }, alg)) as CryptoKey;
  const pub = publicJwk(jwk);
  delete pub.alg;
  delete (pub as Json).ext;
  delete (pub as Json).key_ops;
  return { alg, privateKey, publicJwk: pub, privateJwk: jwk, thumbprint: await calculateJwkThumbprint(pub) };
}

function sameKey(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

class TttError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function obj(value: unknown): Json {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value ? value : undefined;
}

export function createTestTokenService(options: TttOptions): http.Server {
  let signer: { key: CryptoKey; kid?: string } | undefined;
  const signerKey = async () => (signer ??= { key: (await importJWK(options.signingKey, 'RS256')) as CryptoKey, kid: options.signingKey.kid });

  async function issue(request: Json): Promise<Json> {
    let body = request;
    const audience = str(body.audience);
    if (!audience) throw new TttError(400, 'audience is required');
    const client = obj(body.clientClaimsParameters);
    const user = obj(body.userClaimsParameters);
    if (!options.checks.on('ttt.broken-flags', 'ttt')) {
      body = {
        ...body,
        signJwtWithInvalidSigningKey: false,
        setInvalidIssuer: false,
        setInvalidAudience: false,
        expirationParameters: { ...obj(body.expirationParameters), setExpirationTimeAsExpired: false },
        dPoPProofParameters: { ...obj(body.dPoPProofParameters), invalidDPoPProofParameters: 'None' },
      };
    }
    if (!options.checks.on('ttt.trust-framework', 'ttt')) body = { ...body, createTillitsrammeverkClaims: false };
    const expiration = obj(body.expirationParameters);
    const now = Math.floor(Date.now() / 1000);
    const lifetime = Number(expiration.expirationTimeInSeconds) || (Number(expiration.expirationTimeInDays) || 0) * 86_400 || 3600;

    const scopes = Array.isArray(client.scope) ? client.scope.map(String) : [];
    const payload: Json = {
      iss: body.setInvalidIssuer ? 'https://invalid-issuer.test.invalid' : options.issuer,
      aud: body.setInvalidAudience ? 'nhn:invalid-audience' : audience,
      iat: now,
      nbf: now,
      exp: expiration.setExpirationTimeAsExpired ? now - 300 : now + lifetime,
      jti: str(client.jti) ?? randomId(),
      client_id: str(client.clientId) ?? 'ttt-synthetic-client',
      scope: scopes.join(' '),
      [HELSEID_CLAIMS.orgnrParent]: str(client.orgnrParent) ?? syntheticOrgnr(11),
      [HELSEID_CLAIMS.clientName]: str(client.clientName) ?? 'TTT synthetic client',
      [HELSEID_CLAIMS.pid]: str(user.pid) ?? syntheticNin(1),
      [HELSEID_CLAIMS.hprNumber]: str(user.hprNumber) ?? syntheticHprNumber(1),
      [HELSEID_CLAIMS.securityLevel]: str(user.securityLevel) ?? '4',
      [HELSEID_CLAIMS.assuranceLevel]: str(user.assuranceLevel) ?? 'high',
      [HELSEID_CLAIMS.network]: str(user.network) ?? 'internett',
    };
    if (str(client.orgnrChild)) payload[HELSEID_CLAIMS.orgnrChild] = client.orgnrChild;
    if (str(client.orgnrSupplier)) payload[HELSEID_CLAIMS.orgnrSupplier] = client.orgnrSupplier;
    for (const name of ['name', 'givenName', 'middleName', 'familyName'] as const) {
      const v = str(user[name]);
      if (v) payload[name === 'givenName' ? 'given_name' : name === 'familyName' ? 'family_name' : name === 'middleName' ? 'middle_name' : 'name'] = v;
    }
    if (body.setSubject) payload.sub = str(user.subject) ?? `ttt-${randomId()}`;
    if (body.createTillitsrammeverkClaims) payload.authorization_details = [trustFrameworkClaims(obj(body.tillitsrammeverkClaimsParameters))];
    for (const extra of Array.isArray(body.apiSpecificClaims) ? body.apiSpecificClaims : []) {
      const { type, value } = obj(extra);
      if (typeof type === 'string') payload[type] = value;
    }

    let dpopKey: TwinKey | undefined;
    const proofParams = obj(body.dPoPProofParameters);
    if (body.createDPoPTokenWithDPoPProof) {
      const given = proofParams.privateKeyForProofCreation;
      dpopKey = typeof given === 'string' ? await importPrivate(JSON.parse(given) as JWK) : await newKey('ES256');
      payload.cnf = { jkt: dpopKey.thumbprint };
    } else if (str(client.cnfJkt)) {
      payload.cnf = { jkt: client.cnfJkt };
    }

    const header = { alg: 'RS256', typ: str(obj(body.headerParameters).typ) ?? 'at+jwt' };
    let accessTokenJwt: string;
    if (body.signJwtWithInvalidSigningKey) {
      const stranger = await newKey('RS256');
      accessTokenJwt = await new SignJWT(payload).setProtectedHeader({ ...header, kid: options.signingKey.kid }).sign(stranger.privateKey);
    } else {
      const { key, kid } = await signerKey();
      accessTokenJwt = await new SignJWT(payload).setProtectedHeader({ ...header, kid }).sign(key);
    }

    const success: Json = { accessTokenJwt };
    if (dpopKey) {
      const invalid = str(proofParams.invalidDPoPProofParameters) ?? 'None';
      if (!INVALID_PROOF[invalid]) throw new TttError(400, `unknown invalidDPoPProofParameters "${invalid}"`);
      const url = str(proofParams.htuClaimValue) ?? 'https://unset.invalid/';
      if (!URL.parse(url)) throw new TttError(400, 'htuClaimValue is not a URL');
      success.dPoPProof = await dpopProof(dpopKey, { method: str(proofParams.htmClaimValue) ?? 'GET', url, accessToken: accessTokenJwt }, invalid);
    }
    return { isError: false, successResponse: success, errorResponse: null };
  }

  return http.createServer((req, res) => {
    const answer = (status: number, body: Json) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    const fail = (status: number, message: string) => answer(status, { isError: true, successResponse: null, errorResponse: { errorMessage: message } });

    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => {
      void (async () => {
        if (new URL(req.url ?? '/', 'http://ttt').pathname !== TTT_PATH) return fail(404, 'no such endpoint');
        if (req.method !== 'POST') return fail(405, 'use POST');
        const key = req.headers['x-auth-key'];
        if (options.checks.on('ttt.api-key', 'ttt') && !sameKey(Array.isArray(key) ? key[0] : key, options.apiKey)) {
          return fail(401, 'a valid X-Auth-Key header is required');
        }
        if (size > MAX_BODY) return fail(413, `the request body exceeds ${MAX_BODY} bytes`);
        if (!(req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) return fail(415, 'the body must be application/json');
        let body: Json;
        try {
          body = obj(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch {
          return fail(400, 'the body is not valid JSON');
        }
        try {
          answer(200, await issue(body));
        } catch (e) {
          if (e instanceof TttError) fail(e.status, e.message);
          else {
            process.stderr.write(`[twin:ttt] ${(e as Error).message}\n`);
            fail(500, 'the test-token service failed to issue a token');
          }
        }
      })();
    });
  });
}

function trustFrameworkClaims(p: Json): Json {
  const code = (c: unknown, system: string) => ({ code: str(c) ?? '', system });
  return {
    type: HELSEID_CLAIMS.trustFramework,
    practitioner: {
      authorization: code(p.practitionerAuthorizationCode ?? 'LE', 'urn:oid:2.16.578.1.12.4.1.1.9060'),
      legal_entity: { id: str(p.practitionerLegalEntityId) ?? syntheticOrgnr(12), system: OID.orgnr },
      point_of_care: { id: str(p.practitionerPointOfCareId) ?? syntheticOrgnr(13), system: OID.orgnr },
    },
    care_relationship: {
      healthcare_service: code(p.careRelationshipHealthcareServiceCode ?? 'S03', 'urn:oid:2.16.578.1.12.4.1.1.8655'),
      purpose_of_use: code(p.careRelationshipPurposeOfUseCode ?? 'TREAT', 'urn:oid:2.16.840.1.113883.1.11.20448'),
      decision_ref: { id: str(p.careRelationshipDecisionRefId) ?? randomId(), user_selected: false },
    },
    patients: [{ point_of_care: { id: syntheticOrgnr(13), system: OID.orgnr } }],
  };
}
