// The twin and the OpenAPI documents cannot drift apart: the twin's routes are derived from the
// documents, every handler a twin module gives is for a documented operation, and the registry
// is consistent (fixed, distinct ports; every pack's folders and files exist).
import { expect, test } from '../../fixtures/base.ts';
import fs from 'node:fs';
import { PACKS, SERVICES, type PackDescriptor } from '../../helpers/packs/index.ts';
import { loadApiDocument } from '../../helpers/validation/openapi/document.ts';
import { CheckSet } from '../../sandbox/core/checks.ts';
import type { TwinModule } from '../../sandbox/core/module.ts';
import { deriveRoutes } from '../../sandbox/http/service.ts';
import { operationOutcomeFormat } from '../../sandbox/http/error-formats.ts';

const packs = PACKS as readonly PackDescriptor[];

test('every handler a twin module gives is a documented operation of its pack', async () => {
  for (const pack of packs) {
    const { twin } = (await import(`../../sandbox/${pack.twin}/index.ts`)) as { twin: TwinModule };
    if (!twin.api) continue;
    const api = twin.api({ pack, checks: new CheckSet(), env: {}, urls: {}, transforms: [] });
    const documented = new Set(Object.values(pack.services).flatMap((s) => s.documents ?? []).flatMap((d) => loadApiDocument(d).operations.map((o) => o.operationId)));
    for (const operationId of Object.keys(api.handlers)) expect(documented.has(operationId), `${pack.id}: handler ${operationId} is not a documented operation`).toBe(true);
  }
});

test('every documented operation of a service becomes a twin route with the policy the document states', () => {
  for (const [service, descriptor] of Object.entries(SERVICES)) {
    const routes = deriveRoutes({ service, descriptor, audience: 'aud', handlers: {}, errors: operationOutcomeFormat(), patches: [], requireNonce: false });
    for (const d of descriptor.documents ?? []) {
      for (const op of loadApiDocument(d).operations) {
        const route = routes.find((r) => r.info.method === op.method && r.info.path === op.path);
        expect(route, `${service}: ${op.method} ${op.path} (${d} ${op.operationId}) has no twin route`).toBeDefined();
        expect(route!.policy.anyScope).toEqual(op.scopes);
        if (op.maxBodyBytes) expect(route!.policy.maxBodyBytes).toBe(op.maxBodyBytes);
        expect(route!.policy.consumes).toEqual(Object.keys(op.requestBody?.content ?? {}));
        if (op.security.length === 0) expect(route!.policy.modes, `${op.operationId} is open`).toEqual([]);
      }
    }
  }
});

test('the registry: fixed distinct twin ports, and every pack names files that exist', () => {
  const ports = Object.values(SERVICES).map((s) => s.port);
  expect(new Set(ports).size, 'two services share a twin port offset').toBe(ports.length);
  for (const pack of packs) {
    expect(fs.existsSync(`sandbox/${pack.twin}/index.ts`), `${pack.id}: sandbox/${pack.twin}/index.ts`).toBe(true);
    expect(fs.existsSync(`sandbox/${pack.twin}/faults.ts`), `${pack.id}: sandbox/${pack.twin}/faults.ts`).toBe(true);
    for (const r of pack.requirements) expect(fs.existsSync(`schemas/requirements/${r}`), `${pack.id}: ${r}`).toBe(true);
    for (const s of pack.specs) expect(fs.existsSync(`specs/${s}`), `${pack.id}: specs/${s}`).toBe(true);
    for (const d of Object.values(pack.services).flatMap((s) => s.documents ?? [])) expect(fs.existsSync(`schemas/openapi/${d}.openapi.yaml`), `${pack.id}: ${d}`).toBe(true);
  }
});

test('no fault id appears in the shared twin layers', async () => {
  const { loadFaults } = await import('../../sandbox/core/faults.ts');
  const ids = [...(await loadFaults()).keys()];
  const shared = ['sandbox/rs', 'sandbox/http', 'sandbox/core'].flatMap((d) => fs.readdirSync(d).map((f) => `${d}/${f}`));
  // One expect for all (an expect per file and fault is thousands of them, and seconds).
  const named = shared.flatMap((file) => {
    const text = fs.readFileSync(file, 'utf8');
    return ids.filter((id) => text.includes(`'${id}'`) || text.includes(`"${id}"`)).map((id) => `${file} names fault ${id}`);
  });
  expect(named).toEqual([]);
});
