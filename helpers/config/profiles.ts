// Environment profiles as data. A profile says what the suite may do in an environment and
// where credentials come from; where each service lives and which auth modes it takes there
// come from the pack descriptors.
import fs from 'node:fs';
import path from 'node:path';
import { PACK_SETTINGS, SERVICES, SERVICE_NAMES, type ServiceName } from '../packs/index.ts';
import { PROFILE_NAMES, type AuthMode, type ProfileName } from '../packs/types.ts';
import { ConfigurationError, flagSetting, stringSetting, type Env, type Setting } from './settings.ts';
import { parseTenant, type Organisation } from '../auth/organisation.ts';
import { TWIN_TENANTS } from '../packs/helseid.ts';
import { twinBasePort, twinPublicUrl, twinStateFile, TWIN_SETTINGS, type TwinState } from './twin-layout.ts';

export { ConfigurationError } from './settings.ts';
export { PROFILE_NAMES, type AuthMode, type ProfileName } from '../packs/types.ts';

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
}

export const PROFILES: Record<ProfileName, ProfileDefinition> = {
  local: { name: 'local', description: 'The local twin of every NHN service, started by the suite', kind: 'twin', evidence: false, allowsWrites: true, allowsPatientData: true },
  test: { name: 'test', description: "NHN's test environment, DPoP hosts", kind: 'nhn', evidence: true, allowsWrites: true, allowsPatientData: true },
  'test-backdoor': {
    name: 'test-backdoor',
    description: "PaRek's backdoor host in NHN test: identity from plain headers, never certification evidence",
    kind: 'nhn',
    evidence: false,
    allowsWrites: true,
    allowsPatientData: true,
  },
  'test-resident': { name: 'test-resident', description: "PaRek's resident (Helsenorge) host in NHN test, Bearer tokens", kind: 'nhn', evidence: true, allowsWrites: false, allowsPatientData: true },
  prod: {
    name: 'prod',
    description: 'Production: availability and TLS checks only; no patient data, no writes, ever',
    kind: 'nhn',
    evidence: true,
    allowsWrites: false,
    allowsPatientData: false,
    onlyTags: ['@availability'],
  },
};

/** The suite's own variables (the packs and the twin declare theirs). */
export const SUITE_SETTINGS = {
  profile: stringSetting('NHN_PROFILE', `which profile(s) to run, comma separated: ${PROFILE_NAMES.join(', ')} (default local; --project does the same)`),
  reportDir: stringSetting('NHN_REPORT_DIR', 'where reports are written', { fallback: 'reports' }),
  clientId: stringSetting('HELSEID_CLIENT_ID', 'your HelseID client id'),
  clientJwk: stringSetting('HELSEID_CLIENT_JWK', "your client's private JWK, inline JSON (never commit it)"),
  clientJwkFile: stringSetting('HELSEID_CLIENT_JWK_FILE', "a file holding your client's private JWK"),
  clientScopes: stringSetting('HELSEID_CLIENT_SCOPES', 'the scopes your client is registered for, space or comma separated'),
  tttApiKey: stringSetting('HELSEID_TTT_API_KEY', "the test-token service's X-Auth-Key"),
  // Token exchange as HelseID runs it: your client gets a token for your own API (API 1), and your
  // API's client, the actor, exchanges it for an NHN API's scopes (facts §2.5).
  actorClientId: stringSetting('HELSEID_EXCHANGE_ACTOR_CLIENT_ID', "token exchange: the HelseID client of your own API (the actor), registered for the token-exchange grant"),
  actorJwk: stringSetting('HELSEID_EXCHANGE_ACTOR_JWK', "token exchange: the actor client's private JWK, inline JSON (never commit it)"),
  actorJwkFile: stringSetting('HELSEID_EXCHANGE_ACTOR_JWK_FILE', "token exchange: a file holding the actor client's private JWK"),
  actorAudience: stringSetting('HELSEID_EXCHANGE_ACTOR_AUDIENCE', "token exchange: your API's HelseID audience (the subject token is issued for it)", { pattern: /^\S+$/ }),
  actorScope: stringSetting('HELSEID_EXCHANGE_ACTOR_SCOPE', "token exchange: a scope of your API that your client (HELSEID_CLIENT_ID) is granted, for the subject token", { pattern: /^\S+$/ }),
  // A multi-tenant client (facts §2.6): it names the organisation it acts for in each request.
  multiTenantClientId: stringSetting('HELSEID_MULTI_TENANT_CLIENT_ID', 'multi-tenant: your multi-tenant HelseID client id'),
  multiTenantJwk: stringSetting('HELSEID_MULTI_TENANT_JWK', "multi-tenant: the client's private JWK, inline JSON (never commit it)"),
  multiTenantJwkFile: stringSetting('HELSEID_MULTI_TENANT_JWK_FILE', "multi-tenant: a file holding the client's private JWK"),
  multiTenantOrganisation: stringSetting('HELSEID_MULTI_TENANT_ORGANISATION', 'multi-tenant: the organisation that delegated to your client, as <parent orgnr>:<child orgnr> (the child may be empty)', { pattern: /^\d{9}:(\d{9})?$/ }),
  multiTenantScopes: stringSetting('HELSEID_MULTI_TENANT_SCOPES', "multi-tenant: scopes of one API that organisation has signed the terms for, space separated"),
  clientChildOrgnr: stringSetting('HELSEID_CLIENT_CHILD_ORGNR', 'a child organisation (9 digits) your single-tenant client may name in its requests', { pattern: /^\d{9}$/ }),
  // User logins (helpers/auth/login-setup.ts): headless at the twin, a browser and a recipe anywhere.
  loginMode: stringSetting('NHN_LOGIN_MODE', 'how user logins go: headless (the twin only: its test IdP takes login_hint; the default there) or browser (Chromium follows the login recipe; always against NHN)', { pattern: /^(headless|browser)$/ }),
  loginRecipe: stringSetting('NHN_LOGIN_RECIPE', 'the login recipe the browser follows (default schemas/helseid/login-recipes/<profile>.yaml)'),
  redirectUri: stringSetting('HELSEID_REDIRECT_URI', "a redirect URI registered for your client's user logins (the browser is stopped there; nothing needs to serve it)", { pattern: /^https?:\/\/\S+$/ }),
  strict: flagSetting('NHN_STRICT', 'set to 1 to fail on every deviation from an assumption, as the kill matrix does (default: a deviation is reported, never failed)'),
  calibrationDir: stringSetting('NHN_CALIBRATION_DIR', 'where the calibration files that pin assumption points per profile are read', { fallback: 'schemas/calibration' }),
  twinExternal: stringSetting('NHN_TWIN_EXTERNAL', 'set to 1 when a twin is already running and Playwright must not start one'),
  shard: stringSetting('NHN_SHARD', 'i/n: npm test runs its i-th of n shards (the suite, the ops tests and the kill matrix), for a CI matrix', { pattern: /^[1-9]\d*\/[1-9]\d*$/ }),
};

/** NHN_SHARD as Playwright's shard, checked (i ≤ n). */
export function shardOf(env: Env = process.env): { current: number; total: number } | undefined {
  const v = SUITE_SETTINGS.shard.read(env);
  if (!v) return undefined;
  const [current, total] = v.split('/').map(Number) as [number, number];
  if (current > total) throw new ConfigurationError(`NHN_SHARD must be i/n with i ≤ n, got "${v}"`);
  return { current, total };
}

export function reportDir(env: Env = process.env): string {
  return SUITE_SETTINGS.reportDir.read(env)!;
}

export interface ClientCredentials {
  clientId: string;
  privateJwk: Record<string, unknown>;
  /** Scopes the client is registered for, when known; undefined means "ask and see". */
  scopes?: string[];
  /** HelseID client claims the twin puts in this client's tokens (local only). */
  claims?: Record<string, string>;
  /** The redirect URI registered for the client's user logins (the twin's, or HELSEID_REDIRECT_URI). */
  redirectUri?: string;
  /** A single-tenant client: a child organisation it may name (helseid_authorization, facts §2.6). */
  childOrganisation?: string;
  /** A multi-tenant client: the organisation it acts for and scopes it has signed; on the twin also one that signed part of them. */
  tenancy?: { organisation: Organisation; scopes: string[]; partlySigned?: { organisation: Organisation; signedScope: string; unsignedScope: string } };
  /** The exchange actor: the API this client is the client of, whose audience subject tokens are issued for, and the scope a caller asks for. */
  api?: { audience: string; scope: string };
}

/** Roles of synthetic clients; a remote profile only has `default` unless the user names more. */
export type ClientRole = 'default' | 'readOnly' | 'noOrgnrParent' | 'exchangeActor' | 'multiTenant';

export interface Profile extends ProfileDefinition {
  urls: Partial<Record<ServiceName, string>>;
  /** Auth modes each service takes in this profile. */
  auth: Partial<Record<ServiceName, readonly AuthMode[]>>;
  /** A pack's (or the suite's) variable, validated when the profile was resolved. */
  get<T>(setting: Setting<T>): T;
  client(role: ClientRole): ClientCredentials | undefined;
  tttApiKey(): string | undefined;
  /**
   * The running twin's identity, when the profile points at one: a restarted twin has new keys
   * and forgets its nonces, so what the suite caches from it (tokens, nonces) is scoped to this.
   */
  twinInstance(): string | undefined;
  /** What a pack's twin extras wrote to the state file (PaRek's AMQP endpoint), when the profile points at a twin. */
  twinPack(id: string): Record<string, unknown> | undefined;
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

function readJwk(env: Env, inlineSetting: Setting<string | undefined> = SUITE_SETTINGS.clientJwk, fileSetting: Setting<string | undefined> = SUITE_SETTINGS.clientJwkFile): Record<string, unknown> | undefined {
  const inline = inlineSetting.read(env);
  const file = fileSetting.read(env);
  if (!inline && file && !fs.existsSync(file)) throw new ConfigurationError(`${fileSetting.env} names ${file}, which does not exist`);
  const text = inline ?? (file ? fs.readFileSync(file, 'utf8') : undefined);
  if (!text) return undefined;
  let jwk: unknown;
  try {
    jwk = JSON.parse(text);
  } catch {
    // Never echo the text: it is a private key.
    throw new ConfigurationError(`${inline ? inlineSetting.env : `the file named by ${fileSetting.env}`} is not valid JSON`);
  }
  if (typeof jwk !== 'object' || jwk === null || !('kty' in jwk) || !('d' in jwk)) {
    throw new ConfigurationError(`${inline ? inlineSetting.env : fileSetting.env} must hold a private JWK (with "kty" and "d")`);
  }
  return jwk as Record<string, unknown>;
}

/**
 * A client named by a group of variables: all of them or none. Answers its id and key when all
 * are set; a partial set stops the run, saying what the group needs and which variables are missing.
 */
function allOrNone(env: Env, needs: string, group: { id: Setting<string | undefined>; jwk: Setting<string | undefined>; jwkFile: Setting<string | undefined>; rest: Array<Setting<string | undefined>> }): ClientCredentials | undefined {
  const named = {
    [group.id.env]: group.id.read(env),
    [`${group.jwk.env} or ${group.jwkFile.env}`]: group.jwk.read(env) ?? group.jwkFile.read(env),
    ...Object.fromEntries(group.rest.map((s) => [s.env, s.read(env)])),
  };
  const missing = Object.entries(named).filter(([, v]) => !v).map(([k]) => k);
  if (missing.length === Object.keys(named).length) return undefined;
  if (missing.length) throw new ConfigurationError(`${needs}; missing: ${missing.join(', ')}`);
  return { clientId: group.id.read(env)!, privateJwk: readJwk(env, group.jwk, group.jwkFile)! };
}

/** The exchange actor against NHN: all of its variables or none; a partial set names what is missing. */
function readActor(env: Env): ClientCredentials | undefined {
  const s = SUITE_SETTINGS;
  const client = allOrNone(env, "token exchange needs your API's client, key, audience and scope together", { id: s.actorClientId, jwk: s.actorJwk, jwkFile: s.actorJwkFile, rest: [s.actorAudience, s.actorScope] });
  return client && { ...client, api: { audience: s.actorAudience.read(env)!, scope: s.actorScope.read(env)! } };
}

function readTwinState(base: number, env: Env): TwinState | undefined {
  const file = twinStateFile(base, env);
  if (!fs.existsSync(file)) return undefined;
  return JSON.parse(fs.readFileSync(file, 'utf8')) as TwinState;
}

const TWIN_ROLES: Record<ClientRole, string> = {
  default: 'suite',
  readOnly: 'read-only',
  noOrgnrParent: 'no-orgnr-parent',
  exchangeActor: 'exchange-actor',
  multiTenant: 'multi-tenant',
};

/** What the twin's clients know of organisations (helpers/packs/helseid.ts). */
function twinTenancy(role: ClientRole): Pick<ClientCredentials, 'childOrganisation' | 'tenancy'> {
  if (role === 'default') return { childOrganisation: TWIN_TENANTS.singleTenantChild };
  if (role !== 'multiTenant') return {};
  const { signed, partlySigned } = TWIN_TENANTS;
  return {
    tenancy: {
      organisation: { tenancy: 'multi', parent: signed.parent, child: signed.child },
      scopes: [...TWIN_TENANTS.scopes],
      partlySigned: { organisation: { tenancy: 'multi', parent: partlySigned.parent }, signedScope: partlySigned.signedScopes[0]!, unsignedScope: partlySigned.unsignedScope },
    },
  };
}

/** The multi-tenant client against NHN: all of its variables or none; a partial set names what is missing. */
function readMultiTenant(env: Env): ClientCredentials | undefined {
  const s = SUITE_SETTINGS;
  const client = allOrNone(env, 'a multi-tenant client needs its id, key, organisation and scopes together', { id: s.multiTenantClientId, jwk: s.multiTenantJwk, jwkFile: s.multiTenantJwkFile, rest: [s.multiTenantOrganisation, s.multiTenantScopes] });
  return client && { ...client, tenancy: { organisation: parseTenant(s.multiTenantOrganisation.read(env)!)!, scopes: s.multiTenantScopes.read(env)!.split(/[\s,]+/).filter(Boolean) } };
}

/** Reads every setting once, so a bad value fails the run at start with the variable named. */
function readSettings(settings: ReadonlyArray<Setting<unknown>>, env: Env): Map<Setting<unknown>, unknown> {
  const values = new Map<Setting<unknown>, unknown>();
  const problems: string[] = [];
  for (const s of settings) {
    try {
      values.set(s, s.read(env));
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  if (problems.length) throw new ConfigurationError(problems.join('; '));
  return values;
}

export function resolveProfile(name: ProfileName, env: Env = process.env): Profile {
  const def = PROFILES[name];
  if (!def) throw new ConfigurationError(`unknown profile "${name}"; known: ${PROFILE_NAMES.join(', ')}`);
  const settings = readSettings([...PACK_SETTINGS, ...Object.values(SUITE_SETTINGS), ...(def.kind === 'twin' ? Object.values(TWIN_SETTINGS) : [])], env);
  const urls: Partial<Record<ServiceName, string>> = {};
  const urlSources: Profile['urlSources'] = {};
  const auth: Profile['auth'] = {};
  const base = def.kind === 'twin' ? twinBasePort(env) : 0;
  const problems: string[] = [];
  for (const service of SERVICE_NAMES) {
    const descriptor = SERVICES[service];
    const here = descriptor.profiles[name];
    if (here?.auth) auth[service] = here.auth;
    const fromEnv = env[descriptor.env]?.trim();
    if (fromEnv) {
      if (!URL.parse(fromEnv)) problems.push(`${descriptor.env} must be an absolute URL, got "${fromEnv}"`);
      urls[service] = fromEnv.replace(/\/+$/, '');
      urlSources[service] = 'environment';
    } else if (def.kind === 'twin' && here && descriptor.port !== undefined) {
      urls[service] = twinPublicUrl(service, base, env);
      urlSources[service] = 'twin';
    } else if (here?.url) {
      urls[service] = here.url;
      urlSources[service] = 'profile';
    }
  }
  if (problems.length) throw new ConfigurationError(problems.join('; '));
  const userClient = readJwk(env);
  const actor = def.kind === 'nhn' ? readActor(env) : undefined;
  const multiTenant = def.kind === 'nhn' ? readMultiTenant(env) : undefined;

  let twinState: TwinState | undefined | null = null;
  const twin = (): TwinState | undefined => {
    if (twinState === null) twinState = readTwinState(base, env);
    return twinState;
  };

  return {
    ...def,
    urls,
    urlSources,
    auth,
    get<T>(setting: Setting<T>): T {
      return (settings.has(setting as Setting<unknown>) ? settings.get(setting as Setting<unknown>) : setting.read(env)) as T;
    },
    client(role) {
      const clientId = SUITE_SETTINGS.clientId.read(env);
      if (def.kind === 'twin' && !clientId) {
        const c = twin()?.clients[TWIN_ROLES[role]];
        return c
          ? { clientId: c.clientId, privateJwk: c.privateJwk, scopes: c.scopes, claims: c.claims, redirectUri: c.redirectUri, ...(c.audience && c.apiScope ? { api: { audience: c.audience, scope: c.apiScope } } : {}), ...twinTenancy(role) }
          : undefined;
      }
      if (role === 'exchangeActor') return actor;
      if (role === 'multiTenant') return multiTenant;
      if (role !== 'default' || !clientId || !userClient) return undefined;
      const scopes = SUITE_SETTINGS.clientScopes.read(env)?.split(/[\s,]+/).filter(Boolean);
      const child = SUITE_SETTINGS.clientChildOrgnr.read(env);
      const redirectUri = SUITE_SETTINGS.redirectUri.read(env);
      return { clientId, privateJwk: userClient, scopes, ...(child ? { childOrganisation: child } : {}), ...(redirectUri ? { redirectUri } : {}) };
    },
    twinInstance() {
      return def.kind === 'twin' ? twin()?.instance : undefined;
    },
    twinPack(id) {
      return def.kind === 'twin' ? twin()?.packs?.[id] : undefined;
    },
    tttApiKey() {
      return SUITE_SETTINGS.tttApiKey.read(env) ?? (def.kind === 'twin' ? twin()?.tttApiKey : undefined);
    },
  };
}

const PROJECTS_WITHOUT_PROFILE = ['unit'];

/**
 * Which profiles a run covers: `NHN_PROFILE` (comma-separated) or the `--project` options on the
 * command line; `local` when neither names one. The answer is written back to NHN_PROFILE so
 * Playwright's workers, which inherit the environment, load the same project list.
 */
export function selectProfiles(argv: string[], env: Env = process.env): ProfileName[] {
  const known = `known profiles: ${PROFILE_NAMES.join(', ')} (and the project ${PROJECTS_WITHOUT_PROFILE.join(', ')})`;
  if (!env.NHN_PROFILE) {
    const named: string[] = [];
    argv.forEach((arg, i) => {
      if (arg === '--project' || arg === '-p') named.push(argv[i + 1] ?? '');
      else if (arg.startsWith('--project=')) named.push(arg.slice('--project='.length));
    });
    const names = named.flatMap((n) => n.split(',')).map((n) => n.trim());
    const unknown = names.filter((n) => !(PROFILE_NAMES as readonly string[]).includes(n) && !PROJECTS_WITHOUT_PROFILE.includes(n));
    if (unknown.length) throw new ConfigurationError(`--project names unknown project(s) ${unknown.map((u) => `"${u}"`).join(', ')}; ${known}`);
    const profiles = names.filter((n): n is ProfileName => (PROFILE_NAMES as readonly string[]).includes(n));
    const onlyUnit = names.length > 0 && profiles.length === 0;
    env.NHN_PROFILE = onlyUnit ? 'none' : (profiles.length ? [...new Set(profiles)] : ['local']).join(',');
  }
  if (env.NHN_PROFILE === 'none') return [];
  const selected = env.NHN_PROFILE.split(',').map((s) => s.trim()).filter(Boolean);
  for (const s of selected) {
    if (!(PROFILE_NAMES as readonly string[]).includes(s)) throw new ConfigurationError(`NHN_PROFILE names unknown profile "${s}"; ${known}`);
  }
  return selected as ProfileName[];
}
