// Assumption points: a variant other than the twin's reading deviates (never fails), strict mode
// and a calibration's pin make it a failure, every point a spec or dialect names is declared,
// and calibration reads a run point by point.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '../../fixtures/base.ts';
import { parse } from 'yaml';
import { ASSUMPTION_POINTS } from '../../helpers/evidence/assumption-points.ts';
import { DEVIATES, observe, observationsOf } from '../../helpers/evidence/assumptions.ts';
import { calibrationYaml, readCalibration } from '../../helpers/evidence/calibrate.ts';
import { calibrationOf } from '../../helpers/evidence/calibration.ts';
import { classifyResult } from '../../helpers/evidence/outcome.ts';
import { loadCatalogue } from '../../helpers/requirements/catalogue.ts';
import { loadFaults } from '../../sandbox/core/faults.ts';
import type { TestRecord } from '../../helpers/evidence/summary-reporter.ts';

const sources = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [fs.readFileSync(path.join(dir, e.name), 'utf8')] : []));

test('a base reading passes, another variant deviates with what was expected and seen, and the verdict is deviates', () => {
  const info = test.info();
  observe({ point: 'pts.create-status', variant: 'base', expected: '201', seen: '201' });
  expect(observationsOf(info.annotations, DEVIATES)).toEqual([]);
  observe({ point: 'pts.create-status', variant: 'pts-create-200', expected: '201', seen: '200' });
  expect(observationsOf(info.annotations, DEVIATES)).toEqual([expect.objectContaining({ point: 'pts.create-status', variant: 'pts-create-200', expected: '201', seen: '200' })]);
  expect(classifyResult({ status: 'passed', errors: [] }, info.annotations).verdict).toBe('deviates');
  info.annotations.length = 0;
});

test('strict mode makes a deviation a failure; an undeclared point is the suite\'s mistake', () => {
  process.env.NHN_STRICT = '1';
  try {
    expect(() => observe({ point: 'pts.create-status', variant: 'pts-create-200', expected: '201', seen: '200' })).toThrow(/strict/);
    expect(() => observe({ point: 'pts.create-status', variant: 'base', expected: '201', seen: '201' })).not.toThrow();
  } finally {
    delete process.env.NHN_STRICT;
  }
  expect(() => observe({ point: 'no.such-point', variant: 'base', expected: '', seen: '' })).toThrow(/not an assumption point/);
  test.info().annotations.length = 0;
});

test('every point the specs and dialects name is declared, with a catalogued requirement, and every declared point has a dialect', async () => {
  const catalogue = loadCatalogue();
  const named = new Set([...sources('specs'), ...sources('fixtures')].flatMap((s) => [...s.matchAll(/point: '([a-z0-9.-]+)'/g)].map((m) => m[1]!)));
  for (const p of named) expect(Object.keys(ASSUMPTION_POINTS), `${p} is observed but not declared`).toContain(p);
  const dialects = [...(await loadFaults()).values()].filter((f) => f.kind === 'dialect');
  for (const d of dialects) {
    if (d.point) expect(Object.keys(ASSUMPTION_POINTS), `dialect ${d.id} plays an undeclared point ${d.point}`).toContain(d.point);
    expect(d.source?.trim(), `dialect ${d.id} names no source`).toBeTruthy();
  }
  for (const [p, def] of Object.entries(ASSUMPTION_POINTS)) {
    expect(catalogue.has(def.requirement), `${p}: unknown requirement ${def.requirement}`).toBe(true);
    expect(dialects.some((d) => d.point === p), `${p} has no dialect playing another reading`).toBe(true);
    expect(named.has(p), `${p} is declared but no spec observes it`).toBe(true);
  }
  expect(dialects.length, 'dialects across the APIs and HelseID').toBeGreaterThanOrEqual(20);
});

test('calibration pins the one variant a point showed, leaves a mixed point out, and reports test-token-service acceptance', () => {
  const t = (title: string, observations: TestRecord['observations']) => ({ title, observations }) as TestRecord;
  const reading = readCalibration([
    t('a', [{ point: 'pts.create-status', variant: 'pts-create-200', seen: '200' }, { point: 'ttt.phr', variant: 'refused', seen: '401' }]),
    t('b', [{ point: 'pts.create-status', variant: 'pts-create-200', seen: '200' }, { point: 'pts.search-shape', variant: 'base', seen: 'a bare array' }]),
    t('c', [{ point: 'person.event-gaps', variant: 'base', seen: '1, 2' }, { point: 'person.event-gaps', variant: 'person-event-gaps', seen: '1, 4' }]),
  ]);
  expect(reading.points.map((p) => [p.point, p.variant])).toEqual([['person.event-gaps', 'mixed'], ['pts.create-status', 'pts-create-200'], ['pts.search-shape', 'base']]);
  expect(reading.ttt).toEqual({ phr: { accepted: 0, refused: 1 } });
  const dir = fs.mkdtempSync(path.join(fs.mkdirSync(test.info().outputDir, { recursive: true }) ?? test.info().outputDir, 'cal-'));
  fs.writeFileSync(path.join(dir, 'test.yaml'), calibrationYaml('test', reading, { at: '2026-12-01T00:00:00Z', suite: 'suite 0.1.0' }));
  const pins = calibrationOf('test', { NHN_CALIBRATION_DIR: dir });
  expect(pins?.points).toEqual({ 'pts.create-status': expect.objectContaining({ variant: 'pts-create-200' }), 'pts.search-shape': expect.objectContaining({ variant: 'base' }) });
  expect(parse(fs.readFileSync(path.join(dir, 'test.yaml'), 'utf8')).profile).toBe('test');
});
