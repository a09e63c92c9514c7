// allure-playwright, given each test's HTTP exchanges as one attachment. Allure writes a file, and
// flushes it to disk, per attachment; a run records thousands of exchanges, and those writes ran in
// Playwright's runner on the same two cores as the tests (about 2 to 5 s of the main job). The HTML
// report and the evidence bundle keep every exchange on its own; Allure gets them together, in
// order, each under its own title.
import { AllureReporter as AllurePlaywright } from 'allure-playwright';
import type { TestCase, TestResult } from '@playwright/test/reporter';
import { EXCHANGE_TITLE, exchangesText } from './exchange-log.ts';

type Attachment = TestResult['attachments'][number];

/** A test's exchange attachments as one, where the first of them was; the others as they are. */
export function exchangesTogether(attachments: readonly Attachment[]): Attachment[] {
  const exchanges = attachments.filter((a) => EXCHANGE_TITLE.test(a.name) && a.body);
  if (exchanges.length < 2) return [...attachments];
  const together: Attachment = {
    name: 'HTTP exchanges',
    contentType: 'text/plain',
    body: Buffer.from(exchangesText(exchanges.map((a) => ({ title: a.name, text: a.body!.toString() })))),
  };
  const first = attachments.indexOf(exchanges[0]!);
  return attachments.flatMap((a, i) => (i === first ? [together] : exchanges.includes(a) ? [] : [a]));
}

export default class AllureReporter extends AllurePlaywright {
  override async onTestEnd(test: TestCase, result: TestResult): Promise<void> {
    await super.onTestEnd(test, { ...result, attachments: exchangesTogether(result.attachments) });
  }
}
