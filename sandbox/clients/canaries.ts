// The planted-secret test's witness (SANDBOX_CANARY_LOG): every secret the twin hands out or is
// sent (access tokens, DPoP proofs, client assertions, subject tokens, authorization codes, the
// cookies of its logins, its
// test-token key, its clients' private keys, its AMQP passwords) goes into a file of JSON lines,
// so that `npm run audit:secrets -- --canaries <file>` can prove that none reached an artefact.
// Test infrastructure only: the file is created mode 0600 and nothing else reads it.
import fs from 'node:fs';
import type { Observer } from './observe.ts';

const JWT = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{16,}/g;
const SECRET_FORM_FIELDS = ['client_assertion', 'subject_token', 'actor_token', 'code', 'code_verifier', 'refresh_token', 'request', 'client_secret', 'password'];
const SECRET_HEADERS = ['dpop', 'x-auth-key', 'cookie'];

export class CanaryLog {
  private readonly seen = new Set<string>();

  constructor(private readonly file: string) {
    fs.writeFileSync(file, '', { mode: 0o600, flag: 'a' });
  }

  add(kind: string, value: unknown): void {
    if (typeof value !== 'string' || value.length < 8 || this.seen.has(value)) return;
    this.seen.add(value);
    fs.appendFileSync(this.file, `${JSON.stringify({ kind, value })}\n`, { mode: 0o600 });
  }

  /** Every secret in one exchange the twin served. */
  observer(): Observer {
    return {
      arrived: () => {},
      observed: (o) => {
        const auth = String(o.headers.authorization ?? '');
        if (auth) this.add('authorization', auth.replace(/^\S+\s+/, ''));
        for (const h of SECRET_HEADERS) for (const v of [o.headers[h]].flat()) this.add(h, v);
        const request = o.body.toString('utf8');
        if (/x-www-form-urlencoded/.test(String(o.headers['content-type'] ?? ''))) {
          const form = new URLSearchParams(request);
          for (const f of SECRET_FORM_FIELDS) for (const v of form.getAll(f)) this.add(f, v);
        }
        const response = o.responseBody.toString('utf8');
        // Named fields first, so that each value is listed under what it is; then any other JWT.
        try {
          const json = JSON.parse(response) as Record<string, unknown>;
          for (const f of ['access_token', 'refresh_token', 'id_token', 'request_uri']) this.add(f, json[f]);
          const ttt = json.successResponse as { accessTokenJwt?: string; dPoPProof?: string } | undefined;
          this.add('access_token', ttt?.accessTokenJwt);
          this.add('dpop', ttt?.dPoPProof);
        } catch {
          // Not JSON: its JWTs are listed below.
        }
        const location = String(o.responseHeaders.location ?? '');
        // Each cookie the twin sets (its login's session cookies and their signatures), by value.
        // An interaction cookie's value is the interaction's id, which oidc-provider also puts in
        // the URL it redirects to (/interaction/<id>): public by design, so no canary; its
        // signature cookie is what proves it, and is one.
        for (const line of [o.responseHeaders['set-cookie'] ?? []].flat()) {
          const pair = String(line).split(';')[0] ?? '';
          const value = pair.slice(pair.indexOf('=') + 1);
          if (!location.includes(value)) this.add('cookie', value);
        }
        if (location.includes('code=')) this.add('code', new URL(location, 'http://x').searchParams.get('code'));
        for (const text of [request, response, location]) for (const [jwt] of text.matchAll(JWT)) this.add('jwt', jwt);
      },
    };
  }
}
