// Fault planting for client-authentication rules that oidc-provider enforces internally and no
// configuration can switch off. With such a fault on, this middleware stands in front of the
// token endpoint and behaves like a careless server: it authenticates the client by a weaker
// rule, then hands oidc-provider a correctly signed assertion for that client. Without these
// faults it is not installed at all.
import type { Middleware } from 'koa';
import { compactVerify, decodeJwt, decodeProtectedHeader } from 'jose';
import { CLIENT_ASSERTION_TYPE } from '../../helpers/config/services.ts';
import { signCompact } from '../../helpers/auth/jws.ts';
import type { SigningKey } from '../../helpers/auth/keys.ts';
import type { Faults } from '../faults.ts';

async function readForm(req: NodeJS.ReadableStream): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

async function verifies(jws: string, key: SigningKey): Promise<boolean> {
  try {
    await compactVerify(jws, key.publicKey, { algorithms: [key.alg] });
    return true;
  } catch {
    return false;
  }
}

export function lenientAssertionFront(faults: Faults, issuer: string, tokenPath: string, clientKeys: Record<string, SigningKey>): Middleware | undefined {
  if (!faults.has('ca-sub-unchecked') && !faults.has('ca-alg-lenient') && !faults.has('ca-secret-accepted')) return undefined;

  const mint = (clientId: string, header: Record<string, unknown>, payload: Record<string, unknown>) => {
    const key = clientKeys[clientId]!;
    return signCompact({ ...header, alg: key.alg }, payload, key.privateKey);
  };

  return async (ctx, next) => {
    if (ctx.path !== tokenPath || ctx.method !== 'POST' || !ctx.is('application/x-www-form-urlencoded')) return next();
    const form = await readForm(ctx.req);
    const clientId = form.get('client_id') ?? '';
    const assertion = form.get('client_assertion');

    if (faults.has('ca-secret-accepted') && form.has('client_secret') && clientKeys[clientId]) {
      // Accepts any client secret for a known client_id.
      const now = Math.floor(Date.now() / 1000);
      form.delete('client_secret');
      form.set('client_assertion_type', CLIENT_ASSERTION_TYPE);
      form.set('client_assertion', await mint(clientId, { typ: 'client-authentication+jwt' }, { iss: clientId, sub: clientId, aud: issuer, iat: now, exp: now + 30, jti: `lenient-${now}-${Math.random()}` }));
    } else if (assertion) {
      try {
        const header = decodeProtectedHeader(assertion) as Record<string, unknown>;
        const payload = decodeJwt(assertion) as Record<string, unknown>;
        const iss = String(payload.iss ?? '');
        const key = clientKeys[iss];
        const signedByClient = key ? await verifies(assertion, key) : false;
        // Identifies the client by iss and ignores sub.
        if (faults.has('ca-sub-unchecked') && key && signedByClient && payload.sub !== iss) {
          form.set('client_assertion', await mint(iss, header, { ...payload, sub: iss }));
          form.set('client_id', iss);
        }
        // Does not check the signature or its algorithm.
        if (faults.has('ca-alg-lenient') && key && !signedByClient) {
          form.set('client_assertion', await mint(iss, header, payload));
        }
      } catch {
        // Not a JWT at all: leave it for oidc-provider to refuse.
      }
    }
    (ctx.request as unknown as { body: unknown }).body = Object.fromEntries(form);
    return next();
  };
}
