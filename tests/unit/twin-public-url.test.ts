// Behind a reverse proxy the twin checks DPoP htu against its public URL, not its listen address.
import { expect, test } from '../../fixtures/base.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDpopProof } from '../../helpers/auth/dpop.ts';
import { TokenClient } from '../../helpers/auth/token-client.ts';
import { twinListenUrl, twinStateFile, type TwinState } from '../../helpers/config/twin-layout.ts';
import { send } from '../../helpers/http/client.ts';
import { backdoorHeaders } from '../../helpers/auth/backdoor.ts';
import { startTwin } from '../../sandbox/twin.ts';
import { unitTwinPort } from './support/ports.ts';

test('DPoP htu is checked against SANDBOX_PUBLIC_URL_PHR', async ({}, info) => {
  // Ports of the worker's slot: another worker, or another repeat, may run this file at once.
  const basePort = unitTwinPort(info.parallelIndex, 1);
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nhn-unit-proxy-'));
  const env = { ...process.env, SANDBOX_STATE_DIR: stateDir, SANDBOX_PUBLIC_URL_PHR: 'https://phr.proxy.test:8443/pjd' };
  const twin = await startTwin({ basePort, faults: [], env });
  try {
    expect(twin.urls.phr).toBe('https://phr.proxy.test:8443/pjd');
    const state = JSON.parse(fs.readFileSync(twinStateFile(basePort, env), 'utf8')) as TwinState;
    const client = state.clients.suite!;
    // Tokens are cached per twin instance: a repeat of this test meets a new twin with new keys.
    const tokens = new TokenClient(twin.urls.helseid, { clientId: client.clientId, privateJwk: client.privateJwk }, state.instance);
    const token = await tokens.clientCredentials(['nhn:phr/mhd/read-document']);
    const key = await tokens.runKey();
    const listen = `${twinListenUrl('phr', basePort)}/pingauth`;
    const call = async (htuUrl: string) =>
      send({ method: 'GET', url: listen, headers: { authorization: `DPoP ${token.accessToken}`, dpop: await createDpopProof(key, { method: 'GET', url: htuUrl, accessToken: token.accessToken }) } });
    expect((await call('https://phr.proxy.test:8443/pjd/pingauth')).status).toBe(200);
    const direct = await call(listen);
    expect(direct.status).toBe(401);
    expect(direct.header('www-authenticate')).toContain('invalid_dpop_proof');
  } finally {
    await twin.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
});

test('backdoor headers carry the identity and refuse to be built without a requester', () => {
  const h = backdoorHeaders({ organisation: '312345671', requesterHpr: '990000001', eventId: 'e-1' });
  expect(h).toMatchObject({ 'X-Nilar-Organisation': '312345671', 'X-Nilar-Requester-Hpr': '990000001', 'nhn-event-id': 'e-1', 'Correlation-Id': 'e-1' });
  expect(() => backdoorHeaders({ organisation: '312345671' })).toThrow(/Requester/);
});
