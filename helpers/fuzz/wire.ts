// The fuzzer's own HTTP/1.1 on a bare socket: Node's client refuses to send what the fuzzer must
// send (a control character in a header, a Content-Length that lies, two Host lines), so the
// request is written byte for byte and the answer read back, bounded in size and time.
import net from 'node:net';
import tls from 'node:tls';
import { classifyNetworkError } from '../http/errors.ts';

export interface WireRequest {
  method: string;
  /** Path and query exactly as they go on the request line. */
  target: string;
  /** Header lines in order, repeats and all (Host, Content-Length and Connection are added unless given). */
  headers: Array<[string, string]>;
  body?: Buffer;
}

export interface WireResponse {
  status: number;
  headers: Record<string, string[]>;
  body: Buffer;
  durationMs: number;
  /** More came than the fuzzer keeps (MAX_RESPONSE_BYTES): the rest was read and dropped. */
  truncated: boolean;
  header(name: string): string | undefined;
}

const MAX_RESPONSE_BYTES = 2 * 1024 * 1024;

function parse(raw: Buffer, durationMs: number, truncated: boolean): WireResponse | undefined {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const lines = raw.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1]);
  if (!status) return undefined;
  const headers: Record<string, string[]> = {};
  for (const line of lines.slice(1)) {
    const i = line.indexOf(':');
    if (i > 0) (headers[line.slice(0, i).trim().toLowerCase()] ??= []).push(line.slice(i + 1).trim());
  }
  let body = raw.subarray(end + 4);
  if (/chunked/i.test(headers['transfer-encoding']?.join(',') ?? '')) {
    const parts: Buffer[] = [];
    let at = 0;
    for (;;) {
      const lineEnd = body.indexOf('\r\n', at);
      if (lineEnd < 0) break;
      const size = parseInt(body.subarray(at, lineEnd).toString('latin1'), 16);
      if (!size) break;
      parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
      at = lineEnd + 2 + size + 2;
    }
    body = Buffer.concat(parts);
  } else if (headers['content-length']) {
    body = body.subarray(0, Number(headers['content-length'][0]));
  }
  return { status, headers, body, durationMs, truncated, header: (name) => headers[name.toLowerCase()]?.join(', ') };
}

/** Sends one request on its own connection (Connection: close) and reads the whole answer. */
export function sendRaw(origin: string, request: WireRequest, timeoutMs = 15_000): Promise<WireResponse> {
  const url = new URL(origin);
  const secure = url.protocol === 'https:';
  const port = Number(url.port || (secure ? 443 : 80));
  const names = new Set(request.headers.map(([n]) => n.toLowerCase()));
  const lines = [`${request.method} ${request.target} HTTP/1.1`];
  if (!names.has('host')) lines.push(`Host: ${url.host}`);
  for (const [n, v] of request.headers) lines.push(`${n}: ${v}`);
  if (request.body && !names.has('content-length') && !names.has('transfer-encoding')) lines.push(`Content-Length: ${request.body.length}`);
  if (!names.has('connection')) lines.push('Connection: close');
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  const started = performance.now();

  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    let settled = false;
    const socket = secure ? tls.connect({ host: url.hostname, port, servername: url.hostname }) : net.connect({ host: url.hostname, port });
    const finish = (error?: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      // A server may answer early (413, 431) and close while the body is still going out: what it said counts.
      const response = parse(Buffer.concat(chunks), performance.now() - started, truncated);
      if (response) resolve(response);
      else reject(classifyNetworkError(error ?? Object.assign(new Error('the server closed the connection without an answer'), { code: 'ECONNRESET' }), origin, timeoutMs));
    };
    const timer = setTimeout(() => finish(Object.assign(new Error('timeout'), { code: 'SUITE_TIMEOUT' })), timeoutMs);
    socket.on(secure ? 'secureConnect' : 'connect', () => {
      socket.write(head);
      if (request.body) socket.write(request.body);
    });
    socket.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_RESPONSE_BYTES) chunks.push(c);
      else truncated = true;
    });
    socket.on('end', () => finish());
    socket.on('close', () => finish());
    socket.on('error', (e) => finish(e));
  });
}
