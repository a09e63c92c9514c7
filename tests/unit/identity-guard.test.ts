// The synthetic-identity guard: on every NHN profile a national identity number that is not
// synthetic (facts §8.3) or one of NHN's named test persons (§8.4) is refused before sending, in
// a body, a form, a query, a header, a URL path, a test-token request or a login alike.
import { expect, test } from '../../fixtures/base.ts';
import fc from 'fast-check';
import { TokenClient } from '../../helpers/auth/token-client.ts';
import { resolveProfile } from '../../helpers/config/profiles.ts';
import { ApiClient } from '../../helpers/http/api-client.ts';
import { GuardError } from '../../helpers/http/errors.ts';
import { guardSyntheticPeople, realLookingNin } from '../../helpers/http/identity-guard.ts';
import { NHN_TEST_PERSONS, syntheticDNumber, syntheticFhNumber, syntheticNin, withControlDigits } from '../../helpers/identifiers.ts';

const pad = (n: number) => String(n).padStart(2, '0');

/** 11-digit numbers with valid control digits built from a day, a month field and an individual number. */
function numbers(day: fc.Arbitrary<number>, month: fc.Arbitrary<number>): fc.Arbitrary<string> {
  return fc
    .tuple(day, month, fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 999 }))
    .map(([d, m, y, i]) => withControlDigits(`${pad(d)}${pad(m)}${pad(y)}${String(i).padStart(3, '0')}`))
    .filter((n): n is string => n !== undefined);
}

// NHN's named test persons look real and pass on purpose (§8.4): a draw can hit one (15076500565 did).
const ordinary = numbers(fc.integer({ min: 1, max: 31 }), fc.integer({ min: 1, max: 12 })).filter((n) => !(n in NHN_TEST_PERSONS));
const dNumber = numbers(fc.integer({ min: 41, max: 71 }), fc.integer({ min: 1, max: 12 }));
const hNumber = numbers(fc.integer({ min: 1, max: 31 }), fc.integer({ min: 41, max: 52 }));
const unmarkedFh = numbers(fc.integer({ min: 80, max: 99 }), fc.integer({ min: 0, max: 65 }));
const testNorge = numbers(fc.integer({ min: 1, max: 71 }), fc.integer({ min: 81, max: 92 }));
const reserved = numbers(fc.integer({ min: 1, max: 71 }), fc.integer({ min: 66, max: 77 }));
const markedFh = numbers(fc.integer({ min: 80, max: 99 }), fc.oneof(fc.integer({ min: 66, max: 77 }), fc.integer({ min: 81, max: 92 })));

test('every real-looking number is refused: ordinary, D-, H- and unmarked felles hjelpenummer (fast-check, 2,000 each)', () => {
  for (const [name, arb] of [['ordinary', ordinary], ['D-number', dNumber], ['H-number', hNumber], ['unmarked FH', unmarkedFh]] as const) {
    // Plain properties, one expect per kind: a Playwright expect per case costs a recorded step.
    const refused = (nin: string) => {
      try {
        guardSyntheticPeople('a request', [`{"identifier":"${nin}"}`]);
        return false;
      } catch (e) {
        return e instanceof GuardError && realLookingNin([nin]) === nin;
      }
    };
    expect(fc.check(fc.property(arb, refused), { numRuns: 2_000 }).counterexample, name).toBeNull();
  }
});

test('synthetic conventions and NHN named test persons pass (fast-check, 2,000 each)', () => {
  for (const [name, arb] of [['Test-Norge +80', testNorge], ['reserved +65', reserved], ['marked FH', markedFh]] as const) {
    expect(fc.check(fc.property(arb, (nin) => realLookingNin([nin]) === undefined), { numRuns: 2_000 }).counterexample, name).toBeNull();
  }
  for (const nin of [...Object.keys(NHN_TEST_PERSONS), syntheticNin(3), syntheticDNumber(3), syntheticFhNumber(3), '13717404089']) {
    expect(realLookingNin([nin]), nin).toBeUndefined();
  }
});

test('the refusal names the request and the rule, never the number', () => {
  const nin = '01019010046';
  const e = (() => {
    try {
      guardSyntheticPeople('POST /v1/Patient', [nin]);
    } catch (err) {
      return err as Error;
    }
    throw new Error('not refused');
  })();
  expect(e.message).toMatch(/POST \/v1\/Patient carries an 11-digit number that looks like a real national identity number \(not repeated here\)/);
  expect(e.message).toMatch(/month \+ 80 or month \+ 65/);
  expect(e.message).not.toContain(nin);
});

test('on the NHN test profile a real-looking number is refused in a body, a form, a query, a header and a path, and nothing is sent', async () => {
  const nin = '01019010046';
  const profile = resolveProfile('test', { NHN_PIT_URL: 'http://127.0.0.1:1', NHN_PAREK_URL: 'http://127.0.0.1:1', NHN_PHR_URL: 'http://127.0.0.1:1' });
  const sent: string[] = [];
  const recorder = (x: { request: { url: string } }) => sent.push(x.request.url);
  const pit = new ApiClient({ profile, service: 'pit', mode: 'none', recorder });
  const parek = new ApiClient({ profile, service: 'parek', mode: 'none', recorder });
  const phr = new ApiClient({ profile, service: 'phr', mode: 'none', recorder });
  const attempts: Array<[string, Promise<unknown>]> = [
    ['json body', pit.post('/v1/Patient', { json: { identifier: [{ system: 'urn:oid:2.16.578.1.12.4.1.4.1', value: nin }] } })],
    ['raw body', pit.request({ method: 'POST', path: '/v1/Patient', body: `{"id":"${nin}"}`, contentType: 'application/fhir+json' })],
    ['form', phr.post('/R4/fhir/DocumentReference/_search', { form: { 'patient.identifier': `urn:oid:2.16.578.1.12.4.1.4.1|${nin}` } })],
    ['query', parek.get('/v1/ServiceRequest', { query: { 'patient:identifier': `urn:oid:2.16.578.1.12.4.1.4.1|${nin}` } })],
    ['header', phr.get('/mhd/document', { headers: { 'nhn-patient-nin': nin } })],
    ['path', parek.get(`/v1/Patient/${nin}`)],
  ];
  for (const [where, attempt] of attempts) {
    const e = await attempt.then(() => undefined, (err: unknown) => err as Error);
    expect(e, where).toBeInstanceOf(GuardError);
    expect(e!.message, where).not.toContain(nin);
  }
  expect(sent).toEqual([]);
});

test('a test-token request and a user login for a real-looking person are refused before HelseID is asked', async () => {
  // Port 1: were anything sent, it would fail with connection-refused, not with the guard.
  const client = new TokenClient('http://127.0.0.1:1', { clientId: 'c', privateJwk: { kty: 'EC' }, redirectUri: 'http://127.0.0.1:1/callback' });
  await expect(client.testUserToken({ url: 'http://127.0.0.1:1/v2/create-test-token-with-key', apiKey: 'k' }, ['nhn:pit/read'], { pid: '01019010046' })).rejects.toThrow(GuardError);
  await expect(client.testUserToken({ url: 'http://127.0.0.1:1/v2/create-test-token-with-key', apiKey: 'k' }, ['nhn:pit/read'], { pid: syntheticNin(1) })).rejects.not.toThrow(GuardError);
});
