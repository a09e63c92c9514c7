// What a pack's twin module gets and gives. An API pack gives handlers for its documented
// operations (by operationId) and its error format; the shared HTTP layer derives the routes.
// A platform pack (HelseID) runs its own servers.
import type http from 'node:http';
import type { Env } from '../../helpers/config/settings.ts';
import type { PackDescriptor } from '../../helpers/packs/index.ts';
import type { TwinState } from '../../helpers/config/twin-layout.ts';
import type { CheckSet } from './checks.ts';
import type { ResponseTransform, TwinFacts } from './faults.ts';
import type { ErrorFormat } from '../http/error-formats.ts';
import type { Handler } from '../http/service.ts';

export interface PackContext {
  pack: PackDescriptor;
  checks: CheckSet;
  env: Env;
  /** Public URL of every service of the twin. */
  urls: Record<string, string>;
  transforms: readonly ResponseTransform[];
}

export interface ApiTwin {
  errors: ErrorFormat | ((service: string) => ErrorFormat);
  handlers: Readonly<Record<string, Handler>>;
  /**
   * Anything else the pack runs beside its HTTP services (PaRek's AMQP endpoint), started once
   * they listen; `state` goes into the twin's state file under the pack's id for the `local` profile.
   */
  start?(o: { host: string; basePort: number }): Promise<StartedExtras>;
  /**
   * What a client can change in the pack's data, as plain values: the fuzzer compares it before
   * and after each malformed request (none may change anything). Caches and clock-driven
   * arrivals are not data a client changes, and stay out.
   */
  digest?(): unknown;
}

export interface StartedExtras {
  state?: Record<string, unknown>;
  /** Lines for the twin's start-up banner. */
  banner?: string[];
  close(): Promise<void>;
}

export interface PlatformTwin {
  servers: Record<string, http.Server>;
  /** What the `local` profile needs to know (clients, keys), written to the twin's state file. */
  state: Omit<TwinState, 'startedAt' | 'instance' | 'faults'>;
  facts: TwinFacts;
  /** The JWKS the resource servers verify access tokens with. */
  jwksPath: string;
}

export interface TwinModule {
  api?: (ctx: PackContext) => ApiTwin;
  platform?: (ctx: PackContext) => Promise<PlatformTwin>;
}
