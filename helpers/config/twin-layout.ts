// Where the local twin listens and where it leaves the synthetic credentials it generates.
// Pure: the twin and the `local` profile both derive their addresses from here and the packs.
import path from 'node:path';
import { SERVICES, SERVICE_NAMES, type ServiceName } from '../packs/index.ts';
import { intSetting, stringSetting, urlSetting, type Env, type Setting } from './settings.ts';

export const DEFAULT_TWIN_PORT = 4710;

export const TWIN_SETTINGS = {
  port: intSetting('SANDBOX_PORT', "the twin's base port; each service listens at a fixed offset from it (see the packs)", { min: 1024, max: 65000, fallback: DEFAULT_TWIN_PORT }),
  stateDir: stringSetting('SANDBOX_STATE_DIR', 'where the twin leaves its generated synthetic credentials for the local profile (mode 0600)'),
  canaryLog: stringSetting('SANDBOX_CANARY_LOG', 'a file (mode 0600) where the twin lists every secret it hands out or is sent, for the planted-secret test: npm run audit:secrets -- --canaries <file>'),
};

export function twinBasePort(env: Env = process.env): number {
  return TWIN_SETTINGS.port.read(env);
}

/** Services the twin serves: every service with a port. */
export const TWIN_SERVICES: ServiceName[] = SERVICE_NAMES.filter((s) => SERVICES[s].port !== undefined);

export function twinPort(service: ServiceName, base: number): number {
  return base + SERVICES[service].port;
}

export function twinListenUrl(service: ServiceName, base: number): string {
  return `http://127.0.0.1:${twinPort(service, base)}`;
}

/** The twin's public URL for a service: SANDBOX_PUBLIC_URL_<SERVICE> when it runs behind a proxy. */
export function twinPublicUrlSetting(service: ServiceName): Setting<string | undefined> {
  const env = `SANDBOX_PUBLIC_URL_${service.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
  return urlSetting(env, `the twin's public URL for ${SERVICES[service].title} behind a reverse proxy (DPoP htu checks and links use it)`);
}

export function twinPublicUrl(service: ServiceName, base: number, env: Env = process.env): string {
  return twinPublicUrlSetting(service).read(env) ?? twinListenUrl(service, base);
}

export function twinStateFile(base: number, env: Env = process.env): string {
  const dir = TWIN_SETTINGS.stateDir.read(env) ?? path.resolve('.sandbox');
  return path.join(dir, `twin-${base}.json`);
}

/** What the twin writes for the `local` profile: synthetic clients with their private keys. */
export interface TwinState {
  issuer: string;
  startedAt: string;
  /** Fresh at every start: what the suite caches from a twin (tokens, nonces) is scoped to it. */
  instance: string;
  faults: string[];
  tttApiKey: string;
  clients: Record<string, TwinClientState>;
  /** What a pack's extras tell the local profile (PaRek: its AMQP endpoint, accounts and CA). */
  packs?: Record<string, Record<string, unknown>>;
}

export interface TwinClientState {
  clientId: string;
  privateJwk: Record<string, unknown>;
  scopes: string[];
  claims: Record<string, string>;
  redirectUri: string;
  /** A client that is an API's own (the exchange actor): its audience and the scope callers ask for. */
  audience?: string;
  apiScope?: string;
}
