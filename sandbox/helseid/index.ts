// The HelseID pack's twin: the stand-in on oidc-provider and the test-token service. Its signing
// key is kept across starts (one per issuer URL); every synthetic client gets a fresh key, made
// here with jose.
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { TWIN_SETTINGS } from '../../helpers/config/twin-layout.ts';
import http from 'node:http';
import { HELSEID_PATHS } from '../../helpers/protocol.ts';
import { newKey, persistentKey } from '../core/crypto.ts';
import type { PackContext, PlatformTwin, TwinModule } from '../core/module.ts';
import { SYNTHETIC_CLIENTS } from './clients.ts';
import { createHelseIdProvider } from './provider.ts';
import { createTestTokenService } from './ttt.ts';

async function platform(ctx: PackContext): Promise<PlatformTwin> {
  // The signing key outlives a restart (one per issuer URL); synthetic clients get fresh keys.
  const signerFile = path.join(TWIN_SETTINGS.stateDir.read(ctx.env) ?? path.resolve('.sandbox'), `helseid-signer-${createHash('sha256').update(ctx.urls.helseid!).digest('hex').slice(0, 16)}.jwk.json`);
  const [signer, ...clientKeys] = await Promise.all([persistentKey(signerFile, 'RS256'), ...SYNTHETIC_CLIENTS.map(() => newKey('ES256'))]);
  const signingJwk = { ...signer!.privateJwk, kid: signer!.thumbprint };
  const tttApiKey = randomBytes(24).toString('base64url');
  const facts = { signingJwk };
  const issuer = ctx.urls.helseid!;
  const redirectUri = 'https://synthetic-epj.invalid/callback';
  const provider = createHelseIdProvider({
    issuer,
    signingKey: signingJwk,
    clientKeys: Object.fromEntries(SYNTHETIC_CLIENTS.map((c, i) => [c.clientId, clientKeys[i]!.publicJwk])),
    redirectUri,
    checks: ctx.checks,
    transforms: ctx.transforms,
    facts,
  });
  return {
    servers: {
      helseid: http.createServer(provider.callback()),
      ttt: createTestTokenService({ issuer, apiKey: tttApiKey, signingKey: signingJwk, checks: ctx.checks }),
    },
    state: {
      issuer,
      tttApiKey,
      clients: Object.fromEntries(
        SYNTHETIC_CLIENTS.map((c, i) => [
          c.role,
          { clientId: c.clientId, privateJwk: clientKeys[i]!.privateJwk as Record<string, unknown>, scopes: c.scopes, claims: c.claims, redirectUri, ...(c.api ? { audience: c.api.audience, apiScope: c.api.scope } : {}) },
        ]),
      ),
    },
    facts,
    jwksPath: HELSEID_PATHS.jwks,
  };
}

export const twin: TwinModule = { platform };
