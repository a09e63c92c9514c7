// The Allure reporter gets a test's HTTP exchanges as one attachment, in order, each under its own
// title; every other attachment reaches it as it was. Its results are written in the background,
// each file whole, and a write that fails is named.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Suite } from '@playwright/test/reporter';
import { expect, test } from '../../fixtures/base.ts';
import AllureReporter, { BackgroundWriter, exchangesTogether } from '../../helpers/evidence/allure-reporter.ts';

const text = (name: string, body: string) => ({ name, contentType: 'text/plain', body: Buffer.from(body) });

test('exchanges become one attachment where the first was; the rest are untouched', () => {
  const metadata = { name: 'Allure Metadata (metadata)', contentType: 'application/vnd.allure.metadata+json', body: Buffer.from('{}') };
  const shot = { name: 'login step', contentType: 'image/png', path: '/tmp/x.png' };
  const merged = exchangesTogether([metadata, text('HTTP 1: GET /v1/Patient → 200', 'one'), shot, text('HTTP 2: POST /v1/Patient → 202', 'two'), text('HTTP 41–50: 10 more exchanges', 'rest')]);
  expect(merged.map((a) => a.name)).toEqual(['Allure Metadata (metadata)', 'HTTP exchanges', 'login step']);
  expect(merged[1]!.body!.toString()).toBe('HTTP 1: GET /v1/Patient → 200\none\n\nHTTP 2: POST /v1/Patient → 202\ntwo\n\nHTTP 41–50: 10 more exchanges\nrest');
  expect(merged[0]).toBe(metadata);
  expect(merged[2]).toBe(shot);
});

test('a test with one exchange or none keeps its attachments as they are', () => {
  const one = [text('HTTP 1: GET /ping → 200', 'pong'), text('HTTP-looking note', 'x')];
  expect(exchangesTogether(one)).toEqual(one);
  expect(exchangesTogether([])).toEqual([]);
});

test("allure-playwright's runtime writes through the background writer", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nhn-allure-'));
  try {
    const reporter = new AllureReporter({ resultsDir: dir });
    reporter.onBegin({ allTests: () => [], suites: [], entries: () => [] } as unknown as Suite);
    const runtime = (reporter as unknown as { allureRuntime?: { writer?: unknown } }).allureRuntime;
    expect(runtime, 'allure-playwright keeps its runtime somewhere else now').toBeDefined();
    expect(runtime!.writer).toBeInstanceOf(BackgroundWriter);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the background writer publishes whole files, and names a write that failed', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nhn-allure-'));
  try {
    const writer = new BackgroundWriter(dir);
    writer.writeResult({ uuid: 'u1', name: 'a test' } as Parameters<BackgroundWriter['writeResult']>[0]);
    writer.writeAttachment('a.txt', Buffer.from('exchanges'));
    writer.writeAttachmentFromPath('b.txt', path.join(dir, 'missing-source.txt'));
    const failed = await writer.settled();
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'u1-result.json'), 'utf8'))).toEqual({ uuid: 'u1', name: 'a test' });
    expect(fs.readFileSync(path.join(dir, 'a.txt'), 'utf8')).toBe('exchanges');
    expect(failed).toEqual([expect.stringMatching(/^b\.txt: .*ENOENT/)]);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
