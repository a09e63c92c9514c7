// HelseID's client authentication at the token and PAR endpoints, as named checks: private_key_jwt only,
// with HelseID's rules for the assertion (typ, iss = sub = client_id, aud = the issuer, at most
// 60 s of life, one use per jti), verified with jose against the client's registered key. A
// request that passes reaches oidc-provider as an authenticated client.
import type { Middleware } from 'koa';
import { compactVerify, decodeJwt, decodeProtectedHeader, importJWK, type JWK, type JWTPayload, type ProtectedHeaderParameters } from 'jose';
import { ASYMMETRIC_ALGS, CLIENT_ASSERTION_TYP, CLIENT_ASSERTION_TYPE } from '../../helpers/protocol.ts';
import { check, Refusal, type Check, type CheckSet } from '../core/checks.ts';

export const MAX_ASSERTION_LIFETIME = 60;
const CLOCK_TOLERANCE = 5;

interface AssertionContext {
  form: URLSearchParams;
  assertion?: string;
  header?: ProtectedHeaderParameters;
  claims?: JWTPayload;
  clientId?: string;
  now: number;
}

const invalidClient = (description: string) => ({ status: 401, error: 'invalid_client', description });

/** What the client assertion said besides authenticating: HelseID's assertion_details (the attest, sent the second way). */
export interface AssertionState {
  assertionDetails?: unknown;
}

/** A named check's refusal in front of HelseID's endpoints, as an OAuth error naming the check. */
export function answerRefusal(ctx: Parameters<Middleware>[0], e: Refusal): void {
  ctx.status = e.details.status;
  ctx.type = 'application/json';
  ctx.body = { error: e.details.error, error_description: `${e.details.description} [${e.check}]` };
}

export function clientAuthentication(options: { issuer: string; tokenPath: string; parPath: string; clientKeys: Record<string, JWK>; checks: CheckSet }): Middleware {
  const used = new Map<string, number>();
  const methodChecks: Check<AssertionContext>[] = [
    check('assertion.method', (c, refuse) => {
      if (c.form.has('client_secret')) refuse(invalidClient('HelseID clients authenticate with private_key_jwt; a client secret is not accepted'));
      if (!c.assertion) refuse(invalidClient('a client_assertion is required (private_key_jwt)'));
    }),
  ];
  const assertionChecks: Check<AssertionContext>[] = [
    check('assertion.type', (c, refuse) => void (c.form.get('client_assertion_type') !== CLIENT_ASSERTION_TYPE && refuse({ status: 400, error: 'invalid_request', description: `client_assertion_type must be ${CLIENT_ASSERTION_TYPE}` }))),
    check('assertion.well-formed', (c, refuse) => void ((!c.header || !c.claims) && refuse(invalidClient('the client assertion is not a well-formed JWT')))),
    check('assertion.typ', (c, refuse) => void (c.header?.typ !== CLIENT_ASSERTION_TYP && refuse(invalidClient(`client assertion typ must be ${CLIENT_ASSERTION_TYP}`)))),
    check('assertion.iss', (c, refuse) => {
      const iss = c.claims?.iss;
      if (typeof iss !== 'string' || !options.clientKeys[iss]) refuse(invalidClient('client assertion iss must be a registered client'));
      const given = c.form.get('client_id');
      if (given && given !== iss) refuse(invalidClient('client assertion iss must equal client_id'));
      c.clientId = iss;
    }),
    check('assertion.sub', (c, refuse) => void (c.claims?.sub !== c.claims?.iss && refuse(invalidClient('client assertion sub must equal iss and the client_id')))),
    check('assertion.alg', (c, refuse) => void (!(ASYMMETRIC_ALGS as readonly string[]).includes(String(c.header?.alg)) && refuse(invalidClient(`client assertion alg "${String(c.header?.alg)}" is not allowed`)))),
    check('assertion.signature', async (c, refuse) => {
      try {
        const key = await importJWK(options.clientKeys[c.clientId!]!, String(c.header!.alg));
        await compactVerify(c.assertion!, key, { algorithms: [String(c.header!.alg)] });
      } catch {
        refuse(invalidClient("client assertion signature does not verify with the client's registered key"));
      }
    }),
    check('assertion.aud', (c, refuse) => void ([c.claims?.aud].flat().length !== 1 || [c.claims?.aud].flat()[0] !== options.issuer ? refuse(invalidClient('client assertion aud must be the issuer identifier')) : undefined)),
    check('assertion.exp', (c, refuse) => {
      const exp = c.claims?.exp;
      if (typeof exp !== 'number') refuse(invalidClient('client assertion exp is required'));
      if (exp! + CLOCK_TOLERANCE < c.now) refuse(invalidClient('client assertion has expired'));
    }),
    check('assertion.lifetime', (c, refuse) => void (Number(c.claims?.exp) - c.now > MAX_ASSERTION_LIFETIME && refuse(invalidClient(`client assertion exp must be at most ${MAX_ASSERTION_LIFETIME} s ahead`)))),
    check('assertion.jti', (c, refuse) => void ((typeof c.claims?.jti !== 'string' || !c.claims.jti) && refuse(invalidClient('client assertion jti is required')))),
    check('assertion.iat', (c, refuse) => void (typeof c.claims?.iat !== 'number' && refuse(invalidClient('client assertion iat is required')))),
    check('assertion.nbf', (c, refuse) => {
      const nbf = c.claims?.nbf;
      if (typeof nbf !== 'number') refuse(invalidClient('client assertion nbf is required'));
      if (nbf! - CLOCK_TOLERANCE > c.now) refuse(invalidClient('client assertion is not valid yet (nbf)'));
    }),
    check('assertion.replay', (c, refuse) => {
      const key = `${c.clientId}:${String(c.claims?.jti)}`;
      if (used.has(key)) refuse(invalidClient('client assertion tokens must only be used once'));
      used.set(key, Number(c.claims?.exp ?? c.now) + CLOCK_TOLERANCE);
      if (used.size > 10_000) for (const [k, until] of used) if (until < c.now) used.delete(k);
    }),
  ];

  return async (ctx, next) => {
    if ((ctx.path !== options.tokenPath && ctx.path !== options.parPath) || ctx.method !== 'POST' || !ctx.is('application/x-www-form-urlencoded')) return next();
    // Pushed authorization requests authenticate the client as the token endpoint does.
    if (ctx.path === options.parPath && !options.checks.on('par.client-auth', 'helseid')) return next();
    const chunks: Buffer[] = [];
    for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const assertion = form.get('client_assertion') ?? undefined;
    const c: AssertionContext = { form, assertion, now: Math.floor(Date.now() / 1000) };
    try {
      c.header = assertion ? decodeProtectedHeader(assertion) : undefined;
      c.claims = assertion ? decodeJwt(assertion) : undefined;
    } catch {
      // assertion.well-formed says so
    }
    try {
      await options.checks.run('assertion.method', methodChecks, c);
      if (assertion) await options.checks.run('assertion', assertionChecks, c);
    } catch (e) {
      if (!(e instanceof Refusal)) throw e;
      return answerRefusal(ctx, e);
    }
    (ctx.state as AssertionState).assertionDetails = c.claims?.assertion_details;
    form.delete('client_assertion');
    form.delete('client_assertion_type');
    form.delete('client_secret');
    const clientId = c.clientId ?? form.get('client_id') ?? String(c.claims?.iss ?? '');
    form.set('client_id', clientId);
    (ctx.request as unknown as { body: unknown }).body = Object.fromEntries(form);
    return next();
  };
}
