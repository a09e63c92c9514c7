// allure-playwright, with two changes for a run's speed; what Allure shows is the same.
//
// - Each test's HTTP exchanges reach it as one attachment. Allure writes a file per attachment; a
//   run records thousands of exchanges, and those writes ran in Playwright's runner on the same two
//   cores as the tests (about 2 to 5 s of the main job). The HTML report and the evidence bundle
//   keep every exchange on its own; Allure gets them together, in order, each under its own title.
// - Its results are written without a flush to disk per file. allure-js-commons' writer calls
//   fsync for every result and attachment, synchronously, in the runner's event loop: about 1.8 s
//   of a main job spent waiting on the disk while tests queued behind it. These results are a
//   report the run can make again, not a store that must survive a power cut. Each file is still
//   written under a temporary name and renamed, so a reader watching the folder never sees half a
//   file, and the run does not end before every write has finished; a failed write fails the run.
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { AllureReporter as AllurePlaywright } from 'allure-playwright';
import { stringifyEnvInfo, type ReporterRuntime, type Writer } from 'allure-js-commons/sdk/reporter';
import type { Suite, TestCase, TestResult } from '@playwright/test/reporter';
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

/** Allure's results folder, written in the background: no fsync, each file published by rename. */
export class BackgroundWriter implements Writer {
  private readonly pending = new Set<Promise<void>>();
  private readonly failures: string[] = [];
  private made = false;

  constructor(readonly dir: string) {}

  private publish(name: string, write: (temporary: string) => Promise<void>): void {
    if (!this.made) {
      fs.mkdirSync(this.dir, { recursive: true });
      this.made = true;
    }
    const target = path.join(this.dir, name);
    const temporary = path.join(this.dir, `.allure-write-${randomUUID()}.tmp`);
    const done: Promise<void> = write(temporary)
      .then(() => fs.promises.rename(temporary, target))
      .catch(async (e: unknown) => {
        this.failures.push(`${name}: ${(e as Error).message}`);
        await fs.promises.rm(temporary, { force: true });
      })
      .finally(() => this.pending.delete(done));
    this.pending.add(done);
  }

  private json(name: string, value: unknown): void {
    const text = JSON.stringify(value);
    this.publish(name, (t) => fs.promises.writeFile(t, text, 'utf8'));
  }

  writeResult(result: Parameters<Writer['writeResult']>[0]): void {
    this.json(`${result.uuid}-result.json`, result);
  }

  writeGroup(result: Parameters<Writer['writeGroup']>[0]): void {
    this.json(`${result.uuid}-container.json`, result);
  }

  writeAttachment(name: string, content: Buffer): void {
    this.publish(name, (t) => fs.promises.writeFile(t, content));
  }

  writeAttachmentFromPath(name: string, from: string): void {
    this.publish(name, (t) => fs.promises.copyFile(from, t));
  }

  writeEnvironmentInfo(info: Parameters<Writer['writeEnvironmentInfo']>[0]): void {
    const text = stringifyEnvInfo(info);
    this.publish('environment.properties', (t) => fs.promises.writeFile(t, text, 'utf8'));
  }

  writeCategoriesDefinitions(categories: Parameters<Writer['writeCategoriesDefinitions']>[0]): void {
    this.json('categories.json', categories);
  }

  writeGlobals(name: string, info: Parameters<Writer['writeGlobals']>[1]): void {
    this.json(name, info);
  }

  /** Waits for every write; names the ones that failed. */
  async settled(): Promise<string[]> {
    while (this.pending.size) await Promise.all(this.pending);
    return [...this.failures];
  }
}

export default class AllureReporter extends AllurePlaywright {
  private writer?: BackgroundWriter;

  override onBegin(suite: Suite): void {
    super.onBegin(suite);
    // allure-playwright makes its runtime, with the default writer, in onBegin; the writer is a
    // public field of that runtime. The unit test fails if a new version moves either.
    const runtime = (this as unknown as { allureRuntime?: ReporterRuntime }).allureRuntime;
    if (runtime) runtime.writer = this.writer = new BackgroundWriter(this.options.resultsDir ?? './allure-results');
  }

  override async onTestEnd(test: TestCase, result: TestResult): Promise<void> {
    await super.onTestEnd(test, { ...result, attachments: exchangesTogether(result.attachments) });
  }

  override async onEnd(): Promise<void> {
    await super.onEnd();
    const failed = (await this.writer?.settled()) ?? [];
    if (failed.length) throw new Error(`Allure could not write ${failed.length} result file(s) to ${this.writer!.dir}: ${failed.slice(0, 3).join('; ')}`);
  }
}
