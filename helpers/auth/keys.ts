// Key pairs the suite signs with. Private material stays in memory, or in the run's private
// folder when workers share it; it is never logged, attached or reported.
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';

export interface SigningKey {
  alg: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: JWK;
  /** RFC 7638 thumbprint of the public key: what a DPoP-bound token's `cnf.jkt` carries. */
  thumbprint: string;
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'] as const;

export function publicPart(jwk: JWK): JWK {
  const pub: Record<string, unknown> = { ...jwk };
  for (const m of PRIVATE_MEMBERS) delete pub[m];
  return pub as JWK;
}

export async function generateSigningKey(alg = 'ES256'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  return { alg, privateKey, publicKey, publicJwk, thumbprint: await calculateJwkThumbprint(publicJwk) };
}

export async function exportPrivateJwk(key: SigningKey): Promise<JWK> {
  return { ...(await exportJWK(key.privateKey)), alg: key.alg };
}

/** The algorithm a private JWK signs with: its `alg`, or the usual one for its key type and curve. */
export function algorithmOf(jwk: JWK): string {
  if (jwk.alg) return jwk.alg;
  if (jwk.kty === 'EC') return ({ 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' } as Record<string, string>)[jwk.crv ?? ''] ?? 'ES256';
  if (jwk.kty === 'RSA') return 'RS256';
  throw new Error(`unsupported key type ${jwk.kty}`);
}

export async function importSigningKey(privateJwk: JWK): Promise<SigningKey> {
  const alg = algorithmOf(privateJwk);
  const privateKey = (await importJWK({ ...privateJwk, ext: true }, alg)) as CryptoKey;
  const publicJwk = publicPart({ ...privateJwk });
  delete publicJwk.alg;
  delete (publicJwk as Record<string, unknown>).ext;
  delete (publicJwk as Record<string, unknown>).key_ops;
  const publicKey = (await importJWK(publicJwk, alg)) as CryptoKey;
  return { alg, privateKey, publicKey, publicJwk, thumbprint: await calculateJwkThumbprint(publicJwk) };
}
