// The prod profile never writes and never sends patient data: the API client refuses before
// anything leaves the machine.
import { expect, test } from '@playwright/test';
import { resolveProfile } from '../../helpers/config/profiles.ts';
import { ApiClient } from '../../helpers/http/api-client.ts';
import { GuardError } from '../../helpers/http/errors.ts';

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
