// A hostile server for every failure class: the suite reports each as a classified failure
// (infrastructure, or inconclusive when the service only declined for now) that says what
// happened (status, content type, first bytes, timing), never as a contract failure or a stack
// trace, and never hangs: every case ends within its bound, and memory stays bounded on a 2 GB body.
import { expect, test } from '../../fixtures/base.ts';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import selfsigned from 'selfsigned';
import { classifyResponse, MAX_BODY_BYTES, parseJson, send } from '../../helpers/http/client.ts';
import { ContractError, InconclusiveError, InfrastructureError, type InfrastructureKind } from '../../helpers/http/errors.ts';
import { classifyResult } from '../../helpers/evidence/outcome.ts';

let server: http.Server;
let base: string;
const sockets = new Set<net.Socket>();
const ZEROS = Buffer.alloc(1024 * 1024);

/** Writes a 2 GB body in 1 MiB pieces as fast as the reader takes them, without holding it. */
function twoGigabytes(res: http.ServerResponse): void {
  const total = 2 * 1024 * 1024 * 1024;
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(total) });
  let sent = 0;
  const pump = () => {
    while (sent < total) {
      sent += ZEROS.length;
      if (!res.write(ZEROS)) return void res.once('drain', pump);
    }
    res.end();
  };
  res.on('close', () => (sent = total));
  pump();
}

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
      case '/reset-mid-body':
        res.writeHead(200, { 'content-type': 'application/fhir+json' });
        res.write('{"resourceType":"Bundle","entry":[');
        setTimeout(() => req.socket.destroy(), 20);
        break;
      case '/hang':
        break; // headers never come
      case '/stall':
        res.writeHead(200, { 'content-type': 'application/fhir+json', 'content-length': '500' });
        res.write('{"resourceType":"Bundle",'); // and nothing more
        break;
      case '/truncated':
        req.socket.end('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"resourceType":"Bund');
        break;
      case '/short-length':
        // Content-Length says 10, the body is longer: the rest arrives where the next response would start.
        req.socket.end('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 10\r\n\r\n{"resourceType":"Bundle"}\r\nHTTP/1.1 garbage');
        break;
      case '/gateway':
        res.writeHead(502, { 'content-type': 'text/plain' }).end('upstream connect error or disconnect/reset before headers');
        break;
      case '/busy':
        res.writeHead(503, { 'retry-after': '30', 'content-type': 'text/plain' }).end('Service Unavailable');
        break;
      case '/throttled':
        res.writeHead(429, { 'retry-after': '120', 'content-type': 'application/problem+json' }).end('{"title":"Too Many Requests","status":429}');
        break;
      case '/lying-gzip':
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end('{"this":"is not gzip"}');
        break;
      case '/honest-gzip':
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end(zlib.gzipSync('{"ok":true}'));
        break;
      case '/two-gigabytes':
        twoGigabytes(res);
        break;
      case '/garbage':
        res.writeHead(200, { 'content-type': 'application/fhir+json' }).end('{"resourceType": "Bundle", trunc');
        break;
      default:
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    }
  });
  server.on('connection', (s) => sockets.add(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

test.afterAll(() => {
  for (const s of sockets) s.destroy();
  server.close();
});

async function failure(url: string, timeoutMs = 2_000): Promise<Error> {
  const started = performance.now();
  try {
    const response = await send({ method: 'GET', url, timeoutMs });
    classifyResponse(response, url);
    parseJson(response, url);
  } catch (e) {
    // No hang: every case ends within its bound (plus scheduling slack on a loaded machine).
    expect(performance.now() - started).toBeLessThan(timeoutMs + 3_000);
    const error = e as Error;
    expect(error.stack, 'a classified failure carries no stack trace').toBe(`${error.name}: ${error.message}`);
    return error;
  }
  throw new Error(`${url} was not classified as a failure`);
}

async function infrastructure(path: string, symptom: InfrastructureKind, timeoutMs?: number): Promise<string> {
  const e = await failure(`${base}${path}`, timeoutMs);
  expect(e, `${path}: ${e.message}`).toBeInstanceOf(InfrastructureError);
  expect((e as InfrastructureError).symptom, e.message).toBe(symptom);
  // The verdict the reports give it.
  expect(classifyResult({ status: 'failed', errors: [{ message: `${e.name}: ${e.message}`, stack: e.stack }] }, []).kind).toBe('infrastructure');
  return e.message;
}

test('connection refused', async () => {
  const port = await new Promise<number>((r) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => r(p));
    });
  });
  const e = await failure(`http://127.0.0.1:${port}/`);
  expect((e as InfrastructureError).symptom).toBe('connection-refused');
  expect(e.message).toMatch(/ECONNREFUSED after \d+ ms/);
});

test('connection reset before the answer, and mid-body with what had come', async () => {
  await infrastructure('/reset', 'connection-reset');
  const message = await infrastructure('/reset-mid-body', 'connection-reset');
  expect(message).toMatch(/answered 200 and closed the connection mid-body after 34 bytes \(\d+ ms\); first bytes: "\{"resourceType":"Bundle","entry":\["/);
});

test('headers that never come, and a body that stalls, each end at the timeout and say which', async () => {
  expect(await infrastructure('/hang', 'timeout', 400)).toContain('sent no response headers within 400 ms');
  expect(await infrastructure('/stall', 'timeout', 400)).toMatch(/answered 200 but its body stalled after 25 bytes: nothing more within 400 ms; first bytes: "\{"resourceType":"Bundle","/);
});

test('a truncated body and a Content-Length that disagrees with the body', async () => {
  expect(await infrastructure('/truncated', 'truncated-body')).toMatch(/answered 200 application\/json and closed the connection after 21 of the 100 bytes its Content-Length promised \(\d+ ms\); first bytes: "\{"resourceType":"Bund"/);
  // Node reads the promised 10 bytes; what follows is not HTTP, and the parser says so.
  expect(await infrastructure('/short-length', 'network')).toMatch(/sent a response that is not valid HTTP\/1\.1 \(HPE_INVALID_CONSTANT: .*\) after \d+ ms/);
});

test('an HTML error page, a 502 from a gateway, a 429 with Retry-After and a 503', async () => {
  expect(await infrastructure('/html', 'gateway-error')).toMatch(/answered 502 text\/html in \d+ ms; first bytes: "<!DOCTYPE html><html><body>Bad Gateway from the load balancer/);
  expect(await infrastructure('/html-200', 'html-page')).toMatch(/answered 200 text\/html; charset=utf-8 in \d+ ms with an HTML page; first bytes: "<html><body>Maintenance/);
  expect(await infrastructure('/gateway', 'gateway-error')).toContain('upstream connect error');
  for (const [path, retry] of [['/throttled', '120'], ['/busy', '30']] as const) {
    const e = await failure(`${base}${path}`);
    expect(e, path).toBeInstanceOf(InconclusiveError);
    expect(e.message).toContain(`(retry-after: ${retry})`);
    expect(e.message).toMatch(/ in \d+ ms/);
    expect(classifyResult({ status: 'failed', errors: [{ message: `${e.name}: ${e.message}` }] }, []).verdict).toBe('inconclusive');
  }
});

test('gzip that lies is an infrastructure failure; honest gzip is read', async () => {
  expect(await infrastructure('/lying-gzip', 'bad-encoding')).toMatch(/Content-Encoding gzip, but its body does not decode .*first bytes: "\{"this":"is not gzip"\}"/);
  const ok = await send({ method: 'GET', url: `${base}/honest-gzip` });
  expect(ok.text()).toBe('{"ok":true}');
});

test('a 2 GB body: the suite stops reading at its bound, and memory stays bounded', async () => {
  const before = process.memoryUsage().rss;
  const message = await infrastructure('/two-gigabytes', 'oversized-body', 20_000);
  expect(message).toContain(`a body over ${MAX_BODY_BYTES / 1024 / 1024} MiB (Content-Length 2147483648)`);
  expect(process.memoryUsage().rss - before, 'resident memory grew by more than 256 MiB').toBeLessThan(256 * 1024 * 1024);
});

test('a truncated JSON body with a complete frame is the contract: it shows the first bytes', async () => {
  const e = await failure(`${base}/garbage`);
  expect(e).toBeInstanceOf(ContractError);
  expect(e.message).toContain('{"resourceType": "Bundle", trunc');
});

test('TLS: a handshake that fails, a self-signed and an expired certificate', async () => {
  const garbage = net.createServer((s) => s.end('this is not TLS\r\n'));
  await new Promise<void>((r) => garbage.listen(0, '127.0.0.1', r));
  const attrs = [{ name: 'commonName', value: '127.0.0.1' }];
  const selfSigned = await selfsigned.generate(attrs, { keyType: 'ec', curve: 'P-256' });
  const expired = await selfsigned.generate(attrs, { keyType: 'ec', curve: 'P-256', notBeforeDate: new Date(Date.now() - 400 * 86_400_000), notAfterDate: new Date(Date.now() - 30 * 86_400_000) });
  const servers = [selfSigned, expired].map((p) => https.createServer({ key: p.private, cert: p.cert }, (_q, r) => r.end('{}')));
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', r))));
  try {
    const port = (s: net.Server) => (s.address() as AddressInfo).port;
    const handshake = await failure(`https://127.0.0.1:${port(garbage)}/`);
    expect((handshake as InfrastructureError).symptom, handshake.message).toBe('tls');
    expect(handshake.message).toMatch(/failed after \d+ ms: EPROTO .*wrong version number/);
    const self = await failure(`https://127.0.0.1:${port(servers[0]!)}/`);
    expect((self as InfrastructureError).symptom).toBe('tls');
    expect(self.message).toMatch(/DEPTH_ZERO_SELF_SIGNED_CERT \(self-signed certificate\)/);
    const old = await failure(`https://127.0.0.1:${port(servers[1]!)}/`);
    expect((old as InfrastructureError).symptom).toBe('tls');
    expect(old.message).toMatch(/CERT_HAS_EXPIRED \(certificate has expired\)/);
  } finally {
    garbage.close();
    for (const s of servers) s.close();
  }
});
