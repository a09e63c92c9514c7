// The twin's own key handling, on jose directly: it never uses the suite's proof, assertion or
// key builders, so a bug in one of those cannot be mirrored by the server that judges it.
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { PRIVATE_JWK_MEMBERS } from '../../helpers/protocol.ts';

export interface TwinKey {
  alg: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
  privateJwk: JWK;
  thumbprint: string;
}

export async function newKey(alg: string): Promise<TwinKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const privateJwk = { ...(await exportJWK(privateKey)), alg };
  return { alg, privateKey, publicJwk, privateJwk, thumbprint: await calculateJwkThumbprint(publicJwk) };
}

/** A JWK without its private members. */
export function publicJwk(jwk: JWK | Record<string, unknown>): JWK {
  const out: Record<string, unknown> = { ...jwk };
  for (const m of PRIVATE_JWK_MEMBERS) delete out[m];
  return out as JWK;
}

export function hasPrivateMembers(jwk: object): boolean {
  return PRIVATE_JWK_MEMBERS.some((m) => m in jwk);
}
