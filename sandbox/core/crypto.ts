// The twin's own key handling, on jose directly: it never uses the suite's proof, assertion or
// key builders, so a bug in one of those cannot be mirrored by the server that judges it.
import fs from 'node:fs';
import path from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
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

/**
 * A key kept in a private file across starts, as a real issuer keeps its signing key: a restarted
 * twin publishes the same JWKS, so a key rotation is a change someone made (the drift sentinel
 * reports it), not a side effect of starting. A missing or unreadable file gets a new key.
 */
export async function persistentKey(file: string, alg: string): Promise<TwinKey> {
  try {
    const privateJwk = JSON.parse(fs.readFileSync(file, 'utf8')) as JWK;
    if (privateJwk.alg === alg) {
      const key = (await importJWK(privateJwk, alg, { extractable: true })) as CryptoKey;
      const pub = publicJwk(privateJwk);
      return { alg, privateKey: key, publicJwk: pub, privateJwk, thumbprint: await calculateJwkThumbprint(pub) };
    }
  } catch {
    // no key yet, or not one we can use: make one
  }
  const key = await newKey(alg);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(key.privateJwk), { mode: 0o600 });
  fs.renameSync(tmp, file);
  return key;
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
