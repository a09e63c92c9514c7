// The prod profile never writes and never sends patient data: the API client refuses before
// anything leaves the machine.
import { expect, test } from '../../fixtures/base.ts';
import { resolveProfile } from '../../helpers/config/profiles.ts';
import { ApiClient } from '../../helpers/http/api-client.ts';
import { GuardError } from '../../helpers/http/errors.ts';
import { syntheticFhNumber, syntheticNin } from '../../helpers/identifiers.ts';
import { PROFILE_NAMES } from '../../helpers/packs/index.ts';

test('prod refuses writes, bodies and queries before sending; a bare GET goes out', async () => {
  // Port 1 on loopback: anything actually sent fails with connection-refused instead.
  const profile = resolveProfile('prod', { NHN_PIT_URL: 'http://127.0.0.1:1' });
  const sent: string[] = [];
  const client = new ApiClient({ profile, service: 'pit', mode: 'none', recorder: (x) => sent.push(x.request.method) });
  await expect(client.post('/v1/Patient', { json: { resourceType: 'Patient' } })).rejects.toThrow(GuardError);
  await expect(client.get('/v1/Patient', { query: { _lastUpdated: 'ge2026-01-01T00:00Z' } })).rejects.toThrow(/never sends patient data/);
  await expect(client.request({ method: 'DELETE', path: '/v1/Patient/1' })).rejects.toThrow(/never writes/);
  expect(sent).toEqual([]);
  await expect(client.get('/ping')).rejects.toThrow(/connection-refused/);
  expect(sent).toEqual(['GET']);
});

test('no profile sends a real-looking national identity number: only synthetic ones and NHN named test persons go out', async () => {
  const profile = resolveProfile('test', { NHN_PHR_URL: 'http://127.0.0.1:1', NHN_PIT_URL: 'http://127.0.0.1:1' });
  const sent: string[] = [];
  const client = new ApiClient({ profile, service: 'phr', mode: 'none', recorder: (x) => sent.push(x.request.url) });
  // 01019010046 passes both control digits and carries no synthetic month: it could be a person's.
  await expect(client.post('/R4/fhir/DocumentReference/_search', { form: { 'patient.identifier': 'urn:oid:2.16.578.1.12.4.1.4.1|01019010046', status: 'current' } })).rejects.toThrow(/looks like a real national identity number \(not repeated here\)/);
  await expect(client.get('/mhd/document', { headers: { 'nhn-patient-nin': '01019010046' } })).rejects.toThrow(GuardError);
  await expect(new ApiClient({ profile, service: 'pit', mode: 'none' }).post('/v1/Patient', { json: { identifier: [{ value: '01019010046' }] } })).rejects.toThrow(GuardError);
  expect(sent).toEqual([]);
  // Line Danser (NHN's named test patient) and a synthetic number go out (and meet the closed port).
  await expect(client.get('/mhd/document', { headers: { 'nhn-patient-nin': '13116900216' } })).rejects.toThrow(/connection-refused/);
  await expect(client.get('/mhd/document', { headers: { 'nhn-patient-nin': syntheticNin(7) } })).rejects.toThrow(/connection-refused/);
  // Eleven digits inside a UUID's hex group are not a person.
  await expect(client.get('/mhd/document', { headers: { 'x-request-id': 'urn:uuid:8f1c2a3b-4d5e-4f60-8a7b-a01019010046' } })).rejects.toThrow(/connection-refused/);
  expect(sent.length).toBe(3);
});

test('on every profile, the Person API client refuses a national identity number in a URL, and never repeats it', async () => {
  const nin = syntheticNin(11);
  for (const name of PROFILE_NAMES) {
    const profile = resolveProfile(name, { NHN_PERSON_URL: 'http://127.0.0.1:1', ...(name === 'local' ? { SANDBOX_STATE_FILE: '/nonexistent' } : {}) });
    const sent: string[] = [];
    const client = new ApiClient({ profile, service: 'person', mode: 'none', recorder: (x) => sent.push(x.request.url) });
    for (const attempt of [client.get(`/api/v3/full-access/person/${nin}`), client.get('/api/v3/full-access/event', { query: { sequenceNumber: nin } })]) {
      const e = await attempt.then(
        () => undefined,
        (err: unknown) => err as Error,
      );
      expect(e, `${name}: a NIN went out in a URL`).toBeInstanceOf(GuardError);
      expect(e!.message, name).toMatch(/never in a URL/);
      expect(e!.message, `${name}: the refusal repeats the number`).not.toContain(nin);
    }
    expect(sent, name).toEqual([]);
  }
  // A felles hjelpenummer is refused too; a person id (64 hex characters) is not a number.
  const profile = resolveProfile('test', { NHN_PERSON_URL: 'http://127.0.0.1:1' });
  const client = new ApiClient({ profile, service: 'person', mode: 'none' });
  await expect(client.get(`/api/v3/full-access/person/${syntheticFhNumber(1)}`)).rejects.toThrow(/never in a URL/);
  await expect(client.get(`/api/v3/full-access/person/${'3f9c5e318c94'.repeat(5)}abcd`)).rejects.toThrow(/connection-refused/);
  // Other APIs put numbers in URLs where NHN documents it (PaRek's patient:identifier search).
  await expect(new ApiClient({ profile: resolveProfile('test', { NHN_PAREK_URL: 'http://127.0.0.1:1' }), service: 'parek', mode: 'none' }).get('/v1/ServiceRequest', { query: { 'patient:identifier': `urn:oid:2.16.578.1.12.4.1.4.1|${nin}` } })).rejects.toThrow(/connection-refused/);
});
