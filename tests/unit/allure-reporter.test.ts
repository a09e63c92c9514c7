// The Allure reporter gets a test's HTTP exchanges as one attachment, in order, each under its own
// title; every other attachment reaches it as it was.
import { expect, test } from '../../fixtures/base.ts';
import { exchangesTogether } from '../../helpers/evidence/allure-reporter.ts';

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
