// Faults are data: each pack declares its faults next to its twin module (sandbox/<twin>/faults.ts)
// as the checks a fault switches off, replaces or adds, the responses it transforms and the route
// policies it changes, with the requirement IDs whose tests must catch it (the kill matrix).
import type { HttpResponseParts, RouteInfo, RoutePolicy } from './types.ts';
import type { CheckChanges } from './checks.ts';
import { PACKS, type PackDescriptor } from '../../helpers/packs/index.ts';
import { ConfigurationError, stringSetting } from '../../helpers/config/settings.ts';

/** What a transform may know of the twin besides the response. */
export interface TwinFacts {
  /** The HelseID stand-in's private signing JWK. */
  signingJwk: Record<string, unknown>;
}

export interface ResponseTransform {
  /** Services whose responses it changes (all when absent); `helseid` and `ttt` are services too. */
  services?: readonly string[];
  /** Operations (OpenAPI operationId, or the HelseID endpoint: token, discovery, jwks). */
  operations?: readonly string[];
  apply(response: HttpResponseParts, facts: TwinFacts, route: RouteInfo): HttpResponseParts;
}

/** A fault's response transform for one service (and, if given, only these operations). */
export function respondOn(service: string, apply: ResponseTransform['apply'], operations?: readonly string[]): ResponseTransform[] {
  return [{ services: [service], ...(operations ? { operations } : {}), apply }];
}

export interface FaultDefinition extends CheckChanges {
  rule: string;
  requirements: readonly string[];
  respond?: readonly ResponseTransform[];
  /** Route policy changes: answer the fields to change for the routes it concerns. */
  route?: (route: RouteInfo, policy: RoutePolicy) => Partial<RoutePolicy> | undefined;
  /** Twin settings the fault's specs need, for the faulty and the clean twin alike (e.g. nonces on). */
  twinEnv?: Readonly<Record<string, string>>;
  /** Variables the suite needs to expose the fault (its specs skip without them); the kill matrix leaves it out, and says so, when one is unset. */
  suiteEnv?: readonly string[];
  /**
   * An operational fault: no spec can catch it, the monitor (a latency budget), the drift
   * sentinel (a changed publication) or the fuzzer (a crash on input no spec sends) does, and
   * tests/ops proves it. The kill matrix leaves it out.
   */
  caughtBy?: 'monitor' | 'drift' | 'fuzz';
}

/**
 * A dialect: the twin playing another behaviour that NHN's pages or a standard permit at an
 * assumption point, declared like a fault (sandbox/<twin>/dialects.ts) with the source that
 * permits it. The tolerance matrix runs its requirements' specs against it: none may fail.
 */
export interface DialectDefinition extends FaultDefinition {
  /** What permits it: the page, standard or sample. */
  source: string;
  /** The assumption point whose variant it is (specs name it when they see it); none for a shape the suite tolerates anyway. */
  point?: string;
}

export interface CatalogedFault extends FaultDefinition {
  id: string;
  pack: string;
  /** `dialect`: permitted behaviour, for the tolerance matrix; a fault is for the kill matrix. */
  kind: 'fault' | 'dialect';
  source?: string;
  point?: string;
}

let catalogue: Promise<Map<string, CatalogedFault>> | undefined;

/** Every pack's faults, loaded from the folder its descriptor names. */
export function loadFaults(): Promise<Map<string, CatalogedFault>> {
  catalogue ??= (async () => {
    const all = new Map<string, CatalogedFault>();
    for (const p of PACKS as readonly PackDescriptor[]) {
      const mod = (await import(`../${p.twin}/faults.ts`)) as { faults: Record<string, FaultDefinition> };
      for (const [id, def] of Object.entries(mod.faults)) {
        if (all.has(id)) throw new Error(`fault ${id} is declared by ${all.get(id)!.pack} and ${p.id}`);
        all.set(id, { ...def, id, pack: p.id, kind: 'fault' });
      }
      // Dialects sit beside the faults, where a pack declares any.
      const dialects = await import(`../${p.twin}/dialects.ts`).then((m: { dialects: Record<string, DialectDefinition> }) => m.dialects, (e: { code?: string }) => {
        if (e.code === 'ERR_MODULE_NOT_FOUND') return {};
        throw e;
      });
      for (const [id, def] of Object.entries(dialects)) {
        if (all.has(id)) throw new Error(`dialect ${id} is declared by ${all.get(id)!.pack} and ${p.id}`);
        all.set(id, { ...def, id, pack: p.id, kind: 'dialect' });
      }
    }
    return all;
  })();
  return catalogue;
}

export const FAULT_SETTING = stringSetting('SANDBOX_FAULTS', 'faults to plant in the twin, comma separated (npm run sandbox -- --faults lists them)');

/** The active faults named by SANDBOX_FAULTS (or given), validated against the catalogue. */
export async function activeFaults(ids?: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<CatalogedFault[]> {
  const all = await loadFaults();
  const wanted = ids ?? (FAULT_SETTING.read(env) ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = wanted.filter((id) => !all.has(id));
  if (unknown.length) throw new ConfigurationError(`SANDBOX_FAULTS names unknown fault(s) ${unknown.join(', ')}; known: ${[...all.keys()].join(', ')}`);
  return wanted.map((id) => all.get(id)!);
}
