// HelseID's structured claim for the organisation a client acts for (facts §2.6), sent in the
// client assertion's assertion_details: a single-tenant client names a child organisation by its
// organisation number; a multi-tenant client names the parent it acts for, and maybe a child, as
// NO:ORGNR:<parent>:<child> under urn:oid:1.0.6523.
import { OID } from '../identifiers.ts';

export const HELSEID_AUTHORIZATION = 'helseid_authorization';
/** The ISO 6523 identifier scheme a multi-tenant client names its organisation in. */
export const MULTI_TENANT_SYSTEM = 'urn:oid:1.0.6523';
const MULTI_TENANT_VALUE = /^NO:ORGNR:(\d{9}):(\d{9})?$/;

export type Organisation = { tenancy: 'single'; child: string } | { tenancy: 'multi'; parent: string; child?: string };

/** The helseid_authorization structured claim for this organisation. */
export function helseidAuthorization(org: Organisation): Record<string, unknown> {
  const identifier = org.tenancy === 'single' ? { system: OID.orgnr, type: 'ENH', value: org.child } : { system: MULTI_TENANT_SYSTEM, type: 'ENH', value: `NO:ORGNR:${org.parent}:${org.child ?? ''}` };
  return { type: HELSEID_AUTHORIZATION, practitioner_role: { organization: { identifier } } };
}

/** The organisation a helseid_authorization claim names, if it names one in either form. */
export function organisationIn(details: unknown): Organisation | undefined {
  for (const d of [details ?? []].flat() as Array<Record<string, any>>) { // eslint-disable-line @typescript-eslint/no-explicit-any
    if (d?.type !== HELSEID_AUTHORIZATION) continue;
    const identifier = d.practitioner_role?.organization?.identifier as { system?: string; value?: string } | undefined;
    if (identifier?.system === OID.orgnr && /^\d{9}$/.test(String(identifier.value))) return { tenancy: 'single', child: String(identifier.value) };
    const multi = identifier?.system === MULTI_TENANT_SYSTEM ? MULTI_TENANT_VALUE.exec(String(identifier.value)) : null;
    if (multi) return { tenancy: 'multi', parent: multi[1]!, ...(multi[2] ? { child: multi[2] } : {}) };
  }
  return undefined;
}

/** "<parent>:<child>" or "<parent>:" (a setting's form) as a multi-tenant organisation. */
export function parseTenant(value: string): Organisation | undefined {
  const m = /^(\d{9}):(\d{9})?$/.exec(value.trim());
  return m ? { tenancy: 'multi', parent: m[1]!, ...(m[2] ? { child: m[2] } : {}) } : undefined;
}
