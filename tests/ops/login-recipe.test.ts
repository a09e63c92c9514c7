// A login recipe checked as a vendor checks theirs: `npm run login:check` logs the twin's test
// person in through its IdP pages in Debian's Chromium with the `local` recipe, and a copy of the
// recipe with one wrong step fails naming that step, classified as the suite's configuration,
// with a screenshot of the page it stopped on; neither leaves a code or cookie in its report.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { opsPort, run } from './support/run.ts';
import { chromiumMissing } from '../../helpers/chromium.ts';

test('login:check passes the local recipe and names the wrong step of a broken copy, with a screenshot', async ({}, info) => {
  test.skip(Boolean(chromiumMissing()), chromiumMissing());
  test.setTimeout(120_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nhn-login-recipe-'));
  const env = { NHN_REPORT_DIR: path.join(dir, 'reports'), SANDBOX_PORT: String(opsPort(info.parallelIndex, 4)), CI: '' };
  try {
    const good = await run('npm', ['run', '-s', 'login:check', '--', '--profile', 'local'], env, 90_000);
    expect(good.code, good.out.slice(-3000)).toBe(0);
    expect(good.out).toMatch(/ok +choose the test IdP \d+ ms/);
    expect(good.out).toMatch(/logged in in \d+ ms/);
    info.annotations.push({ type: 'login:check', description: good.out.split('\n').filter((l) => /^ {2}(ok|skipped)|logged in/.test(l)).join('; ') });

    // One step wrong: the IdP's button is called something else in this copy.
    const wrong = path.join(dir, 'wrong.yaml');
    const recipe = fs.readFileSync('schemas/helseid/login-recipes/local.yaml', 'utf8');
    expect(recipe).toContain('name: Logg inn }');
    fs.writeFileSync(wrong, recipe.replace('name: Logg inn }', 'name: Sign in }'));
    const bad = await run('npm', ['run', '-s', 'login:check', '--', '--profile', 'local', '--recipe', wrong], env, 90_000);
    expect(bad.code, bad.out.slice(-3000)).toBe(1);
    expect(bad.out).toContain('FAILED  type the test person');
    const run0 = fs.realpathSync(path.join(dir, 'reports', 'latest'));
    const summary = JSON.parse(fs.readFileSync(path.join(run0, 'summary.json'), 'utf8')) as { failures: Array<{ class: string; message: string }>; logins: Array<{ failedStep?: string; steps: Array<{ name: string }> }> };
    expect(summary.failures).toHaveLength(1);
    expect(summary.failures[0]!.class, 'a recipe that does not match the pages is the suite configuration, not the contract').toBe('suite');
    expect(summary.failures[0]!.message).toMatch(/step "type the test person": nothing matching role "button", name "Sign in" to click \(the page was at \/interaction\/[^/?]+\/login\)/);
    expect(summary.logins[0]!.failedStep).toBe('type the test person');
    expect(summary.logins[0]!.steps.map((s) => s.name)).toEqual(['choose the test IdP']);
    // The screenshot of the page it stopped on is in the report.
    const pngs = fs.readdirSync(path.join(run0, 'html', 'data')).filter((f) => f.endsWith('.png'));
    expect(pngs.length, 'no screenshot in the HTML report').toBeGreaterThanOrEqual(2);
    const shot = fs.readFileSync(path.join(run0, 'html', 'data', pngs[0]!));
    expect(shot.subarray(1, 4).toString()).toBe('PNG');
    await info.attach('the page the broken step stopped on', { body: shot, contentType: 'image/png' });
    // Neither report holds a code or a cookie value: the redirect and the cookies stayed in the browser.
    for (const file of ['summary.json', 'junit.xml']) {
      const text = fs.readFileSync(path.join(run0, file), 'utf8');
      expect(text, file).not.toMatch(/[?&]code=[A-Za-z0-9_-]{10}/);
      expect(text, file).not.toMatch(/_interaction=[A-Za-z0-9_-]{10}/);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
