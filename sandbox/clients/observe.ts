// Client-conformance mode: watches every request a server of the twin receives, and the answer it
// gives, without changing either. The request body is seen as the server reads it (no listener of
// ours puts the stream in flowing mode before the server is ready), the answer as it is written.
import type http from 'node:http';

export interface Observed {
  seq: number;
  at: number;
  service: string;
  method: string;
  /** Path and query, as received. */
  url: string;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
  status: number;
  responseHeaders: http.OutgoingHttpHeaders;
  responseBody: Buffer;
}

const MAX_CAPTURE = 4 * 1024 * 1024;

export interface Observer {
  /** A request has arrived (its exchange is reported when complete). */
  arrived(): void;
  observed(o: Omit<Observed, 'seq'>): void;
}

export function observeServer(server: http.Server, service: string, observer: Observer): void {
  server.prependListener('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const at = Date.now();
    observer.arrived();
    const requestChunks: Buffer[] = [];
    let requestBytes = 0;
    const emit = req.emit.bind(req);
    req.emit = ((event: string, ...args: unknown[]) => {
      if (event === 'data' && requestBytes < MAX_CAPTURE) {
        const chunk = Buffer.isBuffer(args[0]) ? args[0] : Buffer.from(String(args[0]));
        requestChunks.push(chunk);
        requestBytes += chunk.length;
      }
      return emit(event, ...args);
    }) as typeof req.emit;
    const responseChunks: Buffer[] = [];
    let responseBytes = 0;
    const keep = (chunk: unknown, encoding?: unknown) => {
      if (chunk === undefined || chunk === null || typeof chunk === 'function' || responseBytes >= MAX_CAPTURE) return;
      const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
      responseChunks.push(b);
      responseBytes += b.length;
    };
    // Headers given to writeHead never reach getHeaders(): keep them as they pass.
    const written: http.OutgoingHttpHeaders = {};
    const writeHead = res.writeHead.bind(res);
    res.writeHead = ((status: number, ...rest: unknown[]) => {
      const given = rest.find((r) => r && typeof r === 'object');
      if (Array.isArray(given)) for (let i = 0; i + 1 < given.length; i += 2) written[String(given[i]).toLowerCase()] = given[i + 1] as string;
      else if (given) for (const [k, v] of Object.entries(given as http.OutgoingHttpHeaders)) written[k.toLowerCase()] = v;
      return (writeHead as (...a: unknown[]) => http.ServerResponse)(status, ...rest);
    }) as typeof res.writeHead;
    const write = res.write.bind(res);
    const end = res.end.bind(res);
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      keep(chunk, rest[0]);
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof res.write;
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      keep(chunk, rest[0]);
      return (end as (...a: unknown[]) => http.ServerResponse)(chunk, ...rest);
    }) as typeof res.end;
    let reported = false;
    const report = () => {
      if (reported) return;
      reported = true;
      observer.observed({
        at,
        service,
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        body: Buffer.concat(requestChunks),
        status: res.statusCode,
        responseHeaders: { ...res.getHeaders(), ...written },
        responseBody: Buffer.concat(responseChunks),
      });
    };
    // A request answered before its body was read (a refusal) is reported once the request is
    // over; what of its body the server never read is not seen (a known limit of this mode).
    res.on('finish', () => {
      if (req.complete) report();
      else {
        req.once('end', report);
        req.once('close', report);
      }
    });
  });
}
