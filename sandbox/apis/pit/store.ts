// PIT's data for the twin: Patients per organisation (orgnr_parent), kept as an append-only log
// of versions so a keyset traversal can read a stable snapshot while others write.
import { randomUUID } from 'node:crypto';
import { OID } from '../../../helpers/identifiers.ts';

type Json = Record<string, unknown>;

export interface Version {
  id: string;
  /** Epoch milliseconds of the write (meta.lastUpdated). */
  lastUpdated: number;
  /** Global write sequence: the tiebreaker of the sort and the snapshot mark. */
  seq: number;
  resource: Json;
}

interface Partition {
  versions: Map<string, Version[]>;
  idByNin: Map<string, string>;
}

export interface TimeRange {
  /** Inclusive lower bound, ms. */
  from?: number;
  /** Exclusive upper bound, ms. */
  to?: number;
}

const NATIONAL_SYSTEMS = new Set<string>([OID.fnr, OID.dnr, OID.fhn]);

function nationalId(patient: Json): string | undefined {
  const ids = Array.isArray(patient.identifier) ? (patient.identifier as Json[]) : [];
  const found = ids.find((i) => NATIONAL_SYSTEMS.has(String(i.system)) && typeof i.value === 'string');
  return found ? `${String(found.system)}|${String(found.value)}` : undefined;
}

export class PitStore {
  private readonly partitions = new Map<string, Partition>();
  private seq = 0;
  private lastStamp = 0;

  /** The current write mark: a snapshot taken now sees every version up to it. */
  mark(): number {
    return this.seq;
  }

  private partition(org: string): Partition {
    let p = this.partitions.get(org);
    if (!p) this.partitions.set(org, (p = { versions: new Map(), idByNin: new Map() }));
    return p;
  }

  /** Stores a Patient: a new version of the patient with the same national identifier, or a new patient. */
  write(org: string, patient: Json): Version {
    const p = this.partition(org);
    const nin = nationalId(patient);
    const id = (nin && p.idByNin.get(nin)) || randomUUID();
    if (nin) p.idByNin.set(nin, id);
    // Strictly increasing timestamps keep the sort total even for writes within one millisecond.
    const lastUpdated = Math.max(Date.now(), this.lastStamp + 1);
    this.lastStamp = lastUpdated;
    const version: Version = {
      id,
      lastUpdated,
      seq: ++this.seq,
      resource: { ...patient, id, meta: { ...((patient.meta as Json) ?? {}), versionId: String((p.versions.get(id)?.length ?? 0) + 1), lastUpdated: new Date(lastUpdated).toISOString() } },
    };
    p.versions.set(id, [...(p.versions.get(id) ?? []), version]);
    return version;
  }

  /** The patients as they were at `mark`, within `range`, sorted by (lastUpdated, seq). */
  snapshot(org: string, mark: number, range: TimeRange, live = false): Version[] {
    const p = this.partitions.get(org);
    if (!p) return [];
    const out: Version[] = [];
    for (const versions of p.versions.values()) {
      let chosen: Version | undefined;
      for (const v of versions) if (live || v.seq <= mark) chosen = v;
      if (!chosen) continue;
      if (range.from !== undefined && chosen.lastUpdated < range.from) continue;
      if (range.to !== undefined && chosen.lastUpdated >= range.to) continue;
      out.push(chosen);
    }
    return out.sort((a, b) => a.lastUpdated - b.lastUpdated || a.seq - b.seq);
  }
}
