// DPoP proofs (RFC 9449): correct by default, and every one-thing-wrong variant a negative
// test needs. Each variant is a named option so a spec reads like the rule it breaks.
import { createHash } from 'node:crypto';
import type { JWTPayload } from 'jose';
import { exportPrivateJwk, type SigningKey } from './keys.ts';
import { randomId, signCompact, type Header } from './jws.ts';

export interface DpopProofRequest {
  method: string;
  /** The full request URL; the proof's `htu` drops its query and fragment. */
  url: string;
  /** The access token the proof accompanies; sets `ath`. Omit at the token endpoint. */
  accessToken?: string;
  nonce?: string;
}

export interface DpopFaults {
  typ?: string | null; // null: no typ header
  /** A different `alg` in the header (the signature is made with the key's own); '' drops it. */
  alg?: string;
  algNone?: boolean;
  symmetric?: boolean;
  tamperSignature?: boolean;
  omitJwk?: boolean;
  privateKeyInJwk?: boolean;
  /** Sign with this key but embed the bound key's public JWK (signature mismatch). */
  signWith?: SigningKey;
  htm?: string | null;
  htu?: string | null;
  keepQueryInHtu?: boolean;
  iatOffsetSeconds?: number;
  omitIat?: boolean;
  jti?: string | null;
  ath?: string | null;
  nonce?: string;
  /** Send no nonce even when the server has given one. */
  omitNonce?: boolean;
  extraHeader?: Header;
  extraClaims?: JWTPayload;
}

export function accessTokenHash(accessToken: string): string {
  return createHash('sha256').update(accessToken, 'ascii').digest('base64url');
}

/** `htu` per RFC 9449: the request URI without query and fragment. */
export function htuOf(url: string): string {
  const u = new URL(url);
  u.search = '';
  u.hash = '';
  return u.href;
}

export async function createDpopProof(key: SigningKey, request: DpopProofRequest, faults: DpopFaults = {}): Promise<string> {
  const header: Header = { typ: 'dpop+jwt', alg: faults.alg ?? key.alg, jwk: key.publicJwk };
  if (faults.typ === null) delete header.typ;
  else if (faults.typ !== undefined) header.typ = faults.typ;
  if (faults.omitJwk) delete header.jwk;
  if (faults.privateKeyInJwk) header.jwk = await exportPrivateJwk(key);
  Object.assign(header, faults.extraHeader);

  const payload: JWTPayload = {
    jti: randomId(),
    htm: request.method.toUpperCase(),
    htu: faults.keepQueryInHtu ? request.url : htuOf(request.url),
    iat: Math.floor(Date.now() / 1000) + (faults.iatOffsetSeconds ?? 0),
  };
  if (request.accessToken) payload.ath = accessTokenHash(request.accessToken);
  const nonce = faults.omitNonce ? undefined : (faults.nonce ?? request.nonce);
  if (nonce !== undefined) payload.nonce = nonce;
  setOrDrop(payload, 'htm', faults.htm);
  setOrDrop(payload, 'htu', faults.htu);
  setOrDrop(payload, 'jti', faults.jti);
  setOrDrop(payload, 'ath', faults.ath);
  if (faults.omitIat) delete payload.iat;
  Object.assign(payload, faults.extraClaims);

  const signer = faults.signWith ?? key;
  if (faults.alg !== undefined && !faults.algNone && !faults.symmetric) {
    // A header alg the key cannot make (or none at all): sign with the key's real alg, then relabel.
    const jws = await signCompact({ ...header, alg: signer.alg }, payload, signer.privateKey, faults);
    return relabelAlg(jws, faults.alg);
  }
  return signCompact({ ...header, alg: faults.signWith ? signer.alg : header.alg }, payload, signer.privateKey, faults);
}

function setOrDrop(payload: JWTPayload, claim: string, value: string | null | undefined): void {
  if (value === null) delete payload[claim];
  else if (value !== undefined) payload[claim] = value;
}

function relabelAlg(jws: string, alg: string): string {
  const [h, p, s] = jws.split('.');
  const header = JSON.parse(Buffer.from(h ?? '', 'base64url').toString('utf8')) as Header;
  if (alg) header.alg = alg;
  else delete header.alg;
  return `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${p}.${s}`;
}
