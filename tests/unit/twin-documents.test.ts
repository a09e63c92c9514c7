// The twin and the OpenAPI documents cannot drift apart: every twin route is a documented
// operation, and every documented operation is served by the twin.
import { expect, test } from '@playwright/test';
import { parekModule } from '../../sandbox/apis/parek.ts';
import { phrModule } from '../../sandbox/apis/phr.ts';
import { personModule } from '../../sandbox/apis/person.ts';
import { pitModule } from '../../sandbox/apis/pit.ts';
import { ptsModule } from '../../sandbox/apis/pts.ts';
import type { ApiContext, ApiModule } from '../../sandbox/apis/common.ts';
import { Faults } from '../../sandbox/faults.ts';
import { operationOutcomeFormat } from '../../sandbox/http/error-formats.ts';
import { loadApiDocument, matchOperation } from '../../helpers/validation/openapi/document.ts';

const ctx: ApiContext = { faults: new Faults([]), errors: operationOutcomeFormat(new Faults([])), publicUrl: 'http://twin.invalid' };
const MODULES: ApiModule[] = [pitModule(ctx), phrModule(ctx), parekModule(ctx, 'parek'), ptsModule(ctx), personModule(ctx)];

/** A concrete path for a template, e.g. /v1/ServiceRequest/:id → /v1/ServiceRequest/x1. */
const concrete = (path: string) => path.replace(/:[^/]+/g, 'x1').replace(/\{[^}]+\}/g, (m) => (m === '{version}' ? 'v1' : 'x1'));

test('every twin route is a documented operation', () => {
  for (const mod of MODULES) {
    for (const route of mod.routes) {
      const documented = mod.documents.some((d) => matchOperation(loadApiDocument(d), route.method, concrete(route.path)).operation);
      expect(documented, `${mod.name}: ${route.method} ${route.path} is not in ${mod.documents.join(', ')}`).toBe(true);
    }
  }
});

test('every documented operation is served by the twin', () => {
  for (const mod of MODULES) {
    for (const d of mod.documents) {
      for (const op of loadApiDocument(d).operations) {
        const path = concrete(op.path);
        const served = mod.routes.some((r) => r.method === op.method && concrete(r.path) === path);
        expect(served, `${d}: ${op.method} ${op.path} (${op.operationId}) has no twin route`).toBe(true);
      }
    }
  }
});
