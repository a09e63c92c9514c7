import { expect, test } from '../../fixtures/base.ts';
import { SignJWT } from 'jose';
import { describeJwt, redactBody, redactHeaders, redactJson, redactText, registerSecret } from '../../helpers/evidence/redact.ts';
import { generateSigningKey, exportPrivateJwk } from '../../helpers/auth/keys.ts';

async function jwt(claims: Record<string, unknown>): Promise<string> {
  const key = await generateSigningKey('ES256');
  return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' }).sign(key.privateKey);
}

test('Authorization and DPoP headers keep their scheme and non-secret claims, never the token', async () => {
  const token = await jwt({ aud: 'nhn:pit', scope: 'nhn:pit/api.read', cnf: { jkt: 'x' } });
  const proof = await jwt({ htm: 'GET', htu: 'https://api.pit.test.nhn.no/v1/Patient', jti: 'j' });
  const out = redactHeaders({ Authorization: `DPoP ${token}`, dpop: proof, 'x-auth-key': 'super-secret-api-key', accept: 'application/json' });
  const text = JSON.stringify(out);
  expect(text).not.toContain(token);
  expect(text).not.toContain(proof);
  expect(text).not.toContain('super-secret-api-key');
  expect(out.Authorization).toMatch(/^DPoP \[redacted JWT [0-9a-f]{12}: .*aud="nhn:pit"/);
  expect(out.dpop).toContain('htu="https://api.pit.test.nhn.no/v1/Patient"');
  expect(out.accept).toBe('application/json');
});

test('form and JSON bodies lose assertions, tokens and private key members', async () => {
  const assertion = await jwt({ iss: 'c', sub: 'c' });
  const form = redactBody(`grant_type=client_credentials&client_assertion=${assertion}&client_secret=s3cret-value&scope=nhn%3Apit%2Fapi.read`, 'application/x-www-form-urlencoded');
  expect(form).not.toContain(assertion);
  expect(form).not.toContain('s3cret-value');
  expect(form).toContain('scope=nhn%3Apit%2Fapi.read');

  const key = await exportPrivateJwk(await generateSigningKey('ES256'));
  const token = await jwt({ a: 1 });
  const json = JSON.stringify(redactJson({ access_token: token, token_type: 'DPoP', nested: [{ privateJwk: key }, { d: key.d }] }));
  expect(json).not.toContain(token);
  expect(json).not.toContain(String(key.d));
  expect(json).toContain('"token_type":"DPoP"');
});

test('free text loses JWTs, PEM keys and registered secrets', async () => {
  const token = await jwt({ x: 1 });
  registerSecret('registered-secret-123');
  // A fake PEM block, assembled at run time so no key-shaped text sits in the repository.
  const pem = (edge: string) => `-----${edge} ${'PRIVATE'} KEY-----`;
  // The key's body must be text no redaction marker can hold: 'abc' once matched a random fingerprint's hex.
  const body = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC';
  const text = redactText(`token ${token} key ${pem('BEGIN')}\n${body}\n${pem('END')} and registered-secret-123`);
  expect(text).not.toContain(token);
  expect(text).not.toContain(body);
  expect(text).not.toContain('registered-secret-123');
});

test('authorization codes, verifiers and request URIs are redacted in URLs and forms, while a FHIR coding keeps its code', () => {
  const code = 'Zr8q1sD7vYw0x-authorization-code';
  const location = redactHeaders({ location: `https://epj.invalid/callback?code=${code}&state=abc&iss=https%3A%2F%2Fhelseid` });
  expect(JSON.stringify(location)).not.toContain(code);
  expect(String(location.location)).toContain('state=abc');
  const form = redactBody(`grant_type=authorization_code&code=${code}&code_verifier=verifier-value-123&redirect_uri=https%3A%2F%2Fepj`, 'application/x-www-form-urlencoded');
  expect(form).not.toContain(code);
  expect(form).not.toContain('verifier-value-123');
  expect(form).toContain('grant_type=authorization_code');
  const par = JSON.stringify(redactJson({ request_uri: 'urn:ietf:params:oauth:request_uri:secret-ref', expires_in: 60 }));
  expect(par).not.toContain('secret-ref');
  expect(JSON.stringify(redactJson({ coding: [{ system: 's', code: 'A00-1' }] }))).toContain('"code":"A00-1"');
});

test('a string that is not a JWT is described by fingerprint only', () => {
  expect(describeJwt('eyJnot-json.eyJx.y')).toMatch(/^\[redacted sha256:[0-9a-f]{12}\]$/);
});

test('the secret scan finds a planted token and private key member, and passes clean text', async () => {
  const { scanArtefacts } = await import('../../helpers/evidence/secret-scan.ts');
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nhn-scan-'));
  const token = await jwt({ aud: 'nhn:pit' });
  fs.writeFileSync(path.join(dir, 'clean.json'), JSON.stringify({ authorization: redactText(`DPoP ${token}`) }));
  expect((await scanArtefacts(dir)).finds).toEqual([]);
  fs.mkdirSync(path.join(dir, 'nested'));
  fs.writeFileSync(path.join(dir, 'nested', 'leak.txt'), `authorization: DPoP ${token}\n`);
  fs.writeFileSync(path.join(dir, 'key.json'), JSON.stringify({ kty: 'EC', d: 'A'.repeat(43) }));
  const { finds } = await scanArtefacts(dir);
  expect(finds.map((f) => f.what).sort()).toEqual(['a compact JWT (token, proof or assertion)', 'a private JWK member']);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a form body with a secret field is seen as holding a secret, and redacted (the HAR kept client_secret=… before)', async () => {
  const { mayHoldSecret } = await import('../../helpers/evidence/redact.ts');
  const form = 'client_id=nhn-suite-vendor&grant_type=client_credentials&client_secret=Zm9vYmFyYmF6cXV4cXV1eA';
  expect(mayHoldSecret(form)).toBe(true);
  expect(redactBody(form, 'application/x-www-form-urlencoded')).not.toContain('Zm9vYmFyYmF6cXV4cXV1eA');
  expect(mayHoldSecret('status=current&_count=10')).toBe(false);
});
