// The kill matrix's grouping: faults share a project only when no test belongs to two of them,
// every fault is placed once, there are as few groups as the most faults of one test, they weigh
// about the same (a @slow test counts for many), and groups with @slow tests come first.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '../../fixtures/base.ts';
import { faultsOfTest, groupFaults, grepFor, selectFaults, type PlannedFault } from '../mutation/plan.ts';
import { loadFaults } from '../../sandbox/core/faults.ts';
import type { ListedTest } from '../../helpers/cli/list-tests.ts';

const fault = (id: string, requirements: string[], slow = false): PlannedFault => ({ id, pack: 'p', rule: id, requirements, twinEnv: {}, tests: 0, slow });
const listed = (tags: string[]): ListedTest => ({ title: tags.join(' '), file: 'x.spec.ts', line: 1, tags });

test('faults share a group only when their tests are disjoint; each fault is placed once; slow groups first', () => {
  const tests = [listed(['@A-001', '@B-001']), listed(['@B-001']), listed(['@C-001']), listed(['@D-001', '@slow']), listed(['@A-001', '@C-001']), listed(['@E-001'])];
  const faults = [fault('a', ['A-001']), fault('b', ['B-001']), fault('c', ['C-001']), fault('d', ['D-001'], true), fault('e', ['E-001'])].map((f) => ({ ...f, tests: tests.filter((t) => faultsOfTest(t.tags, [f]).length).length }));
  const groups = groupFaults(faults, tests);
  expect(groups.flat().map((f) => f.id).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
  for (const g of groups) for (const t of tests) expect(faultsOfTest(t.tags, g).length, `${t.title} in ${g.map((f) => f.id)}`).toBeLessThanOrEqual(1);
  // Two faults share a test at most, so two groups; the slow fault's group first.
  expect(groups.length).toBe(2);
  expect(groups[0]!.some((f) => f.slow)).toBe(true);
  expect(groups[1]!.some((f) => f.slow)).toBe(false);
});

test('the groups weigh about the same: the heaviest faults are spread, not piled into the first group', () => {
  // Four disjoint faults of 10, 9, 2 and 1 tests, and one test shared by two of them: two groups,
  // 10 + 1 + shared against 9 + 2 (first-fit would put 10, 9 and 2 together and leave 1 alone).
  const tests = [
    ...Array.from({ length: 10 }, () => listed(['@A-001'])),
    ...Array.from({ length: 9 }, () => listed(['@B-001'])),
    ...Array.from({ length: 2 }, () => listed(['@C-001'])),
    listed(['@D-001', '@A-002']),
  ];
  const faults = [fault('a', ['A-001', 'A-002']), fault('b', ['B-001']), fault('c', ['C-001']), fault('d', ['D-001'])].map((f) => ({ ...f, tests: tests.filter((t) => faultsOfTest(t.tags, [f]).length).length }));
  const sizes = groupFaults(faults, tests).map((g) => g.reduce((n, f) => n + f.tests, 0));
  expect(sizes.length).toBe(2);
  expect(Math.abs(sizes[0]! - sizes[1]!)).toBeLessThanOrEqual(2);
});

test('a requirement tag matches whole IDs only', () => {
  expect(grepFor(['HID-CA-002']).test('@HID-CA-002 @x')).toBe(true);
  expect(grepFor(['HID-CA-002']).test('@HID-CA-0021')).toBe(false);
  expect(faultsOfTest(['@HID-CA-0021'], [fault('x', ['HID-CA-002'])])).toEqual([]);
});

test('every operational fault is left out of the matrix and planted by an ops test that must catch it', async () => {
  const operational = [...(await loadFaults()).values()].filter((f) => f.caughtBy);
  expect(operational.map((f) => f.id).sort()).toEqual(['jwks-key-rotated', 'person-openapi-changed', 'pit-slow-search', 'pts-crash-on-out-of-range-delay']);
  const planned = new Set((await selectFaults()).map((f) => f.id));
  const ops = fs.readdirSync('tests/ops').filter((f) => f.endsWith('.test.ts')).map((f) => fs.readFileSync(path.join('tests/ops', f), 'utf8')).join('\n');
  for (const f of operational) {
    expect(planned.has(f.id), `${f.id} is not in the kill matrix`).toBe(false);
    expect(f.requirements, `${f.id}: no spec can catch it, so it names no requirement`).toEqual([]);
    expect(ops, `${f.id} is planted by a test in tests/ops`).toContain(f.id);
  }
});
