// NHN's documented environment quirks (declared in the packs, each with its source): what matches
// one exactly is reported with NHN's explanation and the fix, as a warning; anything else that
// looks like it is still a failure.
import { SERVICES, type EnvironmentQuirk, type ProfileName, type ServiceName } from '../packs/index.ts';
import type { TlsInfo } from '../http/client.ts';

/** The documented quirk that explains this untrusted chain, if one does. */
export function documentedTlsQuirk(service: ServiceName, profile: ProfileName, tls: TlsInfo): EnvironmentQuirk | undefined {
  if (tls.authorized) return undefined;
  return (SERVICES[service].profiles[profile]?.quirks ?? []).find(
    (q) => q.kind === 'untrusted-tls' && q.errors.includes(String(tls.authorizationError)) && q.issuer.test(tls.issuer ?? ''),
  );
}
