// HelseID client assertions (private_key_jwt): correct by HelseID's rules by default, with
// every rule individually breakable for the token-endpoint negatives.
import type { JWTPayload } from 'jose';
import { CLIENT_ASSERTION_TYP } from '../protocol.ts';
import type { SigningKey } from './keys.ts';
import { randomId, signCompact, type Header, type SignFaults } from './jws.ts';

export interface ClientAssertionOptions {
  clientId: string;
  /** HelseID wants the issuer identifier exactly as its metadata states it. */
  audience: string;
  key: SigningKey;
  /** Seconds from now until `exp`; HelseID allows at most 60. */
  lifetimeSeconds?: number;
}

export interface ClientAssertionFaults extends SignFaults {
  typ?: string | null;
  iss?: string;
  sub?: string;
  aud?: string | string[];
  jti?: string | null;
  /** Absolute `exp`, e.g. in the past. */
  exp?: number | null;
  /** Absolute `iat`; null leaves it out. */
  iat?: number | null;
  /** null leaves `nbf` out. */
  nbf?: null;
  /** Sign with another key than the registered one. */
  signWith?: SigningKey;
  extraClaims?: JWTPayload;
}

export const DEFAULT_ASSERTION_LIFETIME = 30;

export async function createClientAssertion(options: ClientAssertionOptions, faults: ClientAssertionFaults = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const signer = faults.signWith ?? options.key;
  const header: Header = { alg: signer.alg, typ: CLIENT_ASSERTION_TYP };
  if (faults.typ === null) delete header.typ;
  else if (faults.typ !== undefined) header.typ = faults.typ;

  const payload: JWTPayload = {
    iss: faults.iss ?? options.clientId,
    sub: faults.sub ?? options.clientId,
    aud: faults.aud ?? options.audience,
    iat: faults.iat ?? now,
    nbf: now,
    exp: now + (options.lifetimeSeconds ?? DEFAULT_ASSERTION_LIFETIME),
    jti: randomId(),
  };
  if (faults.exp === null) delete payload.exp;
  else if (faults.exp !== undefined) payload.exp = faults.exp;
  if (faults.iat === null) delete payload.iat;
  if (faults.nbf === null) delete payload.nbf;
  if (faults.jti === null) delete payload.jti;
  else if (faults.jti !== undefined) payload.jti = faults.jti;
  Object.assign(payload, faults.extraClaims);

  return signCompact(header, payload, signer.privateKey, faults);
}
