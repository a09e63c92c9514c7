// Starts the whole twin: the HelseID stand-in, the test-token service and one HTTP service per
// NHN API, with fresh synthetic client keys handed to the `local` profile through a private
// state file.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { JWK } from 'jose';
import { exportPrivateJwk, generateSigningKey } from '../helpers/auth/keys.ts';
import { SERVICE_NAMES, type ServiceName } from '../helpers/config/services.ts';
import { twinPort, twinPublicUrl, twinStateFile, type TwinState } from '../helpers/config/twin-layout.ts';
import { PAREK_API_VERSION, parekModule } from './apis/parek.ts';
import { phrModule } from './apis/phr.ts';
import { personModule } from './apis/person.ts';
import { pitModule } from './apis/pit.ts';
import { ptsModule } from './apis/pts.ts';
import type { ApiContext, ApiModule } from './apis/common.ts';
import { Faults } from './faults.ts';
import { SYNTHETIC_CLIENTS } from './helseid/clients.ts';
import { createHelseIdProvider } from './helseid/provider.ts';
import { createTestTokenService } from './helseid/ttt.ts';
import { operationOutcomeFormat } from './http/error-formats.ts';
import { createService } from './http/service.ts';
import { ResourceServer } from './rs/resource-server.ts';

export interface TwinOptions {
  basePort: number;
  faults: Faults;
  env?: NodeJS.ProcessEnv;
  host?: string;
}

export interface RunningTwin {
  urls: Record<ServiceName, string>;
  stateFile: string;
  startMs: number;
  close(): Promise<void>;
}

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function writeState(file: string, state: TwinState): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(state, null, 2), { mode: 0o600 });
  fs.renameSync(tmp, file);
}

export async function startTwin(options: TwinOptions): Promise<RunningTwin> {
  const started = performance.now();
  const env = options.env ?? process.env;
  const host = options.host ?? '127.0.0.1';
  const { faults, basePort } = options;
  const urls = Object.fromEntries(SERVICE_NAMES.map((s) => [s, twinPublicUrl(s, basePort, env)])) as Record<ServiceName, string>;

  const [signing, ...clientKeys] = await Promise.all([generateSigningKey('RS256'), ...SYNTHETIC_CLIENTS.map(() => generateSigningKey('ES256'))]);
  const signingJwk: JWK = { ...(await exportPrivateJwk(signing!)), kid: signing!.thumbprint };
  const clientPrivate = await Promise.all(clientKeys.map((k) => exportPrivateJwk(k)));
  const tttApiKey = randomBytes(24).toString('base64url');

  const provider = createHelseIdProvider({
    issuer: urls.helseid,
    signingKey: signingJwk,
    clientKeys: Object.fromEntries(SYNTHETIC_CLIENTS.map((c, i) => [c.clientId, clientKeys[i]!.publicJwk])),
    clientSigningKeys: Object.fromEntries(SYNTHETIC_CLIENTS.map((c, i) => [c.clientId, clientKeys[i]!])),
    faults,
  });

  const rs = new ResourceServer({
    issuer: urls.helseid,
    // Verification goes through the stand-in's published JWKS, over HTTP, like a real API.
    jwksUrl: `http://${host}:${twinPort('helseid', basePort)}/.well-known/openid-configuration/jwks`,
    faults,
    nonceSlotMs: env.SANDBOX_RS_NONCE_TTL_MS ? Number(env.SANDBOX_RS_NONCE_TTL_MS) : undefined,
  });
  const nonceApis = new Set((env.SANDBOX_RS_NONCE_APIS ?? '').split(',').map((s) => s.trim()).filter(Boolean));

  const apiModule = (service: ServiceName, ctx: ApiContext): ApiModule | undefined => {
    switch (service) {
      case 'pit': return pitModule(ctx);
      case 'phr': return phrModule(ctx);
      case 'parek':
      case 'parekBackdoor':
      case 'parekResident': return parekModule(ctx, service);
      case 'pts': return ptsModule(ctx);
      case 'person': return personModule(ctx);
      default: return undefined;
    }
  };

  const servers: http.Server[] = [];
  const servicesStarted: Promise<void>[] = [];
  for (const service of SERVICE_NAMES) {
    let server: http.Server;
    if (service === 'helseid') server = http.createServer(provider.callback());
    else if (service === 'ttt') server = createTestTokenService({ issuer: urls.helseid, apiKey: tttApiKey, signingKey: signingJwk, faults });
    else {
      const ctx: ApiContext = { faults, errors: operationOutcomeFormat(faults), publicUrl: urls[service] };
      const mod = apiModule(service, ctx)!;
      server = createService({ name: mod.name, publicUrl: urls[service], routes: mod.routes, errors: mod.errors, rs, faults, documents: mod.documents, tolerate: mod.tolerate, requireNonce: nonceApis.has(service) });
    }
    server.keepAliveTimeout = 5_000;
    servers.push(server);
    servicesStarted.push(listen(server, twinPort(service, basePort), host));
  }
  await Promise.all(servicesStarted);

  const stateFile = twinStateFile(basePort, env);
  writeState(stateFile, {
    issuer: urls.helseid,
    startedAt: new Date().toISOString(),
    faults: faults.list(),
    tttApiKey,
    parekApiVersion: PAREK_API_VERSION,
    clients: Object.fromEntries(
      SYNTHETIC_CLIENTS.map((c, i) => [c.role, { clientId: c.clientId, privateJwk: clientPrivate[i] as Record<string, unknown>, scopes: c.scopes, claims: c.claims }]),
    ),
  });

  return {
    urls,
    stateFile,
    startMs: performance.now() - started,
    async close() {
      await Promise.all(servers.map((s) => new Promise<void>((r) => { s.closeAllConnections(); s.close(() => r()); })));
      fs.rmSync(stateFile, { force: true });
    },
  };
}
