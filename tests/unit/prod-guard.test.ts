// The prod profile never writes and never sends patient data: the API client refuses before
// anything leaves the machine.
import { expect, test } from '@playwright/test';
import { resolveProfile } from '../../helpers/config/profiles.ts';
import { ApiClient } from '../../helpers/http/api-client.ts';
import { GuardError } from '../../helpers/http/errors.ts';
import { syntheticNin } from '../../helpers/identifiers.ts';

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
