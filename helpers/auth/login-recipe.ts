// Login recipes (schemas/helseid/login-recipes/<profile>.yaml): what a person does on HelseID's
// pages to log in, as data. Each step waits for its page (a pattern on the URL's path), checks
// what must be on it, fills its fields and clicks; when HelseID changes its pages, someone edits
// the recipe, not code. Read and checked here; driven in Chromium by browser-login.ts.
import fs from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { ConfigurationError } from '../config/settings.ts';

/** An element, the way Playwright's locators find one: by role and name, label, placeholder, text or CSS. */
export type Target = { role: string; name?: string } | { label: string } | { placeholder: string } | { text: string } | { css: string };

export interface RecipeStep {
  name: string;
  /** A regular expression the page's URL path must match before the step acts. */
  page: string;
  /** Must be visible before the step acts (tells apart pages with the same path). */
  expect?: Target;
  /** Fields to fill; `{person}` in a value is the test person's national identity number. */
  fill?: Array<{ field: Target; value: string }>;
  /** What to click last. */
  click?: Target;
  /** A step whose page may not come (consent HelseID remembers): skipped when the login ends first. */
  optional?: boolean;
}

export interface LoginRecipe {
  recipe: 1;
  description?: string;
  /** Milliseconds: per step (its page and elements), and for the whole login. */
  timeouts: { step: number; total: number };
  /** The test persons to type, by the role the specs ask for (on the twin the role's own number is typed when none is named). */
  persons?: Record<string, string>;
  steps: RecipeStep[];
  /** Where the recipe was read from. */
  file: string;
}

const target = {
  oneOf: [
    { type: 'object', required: ['role'], properties: { role: { type: 'string', minLength: 1 }, name: { type: 'string' } }, additionalProperties: false },
    ...['label', 'placeholder', 'text', 'css'].map((k) => ({ type: 'object', required: [k], properties: { [k]: { type: 'string', minLength: 1 } }, additionalProperties: false })),
  ],
};

const SCHEMA = {
  type: 'object',
  required: ['recipe', 'timeouts', 'steps'],
  additionalProperties: false,
  properties: {
    recipe: { const: 1 },
    description: { type: 'string' },
    timeouts: {
      type: 'object',
      required: ['step', 'total'],
      additionalProperties: false,
      properties: { step: { type: 'integer', minimum: 100, maximum: 120_000 }, total: { type: 'integer', minimum: 1000, maximum: 600_000 } },
    },
    persons: { type: 'object', additionalProperties: { type: 'string', pattern: '^\\d{11}$' } },
    steps: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['name', 'page'],
        additionalProperties: false,
        properties: {
          name: { type: 'string', minLength: 1 },
          page: { type: 'string', minLength: 1 },
          expect: target,
          fill: { type: 'array', items: { type: 'object', required: ['field', 'value'], additionalProperties: false, properties: { field: target, value: { type: 'string' } } } },
          click: target,
          optional: { type: 'boolean' },
        },
      },
    },
  },
} as const;

const validate = new Ajv({ allErrors: true }).compile(SCHEMA);

/** Where a profile's recipe is looked for when NHN_LOGIN_RECIPE does not name one. */
export function defaultRecipeFile(profile: string): string {
  return path.resolve('schemas', 'helseid', 'login-recipes', `${profile}.yaml`);
}

/** Reads and checks a recipe; a broken one names its file and what is wrong. */
export function loadRecipe(file: string): LoginRecipe {
  if (!fs.existsSync(file)) throw new ConfigurationError(`NHN_LOGIN_RECIPE names ${file}, which does not exist`);
  let data: unknown;
  try {
    data = parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigurationError(`the login recipe ${file} is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!validate(data)) {
    const problems = (validate.errors ?? []).map((e) => `${e.instancePath || '(top)'} ${e.message}`).slice(0, 5);
    throw new ConfigurationError(`the login recipe ${file} is not a recipe: ${problems.join('; ')}`);
  }
  const recipe = { ...(data as unknown as Omit<LoginRecipe, 'file'>), file };
  for (const step of recipe.steps) {
    try {
      new RegExp(step.page);
    } catch {
      throw new ConfigurationError(`the login recipe ${file}, step "${step.name}": page is not a regular expression`);
    }
  }
  return recipe;
}
