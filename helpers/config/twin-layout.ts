// Where the local twin listens and where it leaves the synthetic credentials it generates.
// Pure: the twin and the `local` profile both derive their addresses from here.
import path from 'node:path';
import { SERVICE_NAMES, type ServiceName } from './services.ts';

export const DEFAULT_TWIN_PORT = 4710;

export function twinBasePort(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.SANDBOX_PORT;
  const port = raw ? Number(raw) : DEFAULT_TWIN_PORT;
  if (!Number.isInteger(port) || port < 1024 || port > 65000) {
    throw new Error(`SANDBOX_PORT must be an integer between 1024 and 65000, got "${raw}"`);
  }
  return port;
}

/** One port per service, consecutive from the base port, in SERVICE_NAMES order. */
export function twinPort(service: ServiceName, base: number): number {
  return base + SERVICE_NAMES.indexOf(service);
}

export function twinListenUrl(service: ServiceName, base: number): string {
  return `http://127.0.0.1:${twinPort(service, base)}`;
}

/** The twin's public URL for a service: SANDBOX_PUBLIC_URL_<SERVICE> when it runs behind a proxy. */
export function twinPublicUrlVariable(service: ServiceName): string {
  return `SANDBOX_PUBLIC_URL_${service.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

export function twinPublicUrl(service: ServiceName, base: number, env: NodeJS.ProcessEnv = process.env): string {
  const configured = env[twinPublicUrlVariable(service)];
  return (configured ?? twinListenUrl(service, base)).replace(/\/+$/, '');
}

export function twinStateFile(base: number, env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.SANDBOX_STATE_DIR ?? path.resolve('.sandbox');
  return path.join(dir, `twin-${base}.json`);
}

/** What the twin writes for the `local` profile: synthetic clients with their private keys. */
export interface TwinState {
  issuer: string;
  startedAt: string;
  faults: string[];
  tttApiKey: string;
  parekApiVersion: string;
  clients: Record<string, TwinClientState>;
}

export interface TwinClientState {
  clientId: string;
  privateJwk: Record<string, unknown>;
  scopes: string[];
  claims: Record<string, string>;
}
