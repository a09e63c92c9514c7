// oidc-provider storage for one twin: an in-memory map per model with expiry. Each provider gets
// its own stores, so twins in one process share nothing.
import type { Adapter, AdapterPayload } from 'oidc-provider';

type Entry = { payload: AdapterPayload; expiresAt: number };

/** A constructor oidc-provider can `new`, bound to one twin's stores. */
export function adapterFor(stores = new Map<string, Map<string, Entry>>()): new (model: string) => Adapter {
  return class TwinAdapter implements Adapter {
    private readonly store: Map<string, Entry>;

    constructor(model: string) {
      let store = stores.get(model);
      if (!store) stores.set(model, (store = new Map()));
      this.store = store;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      this.store.set(id, { payload, expiresAt: Date.now() + (expiresIn || 3600) * 1000 });
      if (this.store.size % 1000 === 0) this.sweep();
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      const entry = this.store.get(id);
      if (!entry) return undefined;
      if (entry.expiresAt < Date.now()) {
        this.store.delete(id);
        return undefined;
      }
      return entry.payload;
    }

    async findByUserCode(): Promise<undefined> {
      return undefined;
    }

    /** Sessions are found by uid when an interaction resumes. */
    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      for (const [id, entry] of this.store) if (entry.payload.uid === uid) return this.find(id);
      return undefined;
    }

    async consume(id: string): Promise<void> {
      const entry = this.store.get(id);
      if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
    }

    async destroy(id: string): Promise<void> {
      this.store.delete(id);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      for (const [id, entry] of this.store) if (entry.payload.grantId === grantId) this.store.delete(id);
    }

    private sweep(): void {
      const now = Date.now();
      for (const [id, entry] of this.store) if (entry.expiresAt < now) this.store.delete(id);
    }
  };
}
