// Runs kept apart: a filter makes a run partial (choosing a profile does not), a kept run moves
// into place with latest and the well-known files through it, pruning keeps the newest whole run
// however old, and the run a command means is found by id, prefix, latest or as the newest whole.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '../../fixtures/base.ts';
import { discardRun, keepRun, listRuns, newRunId, partialFilter, pruneRuns, resolveRun, stagingDir, type RunIdentity } from '../../helpers/evidence/runs.ts';

const argv = (...args: string[]) => ['node', '/x/playwright/cli.js', 'test', ...args];

test('what makes a run partial', () => {
  expect(partialFilter(argv())).toBeUndefined();
  expect(partialFilter(argv('--project=test'))).toBeUndefined();
  expect(partialFilter(argv('--project', 'local', '--workers', '2', '--retries=1'))).toBeUndefined();
  expect(partialFilter(argv('--grep', '@PIT-PAGE-003'))).toBe('--grep @PIT-PAGE-003');
  expect(partialFilter(argv('-g', 'x', 'specs/pit'))).toBe('--grep x specs/pit');
  expect(partialFilter(argv('--shard=1/2'))).toBe('--shard 1/2');
  expect(partialFilter(argv('--last-failed'))).toBe('--last-failed');
  expect(partialFilter(argv('--project=unit'))).toBe('--project unit');
});

function stage(root: string, id: string, partial?: string): RunIdentity {
  fs.mkdirSync(path.join(stagingDir(root, id), 'evidence'), { recursive: true });
  fs.writeFileSync(path.join(stagingDir(root, id), 'summary.json'), JSON.stringify({ id }));
  return { id, startedAt: new Date().toISOString(), suite: { name: 's', version: '1', dirty: false }, profiles: ['local'], command: 'test', ...(partial ? { partial } : {}) };
}

test('a kept run is in place, latest and the well-known files follow it, and a discarded one leaves nothing', () => {
  const root = fs.mkdtempSync(path.join(fs.mkdirSync(test.info().outputDir, { recursive: true }) ?? test.info().outputDir, 'runs-'));
  keepRun(root, stage(root, newRunId(['local'], new Date('2026-01-01T00:00:00Z'))), 20);
  const second = stage(root, newRunId(['local'], new Date('2026-01-02T00:00:00Z')), '--grep x');
  keepRun(root, second, 20);
  expect(JSON.parse(fs.readFileSync(path.join(root, 'summary.json'), 'utf8')).id, 'summary.json follows latest').toBe(second.id);
  const third = stage(root, newRunId(['local'], new Date('2026-01-03T00:00:00Z')));
  discardRun(root, third.id);
  expect(fs.existsSync(stagingDir(root, third.id))).toBe(false);
  expect(listRuns(root).map((r) => r.id)).toEqual([second.id, newRunId(['local'], new Date('2026-01-01T00:00:00Z'))]);
  expect(resolveRun(root).partial, 'certify takes the newest whole run').toBeUndefined();
  expect(resolveRun(root, 'latest').id).toBe(second.id);
  expect(resolveRun(root, '20260102').id).toBe(second.id);
  expect(() => resolveRun(root, 'nope')).toThrow(/no run "nope"/);
});

test('pruning keeps the newest runs, and the newest whole run however old', () => {
  const root = fs.mkdtempSync(path.join(fs.mkdirSync(test.info().outputDir, { recursive: true }) ?? test.info().outputDir, 'prune-'));
  const whole = stage(root, newRunId(['test'], new Date('2026-01-01T00:00:00Z')));
  keepRun(root, whole, 100);
  for (let d = 2; d <= 6; d++) keepRun(root, stage(root, newRunId(['test'], new Date(`2026-01-0${d}T00:00:00Z`)), '--grep y'), 100);
  const removed = pruneRuns(root, 3);
  expect(removed).toHaveLength(2);
  expect(listRuns(root).map((r) => r.id)).toEqual([...listRuns(root).slice(0, 3).map((r) => r.id), whole.id]);
  expect(resolveRun(root).id).toBe(whole.id);
});
