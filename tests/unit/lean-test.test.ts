// The suite's base test (fixtures/base.ts) sets up none of Playwright's per-test browser-context
// options; Playwright's own test, the control, sets up all of them. If a Playwright version moves
// the merged options, or where a test's steps are kept, one of the two fails.
import { expect, test as playwrightTest, type TestInfo } from '@playwright/test';
import { test as lean } from '../../fixtures/base.ts';

interface Step {
  title: string;
  steps?: Step[];
}

/** The titles of every fixture step this test has run so far, from Playwright's own record of them. */
function fixtureSteps(info: TestInfo): string[] {
  const steps = (info as unknown as { _steps?: Step[] })._steps;
  expect(steps, "Playwright keeps a test's steps somewhere else now (TestInfo._steps)").toBeInstanceOf(Array);
  const titles: string[] = [];
  const walk = (list: Step[]) => {
    for (const s of list) {
      if (s.title.startsWith('Fixture ')) titles.push(s.title);
      walk(s.steps ?? []);
    }
  };
  walk(steps!);
  return titles;
}

const OPTIONS = ['Fixture "viewport"', 'Fixture "locale"', 'Fixture "colorScheme"', 'Fixture "_combinedContextOptions"'];

lean("the suite's base test sets up none of the browser-context options", ({}, info) => {
  expect(fixtureSteps(info).filter((t) => OPTIONS.includes(t))).toEqual([]);
});

playwrightTest("control: Playwright's own test sets them all up", ({}, info) => {
  expect(fixtureSteps(info)).toEqual(expect.arrayContaining(OPTIONS));
});
