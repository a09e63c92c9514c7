// Starts the whole twin from the pack registry: each pack's twin module (sandbox/<pack.twin>/),
// the HelseID stand-in and test-token service first, then one HTTP service per API service, with
// the active faults applied as data (checks off or replaced, responses transformed, route
// policies changed). Fresh synthetic client keys go to the `local` profile through a private
// state file.
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { listSetting, intSetting, type Env } from '../helpers/config/settings.ts';
import { twinPort, twinPublicUrl, twinStateFile, TWIN_SERVICES, TWIN_SETTINGS, type TwinState } from '../helpers/config/twin-layout.ts';
import { CanaryLog } from './clients/canaries.ts';
import { PACKS, SERVICES, type PackDescriptor, type ServiceName } from '../helpers/packs/index.ts';
import { CheckSet } from './core/checks.ts';
import { activeFaults, type CatalogedFault, type TwinFacts } from './core/faults.ts';
import type { ApiTwin, PackContext, PlatformTwin, StartedExtras, TwinModule } from './core/module.ts';
import { createService } from './http/service.ts';
import { ResourceServer } from './rs/resource-server.ts';
import type { ClientJudge } from './clients/judge.ts';
import { observeServer } from './clients/observe.ts';

export const RS_SETTINGS = {
  nonceApis: listSetting('SANDBOX_RS_NONCE_APIS', 'twin services whose resource server wants DPoP nonces, comma separated (e.g. pit)', () => TWIN_SERVICES),
  nonceTtlMs: intSetting('SANDBOX_RS_NONCE_TTL_MS', 'how long a resource-server nonce lives (ms)', { min: 100, max: 86_400_000, fallback: 300_000 }),
};

export interface TwinOptions {
  basePort: number;
  /** Fault ids to plant (default: SANDBOX_FAULTS). */
  faults?: readonly string[];
  env?: Env;
  host?: string;
  /** Client-conformance mode: every request the twin receives goes to this judge. */
  judge?: ClientJudge;
}

export interface RunningTwin {
  urls: Record<ServiceName, string>;
  stateFile: string;
  startMs: number;
  /** Lines the packs' extras add to the start-up banner (an AMQP endpoint). */
  banner: string[];
  faults: CatalogedFault[];
  /** A hash of the data clients can change, over every pack (see ApiTwin.digest). */
  digest(): string;
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
  const given = options.env ?? process.env;
  const host = options.host ?? '127.0.0.1';
  const { basePort } = options;
  const faults = await activeFaults(options.faults, given);
  // A planted fault's or dialect's twin settings hold unless the environment sets them itself.
  const env = { ...Object.assign({}, ...faults.map((f) => f.twinEnv ?? {})), ...given } as Env;
  const nonceApis = new Set<string>(RS_SETTINGS.nonceApis.read(env));
  const nonceTtl = RS_SETTINGS.nonceTtlMs.read(env);
  const urls = Object.fromEntries(TWIN_SERVICES.map((s) => [s, twinPublicUrl(s, basePort, env)])) as Record<ServiceName, string>;
  const checks = new CheckSet(faults);
  const transforms = faults.flatMap((f) => f.respond ?? []);
  const patches = faults.flatMap((f) => (f.route ? [f.route] : []));

  const modules = await Promise.all(
    (PACKS as readonly PackDescriptor[]).map(async (pack) => ({ pack, module: ((await import(`./${pack.twin}/index.ts`)) as { twin: TwinModule }).twin })),
  );
  const context = (pack: PackDescriptor): PackContext => ({ pack, checks, env, urls, transforms });

  const servers = new Map<string, http.Server>();
  const platforms: PlatformTwin[] = [];
  for (const { pack, module } of modules) {
    if (!module.platform) continue;
    const platform = await module.platform(context(pack));
    platforms.push(platform);
    for (const [service, server] of Object.entries(platform.servers)) servers.set(service, server);
  }
  const helseid = platforms[0];
  if (!helseid) throw new Error('no pack runs the HelseID stand-in');
  const facts: TwinFacts = helseid.facts;

  const rs = new ResourceServer({
    issuer: urls.helseid,
    // Verification goes through the stand-in's published JWKS, over HTTP, like a real API.
    jwksUrl: `http://${host}:${twinPort('helseid', basePort)}${helseid.jwksPath}`,
    checks,
    nonceTtlMs: nonceTtl,
  });

  const apiTwins: Array<{ pack: PackDescriptor; twin: ApiTwin }> = [];
  for (const { pack, module } of modules) {
    if (!module.api) continue;
    const twin: ApiTwin = module.api(context(pack));
    apiTwins.push({ pack, twin });
    for (const service of Object.keys(pack.services) as ServiceName[]) {
      if (SERVICES[service].port === undefined || servers.has(service)) continue;
      servers.set(
        service,
        createService({
          service,
          descriptor: SERVICES[service],
          audience: pack.audience,
          publicUrl: urls[service],
          handlers: twin.handlers,
          errors: typeof twin.errors === 'function' ? twin.errors(service) : twin.errors,
          rs,
          checks,
          patches,
          transforms,
          facts,
          requireNonce: nonceApis.has(service),
        }),
      );
    }
  }

  for (const server of servers.values()) server.keepAliveTimeout = 5_000;
  if (options.judge) for (const [service, server] of servers) observeServer(server, service, options.judge);
  const canaryFile = TWIN_SETTINGS.canaryLog.read(env);
  const canaries = canaryFile ? new CanaryLog(canaryFile) : undefined;
  if (canaries) for (const [service, server] of servers) observeServer(server, service, canaries.observer());
  await Promise.all([...servers.entries()].map(([service, server]) => listen(server, twinPort(service as ServiceName, basePort), host)));
  const extras: Array<{ pack: PackDescriptor; started: StartedExtras }> = [];
  for (const { pack, twin } of apiTwins) if (twin.start) extras.push({ pack, started: await twin.start({ host, basePort }) });

  const stateFile = twinStateFile(basePort, env);
  const packs = Object.fromEntries(extras.filter((e) => e.started.state).map((e) => [e.pack.id, e.started.state!]));
  writeState(stateFile, { ...helseid.state, startedAt: new Date().toISOString(), instance: randomUUID(), faults: faults.map((f) => f.id), packs });
  if (canaries) {
    canaries.add('ttt-api-key', helseid.state.tttApiKey);
    for (const c of Object.values(helseid.state.clients ?? {})) canaries.add('private-jwk-d', (c as { privateJwk?: { d?: string } }).privateJwk?.d);
    for (const a of Object.values((packs.parek as { amqp?: { accounts?: Record<string, { password?: string }> } } | undefined)?.amqp?.accounts ?? {})) canaries.add('amqp-password', a.password);
  }

  return {
    urls,
    stateFile,
    banner: extras.flatMap((e) => e.started.banner ?? []),
    startMs: performance.now() - started,
    faults,
    digest: () => createHash('sha256').update(JSON.stringify(apiTwins.map(({ pack, twin }) => [pack.id, twin.digest?.() ?? null]))).digest('hex'),
    async close() {
      await Promise.all([...servers.values()].map((s) => new Promise<void>((r) => { s.closeAllConnections(); s.close(() => r()); })));
      await Promise.all(extras.map((e) => e.started.close()));
      fs.rmSync(stateFile, { force: true });
    },
  };
}
