// How a profile logs a person in. Headless: the twin's test IdP takes the person as login_hint
// and redirects at once (the fast default on the twin). Browser: Debian's Chromium follows the
// profile's login recipe on the IdP's pages (HelseID's in NHN test; the twin's own pages with the
// `local` recipe). Against NHN only the browser logs in, and only with a recipe, a registered
// redirect URI and a test person for the role a spec asks for; without them the spec skips and
// says which is missing.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from '@playwright/test';
import { SUITE_SETTINGS, type Profile } from '../config/profiles.ts';
import { ConfigurationError } from '../config/settings.ts';
import { TEST_IDP_PERSONS } from '../packs/helseid.ts';
import type { HttpRequest, HttpResponse } from '../http/client.ts';
import { browserLogin, LoginStepError, type BrowserLoginResult } from './browser-login.ts';
import { defaultRecipeFile, loadRecipe, type LoginRecipe } from './login-recipe.ts';
import { followAuthorization } from './user-login.ts';


/** The people the specs log in, by role (helpers/packs/helseid.ts). */
export type PersonRole = keyof typeof TEST_IDP_PERSONS;
export const PERSON_ROLES = Object.keys(TEST_IDP_PERSONS) as PersonRole[];

/** The role of one of the twin's test persons, by their number (the specs name people so). */
export function roleOf(pid: string): PersonRole | undefined {
  return PERSON_ROLES.find((r) => TEST_IDP_PERSONS[r].pid === pid);
}

export interface LoginSetup {
  mode: 'headless' | 'browser';
  recipe?: LoginRecipe;
  redirectUri: string;
  /** The number to type for a role: the recipe's person, or on the twin the role's own. */
  person(role: PersonRole): string | undefined;
}

/** The profile's login setup, or why it has none (the reason a login spec skips with). */
export function loginSetup(profile: Profile, options: { mode?: 'headless' | 'browser' } = {}): LoginSetup | { reason: string } {
  const twin = profile.kind === 'twin';
  const mode = options.mode ?? (profile.get(SUITE_SETTINGS.loginMode) as 'headless' | 'browser' | undefined) ?? (twin ? 'headless' : 'browser');
  const redirectUri = profile.client('default')?.redirectUri;
  if (!redirectUri) return { reason: `profile ${profile.name} has no redirect URI for user logins (set HELSEID_REDIRECT_URI to one registered for your client)` };
  if (mode === 'headless') {
    if (!twin) return { reason: `a headless login works only at the twin's test IdP; against ${profile.name} a browser follows a login recipe (unset NHN_LOGIN_MODE)` };
    return { mode, redirectUri, person: (role) => TEST_IDP_PERSONS[role].pid };
  }
  const file = profile.get(SUITE_SETTINGS.loginRecipe) ?? defaultRecipeFile(profile.name);
  if (!fs.existsSync(file)) {
    return { reason: `profile ${profile.name} has no login recipe: write ${defaultRecipeFile(profile.name)} (start from test.example.yaml beside it) or set NHN_LOGIN_RECIPE; see docs/login-recipes.md` };
  }
  const recipe = loadRecipe(file);
  return { mode, recipe, redirectUri, person: (role) => recipe.persons?.[role] ?? (twin ? TEST_IDP_PERSONS[role].pid : undefined) };
}

/** Why a profile cannot log these people in, if it cannot. */
export function loginUnmet(profile: Profile, roles: readonly PersonRole[]): string | undefined {
  const setup = loginSetup(profile);
  if ('reason' in setup) return setup.reason;
  const missing = roles.filter((r) => !setup.person(r));
  if (missing.length) return `the login recipe ${setup.recipe?.file} names no test person for ${missing.join(', ')} (add them under persons:)`;
  return undefined;
}

/** What a browser login leaves for the report: its steps' timings and screenshots. */
export interface LoginRecord {
  recipe: string;
  person: PersonRole | 'unknown';
  outcome: 'logged-in' | 'failed';
  totalMs: number;
  steps: Array<{ name: string; ms: number; skipped?: boolean }>;
  failedStep?: string;
}

/** Follows an authorization to the redirect URI, the profile's way. */
export interface Authorizer {
  /** The headless path names the person in login_hint; a browser types them into the IdP's form. */
  readonly sendsLoginHint: boolean;
  authorize(authorizeUrl: string, redirectUri: string, pid: string): Promise<URL>;
}

export function headlessAuthorizer(navigate: (request: HttpRequest) => Promise<HttpResponse>): Authorizer {
  return { sendsLoginHint: true, authorize: (url, redirectUri) => followAuthorization(url, redirectUri, navigate) };
}

export function browserAuthorizer(
  setup: LoginSetup,
  browser: () => Promise<Browser>,
  report: (record: LoginRecord, screenshots: Array<{ name: string; png: Buffer }>) => Promise<void>,
): Authorizer {
  const recipe = setup.recipe;
  if (!recipe) throw new ConfigurationError('a browser login needs a login recipe');
  return {
    sendsLoginHint: false,
    async authorize(url, redirectUri, pid) {
      const role = roleOf(pid);
      const person = role ? setup.person(role) : undefined;
      if (!person) throw new ConfigurationError(`the login recipe ${recipe.file} names no test person for ${role ?? 'this person'}`);
      const shots = (steps: BrowserLoginResult['steps']) => steps.flatMap((s, i) => (s.screenshot ? [{ name: `login step ${i + 1}: ${s.name}`, png: s.screenshot }] : []));
      const timings = (steps: BrowserLoginResult['steps']) => steps.map(({ name, ms, skipped }) => ({ name, ms, ...(skipped ? { skipped } : {}) }));
      const started = Date.now();
      try {
        const done = await browserLogin(await browser(), recipe, url, redirectUri, person);
        await report({ recipe: path.relative(process.cwd(), recipe.file), person: role ?? 'unknown', outcome: 'logged-in', totalMs: done.totalMs, steps: timings(done.steps) }, shots(done.steps));
        return done.callback;
      } catch (e) {
        if (e instanceof LoginStepError) {
          const failedShot = e.screenshot ? [{ name: `login failed at step "${e.step}"`, png: e.screenshot }] : [];
          await report({ recipe: path.relative(process.cwd(), recipe.file), person: role ?? 'unknown', outcome: 'failed', totalMs: Date.now() - started, steps: timings(e.steps), failedStep: e.step }, [...shots(e.steps), ...failedShot]);
        }
        throw e;
      }
    },
  };
}

