// The prod profile sends no patient data and no writes, on every path: the monitor's run of the
// suite, client-conformance mode and the fuzzer. Every prod URL points at a recorder here; what
// reaches it is only bodiless reads without a query, and nothing that names a person.
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { SERVICES } from '../../helpers/packs/index.ts';
import { run } from './support/run.ts';

interface Seen {
  method: string;
  url: string;
  bytes: number;
}

async function recorder(): Promise<{ url: string; seen: Seen[]; close(): void }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let bytes = 0;
    req.on('data', (c: Buffer) => (bytes += c.length));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', bytes });
      res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '60' }).end('recorder');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, seen, close: () => server.close() };
}

test('on prod, the monitor, client-conformance mode and the fuzzer send no patient data and no writes', async () => {
  test.setTimeout(180_000);
  const rec = await recorder();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nhn-prod-'));
  const env: NodeJS.ProcessEnv = { NHN_REPORT_DIR: dir, CI: '' };
  for (const s of Object.values(SERVICES)) env[s.env] = `${rec.url}/${s.env.toLowerCase()}`;
  try {
    const monitor = await run('npm', ['run', '-s', 'monitor', '--', '--profile', 'prod', '--history', path.join(dir, 'history.sqlite')], env, 150_000);
    expect(monitor.code, monitor.out.slice(-1500)).not.toBe(2);
    expect(rec.seen.length, 'the monitor sent nothing to prod, so this proves nothing').toBeGreaterThan(0);

    // Client-conformance mode judges a client against the twin; on prod it finds nothing to run.
    const client = await run('npx', ['playwright', 'test', '--project=prod', 'specs/client'], { ...env, NHN_PROFILE: 'prod' }, 60_000);
    // prod runs @availability tests only, and the client judge has none: nothing of it runs.
    expect(client.out).toContain('No tests found');
    // (The run's environment fingerprint reads the publications, as every run does; the check below holds it to bodiless reads.)

    const beforeFuzz = rec.seen.length;
    const fuzz = await run('npm', ['run', '-s', 'fuzz', '--', '--profile', 'prod', '--allow-nhn', 'prod'], env, 60_000);
    expect(fuzz.code).toBe(2);
    expect(fuzz.out).toContain('refused: the prod profile never sends patient data or malformed writes');
    expect(rec.seen.length, 'the fuzzer sent something to prod').toBe(beforeFuzz);

    const offending = rec.seen.filter((s) => !['GET', 'HEAD', 'OPTIONS'].includes(s.method) || s.bytes > 0 || s.url.includes('?') || /(?<!\d)\d{11}(?!\d)/.test(s.url));
    expect(offending, `prod got ${rec.seen.length} requests; these carried data or wrote`).toEqual([]);
    process.stdout.write(`prod recorder: ${rec.seen.length} requests, all bodiless reads without a query: ${[...new Set(rec.seen.map((s) => `${s.method} ${s.url}`))].slice(0, 12).join(', ')}\n`);
  } finally {
    rec.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
