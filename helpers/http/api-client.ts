// An API client per service and auth mode. Every request is signed afresh (a new DPoP proof
// with `htu`, `htm` and `ath`), checked against the profile's guards before it leaves, and
// recorded for the report.
import { createDpopProof, type DpopFaults } from '../auth/dpop.ts';
import type { TokenClient, AccessToken, UserContext } from '../auth/token-client.ts';
import type { SigningKey } from '../auth/keys.ts';
import type { LoginRequest } from '../auth/user-login.ts';
import type { AuthMode, Profile } from '../config/profiles.ts';
import { SERVICES, type ServiceName } from '../packs/index.ts';
import { classifyResponse, parseJson, send, type HeaderValue, type HttpResponse, type Recorder } from './client.ts';
import type { Authorizer } from '../auth/login-setup.ts';
import { linkParsed } from '../evidence/checks.ts';
import { GuardError, InconclusiveError } from './errors.ts';
import { guardSyntheticPeople, identityNumbers } from './identity-guard.ts';

export interface ApiRequest {
  method?: string;
  /** Path under the service's base URL, e.g. `/v1/Patient`. */
  path: string;
  query?: Record<string, string | string[] | undefined>;
  headers?: Record<string, HeaderValue | undefined>;
  /** Sent as JSON with content type `application/fhir+json` unless `contentType` says otherwise. */
  json?: unknown;
  form?: Record<string, string | string[]>;
  body?: string | Buffer;
  contentType?: string;
  /** One-thing-wrong variants of the DPoP proof. */
  proof?: DpopFaults;
  /** Send these DPoP header values instead of one fresh proof (e.g. two headers, garbage). */
  dpopHeaders?: string[];
  /** Replace the Authorization header entirely. */
  authorization?: string | null;
  timeoutMs?: number;
  /** Skip the broken-server classification (tests of the classification itself). */
  raw?: boolean;
  /** false: do not answer a use_dpop_nonce challenge by retrying with the nonce (tests of the challenge). */
  nonceRetry?: boolean;
  /**
   * A test of a server's refusal of a national identity number in a URL, on a service whose
   * numbers travel only in bodies: lets a synthetic number into the path or query of this request.
   */
  deliberateNinInUrl?: boolean;
}

export interface ApiResponse extends HttpResponse {
  url: string;
  json<T = unknown>(): T;
}

export interface ApiClientOptions {
  profile: Profile;
  service: ServiceName;
  mode: AuthMode;
  recorder?: Recorder;
  /** DPoP and Bearer modes: where tokens come from, with which scopes and key; with `user`, a user-context token from the test-token service. */
  tokens?: {
    client: TokenClient;
    scopes: string[];
    key?: SigningKey;
    user?: { ttt: { url: string; apiKey: string }; context: UserContext };
    /** A user login by authorization code (see TokenClient.userLogin), followed the profile's way. */
    login?: { request: Omit<LoginRequest, 'scopes'>; authorizer: Authorizer };
    /** RFC 8693: this client exchanges the token `subject` gives for one with `scopes`. */
    exchange?: { subject: () => Promise<string> };
  };
  /** Backdoor mode: the identity headers. */
  backdoorHeaders?: Record<string, string>;
  /** Called for 429/503: lets the fixture mark the test inconclusive instead of failed. */
  onInconclusive?: (reason: string) => never;
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Server-provided DPoP nonces per origin (RFC 9449 §9), used in every later proof to that origin;
 * per twin instance too, as a restarted twin has forgotten the nonces it gave out.
 */
const nonces = new Map<string, string>();

function isNonceChallenge(response: HttpResponse): boolean {
  return response.status === 401 && /error="use_dpop_nonce"/.test(response.header('www-authenticate') ?? '') && !!response.header('dpop-nonce');
}

/** Everything a test sends that could name a person: path, body, form, query, its own headers. */
function sentTexts(req: ApiRequest): string[] {
  const body = req.json !== undefined ? JSON.stringify(req.json) : typeof req.body === 'string' ? req.body : Buffer.isBuffer(req.body) && req.body.length <= 4 * 1024 * 1024 ? req.body.toString('latin1') : '';
  return [req.path, body, ...[req.form, req.query, req.headers].flatMap((o) => Object.values(o ?? {}).flat().map(String))];
}

/** Whether the path or query of a request carries an identity number, synthetic or not. */
function ninInUrl(req: ApiRequest): boolean {
  return [req.path, ...Object.values(req.query ?? {}).flat().map(String)].some((part) => identityNumbers(part).length > 0);
}

export class ApiClient {
  constructor(private readonly options: ApiClientOptions) {}

  private nonceKey(url: string): string {
    return `${this.options.profile.twinInstance() ?? ''} ${new URL(url).origin}`;
  }

  /** The nonce the server at this URL's origin last gave out, if any. */
  dpopNonce(url: string = this.baseUrl): string | undefined {
    return nonces.get(this.nonceKey(url));
  }

  get baseUrl(): string {
    const url = this.options.profile.urls[this.options.service];
    if (!url) throw new GuardError(`profile ${this.options.profile.name} has no URL for ${this.options.service}`);
    return url;
  }

  url(path: string, query?: ApiRequest['query']): string {
    const u = new URL(`${this.baseUrl}${path.startsWith('/') ? '' : '/'}${path}`);
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v === undefined) continue;
      for (const item of Array.isArray(v) ? v : [v]) u.searchParams.append(k, item);
    }
    return u.href;
  }

  /** The access token this client presents (DPoP and Bearer modes). */
  async token(): Promise<AccessToken> {
    const t = this.options.tokens;
    if (!t) throw new GuardError(`the ${this.options.mode} client for ${this.options.service} has no token source`);
    if (t.login) return t.client.userLogin({ ...t.login.request, scopes: t.scopes }, t.login.authorizer, t.key);
    if (t.exchange) return t.client.exchange(await t.exchange.subject(), t.scopes, t.key);
    return t.user ? t.client.testUserToken(t.user.ttt, t.scopes, t.user.context, t.key) : t.client.clientCredentials(t.scopes, t.key);
  }

  /** The DPoP key this client's token is bound to. */
  async dpopKey(): Promise<SigningKey> {
    const t = this.options.tokens;
    if (!t) throw new GuardError(`the ${this.options.mode} client for ${this.options.service} has no token source`);
    return t.key ?? t.client.runKey();
  }

  private guard(method: string, req: ApiRequest): void {
    const { profile } = this.options;
    if (SERVICES[this.options.service]?.ninNeverInUrl && ninInUrl(req) && !req.deliberateNinInUrl) {
      throw new GuardError(`${method} ${req.path.replace(/\d{11}/g, '<NIN>')} was not sent: ${SERVICES[this.options.service].title} takes national identity numbers only in form bodies, never in a URL (on every profile); send it as a form field`);
    }
    if (!profile.allowsWrites && !READ_METHODS.has(method)) {
      throw new GuardError(`profile ${profile.name} never writes: ${method} ${req.path} was not sent`);
    }
    const carriesData = req.json !== undefined || req.form !== undefined || req.body !== undefined || Object.keys(req.query ?? {}).length > 0;
    if (!profile.allowsPatientData && carriesData) {
      throw new GuardError(`profile ${profile.name} never sends patient data: ${method} ${req.path} with a body or query was not sent`);
    }
    guardSyntheticPeople(`${method} ${req.path.replace(/\d{11}/g, '<NIN>')}`, sentTexts(req));
  }

  async request(req: ApiRequest): Promise<ApiResponse> {
    const method = (req.method ?? (req.json !== undefined || req.form || req.body !== undefined ? 'POST' : 'GET')).toUpperCase();
    this.guard(method, req);
    const url = this.url(req.path, req.query);
    const headers: Record<string, HeaderValue | undefined> = { accept: 'application/fhir+json, application/json;q=0.9, */*;q=0.1' };

    let body: string | Buffer | undefined = req.body;
    if (req.json !== undefined) {
      body = JSON.stringify(req.json);
      headers['content-type'] = req.contentType ?? 'application/fhir+json';
    } else if (req.form) {
      const form = new URLSearchParams();
      for (const [k, v] of Object.entries(req.form)) for (const item of Array.isArray(v) ? v : [v]) form.append(k, item);
      body = form.toString();
      headers['content-type'] = req.contentType ?? 'application/x-www-form-urlencoded';
    } else if (req.contentType) {
      headers['content-type'] = req.contentType;
    }

    await this.authenticate(method, url, headers, req);
    Object.assign(headers, req.headers);

    let response = await send({ method, url, headers, body, timeoutMs: req.timeoutMs }, this.options.recorder);
    const offered = response.header('dpop-nonce');
    if (offered && this.options.mode === 'dpop') {
      nonces.set(this.nonceKey(url), offered);
      // One retry with the server's nonce, as RFC 9449 §9 intends, unless the test is about the challenge.
      if (isNonceChallenge(response) && req.nonceRetry !== false && !req.dpopHeaders && req.proof?.nonce === undefined) {
        await this.authenticate(method, url, headers, req);
        Object.assign(headers, req.headers);
        response = await send({ method, url, headers, body, timeoutMs: req.timeoutMs }, this.options.recorder);
      }
    }
    if (!req.raw) {
      try {
        classifyResponse(response, url);
      } catch (e) {
        if (e instanceof InconclusiveError && this.options.onInconclusive) this.options.onInconclusive(e.reason);
        throw e;
      }
    }
    return { ...response, url, json: <T>() => linkParsed(parseJson<T>(response, url), response.body) };
  }

  get(path: string, req: Omit<ApiRequest, 'path' | 'method'> = {}): Promise<ApiResponse> {
    return this.request({ ...req, path, method: 'GET' });
  }

  post(path: string, req: Omit<ApiRequest, 'path' | 'method'> = {}): Promise<ApiResponse> {
    return this.request({ ...req, path, method: 'POST' });
  }

  private async authenticate(method: string, url: string, headers: Record<string, HeaderValue | undefined>, req: ApiRequest): Promise<void> {
    const { mode } = this.options;
    if (mode === 'backdoor') {
      Object.assign(headers, this.options.backdoorHeaders);
      return;
    }
    if (mode === 'none') {
      if (req.authorization) headers.authorization = req.authorization;
      if (req.dpopHeaders) headers.dpop = req.dpopHeaders;
      return;
    }
    const token = await this.token();
    const scheme = mode === 'dpop' ? 'DPoP' : 'Bearer';
    if (req.authorization !== null) headers.authorization = req.authorization ?? `${scheme} ${token.accessToken}`;
    if (mode !== 'dpop') return;
    if (req.dpopHeaders) {
      headers.dpop = req.dpopHeaders;
      return;
    }
    const key = this.options.tokens!.key ?? (await this.options.tokens!.client.runKey());
    headers.dpop = await createDpopProof(key, { method, url, accessToken: token.accessToken, nonce: this.dpopNonce(url) }, req.proof);
  }
}
