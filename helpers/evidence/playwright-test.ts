// Playwright's `test`, loaded when a test first asks for it. The evidence helpers that record on
// the current test (verdicts, assumptions, the token ledger) are also imported by the twin and the
// command-line tools, through the summary reporter, and those run no tests: importing
// @playwright/test cost each of them about 0.7 s of start-up. It is the same module instance the
// specs import: @playwright/test's ES module re-exports its CommonJS one.
import { createRequire } from 'node:module';

type PlaywrightTest = typeof import('@playwright/test');

const require = createRequire(import.meta.url);
let loaded: PlaywrightTest | undefined;

export function playwrightTest(): PlaywrightTest['test'] {
  loaded ??= require('@playwright/test') as PlaywrightTest;
  return loaded.test;
}
