// Environment profiles as data. A profile says where each service lives, which auth modes it
// takes there, what the suite may do there, and where credentials come from.
import fs from 'node:fs';
import path from 'node:path';
import { SERVICES, SERVICE_NAMES, type ServiceName } from './services.ts';
import { twinBasePort, twinPublicUrl, twinStateFile, type TwinState } from './twin-layout.ts';

export const PROFILE_NAMES = ['local', 'test', 'test-backdoor', 'test-resident', 'prod'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

export type AuthMode = 'dpop' | 'bearer' | 'backdoor' | 'none';

export interface ProfileDefinition {
  name: ProfileName;
  description: string;
  /** `twin`: the local twin the suite starts; `nhn`: an environment run by NHN. */
  kind: 'twin' | 'nhn';
  /** Whether results from this profile may be handed over as certification evidence. */
  evidence: boolean;
  allowsWrites: boolean;
  allowsPatientData: boolean;
  /** Only tests with one of these tags run in this profile (prod: availability checks only). */
  onlyTags?: string[];
  /** Default base URLs, each overridable by its environment variable. */
  urls: Partial<Record<ServiceName, string>>;
  amqpUrl?: string;
  /** Auth modes each service accepts in this profile. */
  auth: Partial<Record<ServiceName, AuthMode[]>>;
}

const NHN_TEST_URLS: Partial<Record<ServiceName, string>> = {
  helseid: 'https://helseid-sts.test.nhn.no',
  ttt: 'https://helseid-ttt.test.nhn.no',
  pit: 'https://api.pit.test.nhn.no',
  phr: 'https://api.pjd.test.nhn.no',
  parek: 'https://test.parek.nhn.no',
  parekBackdoor: 'https://backdoor.test.parek.nhn.no',
  parekResident: 'https://resident.test.parek.nhn.no',
  pts: 'https://api-internett.test.pts.nhn.no',
  person: 'https://et.persontjenesten.test.nhn.no',
};

const DPOP_APIS: Partial<Record<ServiceName, AuthMode[]>> = {
  pit: ['dpop'],
  phr: ['dpop'],
  parek: ['dpop'],
  pts: ['dpop'],
  person: ['dpop'],
};

export const PROFILES: Record<ProfileName, ProfileDefinition> = {
  local: {
    name: 'local',
    description: 'The local twin of every NHN service, started by the suite',
    kind: 'twin',
    evidence: false,
    allowsWrites: true,
    allowsPatientData: true,
    urls: {}, // derived from the twin layout at resolve time
    amqpUrl: undefined,
    auth: { ...DPOP_APIS, parekBackdoor: ['backdoor'], parekResident: ['bearer'] },
  },
  test: {
    name: 'test',
    description: "NHN's test environment, DPoP hosts",
    kind: 'nhn',
    evidence: true,
    allowsWrites: true,
    allowsPatientData: true,
    urls: { ...NHN_TEST_URLS, parekBackdoor: undefined, parekResident: undefined },
    amqpUrl: 'amqps://amqps.test.parek.nhn.no:5671',
    auth: DPOP_APIS,
  },
  'test-backdoor': {
    name: 'test-backdoor',
    description: "PaRek's backdoor host in NHN test: identity from plain headers, never certification evidence",
    kind: 'nhn',
    evidence: false,
    allowsWrites: true,
    allowsPatientData: true,
    urls: { parekBackdoor: NHN_TEST_URLS.parekBackdoor },
    auth: { parekBackdoor: ['backdoor'] },
  },
  'test-resident': {
    name: 'test-resident',
    description: "PaRek's resident (Helsenorge) host in NHN test, Bearer tokens",
    kind: 'nhn',
    evidence: true,
    allowsWrites: false,
    allowsPatientData: true,
    urls: { helseid: NHN_TEST_URLS.helseid, parekResident: NHN_TEST_URLS.parekResident },
    auth: { parekResident: ['bearer'] },
  },
  prod: {
    name: 'prod',
    description: 'Production: availability and TLS checks only; no patient data, no writes, ever',
    kind: 'nhn',
    evidence: true,
    allowsWrites: false,
    allowsPatientData: false,
    onlyTags: ['@availability'],
    urls: {
      helseid: 'https://helseid-sts.nhn.no',
      parek: 'https://parek.nhn.no',
      pts: 'https://api.pts.nhn.no',
    },
    auth: { helseid: ['none'], parek: ['none'], pts: ['none'], pit: ['none'], phr: ['none'], person: ['none'] },
  },
};

export interface ClientCredentials {
  clientId: string;
  privateJwk: Record<string, unknown>;
  /** Scopes the client is registered for, when known; undefined means "ask and see". */
  scopes?: string[];
  /** HelseID client claims the twin puts in this client's tokens (local only). */
  claims?: Record<string, string>;
}

/** Roles of synthetic clients; a remote profile only has `default` unless the user names more. */
export type ClientRole = 'default' | 'readOnly' | 'noOrgnrParent' | 'exchangeActor';

export interface Profile extends ProfileDefinition {
  urls: Partial<Record<ServiceName, string>>;
  parekApiVersion: string;
  client(role: ClientRole): ClientCredentials | undefined;
  tttApiKey(): string | undefined;
  /** Where each URL came from, for the report header. */
  urlSources: Partial<Record<ServiceName, 'profile' | 'environment' | 'twin'>>;
}

let envLoaded = false;
/** Loads `.env` once; variables already in the environment win. */
export function loadDotEnv(file = path.resolve('.env')): void {
  if (envLoaded) return;
  envLoaded = true;
  if (fs.existsSync(file)) process.loadEnvFile(file);
}

export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}

function readJwk(env: NodeJS.ProcessEnv): Record<string, unknown> | undefined {
  const inline = env.HELSEID_CLIENT_JWK;
  const file = env.HELSEID_CLIENT_JWK_FILE;
  const text = inline ?? (file ? fs.readFileSync(file, 'utf8') : undefined);
  if (!text) return undefined;
  let jwk: unknown;
  try {
    jwk = JSON.parse(text);
  } catch {
    // Never echo the text: it is a private key.
    throw new ConfigurationError(`${inline ? 'HELSEID_CLIENT_JWK' : `the file named by HELSEID_CLIENT_JWK_FILE`} is not valid JSON`);
  }
  if (typeof jwk !== 'object' || jwk === null || !('kty' in jwk) || !('d' in jwk)) {
    throw new ConfigurationError('the HelseID client key must be a private JWK (with "kty" and "d")');
  }
  return jwk as Record<string, unknown>;
}

function readTwinState(base: number, env: NodeJS.ProcessEnv): TwinState | undefined {
  const file = twinStateFile(base, env);
  if (!fs.existsSync(file)) return undefined;
  return JSON.parse(fs.readFileSync(file, 'utf8')) as TwinState;
}

const TWIN_ROLES: Record<ClientRole, string> = {
  default: 'suite',
  readOnly: 'read-only',
  noOrgnrParent: 'no-orgnr-parent',
  exchangeActor: 'exchange-actor',
};

export function resolveProfile(name: ProfileName, env: NodeJS.ProcessEnv = process.env): Profile {
  const def = PROFILES[name];
  const urls: Partial<Record<ServiceName, string>> = {};
  const urlSources: Profile['urlSources'] = {};
  const base = def.kind === 'twin' ? twinBasePort(env) : 0;
  for (const service of SERVICE_NAMES) {
    const fromEnv = env[SERVICES[service].env];
    if (fromEnv) {
      urls[service] = fromEnv.replace(/\/+$/, '');
      urlSources[service] = 'environment';
    } else if (def.kind === 'twin') {
      urls[service] = twinPublicUrl(service, base, env);
      urlSources[service] = 'twin';
    } else if (def.urls[service]) {
      urls[service] = def.urls[service];
      urlSources[service] = 'profile';
    }
  }

  let twinState: TwinState | undefined | null = null;
  const twin = (): TwinState | undefined => {
    if (twinState === null) twinState = readTwinState(base, env);
    return twinState;
  };

  return {
    ...def,
    urls,
    urlSources,
    amqpUrl: env.NHN_PAREK_AMQP_URL ?? def.amqpUrl,
    parekApiVersion: env.NHN_PAREK_API_VERSION ?? (def.kind === 'twin' ? (twin()?.parekApiVersion ?? 'v1') : 'v1'),
    client(role) {
      if (def.kind === 'twin' && !env.HELSEID_CLIENT_ID) {
        const state = twin();
        const c = state?.clients[TWIN_ROLES[role]];
        return c ? { clientId: c.clientId, privateJwk: c.privateJwk, scopes: c.scopes, claims: c.claims } : undefined;
      }
      if (role !== 'default') return undefined;
      const clientId = env.HELSEID_CLIENT_ID;
      const privateJwk = readJwk(env);
      if (!clientId || !privateJwk) return undefined;
      const scopes = env.HELSEID_CLIENT_SCOPES?.split(/[\s,]+/).filter(Boolean);
      return { clientId, privateJwk, scopes };
    },
    tttApiKey() {
      if (env.HELSEID_TTT_API_KEY) return env.HELSEID_TTT_API_KEY;
      return def.kind === 'twin' ? twin()?.tttApiKey : undefined;
    },
  };
}

/**
 * Which profiles a run covers: `NHN_PROFILE` (comma-separated) or the `--project` options on the
 * command line; `local` when neither names one. The answer is written back to NHN_PROFILE so
 * Playwright's workers, which inherit the environment, load the same project list.
 */
export function selectProfiles(argv: string[], env: NodeJS.ProcessEnv = process.env): ProfileName[] {
  if (!env.NHN_PROFILE) {
    const named: string[] = [];
    argv.forEach((arg, i) => {
      if (arg === '--project' || arg === '-p') named.push(argv[i + 1] ?? '');
      else if (arg.startsWith('--project=')) named.push(arg.slice('--project='.length));
    });
    const profiles = named.flatMap((n) => n.split(',')).filter((n): n is ProfileName => (PROFILE_NAMES as readonly string[]).includes(n));
    const onlyUnit = named.length > 0 && profiles.length === 0;
    env.NHN_PROFILE = onlyUnit ? 'none' : (profiles.length ? [...new Set(profiles)] : ['local']).join(',');
  }
  if (env.NHN_PROFILE === 'none') return [];
  const selected = env.NHN_PROFILE.split(',').map((s) => s.trim());
  for (const s of selected) {
    if (!(PROFILE_NAMES as readonly string[]).includes(s)) {
      throw new ConfigurationError(`NHN_PROFILE names unknown profile "${s}"; known: ${PROFILE_NAMES.join(', ')}`);
    }
  }
  return selected as ProfileName[];
}
