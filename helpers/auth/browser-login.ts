// A user login in a real browser, as an EPJ user does it: Debian's Chromium (helpers/chromium.ts) opens the authorization URL and a login recipe's steps are followed on HelseID's
// pages until the browser is sent to the redirect URI, which is answered here, never fetched.
// Each login gets a browser context of its own (cookies and storage die with it); the code is
// read from the redirect in memory. Every step is timed and photographed for the report; a step
// that does not match fails with its name, the page's path (never its query) and a screenshot.
import { setTimeout as delay } from 'node:timers/promises';
import type { Browser, Locator, Page } from '@playwright/test';
import type { LoginRecipe, RecipeStep, Target } from './login-recipe.ts';

/** Where a login's browser starts (answered in the browser, never fetched). */
const START = 'https://login-start.nhn-suite.invalid/';

export interface StepRecord {
  name: string;
  ms: number;
  skipped?: boolean;
  /** PNG of the page as the step acted (its fields filled, before its click). */
  screenshot?: Buffer;
}

export interface BrowserLoginResult {
  callback: URL;
  steps: StepRecord[];
  totalMs: number;
}

/** A recipe step that did not match the page: which step, what was missing, and how the page looked. */
export class LoginStepError extends Error {
  override name = 'LoginStepError';
  readonly kind = 'suite';
  constructor(
    readonly step: string,
    readonly recipe: string,
    reason: string,
    readonly screenshot: Buffer | undefined,
    readonly steps: StepRecord[],
  ) {
    super(`login recipe ${recipe}, step "${step}": ${reason}`);
    this.stack = `${this.name}: ${this.message}`;
  }
}

function locate(page: Page, t: Target): Locator {
  if ('role' in t) return page.getByRole(t.role as Parameters<Page['getByRole']>[0], t.name === undefined ? {} : { name: t.name, exact: true });
  if ('label' in t) return page.getByLabel(t.label, { exact: true });
  if ('placeholder' in t) return page.getByPlaceholder(t.placeholder, { exact: true });
  if ('text' in t) return page.getByText(t.text, { exact: true });
  return page.locator(t.css);
}

const describe = (t: Target) => Object.entries(t).map(([k, v]) => `${k} ${JSON.stringify(v)}`).join(', ');

/**
 * Logs `person` in through the recipe's steps, starting at `authorizeUrl`, in a fresh context of
 * `browser`; resolves with the redirect (code and state) once HelseID sends the browser there.
 */
export async function browserLogin(browser: Browser, recipe: LoginRecipe, authorizeUrl: string, redirectUri: string, person: string): Promise<BrowserLoginResult> {
  const started = Date.now();
  const context = await browser.newContext({ viewport: { width: 1000, height: 800 }, locale: 'nb-NO', serviceWorkers: 'block' });
  const steps: StepRecord[] = [];
  let arrived: (url: URL) => void = () => {};
  const callback = new Promise<URL>((resolve) => (arrived = resolve));
  let landed: URL | undefined;
  try {
    // The redirect URI is nobody's server: the browser's request to it is answered here.
    await context.route((url) => url.href.startsWith(redirectUri), async (route) => {
      landed = new URL(route.request().url());
      arrived(landed);
      await route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: '<!doctype html><title>Logged in</title><p>The login has finished; the suite has the answer.</p>' });
    });
    const page = await context.newPage();
    const deadline = started + recipe.timeouts.total;
    const budget = () => Math.max(1, Math.min(recipe.timeouts.step, deadline - Date.now()));
    const where = () => {
      try {
        return new URL(page.url()).pathname;
      } catch {
        return page.url().split('?')[0] ?? '';
      }
    };
    const fail = async (step: RecipeStep, reason: string): Promise<never> => {
      const shot = await page.screenshot({ fullPage: true }).catch(() => undefined);
      throw new LoginStepError(step.name, recipe.file, `${reason} (the page was at ${where()})`, shot, steps);
    };

    // The browser starts at a neutral address answered with a redirect to the authorization URL:
    // a report that records the browser's calls (Playwright's steps) never sees its request_uri.
    await context.route(START, (route) => route.fulfill({ status: 303, headers: { location: authorizeUrl, 'cache-control': 'no-store' } }));
    await page.goto(START, { timeout: budget(), waitUntil: 'domcontentloaded' }).catch(() => undefined);
    for (const step of recipe.steps) {
      const began = Date.now();
      if (landed) {
        if (step.optional) {
          steps.push({ name: step.name, ms: 0, skipped: true });
          continue;
        }
        await fail(step, 'the login had already reached the redirect URI before this step');
      }
      const pattern = new RegExp(step.page);
      // The page is there when its path matches and what the step expects is visible.
      const ready = (async () => {
        await page.waitForURL((u) => pattern.test(u.pathname), { timeout: budget(), waitUntil: 'domcontentloaded' });
        if (step.expect) await locate(page, step.expect).first().waitFor({ state: 'visible', timeout: budget() });
        return 'page' as const;
      })();
      const outcome = await Promise.race([ready.catch((e: Error) => e), callback.then(() => 'done' as const)]);
      if (outcome === 'done') {
        ready.catch(() => undefined);
        if (step.optional) {
          steps.push({ name: step.name, ms: Date.now() - began, skipped: true });
          continue;
        }
        await fail(step, 'the login reached the redirect URI before this step');
      }
      if (outcome instanceof Error) {
        if (!pattern.test(where())) await fail(step, `no page whose path matches /${step.page}/ came within ${budget()} ms`);
        await fail(step, `nothing matching ${describe(step.expect!)} became visible`);
      }
      for (const { field, value } of step.fill ?? []) {
        await locate(page, field).first().fill(value.replaceAll('{person}', person), { timeout: budget() }).catch(() => fail(step, `no field matching ${describe(field)} to fill`));
      }
      const screenshot = await page.screenshot({ fullPage: true }).catch(() => undefined);
      if (step.click) await locate(page, step.click).first().click({ timeout: budget() }).catch(() => fail(step, `nothing matching ${describe(step.click!)} to click`));
      steps.push({ name: step.name, ms: Date.now() - began, screenshot });
    }
    const waiting = new AbortController();
    const end = await Promise.race([callback, delay(budget(), undefined, { signal: waiting.signal }).catch(() => undefined)]);
    waiting.abort();
    if (!end) {
      const last = recipe.steps[recipe.steps.length - 1]!;
      await fail({ ...last, name: 'the redirect' }, `the browser was not sent to the redirect URI within ${recipe.timeouts.step} ms after the last step`);
    }
    return { callback: end!, steps, totalMs: Date.now() - started };
  } finally {
    await context.close().catch(() => undefined);
  }
}
