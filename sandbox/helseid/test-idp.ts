// The stand-in's synthetic test IdP. Named by `login_hint` (their national identity number), a
// test person logs in at once, the suite's fast headless path. Without a login_hint it serves the
// pages HelseID's test IdP shows a person at a browser: the IdP choice, a form for the
// fødselsnummer, and consent, which the `local` login recipe drives in Chromium. Only NHN's named
// test persons and synthetic numbers are known; the grant is exactly what the request asked for,
// its authorization_details (the trust framework attest) included.
import { createHash } from 'node:crypto';
import type { Middleware } from 'koa';
import type Provider from 'oidc-provider';
import type { CheckSet } from '../core/checks.ts';
import { HELSEID_CLAIMS, IDENTITY_SCOPES } from '../../helpers/protocol.ts';
import { audienceOfScope } from '../../helpers/packs/index.ts';
import { TEST_IDP_PERSONS } from '../../helpers/packs/helseid.ts';

export const INTERACTION_PATH = '/interaction/';

export interface TestPerson {
  pid: string;
  name: string;
  /** Health personnel have one; others log in without. */
  hprNumber?: string;
  securityLevel: '3' | '4';
}

/** Who the test IdP knows (helpers/packs/helseid.ts). */
export const TEST_PERSONS: readonly TestPerson[] = Object.values(TEST_IDP_PERSONS);

/** The account id HelseID would give a person: a pseudonym, never the number itself. */
export const accountIdOf = (pid: string) => `testidp-${createHash('sha256').update(pid).digest('base64url').slice(0, 22)}`;
const byAccount = new Map(TEST_PERSONS.map((p) => [accountIdOf(p.pid), p]));
export const personOf = (accountId: string | undefined) => (accountId ? byAccount.get(accountId) : undefined);

/** The user claims an access token carries for a login: pid and security level as their scopes ask, the HPR number when there is one. */
export function userClaims(person: TestPerson, scopes: readonly string[]): Record<string, string> {
  const claims: Record<string, string> = { [HELSEID_CLAIMS.assuranceLevel]: person.securityLevel === '4' ? 'high' : 'substantial', [HELSEID_CLAIMS.network]: 'internett' };
  if (scopes.includes(IDENTITY_SCOPES.pid)) claims[HELSEID_CLAIMS.pid] = person.pid;
  if (scopes.includes(IDENTITY_SCOPES.securityLevel)) claims[HELSEID_CLAIMS.securityLevel] = person.securityLevel;
  if (person.hprNumber) claims[HELSEID_CLAIMS.hprNumber] = person.hprNumber;
  return claims;
}

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** One of the test IdP's pages: plain HTML a person (or a browser driven by a login recipe) reads. */
function page(title: string, body: string): string {
  return `<!doctype html><html lang="nb"><head><meta charset="utf-8"><title>${escape(title)} – HelseID (twin)</title>
<style>body{font-family:sans-serif;max-width:32rem;margin:3rem auto;color:#1a1a1a}button{font-size:1rem;padding:.5rem 1rem;margin:.25rem 0}
label{display:block;margin:.5rem 0 .25rem}input{font-size:1rem;padding:.4rem}.error{color:#a00}ul{padding-left:1.2rem}</style></head>
<body><p>HelseID (the twin's synthetic test IdP)</p><h1>${escape(title)}</h1>${body}</body></html>`;
}

/** The IdPs the choice page offers: only the test IdP logs anyone in. */
const IDPS = [
  { id: 'testidp', label: 'Test-IdP', enabled: true },
  { id: 'bankid', label: 'BankID', enabled: false },
];

async function formOf(ctx: Parameters<Middleware>[0]): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > 16_384) break;
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function render(ctx: Parameters<Middleware>[0], status: number, html: string): void {
  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.set('cache-control', 'no-store');
  ctx.body = html;
}

/**
 * The test IdP. A request that names its person in login_hint finishes at once, as the headless
 * path of the suite uses it: the person logs in and grants what was asked. Without a login_hint
 * it serves pages, as HelseID's test IdP does for a person at a browser: the IdP choice, a form
 * for the fødselsnummer, then consent.
 */
type Details = Awaited<ReturnType<Provider['interactionDetails']>>;

/** A grant of exactly what the request asked for, its authorization_details (the attest) included. */
async function grantAll(provider: Provider, details: Details, accountId: string): Promise<string> {
    const params = details.params as Record<string, string | undefined>;
    const grant = details.grantId ? ((await provider.Grant.find(details.grantId)) ?? new provider.Grant({ accountId, clientId: String(params.client_id) })) : new provider.Grant({ accountId, clientId: String(params.client_id) });
    const scopes = String(params.scope ?? '').split(' ').filter(Boolean);
    // The API scopes are in the provider's scope list (discovery names them), so oidc-provider
    // asks consent for them as OIDC scopes as well as for their resource.
    grant.addOIDCScope(scopes.join(' '));
    for (const scope of scopes) {
      const audience = audienceOfScope(scope);
      if (audience) grant.addResourceScope(audience, scope);
    }
    if (params.authorization_details) {
      for (const detail of JSON.parse(params.authorization_details) as Array<{ type: string }>) grant.addRar(detail);
    }
    return grant.save();
}

export function testIdp(provider: Provider, checks: CheckSet): Middleware {
  const finish = async (ctx: Parameters<Middleware>[0], result: Parameters<Provider['interactionResult']>[2]) => {
    const to = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
    ctx.status = 303;
    ctx.redirect(to);
  };

  return async (ctx, next) => {
    const match = /^\/interaction\/([^/]+)(?:\/(idp|login|consent))?$/.exec(ctx.path);
    if (!ctx.path.startsWith(INTERACTION_PATH)) return next();
    let details;
    try {
      if (!match) throw new Error('no such page');
      details = await provider.interactionDetails(ctx.req, ctx.res);
      if (details.uid !== match[1]) throw new Error('another interaction');
    } catch {
      render(ctx, 400, page('Innloggingen er utløpt', '<p class="error">Ingen innlogging pågår her (informasjonskapselen mangler eller er utløpt). Start innloggingen på nytt fra journalsystemet.</p>'));
      return;
    }
    const uid = escape(details.uid);
    const params = details.params as Record<string, string | undefined>;
    const step = match![2];
    const hint = params.login_hint;

    // The headless path: the person named by login_hint logs in and consents at once.
    if (ctx.method === 'GET' && !step && hint !== undefined) {
      const person = TEST_PERSONS.find((p) => p.pid === hint);
      if (!person) return finish(ctx, { error: 'access_denied', error_description: 'the synthetic test IdP knows no test person with that login_hint' });
      const accountId = accountIdOf(person.pid);
      return finish(ctx, { login: { accountId }, consent: { grantId: await grantAll(provider, details, accountId) } });
    }

    const loginForm = (status: number, error?: string) =>
      render(ctx, status, page('Logg inn med Test-IdP', `${error ? `<p class="error" role="alert">${escape(error)}</p>` : ''}<form method="post" action="/interaction/${uid}/login">
<label for="pid">Fødselsnummer</label><input id="pid" name="pid" inputmode="numeric" autocomplete="off" required pattern="\\d{11}">
<p><button type="submit">Logg inn</button></p></form>`));
    const idpChoice = (status: number, error?: string) =>
      render(ctx, status, page('Velg innloggingsmetode', `${error ? `<p class="error" role="alert">${escape(error)}</p>` : ''}<form method="post" action="/interaction/${uid}/idp">
${IDPS.map((i) => `<p><button type="submit" name="idp" value="${i.id}"${i.enabled ? '' : ' disabled'}>${escape(i.label)}</button></p>`).join('\n')}</form>`));

    try {
      if (details.prompt.name === 'consent' && !step && ctx.method === 'GET') {
        const person = personOf(details.session?.accountId);
        const scopes = String(params.scope ?? '').split(' ').filter(Boolean);
        render(ctx, 200, page('Samtykke', `<p>${escape(person?.name ?? 'Du')} er logget inn. Klienten <strong>${escape(String(params.client_id))}</strong> ber om tilgang til:</p>
<ul>${scopes.map((s) => `<li>${escape(s)}</li>`).join('')}</ul>
<form method="post" action="/interaction/${uid}/consent"><button type="submit" name="decision" value="accept">Godta</button> <button type="submit" name="decision" value="deny">Avslå</button></form>`));
        return;
      }
      if (details.prompt.name === 'consent' && step === 'consent' && ctx.method === 'POST') {
        const accountId = details.session?.accountId;
        if (!accountId) throw new Error('no one is logged in');
        const accepted = (await formOf(ctx)).get('decision') === 'accept';
        const to = await provider.interactionResult(ctx.req, ctx.res, accepted ? { consent: { grantId: await grantAll(provider, details, accountId) } } : { error: 'access_denied', error_description: 'the person declined consent' }, { mergeWithLastSubmission: true });
        ctx.status = 303;
        ctx.redirect(to);
        return;
      }
      if (details.prompt.name !== 'login') {
        render(ctx, 400, page('Ukjent steg', '<p class="error">Denne siden hører ikke til steget innloggingen er på.</p>'));
        return;
      }
      if (!step && ctx.method === 'GET') return idpChoice(200);
      if (step === 'idp' && ctx.method === 'POST') {
        const idp = (await formOf(ctx)).get('idp');
        if (!IDPS.some((i) => i.enabled && i.id === idp)) return idpChoice(400, 'Velg en innloggingsmetode som er tilgjengelig i testmiljøet.');
        ctx.status = 303;
        ctx.redirect(`/interaction/${details.uid}/login`);
        return;
      }
      if (step === 'login' && ctx.method === 'GET') return loginForm(200);
      if (step === 'login' && ctx.method === 'POST') {
        const pid = ((await formOf(ctx)).get('pid') ?? '').trim();
        let person = TEST_PERSONS.find((p) => p.pid === pid);
        if (!person) return loginForm(400, 'Finner ingen testperson med dette fødselsnummeret.');
        // The fault: whoever is typed, the IdP's first test person is logged in.
        if (!checks.on('testidp.person', 'helseid')) person = TEST_PERSONS.find((p) => p.pid !== pid)!;
        return finish(ctx, { login: { accountId: accountIdOf(person.pid) } });
      }
      render(ctx, 405, page('Ukjent side', '<p class="error">Denne siden finnes ikke i innloggingen.</p>'));
    } catch {
      render(ctx, 400, page('Innloggingen stoppet', '<p class="error">Innloggingen kunne ikke fortsette. Start den på nytt fra journalsystemet.</p>'));
    }
  };
}
