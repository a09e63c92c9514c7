// The suite reports a broken server as a classified infrastructure failure that says what
// happened (status, content type, first bytes), never as a contract failure or a stack trace.
import { expect, test } from '@playwright/test';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { classifyResponse, parseJson, send } from '../../helpers/http/client.ts';
import { ContractError, InconclusiveError, InfrastructureError } from '../../helpers/http/errors.ts';

let server: http.Server;
let base: string;

test.beforeAll(async () => {
  server = http.createServer((req, res) => {
    switch (req.url) {
      case '/html':
        res.writeHead(502, { 'content-type': 'text/html' }).end('<!DOCTYPE html><html><body>Bad Gateway from the load balancer</body></html>');
        break;
      case '/html-200':
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<html><body>Maintenance</body></html>');
        break;
      case '/reset':
        req.socket.destroy();
        break;
      case '/hang':
        break; // never answers
      case '/busy':
        res.writeHead(503, { 'retry-after': '30' }).end();
        break;
      case '/garbage':
        res.writeHead(200, { 'content-type': 'application/fhir+json' }).end('{"resourceType": "Bundle", trunc');
        break;
      default:
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

test.afterAll(() => {
  server.closeAllConnections();
  server.close();
});

async function classified(path: string, timeoutMs = 2_000): Promise<Error> {
  try {
    const response = await send({ method: 'GET', url: `${base}${path}`, timeoutMs });
    classifyResponse(response, `${base}${path}`);
    parseJson(response, `${base}${path}`);
  } catch (e) {
    return e as Error;
  }
  throw new Error(`${path} was not classified as a failure`);
}

test('an HTML gateway page is an infrastructure failure naming status, type and first bytes', async () => {
  const e = await classified('/html');
  expect(e).toBeInstanceOf(InfrastructureError);
  expect((e as InfrastructureError).symptom).toBe('gateway-error');
  expect(e.message).toContain('502 text/html');
  expect(e.message).toContain('Bad Gateway from the load balancer');
  expect(e.stack).toBe(`${e.name}: ${e.message}`);
});

test('an HTML page with status 200 is an infrastructure failure', async () => {
  const e = await classified('/html-200');
  expect((e as InfrastructureError).symptom).toBe('html-page');
  expect(e.message).toContain('Maintenance');
});

test('a reset connection is an infrastructure failure', async () => {
  const e = await classified('/reset');
  expect((e as InfrastructureError).symptom).toBe('connection-reset');
});

test('a server that never answers times out as an infrastructure failure', async () => {
  const started = Date.now();
  const e = await classified('/hang', 300);
  expect((e as InfrastructureError).symptom).toBe('timeout');
  expect(e.message).toContain('300 ms');
  expect(Date.now() - started).toBeLessThan(2_000);
});

test('a closed port is an infrastructure failure', async () => {
  const e = await (async () => {
    try {
      await send({ method: 'GET', url: 'http://127.0.0.1:1/', timeoutMs: 1_000 });
    } catch (err) {
      return err as Error;
    }
    throw new Error('no error');
  })();
  expect((e as InfrastructureError).symptom).toBe('connection-refused');
});

test('503 is inconclusive, not a failure of the contract', async () => {
  const e = await classified('/busy');
  expect(e).toBeInstanceOf(InconclusiveError);
  expect(e.message).toContain('retry-after: 30');
});

test('a truncated JSON body is a contract failure that shows the first bytes', async () => {
  const e = await classified('/garbage');
  expect(e).toBeInstanceOf(ContractError);
  expect(e.message).toContain('{"resourceType": "Bundle", trunc');
});
