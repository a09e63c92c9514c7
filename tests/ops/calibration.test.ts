// Calibration on the twin, as a user runs it: against a twin playing a dialect, `npm run
// calibrate` names exactly that dialect at its assumption point and the base reading at every
// other point it saw; the calibration file it writes, pinned, turns the same specs against the
// clean twin (which shows the base reading) into a failure that names the pin.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { parse } from 'yaml';
import { opsPort, run } from './support/run.ts';

const CASES = [
  { dialect: 'pts-create-200', point: 'pts.create-status', grep: '@PTS-CREATE-001|@PTS-VALID-001' },
  { dialect: 'person-event-gaps', point: 'person.event-gaps', grep: '@PERSON-EVENT-001' },
];

for (const [i, c] of CASES.entries()) {
  test(`calibrating against ${c.dialect} pins it at ${c.point} and the base reading elsewhere; pinned, the clean twin fails`, async ({}, info) => {
    test.setTimeout(180_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nhn-calibrate-'));
    const env = { NHN_REPORT_DIR: path.join(dir, 'reports'), NHN_CALIBRATION_DIR: path.join(dir, 'calibration'), SANDBOX_PORT: String(opsPort(info.parallelIndex, i)), CI: '' };
    const calibrated = await run('npm', ['run', '-s', 'calibrate', '--', '--profile', 'local', '--', '--grep', c.grep], { ...env, SANDBOX_FAULTS: c.dialect });
    expect(calibrated.code, calibrated.out.slice(-3000)).toBe(0);
    const pins = parse(fs.readFileSync(path.join(dir, 'calibration', 'local.yaml'), 'utf8')) as { points: Record<string, { variant: string }> };
    expect(pins.points[c.point]?.variant, calibrated.out.slice(-2000)).toBe(c.dialect);
    for (const [point, pin] of Object.entries(pins.points)) if (point !== c.point) expect(pin.variant, point).toBe('base');
    const report = fs.readFileSync(path.join(dir, 'reports', 'calibration', 'local.md'), 'utf8');
    expect(report).toContain(`dialect ${c.dialect}`);
    expect(report).toContain('not observed');
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'reports', 'calibration', 'local.json'), 'utf8')) as { points: unknown[]; ttt: Record<string, unknown> };
    expect(json.points.length).toBeGreaterThan(0);
    test.info().annotations.push({ type: 'calibration', description: `${c.dialect}: ${calibrated.ms} ms` });

    // Pinned: the clean twin now shows another behaviour at the point, which fails and names the pin.
    const pinned = await run('npx', ['playwright', 'test', '--project=local', '--grep', c.grep], env);
    expect(pinned.code, pinned.out.slice(-2000)).toBe(1);
    expect(pinned.out).toContain(`${c.point}: the calibration of local pinned ${c.dialect}`);
    fs.rmSync(dir, { recursive: true, force: true });
  });
}
