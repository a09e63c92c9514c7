// The pack registry: every API the suite knows, in one list. Profiles, fixtures, the DPoP
// matrix, the twin's module list and the unit tests all read it; nothing keeps its own list.
import type { Setting } from '../config/settings.ts';
import { authPack } from './auth.ts';
import { helseidPack } from './helseid.ts';
import { parekPack } from './parek.ts';
import { personPack } from './person.ts';
import { phrPack } from './phr.ts';
import { pitPack } from './pit.ts';
import { ptsPack } from './pts.ts';
import type { PackDescriptor, SafeCall, ServiceDescriptor } from './types.ts';

export * from './types.ts';

export const PACKS = [helseidPack, authPack, pitPack, phrPack, parekPack, ptsPack, personPack] as const;

type AnyPack = (typeof PACKS)[number];
export type PackId = AnyPack['id'];
export type ServiceName = AnyPack extends infer P ? (P extends { services: infer S } ? keyof S & string : never) : never;

export const SERVICES = Object.fromEntries(PACKS.flatMap((p) => Object.entries(p.services as Record<string, ServiceDescriptor>))) as Record<ServiceName, ServiceDescriptor>;
export const SERVICE_NAMES = Object.keys(SERVICES) as ServiceName[];

const PACK_OF_SERVICE = new Map<string, PackDescriptor>(PACKS.flatMap((p) => Object.keys(p.services).map((s) => [s, p as PackDescriptor] as const)));

export function packOfService(service: string): PackDescriptor | undefined {
  return PACK_OF_SERVICE.get(service);
}

export function pack(id: string): PackDescriptor | undefined {
  return (PACKS as readonly PackDescriptor[]).find((p) => p.id === id);
}

/** Audience → its scopes, for every API pack. */
export const SCOPES: Record<string, readonly string[]> = Object.fromEntries(
  (PACKS as readonly PackDescriptor[]).filter((p) => p.audience).map((p) => [p.audience!, p.scopes ?? []]),
);
export const AUDIENCES: readonly string[] = Object.keys(SCOPES);
export const ALL_SCOPES: readonly string[] = Object.values(SCOPES).flat();

/** The audience a scope belongs to: HelseID scopes are prefixed by their audience. */
export function audienceOfScope(scope: string): string | undefined {
  for (const [aud, scopes] of Object.entries(SCOPES)) if (scopes.includes(scope)) return aud;
  return undefined;
}

/** The audience of a service's API. */
export function audienceOfService(service: string): string | undefined {
  return packOfService(service)?.audience;
}

/** Every variable the packs read. */
/** Sets the packs' local defaults in `env` where it has no value (the twin and the `local` profile). */
export function applyLocalDefaults(env: NodeJS.ProcessEnv = process.env): void {
  for (const p of PACKS as readonly PackDescriptor[]) for (const [name, value] of Object.entries(p.localDefaults ?? {})) env[name] ??= value;
}

export const PACK_SETTINGS: ReadonlyArray<Setting<unknown>> = (PACKS as readonly PackDescriptor[]).flatMap((p) => Object.values(p.settings ?? {}));

/** The safe authenticated calls the DPoP matrix aims at, one per API pack that has one. */
export const DPOP_TARGETS: ReadonlyArray<SafeCall & { audience: string }> = (PACKS as readonly PackDescriptor[])
  .filter((p) => p.dpopTarget && p.audience)
  .map((p) => ({ ...p.dpopTarget!, audience: p.audience! }));

/** The OpenAPI documents of every service. */
export const API_DOCUMENTS: readonly string[] = [...new Set(Object.values(SERVICES).flatMap((s) => s.documents ?? []))];
