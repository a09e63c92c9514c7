// Login recipes: the shipped ones are recipes, a broken one names its file and its fault, and a
// profile without what a browser login needs says which variable or file is missing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '../../fixtures/base.ts';
import { loadRecipe } from '../../helpers/auth/login-recipe.ts';
import { loginUnmet, roleOf } from '../../helpers/auth/login-setup.ts';
import { resolveProfile } from '../../helpers/config/profiles.ts';
import { TEST_IDP_PERSONS } from '../../helpers/packs/helseid.ts';

const JWK = JSON.stringify({ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'd' });

test('the shipped recipes are recipes', () => {
  for (const file of fs.readdirSync('schemas/helseid/login-recipes').filter((f) => f.endsWith('.yaml'))) {
    const recipe = loadRecipe(path.resolve('schemas/helseid/login-recipes', file));
    expect(recipe.steps.length, file).toBeGreaterThanOrEqual(2);
    for (const person of Object.values(recipe.persons ?? {})) expect(person, file).toMatch(/^\d{11}$/);
  }
});

test('a broken recipe names its file and what is wrong', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nhn-recipe-'));
  const write = (name: string, text: string) => (fs.writeFileSync(path.join(dir, name), text), path.join(dir, name));
  expect(() => loadRecipe(write('a.yaml', 'recipe: 1\ntimeouts: { step: 1000, total: 5000 }\nsteps:\n  - name: x\n    page: ^/\n    click: { button: Go }\n'))).toThrow(/a\.yaml is not a recipe: \/steps\/0\/click/);
  expect(() => loadRecipe(write('b.yaml', 'recipe: 1\ntimeouts: { step: 1000, total: 5000 }\nsteps:\n  - name: x\n    page: "("\n'))).toThrow(/b\.yaml, step "x": page is not a regular expression/);
  expect(() => loadRecipe(write('c.yaml', 'recipe: [\n'))).toThrow(/c\.yaml is not valid YAML/);
  expect(() => loadRecipe(path.join(dir, 'none.yaml'))).toThrow(/NHN_LOGIN_RECIPE names .*none\.yaml, which does not exist/);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('against NHN a login needs a redirect URI, a recipe and the role\'s person, and says which is missing', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nhn-recipe-'));
  const base = { HELSEID_CLIENT_ID: 'vendor', HELSEID_CLIENT_JWK: JWK, NHN_LOGIN_RECIPE: path.join(dir, 'test.yaml') };
  expect(loginUnmet(resolveProfile('test', base), [])).toMatch(/set HELSEID_REDIRECT_URI/);
  const withRedirect = { ...base, HELSEID_REDIRECT_URI: 'http://localhost:7777/callback' };
  expect(loginUnmet(resolveProfile('test', withRedirect), [])).toMatch(/has no login recipe: write .*test\.yaml .*docs\/login-recipes\.md/);
  fs.copyFileSync('schemas/helseid/login-recipes/test.example.yaml', path.join(dir, 'test.yaml'));
  expect(loginUnmet(resolveProfile('test', withRedirect), ['nhnPhysician'])).toBeUndefined();
  expect(loginUnmet(resolveProfile('test', withRedirect), ['nhnPhysician', 'citizen'])).toMatch(/names no test person for citizen/);
  expect(loginUnmet(resolveProfile('test', { ...withRedirect, NHN_LOGIN_MODE: 'headless' }), [])).toMatch(/headless login works only at the twin/);
  expect(() => resolveProfile('test', { ...withRedirect, NHN_LOGIN_MODE: 'chrome' })).toThrow(/NHN_LOGIN_MODE must match/);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('every test person the specs log in has a role a recipe can name', () => {
  for (const [role, person] of Object.entries(TEST_IDP_PERSONS)) expect(roleOf(person.pid)).toBe(role);
});
