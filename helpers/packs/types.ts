// What a pack descriptor says about one API (or one platform piece, such as HelseID): everything
// the suite and the twin need to know, in one place. Pure data; shared by both.
import type { Setting } from '../config/settings.ts';

export const PROFILE_NAMES = ['local', 'test', 'test-backdoor', 'test-resident', 'prod'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

export type AuthMode = 'dpop' | 'bearer' | 'backdoor' | 'none';

export interface ServiceProfile {
  /** Default base URL in this profile (the twin's own for `local`). */
  url?: string;
  /** Auth modes the service takes in this profile. */
  auth?: readonly AuthMode[];
  /** What NHN documents about this host that would otherwise read as a failure: reported with its explanation, as a warning. */
  quirks?: readonly EnvironmentQuirk[];
}

/** A documented oddity of an NHN environment, with its source. Only what matches it exactly is excused. */
export interface EnvironmentQuirk {
  /** An untrusted certificate chain, from the issuer NHN documents. */
  kind: 'untrusted-tls';
  /** The issuing certificate's name, as NHN documents it: a chain from another issuer is still a failure. */
  issuer: RegExp;
  /** The verification errors the documented chain gives (a missing or untrusted root), never an expired or mismatched certificate. */
  errors: readonly string[];
  explanation: string;
  fix: string;
  source: string;
}

export interface ServiceDescriptor {
  title: string;
  /** The variable that overrides the base URL. */
  env: string;
  /** Fixed offset from SANDBOX_PORT where the twin serves it: adding a service moves no other port. */
  port: number;
  /** OpenAPI documents (schemas/openapi/<name>.openapi.yaml) describing it; the first that knows a path wins. */
  documents?: readonly string[];
  /** Profiles that have this service, with its URL and auth modes there. */
  profiles: Partial<Record<ProfileName, ServiceProfile>>;
  /** Scopes the suite asks for when a spec names none. */
  defaultScopes?: readonly string[];
  /**
   * NHN's own published OpenAPI documents, by the name of ours for the same API: the setting names
   * a file or URL. When set, answers are validated against it too, and the documents compared.
   */
  nhnDocuments?: Readonly<Record<string, Setting<string | undefined>>>;
  /** The API takes identity numbers only in bodies: the suite's client refuses to put one in a URL, on every profile. */
  ninNeverInUrl?: boolean;
  /**
   * Where the API publishes its OpenAPI document (Swagger), relative to its base URL, and which of
   * ours describes the same version: the drift sentinel fingerprints it, the twin serves ours there.
   */
  publishedOpenApi?: { path: string; document: string; source: string };
}

/** A call to make with a profile: a template of `path` with the pack's settings. */
export interface SettingsView {
  get<T>(setting: Setting<T>): T;
}

export interface SafeCall {
  service: string;
  method: 'GET' | 'POST';
  path: (settings: SettingsView) => string;
  /** Scopes that grant the call. */
  scopes: readonly string[];
  /** A scope of the same audience that does not grant this call, where the API has one. */
  foreignScope?: string;
  /** The call needs a user: the token comes from the test-token service for this person. */
  user?: { pid: string; hprNumber?: string; name?: string };
  /** A POST that changes nothing (a search): it needs patient data allowed, not writes. */
  readOnly?: boolean;
  request?: () => { headers?: Record<string, string>; json?: unknown; form?: Record<string, string>; contentType?: string };
}

export interface PackDescriptor {
  id: string;
  title: string;
  /** HelseID audience (resource) of the API, and the scopes it knows. */
  audience?: string;
  scopes?: readonly string[];
  services: Readonly<Record<string, ServiceDescriptor>>;
  /** The safe authenticated call the RFC 9449 matrix aims at. */
  dpopTarget?: SafeCall;
  /** The folder under sandbox/ with the twin module (index.ts) and its faults (faults.ts). */
  twin: string;
  /** Requirement files in schemas/requirements/ and spec folders under specs/. */
  requirements: readonly string[];
  specs: readonly string[];
  /** Variables the pack reads (each validated when the profile is resolved). */
  settings?: Readonly<Record<string, Setting<unknown>>>;
  /**
   * Values the twin and the `local` profile use unless the environment sets them: the twin's
   * shortened clocks (a window NHN keeps for minutes, kept for seconds so a run can see it end).
   */
  localDefaults?: Readonly<Record<string, string>>;
}
