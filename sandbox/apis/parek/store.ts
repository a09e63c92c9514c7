// PaRek's data for the twin: requisitions (ServiceRequest) and the specimens recorded for them,
// with the implementation guide's rules as named checks (facts §3.3). The twin judges with its
// own reading of the guide, never with the suite's validator.
import { randomUUID } from 'node:crypto';
import { OID } from '../../../helpers/identifiers.ts';
import { PAREK_IG, REQUESTER_DEFINED_UUID } from '../../../helpers/packs/parek.ts';
import { loadIgRules } from '../../../helpers/validation/fhir/ig/package.ts';
import { profileLayer } from '../../../helpers/validation/fhir/profile-layer.ts';
import type { ValidationIssue } from '../../../helpers/validation/issues.ts';
import { check, Refusal, type Check, type CheckSet } from '../../core/checks.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface Stored {
  id: string;
  resource: Json;
  /** Epoch ms of the last write. */
  lastUpdated: number;
}

interface Candidate {
  resource: Json;
  store: ParekStore;
  /** The guide's verdict on the resource, once per request: rule id → what is wrong. */
  guide?: Map<string, string>;
}

/** The national identifiers a patient is named by (the guide's person-public-id-type value set). */
const PATIENT_SYSTEMS: ReadonlySet<string> = new Set([OID.fnr, OID.dnr, OID.fhn]);

const unprocessable = (description: string) => ({ status: 422, description });

/** The id of the ServiceRequest a Specimen's request names, if it names one. */
export const requestIdOf = (specimen: Json): string | undefined => /^ServiceRequest\/([A-Za-z0-9\-.]{1,64})$/.exec(String([specimen.request].flat()[0]?.reference ?? ''))?.[1];

const patientOf = (r: Json): { system?: string; value?: string } => (r.subject?.identifier ?? {}) as { system?: string; value?: string };

/**
 * The guide's rules as named checks, one per rule of the pinned guide's rule data
 * (schemas/fhir/ig/, derived from its StructureDefinitions): `parek.ig.<rule id>`. The data is a
 * schema the twin shares; the refusal is the twin's.
 */
function guideChecks(profileId: string): Check<Candidate>[] {
  const guide = loadIgRules().find((g) => g.package.name === PAREK_IG.name && g.package.version === PAREK_IG.version);
  if (!guide) throw new Error(`the rule data of ${PAREK_IG.name} ${PAREK_IG.version} is missing from schemas/fhir/ig/`);
  const verdict = (c: Candidate) => {
    if (!c.guide) {
      const nested = (v: Json, id: string, at: string): ValidationIssue[] => profileLayer(v, id, at, nested);
      c.guide = new Map();
      for (const i of profileLayer(c.resource, profileId, String(c.resource.resourceType), nested)) {
        if (i.severity === 'error' && !c.guide.has(i.rule)) c.guide.set(i.rule, `${i.location}: ${i.message}`);
      }
    }
    return c.guide;
  };
  // Every rule of every profile: a contained resource is judged by its own profile's rules.
  return guide.profiles.flatMap((p) => p.rules).filter((r) => r.enforced).map((rule) =>
    check<Candidate>(`parek.ig.${rule.id}`, (c, refuse) => {
      const problem = verdict(c).get(rule.id);
      if (problem) refuse(unprocessable(problem));
    }),
  );
}

const requisitionChecks: Check<Candidate>[] = guideChecks('parek-service-request');

const specimenChecks: Check<Candidate>[] = [
  ...guideChecks('parek-specimen'),
  check('parek.sp.request-exists', (c, refuse) => {
    // No request at all is the guide's rule (Specimen.request 1..1), judged there.
    if (c.resource.request === undefined) return;
    const id = requestIdOf(c.resource);
    if (!id || !c.store.requisition(id)) refuse(unprocessable(`request must point at an existing ServiceRequest (got "${String([c.resource.request].flat()[0]?.reference ?? '')}")`));
  }),
  check('parek.sp.same-patient', (c, refuse) => {
    const id = requestIdOf(c.resource);
    const sr = id ? c.store.requisition(id) : undefined;
    const a = patientOf(c.resource);
    const b = sr ? patientOf(sr.resource) : undefined;
    // A patient the specimen does not name by a national identifier is the guide's rule (subject.identifier), judged there.
    if (a.value === undefined || !PATIENT_SYSTEMS.has(String(a.system))) return;
    if (b && (a.system !== b.system || a.value !== b.value)) refuse(unprocessable("the specimen's patient is not the requisition's patient"));
  }),
];

export type CreateResult = { created: true; stored: Stored } | { created: false; stored: Stored } | { refused: Refusal };

export class ParekStore {
  private readonly requisitions = new Map<string, Stored>();
  private readonly byRequesterUuid = new Map<string, string>();
  private readonly specimens = new Map<string, Stored>();

  constructor(private readonly checks: CheckSet) {}

  private on(rule: string): boolean {
    return this.checks.on(rule, 'parek');
  }

  requisition(id: string): Stored | undefined {
    return this.requisitions.get(id);
  }

  specimen(id: string): Stored | undefined {
    return this.specimens.get(id);
  }

  allRequisitions(): Stored[] {
    return [...this.requisitions.values()];
  }

  allSpecimens(): Stored[] {
    return [...this.specimens.values()];
  }

  /** Creates a requisition, or answers the one the same RequesterDefinedUuid already made. */
  async createRequisition(resource: Json): Promise<CreateResult> {
    try {
      await this.checks.run('parek.requisition', requisitionChecks, { resource, store: this }, 'parek');
    } catch (e) {
      if (e instanceof Refusal) return { refused: e };
      throw e;
    }
    // A twin with the guide's uuid rules switched off (a fault) may store one without: it is then never a repeat.
    const uuid = (Array.isArray(resource.identifier) ? (resource.identifier as Json[]) : []).find((i) => i?.system === REQUESTER_DEFINED_UUID)?.value;
    const existing = typeof uuid === 'string' ? this.byRequesterUuid.get(uuid) : undefined;
    if (existing && this.on('parek.sr.idempotent')) return { created: false, stored: this.requisitions.get(existing)! };
    const stored = this.save(this.requisitions, { ...resource, status: resource.status ?? 'active' });
    if (typeof uuid === 'string') this.byRequesterUuid.set(uuid, stored.id);
    return { created: true, stored };
  }

  /** Records a specimen; when every expected specimen of its requisition is in, the requisition is completed. */
  async createSpecimen(resource: Json): Promise<CreateResult> {
    try {
      await this.checks.run('parek.specimen', specimenChecks, { resource, store: this }, 'parek');
    } catch (e) {
      if (e instanceof Refusal) return { refused: e };
      throw e;
    }
    const stored = this.save(this.specimens, resource);
    const requestId = requestIdOf(resource);
    const sr = requestId ? this.requisitions.get(requestId) : undefined;
    if (!sr || sr.resource.status !== 'active') return { created: true, stored };
    // One specimen per orderDetail is what "every expected specimen" is taken to mean (facts §3.3).
    const expected = Math.max(1, (Array.isArray(sr.resource.orderDetail) ? sr.resource.orderDetail.length : 0) - (this.on('parek.sr.completion-count') ? 0 : 1));
    const recorded = [...this.specimens.values()].filter((s) => requestIdOf(s.resource) === sr.id).length;
    if (recorded >= expected && this.on('parek.sr.completion')) this.save(this.requisitions, { ...sr.resource, status: 'completed' }, sr.id);
    return { created: true, stored };
  }

  private save(map: Map<string, Stored>, resource: Json, id: string = randomUUID()): Stored {
    const previous = map.get(id);
    const version = Number(previous?.resource.meta?.versionId ?? 0) + 1;
    const lastUpdated = Date.now();
    const stored = { id, lastUpdated, resource: { ...resource, id, meta: { ...(resource.meta ?? {}), versionId: String(version), lastUpdated: new Date(lastUpdated).toISOString() } } };
    map.set(id, stored);
    return stored;
  }
}
