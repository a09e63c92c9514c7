// The secret scan can fail: a secret planted in each kind of artefact a run leaves (the Playwright
// HTML report's embedded zip, the single-file Allure report's embedded data, an Allure result
// attachment, JUnit, summary.json, the monitor history in SQLite, a certification bundle, a file
// in test-results, a gzip) is found, and the same artefact with the secret redacted passes.
import { expect, test } from '../../fixtures/base.ts';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { zipSync, strToU8 } from 'fflate';
import { SignJWT } from 'jose';
import initSqlJs from 'sql.js';
import { generateSigningKey } from '../../helpers/auth/keys.ts';
import { redactText } from '../../helpers/evidence/redact.ts';
import { scanArtefacts } from '../../helpers/evidence/secret-scan.ts';

const b64 = (s: string | Uint8Array) => Buffer.from(s).toString('base64');

test('a secret planted in every kind of artefact is found; redacted, it passes', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nhn-scan-'));
  const key = await generateSigningKey('ES256');
  const token = await new SignJWT({ aud: 'nhn:pit', scope: 'nhn:pit/api.read' }).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' }).sign(key.privateKey);
  const signature = token.split('.')[2]!;
  const tttKey = randomBytes(24).toString('base64url');
  const password = randomBytes(18).toString('base64url');
  const webhook = `https://hooks.example.invalid/services/CANARY-${randomBytes(6).toString('hex')}`;
  const known = { values: [tttKey, password, webhook], jwts: [token] };
  const SQL = await initSqlJs();
  const sqlite = (text: string) => {
    const db = new SQL.Database();
    db.run('CREATE TABLE tests (title TEXT, message TEXT)');
    db.run('INSERT INTO tests VALUES (?, ?)', ['a test', text]);
    const bytes = db.export();
    db.close();
    return Buffer.from(bytes);
  };
  const artefacts: Array<[string, (secret: string) => string | Buffer]> = [
    ['html/index.html', (s) => `<html><script id="playwrightReportBase64" type="application/zip">data:application/zip;base64,${b64(zipSync({ 'report.json': strToU8(JSON.stringify({ errors: [`Expected not to have access_token: ${s}`] })) }))}</script></html>`],
    ['allure-report/index.html', (s) => `<script>d("data/attachments/1.txt","${b64(`authorization: DPoP ${s}\n`.padEnd(80, ' '))}")</script>`],
    ['allure-results/0b1c-attachment.txt', (s) => `x-auth-key: ${s}\n`],
    ['junit.xml', (s) => `<testsuites><testcase name="t"><failure message="password ${s}"/></testcase></testsuites>`],
    ['summary.json', (s) => JSON.stringify({ alert: `delivery to ${encodeURIComponent(s)} failed` })],
    ['monitor/history.sqlite', (s) => sqlite(`Error: expected 200, got ${s}`)],
    ['certification/acme-test.zip', (s) => Buffer.from(zipSync({ 'exchanges.jsonl': strToU8(`{"request":"${s}"}\n`) }))],
    ['test-results/t-1/error-context.md', (s) => `# Error\n${s}\n`],
    ['broker/rabbit.log.gz', (s) => zlib.gzipSync(`auth failed for ${s}`)],
  ];
  const secrets: Array<[string, string, RegExp]> = [
    ['a token', token, /compact JWT|signature/],
    ['a signature alone (a token cut after its payload)', `…${signature}`, /signature of a token/],
    ['a TTT key', tttKey, /known secret/],
    ['a password', password, /known secret/],
    ['a webhook URL', webhook, /known secret/],
  ];
  const missed: string[] = [];
  for (const [file, make] of artefacts) {
    for (const [what, secret, expected] of secrets) {
      const full = path.join(dir, 'leak', file);
      fs.mkdirSync(path.dirname(full), { recursive: true });
      fs.writeFileSync(full, make(secret));
      const { finds } = await scanArtefacts(full, known);
      if (!finds.some((f) => expected.test(f.what))) missed.push(`${what} in ${file}`);
      fs.rmSync(full);
      // The same artefact with the secret redacted as the suite redacts it passes.
      // (A signature alone is no JWT to the redactor: the suite never writes one, so its clean form is cut.)
      fs.writeFileSync(full, make(secret.startsWith('…') ? '…[cut]' : redactText(secret.replace(webhook, '[redacted webhook]').replace(tttKey, '[redacted]').replace(password, '[redacted]'))));
      const clean = await scanArtefacts(full, known);
      if (clean.finds.length) missed.push(`a false find in redacted ${file}: ${clean.finds.map((f) => f.what).join(', ')}`);
      fs.rmSync(full);
    }
  }
  expect(missed).toEqual([]);
  fs.rmSync(dir, { recursive: true, force: true });
});
