// The cross-cutting authorisation pack: the RFC 9449 resource-server matrix aimed at every API's
// safe call, the Bearer and backdoor tripwires, and TLS. Its faults break the shared
// resource-server checks of every twin API.
import { intSetting, urlSetting } from '../config/settings.ts';
import type { PackDescriptor } from './types.ts';

export const AUTH_SETTINGS = {
  staleNonceWaitMs: intSetting('NHN_DPOP_STALE_NONCE_WAIT_MS', 'how long the suite waits before it calls a server nonce stale (ms)', { min: 0, max: 600_000, fallback: 4_000 }),
  prodBackdoorProbeUrl: urlSetting('NHN_PROD_BACKDOOR_PROBE_URL', "the URL the prod profile probes to prove production has no backdoor (default: PaRek's production host name with backdoor.)"),
};

export const authPack = {
  id: 'auth',
  title: 'Authorisation at the resource servers',
  services: {},
  twin: 'auth',
  requirements: ['dpop.yaml', 'nhn.yaml'],
  specs: ['auth', 'availability'],
  settings: AUTH_SETTINGS,
} as const satisfies PackDescriptor;
