// PaRek's data for the twin: requisitions (ServiceRequest) and the specimens recorded for them,
// with the implementation guide's rules as named checks (facts §3.3). The twin judges with its
// own reading of the guide, never with the suite's validator.
import { randomUUID } from 'node:crypto';
import { OID } from '../../../helpers/identifiers.ts';
import { REQUESTER_DEFINED_UUID } from '../../../helpers/packs/parek.ts';
import { check, Refusal, type Check, type CheckSet } from '../../core/checks.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Patients are named by national identifier only: fødselsnummer, D-nummer or FH-nummer. */
export const PATIENT_SYSTEMS: ReadonlySet<string> = new Set([OID.fnr, OID.dnr, OID.fhn]);

export interface Stored {
  id: string;
  resource: Json;
  /** Epoch ms of the last write. */
  lastUpdated: number;
}

interface Candidate {
  resource: Json;
  store: ParekStore;
}

const unprocessable = (description: string) => ({ status: 422, description });

/** The id of the ServiceRequest a Specimen's request names, if it names one. */
export const requestIdOf = (specimen: Json): string | undefined => /^ServiceRequest\/([A-Za-z0-9\-.]{1,64})$/.exec(String([specimen.request].flat()[0]?.reference ?? ''))?.[1];

const patientOf = (r: Json): { system?: string; value?: string } => (r.subject?.identifier ?? {}) as { system?: string; value?: string };

/** The subject is a national identifier, never a reference (both resources). */
const subjectChecks = (kind: string): Check<Candidate>[] => [
  check(`parek.${kind}.subject-identifier`, (c, refuse) => {
    const subject = c.resource.subject;
    if (subject?.reference !== undefined) refuse(unprocessable('the patient is named by identifier only (subject.identifier), not by reference'));
    const { system, value } = patientOf(c.resource);
    if (!PATIENT_SYSTEMS.has(String(system)) || typeof value !== 'string' || !value) {
      refuse(unprocessable(`subject.identifier needs a value and a system from FNR, DNR or FHN (${[...PATIENT_SYSTEMS].join(', ')})`));
    }
  }),
];

const requisitionChecks: Check<Candidate>[] = [
  check('parek.sr.requester-uuid', (c, refuse) => {
    const ids = (Array.isArray(c.resource.identifier) ? c.resource.identifier : []).filter((i: Json) => i?.system === REQUESTER_DEFINED_UUID);
    if (ids.length !== 1 || typeof ids[0].value !== 'string' || !ids[0].value) refuse(unprocessable(`exactly one identifier with system ${REQUESTER_DEFINED_UUID} and a value is required`));
  }),
  ...subjectChecks('sr'),
  check('parek.sr.requester-contained', (c, refuse) => {
    const ref = String(c.resource.requester?.reference ?? '');
    const contained = Array.isArray(c.resource.contained) ? c.resource.contained : [];
    if (!ref.startsWith('#')) refuse(unprocessable('requester must be a local reference (#id) to the contained PractitionerRole'));
    if (contained.length !== 1 || contained[0]?.resourceType !== 'PractitionerRole' || `#${String(contained[0]?.id)}` !== ref) {
      refuse(unprocessable('contained holds exactly the requester: one PractitionerRole whose id the requester reference names'));
    }
  }),
  check('parek.sr.order-detail', (c, refuse) => void (!(Array.isArray(c.resource.orderDetail) && c.resource.orderDetail.length) && refuse(unprocessable('orderDetail 1..*: what is to be collected')))),
];

const specimenChecks: Check<Candidate>[] = [
  ...subjectChecks('sp'),
  check('parek.sp.request-exists', (c, refuse) => {
    const id = requestIdOf(c.resource);
    if (!id || !c.store.requisition(id)) refuse(unprocessable(`request must point at an existing ServiceRequest (got "${String([c.resource.request].flat()[0]?.reference ?? '')}")`));
  }),
  check('parek.sp.same-patient', (c, refuse) => {
    const id = requestIdOf(c.resource);
    const sr = id ? c.store.requisition(id) : undefined;
    const a = patientOf(c.resource);
    const b = sr ? patientOf(sr.resource) : undefined;
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
    const uuid = String((resource.identifier as Json[]).find((i) => i?.system === REQUESTER_DEFINED_UUID)?.value);
    const existing = this.byRequesterUuid.get(uuid);
    if (existing && this.on('parek.sr.idempotent')) return { created: false, stored: this.requisitions.get(existing)! };
    const stored = this.save(this.requisitions, { ...resource, status: resource.status ?? 'active' });
    this.byRequesterUuid.set(uuid, stored.id);
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
    const expected = Math.max(1, (sr.resource.orderDetail as unknown[]).length - (this.on('parek.sr.completion-count') ? 0 : 1));
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
