// Compact JWS assembly with room for deliberate faults: jose signs the correct cases, and the
// few shapes jose refuses to make (alg "none", a tampered signature) are assembled by hand.
import { CompactSign, base64url, type JWK, type JWTPayload } from 'jose';
import { createHmac, randomBytes } from 'node:crypto';

export type Header = Record<string, unknown>;

export interface SignFaults {
  /** Sign with `alg: none` and an empty signature. */
  algNone?: boolean;
  /** Sign with HS256 and a random secret instead of the private key. */
  symmetric?: boolean;
  /** Flip bits in the signature after signing. */
  tamperSignature?: boolean;
}

const encoder = new TextEncoder();

function encodeSegment(value: unknown): string {
  return base64url.encode(encoder.encode(JSON.stringify(value)));
}

export async function signCompact(header: Header, payload: JWTPayload, key: CryptoKey, faults: SignFaults = {}): Promise<string> {
  if (faults.algNone) {
    return `${encodeSegment({ ...header, alg: 'none' })}.${encodeSegment(payload)}.`;
  }
  if (faults.symmetric) {
    const h = { ...header, alg: 'HS256' };
    const input = `${encodeSegment(h)}.${encodeSegment(payload)}`;
    const sig = createHmac('sha256', randomBytes(32)).update(input).digest('base64url');
    return `${input}.${sig}`;
  }
  const jws = await new CompactSign(encoder.encode(JSON.stringify(payload)))
    .setProtectedHeader(header as { alg: string })
    .sign(key);
  if (!faults.tamperSignature) return jws;
  const [h, p, s = ''] = jws.split('.');
  const bytes = base64url.decode(s);
  bytes[0] = (bytes[0] ?? 0) ^ 0xff;
  bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0xff;
  return `${h}.${p}.${base64url.encode(bytes)}`;
}

/** Reads a compact JWT's header and payload without verifying it (for assertions in tests). */
export function decodeUnverified(jwt: string): { header: Header; payload: JWTPayload } {
  const [h, p] = jwt.split('.');
  if (!h || !p) throw new Error('not a compact JWT');
  return {
    header: JSON.parse(new TextDecoder().decode(base64url.decode(h))) as Header,
    payload: JSON.parse(new TextDecoder().decode(base64url.decode(p))) as JWTPayload,
  };
}

export function randomId(): string {
  return randomBytes(16).toString('base64url');
}

export type { JWK };
