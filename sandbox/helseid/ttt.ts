// A test-token service shaped like HelseID's TTT: POST /v2/create-test-token-with-key with an
// X-Auth-Key issues user-context access tokens signed by the stand-in's key, and, on request,
// deliberately broken tokens and DPoP proofs for negative tests.
import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { importJWK, SignJWT, type JWK } from 'jose';
import { createDpopProof, type DpopFaults } from '../../helpers/auth/dpop.ts';
import { generateSigningKey, importSigningKey, type SigningKey } from '../../helpers/auth/keys.ts';
import { randomId } from '../../helpers/auth/jws.ts';
import { HELSEID_CLAIMS } from '../../helpers/config/services.ts';
import { syntheticHprNumber, syntheticNin, syntheticOrgnr } from '../../helpers/identifiers.ts';
import type { Faults } from '../faults.ts';

export const TTT_PATH = '/v2/create-test-token-with-key';
const MAX_BODY = 64 * 1024;

type Json = Record<string, unknown>;

export interface TttOptions {
  issuer: string;
  apiKey: string;
  signingKey: JWK; // the stand-in's private key
  faults: Faults;
}

/** The TTT's `invalidDPoPProofParameters` values, as proof faults. */
const INVALID_PROOF: Record<string, DpopFaults> = {
  None: {},
  DontSetHtuClaimValue: { htu: null },
  DontSetHtmClaimValue: { htm: null },
  SetIatValueInThePast: { iatOffsetSeconds: -3600 },
  SetIatValueInTheFuture: { iatOffsetSeconds: 3600 },
  DontSetAthClaimValue: { ath: null },
  DontSetAlgHeader: { alg: '' },
  DontSetJwkHeader: { omitJwk: true },
  DontSetJtiClaim: { jti: null },
  SetAlgHeaderToASymmetricAlgorithm: { symmetric: true },
  SetPrivateKeyInJwkHeader: { privateKeyInJwk: true },
  SetInvalidTypHeaderValue: { typ: 'jwt' },
  SetAnInvalidSignature: { tamperSignature: true },
};

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
    if (options.faults.has('ttt-ignores-broken-flags')) {
      body = {
        ...body,
        signJwtWithInvalidSigningKey: false,
        setInvalidIssuer: false,
        setInvalidAudience: false,
        expirationParameters: { ...obj(body.expirationParameters), setExpirationTimeAsExpired: false },
        dPoPProofParameters: { ...obj(body.dPoPProofParameters), invalidDPoPProofParameters: 'None' },
      };
    }
    if (options.faults.has('ttt-no-trust-framework')) body = { ...body, createTillitsrammeverkClaims: false };
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

    let dpopKey: SigningKey | undefined;
    const proofParams = obj(body.dPoPProofParameters);
    if (body.createDPoPTokenWithDPoPProof) {
      const given = proofParams.privateKeyForProofCreation;
      dpopKey = typeof given === 'string' ? await importSigningKey(JSON.parse(given) as JWK) : await generateSigningKey('ES256');
      payload.cnf = { jkt: dpopKey.thumbprint };
    } else if (str(client.cnfJkt)) {
      payload.cnf = { jkt: client.cnfJkt };
    }

    const header = { alg: 'RS256', typ: str(obj(body.headerParameters).typ) ?? 'at+jwt' };
    let accessTokenJwt: string;
    if (body.signJwtWithInvalidSigningKey) {
      const stranger = await generateSigningKey('RS256');
      accessTokenJwt = await new SignJWT(payload).setProtectedHeader({ ...header, kid: options.signingKey.kid }).sign(stranger.privateKey);
    } else {
      const { key, kid } = await signerKey();
      accessTokenJwt = await new SignJWT(payload).setProtectedHeader({ ...header, kid }).sign(key);
    }

    const success: Json = { accessTokenJwt };
    if (dpopKey) {
      const invalid = str(proofParams.invalidDPoPProofParameters) ?? 'None';
      const faults = INVALID_PROOF[invalid];
      if (!faults) throw new TttError(400, `unknown invalidDPoPProofParameters "${invalid}"`);
      success.dPoPProof = await createDpopProof(
        dpopKey,
        { method: str(proofParams.htmClaimValue) ?? 'GET', url: str(proofParams.htuClaimValue) ?? 'https://unset.invalid/', accessToken: accessTokenJwt },
        faults,
      );
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
        if (!options.faults.has('ttt-no-key-check') && !sameKey(Array.isArray(key) ? key[0] : key, options.apiKey)) {
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
      legal_entity: { id: str(p.practitionerLegalEntityId) ?? syntheticOrgnr(12), system: 'urn:oid:2.16.578.1.12.4.1.4.101' },
      point_of_care: { id: str(p.practitionerPointOfCareId) ?? syntheticOrgnr(13), system: 'urn:oid:2.16.578.1.12.4.1.4.101' },
    },
    care_relationship: {
      healthcare_service: code(p.careRelationshipHealthcareServiceCode ?? 'S03', 'urn:oid:2.16.578.1.12.4.1.1.8655'),
      purpose_of_use: code(p.careRelationshipPurposeOfUseCode ?? 'TREAT', 'urn:oid:2.16.840.1.113883.1.11.20448'),
      decision_ref: { id: str(p.careRelationshipDecisionRefId) ?? randomId(), user_selected: false },
    },
    patients: [{ point_of_care: { id: syntheticOrgnr(13), system: 'urn:oid:2.16.578.1.12.4.1.4.101' } }],
  };
}
